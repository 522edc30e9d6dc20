// Benchmark: builds of a trivial job (one `debug` task on localhost)
// through the executor service, as a scheduler would send them: queued
// all at once on an embedded SQLite store, run 4 at a time, each build's
// repo state pinning 3 projects (the job's playbook repository and two
// more), every project checked out in the workspace, playbooks run under
// bubblewrap. One build first warms the repository cache (3 clones); the
// measured builds then run on a warm cache, as on a running executor.
//
// Per build it reports:
// - preparation: request claimed → first ansible-playbook started (build
//   directory, workspace checkouts, playbooks, inventory, variables);
// - overhead: claimed → result recorded, minus the playbooks' own time
//   (ansible-playbook start to exit).
// And how late the event loop the builds share ran its timers.
//
// Run: npm run bench:executor
//   ZUUL_TS_BENCH_BUILDS   number of measured builds (default 50)

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pino } from 'pino';
import { runBuild } from '../src/executor/run-build.js';
import { ExecutorService } from '../src/executor/service.js';
import { BuildClient, type BuildOutcome } from '../src/executor/service-client.js';
import { RepoCache } from '../src/merger/repo-cache.js';
import { openStore } from '../src/store/db.js';
import { RequestSignals } from '../src/store/requests-signals.js';
import {
  buildRequestFor,
  makeJobRepos,
  serviceSettings,
  settingsIn,
} from '../test/executor/service-helpers.js';

const BUILDS = Number(process.env.ZUUL_TS_BENCH_BUILDS ?? 50);
const AT_ONCE = Number(process.env.ZUUL_TS_BENCH_AT_ONCE ?? 4);
const WAIT = { timeoutMs: 600_000 };
const LOOP_RESOLUTION_MS = 5;

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const fmt = (x: number) => `${x.toFixed(0)} ms`;

interface Timing {
  prepareMs: number;
  ansibleMs: number;
  overheadMs: number;
  /** Claimed → runBuild's `started` event (the service's own share of preparation). */
  serviceMs: number;
  /** Last playbook ended → result recorded (logs kept, build directory removed). */
  afterMs: number;
}

async function timingOf(client: BuildClient, id: string, outcome: BuildOutcome): Promise<Timing> {
  const rec = outcome.record;
  const result = outcome.result;
  if (outcome.state !== 'completed' || result?.result !== 'SUCCESS') {
    throw new Error(
      `build ${id} ended ${outcome.state} ${result?.result ?? ''}: ${result?.errorDetail ?? outcome.error}`,
    );
  }
  const events = await client.list(id);
  const started = events.find((e) => e.type === 'started');
  const first = events.find((e) => e.event.type === 'playbook' && e.event.state === 'start');
  const last = events.filter((e) => e.event.type === 'playbook' && e.event.state === 'end').pop();
  if (!started || !first || !last || rec.started === null || rec.finished === null) {
    throw new Error(`build ${id} lacks events or claim times`);
  }
  const ansibleMs = result.playbooks.reduce((sum, p) => sum + p.elapsedMs, 0);
  return {
    prepareMs: first.created - rec.started,
    ansibleMs,
    overheadMs: rec.finished - rec.started - ansibleMs,
    serviceMs: started.created - rec.started,
    afterMs: rec.finished - last.created,
  };
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'zuul-ts-bench-executor-'));
  const store = await openStore({ uri: `sqlite:///${join(root, 'zuul.db')}` });
  const signals = await RequestSignals.open(store, { uri: `sqlite:///${join(root, 'zuul.db')}` });
  const settings = settingsIn(root);
  const service = new ExecutorService({
    store,
    signals,
    settings,
    // The machine is shared: the load limit would measure other people's work.
    service: serviceSettings(root, { loadMultiplier: 100 }),
    runBuild,
    buildContext: { repoCache: new RepoCache({ gitDir: settings.gitDir }) },
    version: 'bench',
    concurrency: AT_ONCE,
    log: pino({ level: process.env.ZUUL_TS_LOG_LEVEL ?? 'silent' }),
  });
  const client = new BuildClient({ store, signals, pollMs: 50 });
  try {
    const repos = makeJobRepos(join(root, 'upstream'), 2);
    await service.start();
    const load0 = loadavg()[0]!;

    // One request, copied with fresh ids: making each with the test
    // helper runs git synchronously in this process, which would stall the
    // builds running meanwhile.
    const template = buildRequestFor(repos, { pinRepoState: true });
    const request = () => ({
      ...template,
      uuid: randomUUID().replaceAll('-', ''),
      buildsetUuid: randomUUID().replaceAll('-', ''),
    });
    const warmId = await client.submit(request());
    const warm = await timingOf(client, warmId, await client.wait(warmId, WAIT));

    const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    loop.enable();
    const t0 = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < BUILDS; i++) {
      ids.push(await client.submit(request()));
    }
    const outcomes = await Promise.all(ids.map((id) => client.wait(id, WAIT)));
    const wallMs = Date.now() - t0;
    loop.disable();
    const timings = await Promise.all(ids.map((id, i) => timingOf(client, id, outcomes[i]!)));
    const prep = timings.map((t) => t.prepareMs);
    const over = timings.map((t) => t.overheadMs);
    const ans = timings.map((t) => t.ansibleMs);

    console.log(`executor: ${BUILDS} builds, ${AT_ONCE} at a time, 3 projects per repo state`);
    console.log(
      `  cold build (3 clones): preparation ${fmt(warm.prepareMs)}, overhead ${fmt(warm.overheadMs)}`,
    );
    console.log(
      `  preparation (claimed → ansible-playbook started): median ${fmt(quantile(prep, 0.5))}, p90 ${fmt(quantile(prep, 0.9))}, max ${fmt(Math.max(...prep))}`,
    );
    console.log(
      `  overhead beyond Ansible's run: median ${fmt(quantile(over, 0.5))}, p90 ${fmt(quantile(over, 0.9))}`,
    );
    const med = (f: (t: Timing) => number) => fmt(quantile(timings.map(f), 0.5));
    console.log(
      `    of which: claim → runBuild ${med((t) => t.serviceMs)}, runBuild's preparation ${med((t) => t.prepareMs - t.serviceMs)}, after the last playbook ${med((t) => t.afterMs)}`,
    );
    console.log(`  Ansible's own run time: median ${fmt(quantile(ans, 0.5))}`);
    // How late the executor's event loop ran a timer (every build shares
    // it); the histogram's samples include the sampling interval.
    const ms = (ns: number) => `${Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS).toFixed(0)} ms`;
    console.log(
      `  event loop delay: median ${ms(loop.percentile(50))}, p99 ${ms(loop.percentile(99))}, max ${ms(loop.max)}`,
    );
    console.log(
      `  wall ${(wallMs / 1000).toFixed(1)} s (${((BUILDS / wallMs) * 60_000).toFixed(0)} builds/min); load ${load0.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}`,
    );
    const target = quantile(prep, 0.5) < 300;
    console.log(`  target (median preparation < 300 ms): ${target ? 'met' : 'NOT met'}`);
  } finally {
    await service.stop();
    signals.close();
    await store.close();
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
