// driver=mqtt: a reporter only (no source). Options are kept for the
// reporter, which comes later.

import type { Driver } from '../driver.js';
import { mqttPipelineSchemas } from './schema.js';

export const mqttDriver: Driver = {
  name: 'mqtt',
  pipelineSchemas: mqttPipelineSchemas,
  createConnection: (config) => ({ name: config.name, driverName: 'mqtt', config }),
};
