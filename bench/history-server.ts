// The server side of the history benchmark (history.ts forks it): the real
// web application (buildApp) with the history of the store given in argv
// (URI, table prefix), for the benchmark's tenant, on 127.0.0.1:0. It
// reports its URL over IPC and exits on `{ type: 'stop' }`.

import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseZuulConf } from '../src/config/zuul-conf.js';
import type { Layout } from '../src/model/layout.js';
import type { TenantConfig, TenantFile } from '../src/model/tenant.js';
import { openStore } from '../src/store/db.js';
import { StoreHistory } from '../src/store/history/reader.js';
import { buildApp } from '../src/web/app.js';
import type { TenantState, WebContext } from '../src/web/context.js';
import { TENANT } from './history-data.js';

export type HistoryServerMessage = { type: 'ready'; url: string };

const [uri, prefix = ''] = process.argv.slice(2);
if (!uri) throw new Error('usage: history-server.js URI [TABLE_PREFIX]');
const store = await openStore({ uri, tablePrefix: prefix });
// SQLite's memory map and page cache are db.ts's own settings since
// 2026-11-27 (the first runs set them here).
// An empty zuul.conf: its path only anchors relative paths, none of which is used.
const conf = parseZuulConf('', join(tmpdir(), 'zuul-ts-bench-history.conf'));
// The history endpoints only need the tenant to exist and be loaded.
const config = { name: TENANT } as TenantConfig;
const tenants = new Map<string, TenantState>([[TENANT, { config, layout: {} as Layout }]]);
const ctx: WebContext = {
  conf,
  connections: new Map(),
  tenantFile: () => ({ tenants: [config] }) as unknown as TenantFile,
  tenants: () => tenants,
  keys: {
    projectSecretsKey: () => Promise.reject(new Error('no keys')),
    projectSshKey: () => Promise.reject(new Error('no keys')),
    tenantSshKey: () => Promise.reject(new Error('no keys')),
  },
  version: 'bench',
  history: new StoreHistory(store),
};
const app = buildApp(ctx);
await app.listen({ host: '127.0.0.1', port: 0 });
const addr = app.server.address();
if (addr === null || typeof addr === 'string') throw new Error(`unexpected address ${addr}`);
process.send?.({
  type: 'ready',
  url: `http://127.0.0.1:${addr.port}`,
} satisfies HistoryServerMessage);
process.on('message', async (m: { type: string }) => {
  if (m.type !== 'stop') return;
  await app.close();
  await store.close();
  process.exit(0);
});
