// driver=smtp: a reporter only (no source). Options are kept for the
// reporter, which comes later.

import type { Driver } from '../driver.js';
import { smtpPipelineSchemas } from './schema.js';

export const smtpDriver: Driver = {
  name: 'smtp',
  pipelineSchemas: smtpPipelineSchemas,
  createConnection: (config) => ({ name: config.name, driverName: 'smtp', config }),
};
