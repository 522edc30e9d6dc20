// Every state-store migration, in order. Append new ones at the end with the
// next id; never edit or renumber one that has shipped (databases record the
// ids they have applied).

import type { Migration } from '../migrations.js';
import { keystoreKeys } from './0001-keystore.js';
import { componentsTable } from './0002-components.js';
import { buildHistory } from './0003-build-history.js';
import { requestsTable } from './0004-requests.js';
import { executorBuildEvents } from './0005-executor-build-events.js';

export const MIGRATIONS: readonly Migration[] = [
  keystoreKeys,
  componentsTable,
  buildHistory,
  requestsTable,
  executorBuildEvents,
];
