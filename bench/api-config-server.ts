// The server side of the api-config benchmark (api-config.ts forks it):
// builds the layout benchmark's OpenDev-sized tenant, starts the real web
// application on 127.0.0.1:0 with a keystore in a temporary SQLite store,
// generates the benchmarked project's keys before any timing, and tells
// its parent over IPC where it listens. It answers `{ type: 'rss' }` with
// its peak RSS and exits on `{ type: 'stop' }` (so that `--cpu-prof`
// writes its profile).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseZuulConf } from '../src/config/zuul-conf.js';
import { buildApp } from '../src/web/app.js';
import type { TenantState, WebContext } from '../src/web/context.js';
import { KeystorePublicKeys } from '../src/web/server.js';
import { benchLayout, benchSetup } from './layout-tenant.js';

export type ServerMessage =
  | {
      type: 'ready';
      url: string;
      tenant: string;
      project: string;
      job: string;
      jobVariants: number;
      jobs: number;
      projects: number;
      errors: number;
      loadMs: number;
      rssMiB: number;
      peakRssMiB: number;
    }
  | { type: 'rss'; rssMiB: number; peakRssMiB: number };

const send = (m: ServerMessage) => process.send?.(m);
const mib = (bytes: number) => Math.round(bytes / 1048576);
const peak = () => Math.round(process.resourceUsage().maxRSS / 1024);

const started = Date.now();
const setup = await benchSetup();
const layout = await benchLayout(setup);
const loadMs = Date.now() - started;
const tenantConfig = setup.tenantFile.tenants[0]!;
const tmp = mkdtempSync(join(tmpdir(), 'zuul-ts-bench-api-'));
const conf = parseZuulConf(
  `[keystore]\npassword=bench-password\n[database]\ndburi=sqlite:///${join(tmp, 'zuul.db')}\n`,
  join(tmp, 'zuul.conf'),
);
const keys = new KeystorePublicKeys(conf);
const tenants = new Map<string, TenantState>([
  [tenantConfig.name, { config: tenantConfig, layout }],
]);
const ctx: WebContext = {
  conf,
  connections: setup.conns,
  tenantFile: () => setup.tenantFile,
  tenants: () => tenants,
  keys,
  version: 'bench',
};
const app = buildApp(ctx);
await app.listen({ host: '127.0.0.1', port: 0 });
const addr = app.server.address();
if (addr === null || typeof addr === 'string') throw new Error(`unexpected address ${addr}`);

// A generated project (as the layout benchmark's speculative change) and a
// job every generated project runs through its templates.
const project = setup.generated[1]!;
const job = process.env.ZUUL_TS_BENCH_JOB ?? 'openstack-tox-py312';
const variants = layout.jobs.get(job);
if (!variants) throw new Error(`no job ${job} in the layout`);
// The project's secrets key (RSA-4096) is generated here, before timing.
await keys.projectSecretsKey('gerrit', project);

send({
  type: 'ready',
  url: `http://127.0.0.1:${addr.port}`,
  tenant: tenantConfig.name,
  project,
  job,
  jobVariants: variants.length,
  jobs: layout.jobs.size,
  projects: layout.projects.size,
  errors: layout.errors.length,
  loadMs,
  rssMiB: mib(process.memoryUsage().rss),
  peakRssMiB: peak(),
});

process.on('message', (m: { type: string }) => {
  if (m.type === 'rss')
    send({ type: 'rss', rssMiB: mib(process.memoryUsage().rss), peakRssMiB: peak() });
  if (m.type === 'stop') {
    void (async () => {
      await app.close();
      await keys.close();
      rmSync(tmp, { recursive: true, force: true });
      process.exit(0);
    })();
  }
});
// Parent gone: leave too.
process.on('disconnect', () => process.exit(0));
