// Benchmark: the build-history endpoints on a large history (issue 7):
// 10M builds in 2.5M buildsets over 2,000 projects, 20 pipelines and 5,000
// job names (history-data.ts), in SQLite and in PostgreSQL. Loading is done
// once: the SQLite file stays under ZUUL_TS_BENCH_DIR and the PostgreSQL
// tables under their prefix, and a rerun reuses them. For each database
// the real web application runs in a child process (history-server.ts);
// this process runs 20 concurrent keep-alive clients per query for N
// seconds after a warm-up, each request with the next of ~50 values drawn
// from the data, and prints p50/p95 latency against the targets (p95 <
// 50 ms; < 200 ms for the job_name wildcard and skip=100000).
//
// Run: npm run bench:history
//   ZUUL_TS_BENCH_DBS       sqlite,postgresql (default both)
//   ZUUL_TS_BENCH_SECONDS   seconds per query (default 10)
//   ZUUL_TS_BENCH_CLIENTS   concurrent clients (default 20)
//   ZUUL_TS_BENCH_QUERIES   comma-separated subset of the query keys
//   ZUUL_TS_BENCH_SCALE     data size factor (default 1 = 10M builds)
//   ZUUL_TS_BENCH_DIR       where the SQLite file is kept (default /tmp/zuul-ts-bench-history)
//   ZUUL_TS_BENCH_PG_URI    PostgreSQL (default $ZUUL_TS_TEST_PG_URI)
//   ZUUL_TS_BENCH_SERVER_NODE_ARGS  extra node options for the server
//                           process, space-separated (e.g. `--cpu-prof
//                           --cpu-prof-dir=/tmp/prof` to profile it)

import { type ChildProcess, fork } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { openStore } from '../src/store/db.js';
import {
  branchOf,
  buildCount,
  buildUuid,
  FAMILIES,
  jobName,
  jobOf,
  NODESETS,
  newrevOf,
  PIPELINES,
  pipelineOf,
  projectName,
  projectOf,
  rand,
  SIZES,
  TENANT,
  tenantOf,
} from './history-data.js';
import { loadPostgres, loadSqlite } from './history-load.js';
import type { HistoryServerMessage } from './history-server.js';
import { httpLoad, percentile } from './lib/http-load.js';

const here = dirname(fileURLToPath(import.meta.url));
const seconds = Number(process.env.ZUUL_TS_BENCH_SECONDS ?? 10);
const clients = Number(process.env.ZUUL_TS_BENCH_CLIENTS ?? 20);
const dbs = (process.env.ZUUL_TS_BENCH_DBS ?? 'sqlite,postgresql').split(',');
const only = process.env.ZUUL_TS_BENCH_QUERIES?.split(',');
const dir = process.env.ZUUL_TS_BENCH_DIR ?? '/tmp/zuul-ts-bench-history';
const pgUri = process.env.ZUUL_TS_BENCH_PG_URI ?? process.env.ZUUL_TS_TEST_PG_URI;
const warmupMs = Math.min(2000, seconds * 200);
const serverNodeArgs = (process.env.ZUUL_TS_BENCH_SERVER_NODE_ARGS ?? '')
  .split(' ')
  .filter(Boolean);

// ---- the data ------------------------------------------------------------

const log = (s: string) => process.stdout.write(`${s}\n`);
let lastReport = 0;
const progress = (rows: number) => {
  if (Date.now() - lastReport < 10_000) return;
  lastReport = Date.now();
  log(`  … ${(rows / 1e6).toFixed(1)}M builds loaded`);
};

async function ensureSqlite(): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `history-${SIZES.buildsets}.db`);
  const marker = `${path}.loaded`;
  if (existsSync(marker)) return path;
  const started = Date.now();
  log(`sqlite: loading ${path}`);
  const store = await openStore({ uri: `sqlite:///${path}` });
  await store.close();
  loadSqlite(path, '', progress);
  writeFileSync(marker, `${new Date().toISOString()}\n`);
  log(`sqlite: loaded in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return path;
}

async function ensurePostgres(prefix: string): Promise<void> {
  if (!pgUri) throw new Error('set ZUUL_TS_BENCH_PG_URI (or eval "$(scripts/ci-services.sh)")');
  const store = await openStore({ uri: pgUri, tablePrefix: prefix });
  try {
    const loaded = await store.db
      .selectFrom('zuul_system_event')
      .select('id')
      .where('event_type', '=', 'bench-loaded')
      .executeTakeFirst();
    if (loaded) return;
    // Leftovers of an interrupted load (perhaps without its indexes):
    // drop every table of the prefix and migrate again.
    for (const t of await store.db.introspection.getTables()) {
      if (t.name.startsWith(prefix)) {
        await sql`drop table if exists ${sql.id(t.name)} cascade`.execute(store.db);
      }
    }
  } finally {
    await store.close();
  }
  await (await openStore({ uri: pgUri, tablePrefix: prefix })).close();
  const started = Date.now();
  log(`postgresql: loading tables ${prefix}*`);
  await loadPostgres(pgUri, prefix, progress);
  const after = await openStore({ uri: pgUri, tablePrefix: prefix });
  await after.db
    .insertInto('zuul_system_event')
    .values({ tenant: 'bench-meta', event_time: Date.now(), event_type: 'bench-loaded' })
    .execute();
  await after.close();
  log(`postgresql: loaded in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

// ---- the queries -----------------------------------------------------------

/** Buildsets of our tenant spread over the whole history, as sample values. */
function samples(n: number): number[] {
  const out: number[] = [];
  for (let k = 1; out.length < n && k < n * 20; k++) {
    const i = 1 + Math.floor(rand(k, 99) * (SIZES.buildsets - 1));
    if (tenantOf(projectOf(i)) === TENANT) out.push(i);
  }
  return out;
}

/** The id of buildset i's first build (sums the build counts before it). */
const firstBuildIds = (() => {
  let cache: Map<number, number> | undefined;
  return (wanted: number[]): Map<number, number> => {
    if (cache) return cache;
    cache = new Map();
    const set = new Set(wanted);
    let next = 1;
    for (let i = 1; i <= SIZES.buildsets; i++) {
      if (set.has(i)) cache.set(i, next);
      next += buildCount(i);
    }
    return cache;
  };
})();

interface Query {
  key: string;
  label: string;
  target: number;
  paths: string[];
}

function queries(): Query[] {
  const T = `/api/tenant/${TENANT}`;
  const bs = samples(50);
  const first = firstBuildIds(bs);
  const enc = encodeURIComponent;
  const proj = (i: number) => projectName(projectOf(i));
  const changeBs = bs.filter((i) => ['check', 'gate'].includes(pipelineOf(i)));
  const postBs = samples(2000).filter((i) => !['check', 'gate'].includes(pipelineOf(i)));
  const q = (key: string, label: string, target: number, params: string[]): Query => ({
    key,
    label,
    target,
    paths: params.map((p) => `${T}${p}`),
  });
  const builds = (key: string, label: string, params: string[], target = 50) =>
    q(
      key,
      label,
      target,
      params.map((p) => `/builds${p ? `?${p}` : ''}`),
    );
  return [
    builds('builds', '/builds (no filter)', ['']),
    builds(
      'project',
      '/builds?project=',
      bs.map((i) => `project=${enc(proj(i))}`),
    ),
    builds(
      'pipeline',
      '/builds?pipeline=',
      PIPELINES.map((p) => `pipeline=${p}`),
    ),
    builds(
      'branch',
      '/builds?branch=',
      ['stable/2021', 'stable/2023', 'master'].map((b) => `branch=${enc(b)}`),
    ),
    builds(
      'job_name',
      '/builds?job_name=',
      bs.map((i, k) => `job_name=${jobName(jobOf(projectOf(i), k % 3))}`),
    ),
    builds(
      'change',
      '/builds?change=',
      changeBs.map((i) => `change=${1 + Math.floor(i / 3)}`),
    ),
    builds(
      'patchset',
      '/builds?patchset=',
      ['1', '2', '3', '4', '5'].map((p) => `patchset=${p}`),
    ),
    builds(
      'ref',
      '/builds?ref=',
      postBs.slice(0, 50).map((i) => `ref=${enc(`refs/heads/${branchOf(i)}`)}`),
    ),
    builds(
      'newrev',
      '/builds?newrev=',
      postBs.slice(0, 50).map((i) => `newrev=${newrevOf(i)}`),
    ),
    builds(
      'uuid',
      '/builds?uuid=',
      bs.map((i) => `uuid=${buildUuid(first.get(i)!)}`),
    ),
    builds('voting', '/builds?voting=0', ['voting=0']),
    builds(
      'nodeset',
      '/builds?nodeset=',
      NODESETS.map((n) => `nodeset=${n}`),
    ),
    builds(
      'result',
      '/builds?result=',
      ['FAILURE', 'NODE_FAILURE', 'TIMED_OUT', 'RETRY_LIMIT'].map((r) => `result=${r}`),
    ),
    builds('held', '/builds?held=1', ['held=1']),
    builds('final', '/builds?final=false', ['final=false']),
    builds('complete', '/builds?complete=false', ['complete=false']),
    builds('exclude_result', '/builds?exclude_result=SKIPPED', ['exclude_result=SKIPPED']),
    builds(
      'idx_max',
      '/builds?idx_max=',
      bs.map((i) => `idx_max=${first.get(i)}`),
    ),
    builds(
      'combined',
      '/builds?project=&pipeline=&result=',
      bs.map(
        (i, k) =>
          `project=${enc(proj(i))}&pipeline=${pipelineOf(i)}&result=${k % 3 ? 'SUCCESS' : 'FAILURE'}`,
      ),
    ),
    builds(
      'wildcard',
      '/builds?job_name=<family>-*',
      FAMILIES.map((f) => `job_name=${f}-*`),
      200,
    ),
    builds('deep', '/builds?skip=100000', ['skip=100000'], 200),
    q('buildsets', '/buildsets (no filter)', 50, ['/buildsets']),
    q(
      'buildsets_project',
      '/buildsets?project=',
      50,
      bs.map((i) => `/buildsets?project=${enc(proj(i))}`),
    ),
    q(
      'build_times',
      '/build-times?job_name=',
      50,
      bs.map((i, k) => `/build-times?job_name=${jobName(jobOf(projectOf(i), k % 3))}`),
    ),
    q(
      'runtime',
      '/build-times (Runtime page: pipeline, project, branch, job)',
      50,
      bs.map(
        (i) =>
          `/build-times?pipeline=${pipelineOf(i)}&project=${enc(proj(i))}&branch=${enc(branchOf(i))}&job_name=${jobName(jobOf(projectOf(i), 0))}`,
      ),
    ),
    q(
      'badge',
      '/badge?project=&pipeline=&branch=',
      50,
      bs.map(
        (i) =>
          `/badge?project=${enc(proj(i))}&pipeline=${pipelineOf(i)}&branch=${enc(branchOf(i))}`,
      ),
    ),
  ].filter((x) => !only || only.includes(x.key));
}

// ---- the clients ---------------------------------------------------------

async function runServer(args: string[]): Promise<{ url: string; stop: () => Promise<void> }> {
  const child: ChildProcess = fork(join(here, 'history-server.js'), args, {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: [...process.execArgv, ...serverNodeArgs],
  });
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  const ready = await new Promise<HistoryServerMessage>((res, rej) => {
    child.once('message', (m: HistoryServerMessage) => res(m));
    child.once('exit', (code) => rej(new Error(`server exited (${code}) before it was ready`)));
  });
  return {
    url: ready.url,
    stop: async () => {
      child.send({ type: 'stop' });
      await exited;
    },
  };
}

async function bench(db: string, args: string[]): Promise<void> {
  const server = await runServer(args);
  const base = new URL(server.url);
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  log(
    `\n${db}: ${clients} keep-alive clients, ${seconds} s per query after ${warmupMs / 1000} s warm-up`,
  );
  log('query | req/s | p50 ms | p95 ms | max ms | target p95 | answers');
  try {
    for (const query of queries()) {
      await httpLoad(agent, base, query.paths, warmupMs, clients);
      const r = await httpLoad(agent, base, query.paths, seconds * 1000, clients);
      const sorted = r.latencies.sort((a, b) => a - b);
      const p95 = percentile(sorted, 0.95);
      log(
        `${query.label} | ${(r.requests / seconds).toFixed(0)} | ${percentile(sorted, 0.5).toFixed(1)} | ${p95.toFixed(1)} | ${sorted[sorted.length - 1]?.toFixed(1)} | < ${query.target} ms ${p95 < query.target ? 'met' : 'MISSED'} | ${r.errors ? `${r.errors} errors (${r.firstError})` : 'all 200'}`,
      );
    }
  } finally {
    agent.destroy();
    await server.stop();
  }
}

log(
  `history bench: ${SIZES.buildsets.toLocaleString('en')} buildsets (~${((SIZES.buildsets * 4) / 1e6).toFixed(1)}M builds), ${SIZES.projects} projects, ${SIZES.pipelines} pipelines, ${SIZES.jobs} job names`,
);
for (const db of dbs) {
  if (db === 'sqlite') {
    const path = await ensureSqlite();
    await bench('sqlite', [`sqlite:///${path}`]);
  } else if (db === 'postgresql') {
    const prefix = `bench_h${SIZES.buildsets}_`;
    await ensurePostgres(prefix);
    await bench('postgresql', [pgUri!, prefix]);
  } else {
    throw new Error(`unknown database ${db} (sqlite, postgresql)`);
  }
}
