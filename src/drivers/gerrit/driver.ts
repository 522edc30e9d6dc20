import type { Driver } from '../driver.js';
import { GerritConnection } from './connection.js';
import { gerritPipelineSchemas } from './schema.js';

export const gerritDriver: Driver = {
  name: 'gerrit',
  // Trigger/require/reject/reporter schemas come from drivers/gerrit/schema.ts.
  pipelineSchemas: gerritPipelineSchemas,
  createConnection: (config, deps) => new GerritConnection(config, deps),
};
