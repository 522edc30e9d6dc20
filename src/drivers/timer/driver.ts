// The built-in `timer` connection: exists without a zuul.conf section and
// has no source (no projects live there).

import type { Driver } from '../driver.js';
import { timerPipelineSchemas } from './schema.js';

export const timerDriver: Driver = {
  name: 'timer',
  builtin: true,
  pipelineSchemas: timerPipelineSchemas,
  createConnection: (config) => ({ name: config.name, driverName: 'timer', config }),
};
