// driver=smtp: a reporter only (no source). Options are kept for the
// reporter, which comes later.

import type { Driver } from '../driver.js';

export const smtpDriver: Driver = {
  name: 'smtp',
  pipelineSchemas: {},
  createConnection: (config) => ({ name: config.name, driverName: 'smtp', config }),
};
