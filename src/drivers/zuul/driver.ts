// The built-in `zuul` connection: exists without a zuul.conf section and
// has no source (no projects live there).

import type { Driver } from '../driver.js';
import { zuulPipelineSchemas } from './schema.js';

export const zuulDriver: Driver = {
  name: 'zuul',
  builtin: true,
  pipelineSchemas: zuulPipelineSchemas,
  createConnection: (config) => ({ name: config.name, driverName: 'zuul', config }),
};
