// Benchmark: the configuration endpoints of the REST API on the layout
// benchmark's OpenDev-sized tenant (1,506 repositories; see layout-repos.ts).
// The server runs in a child process (api-config-server.ts: the real
// application from buildApp, listening on 127.0.0.1:0); this process runs
// the clients: 50 concurrent keep-alive HTTP connections on loopback, each
// sending its next request when the previous answer has been read, for N
// seconds per endpoint after a short warm-up. It prints requests/s and
// p50/p99 latency per endpoint and the server process's peak RSS.
//
// Run: npm run bench:api-config
//   ZUUL_TS_BENCH_SECONDS   seconds per endpoint (default 20)
//   ZUUL_TS_BENCH_CLIENTS   concurrent clients (default 50)
//   ZUUL_TS_BENCH_ENDPOINTS comma-separated subset (jobs,job,project,config-errors,key)
//   ZUUL_TS_BENCH_PROF      a directory: run the server with --cpu-prof writing there
//   ZUUL_TS_BENCH_JOB       the job for /job/{name} (default openstack-tox-py312)
//   and the layout benchmark's ZUUL_TS_BENCH_PROJECTS, ZUUL_TS_BENCH_DIR, ZUUL_TS_CORPUS.

import { type ChildProcess, fork } from 'node:child_process';
import { Agent } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerMessage } from './api-config-server.js';
import { httpLoad, percentile } from './lib/http-load.js';

const here = dirname(fileURLToPath(import.meta.url));
const seconds = Number(process.env.ZUUL_TS_BENCH_SECONDS ?? 20);
const clients = Number(process.env.ZUUL_TS_BENCH_CLIENTS ?? 50);
const warmupSeconds = Math.min(2, seconds / 10);
const prof = process.env.ZUUL_TS_BENCH_PROF;

const child: ChildProcess = fork(join(here, 'api-config-server.js'), [], {
  execArgv: prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [],
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));

function nextMessage<T extends ServerMessage['type']>(
  type: T,
): Promise<Extract<ServerMessage, { type: T }>> {
  return new Promise((res, rej) => {
    const onMessage = (m: ServerMessage) => {
      if (m.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      res(m as Extract<ServerMessage, { type: T }>);
    };
    const onExit = (code: number | null) =>
      rej(new Error(`server exited (${code}) before sending ${type}`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

try {
  const ready = await nextMessage('ready');
  console.log(
    `api-config bench: tenant ${ready.tenant} (${ready.projects} projects, ${ready.jobs} jobs, ${ready.errors} config errors) loaded in ${ready.loadMs} ms; server RSS ${ready.rssMiB} MiB (peak ${ready.peakRssMiB} MiB)`,
  );
  console.log(
    `  server in a child process, ${clients} keep-alive clients in this process, ${seconds} s per endpoint after ${warmupSeconds} s warm-up${prof ? `; CPU profile in ${prof}` : ''}`,
  );
  const base = new URL(ready.url);
  const T = `/api/tenant/${ready.tenant}`;
  const endpoints: Array<{ key: string; path: string; target: number }> = [
    { key: 'jobs', path: `${T}/jobs`, target: 150 },
    { key: 'job', path: `${T}/job/${ready.job}`, target: 20 },
    { key: 'project', path: `${T}/project/${ready.project}`, target: 20 },
    { key: 'config-errors', path: `${T}/config-errors`, target: 20 },
    { key: 'key', path: `${T}/key/${ready.project}.pub`, target: 20 },
  ];
  const only = process.env.ZUUL_TS_BENCH_ENDPOINTS?.split(',');
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  console.log(
    `  /job/${ready.job}: ${ready.jobVariants} variants; /project and /key: ${ready.project}`,
  );
  console.log('endpoint | req/s | p50 ms | p99 ms | max ms | target p99 | response');
  for (const e of endpoints) {
    if (only && !only.includes(e.key)) continue;
    await httpLoad(agent, base, [e.path], warmupSeconds * 1000, clients);
    const r = await httpLoad(agent, base, [e.path], seconds * 1000, clients);
    const sorted = r.latencies.sort((a, b) => a - b);
    const p99 = percentile(sorted, 0.99);
    console.log(
      `${e.path.slice(T.length)} | ${(r.requests / seconds).toFixed(0)} | ${percentile(sorted, 0.5).toFixed(1)} | ${p99.toFixed(1)} | ${sorted[sorted.length - 1]?.toFixed(1)} | < ${e.target} ms ${p99 < e.target ? 'met' : 'MISSED'} | ${r.errors ? `${r.errors} errors (${r.firstError})` : 'all 200'}`,
    );
  }
  agent.destroy();
  child.send({ type: 'rss' });
  const rss = await nextMessage('rss');
  console.log(`server RSS now ${rss.rssMiB} MiB, peak ${rss.peakRssMiB} MiB`);
  child.send({ type: 'stop' });
  const code = await exited;
  if (code !== 0) throw new Error(`server exited with ${code}`);
} catch (err) {
  child.kill();
  throw err;
}
