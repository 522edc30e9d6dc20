import type { Driver } from '../driver.js';
import { GitConnection } from './connection.js';
import { gitPipelineSchemas } from './schema.js';

export const gitDriver: Driver = {
  name: 'git',
  // Trigger schema (ref-updated only) is wired in by drivers/git/schema.ts.
  pipelineSchemas: gitPipelineSchemas,
  createConnection: (config, deps) => new GitConnection(config, deps),
};
