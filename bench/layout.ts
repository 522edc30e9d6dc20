// Benchmark: an OpenDev-sized tenant (see layout-repos.ts) loaded from a
// warm repository cache (bare mirrors on disk, no fetching), its full
// layout, a speculative layout for one change editing one project's
// `.zuul.yaml`, and freezing one change's job graph.
//
// Run: npm run bench:layout
//   ZUUL_TS_BENCH_PROJECTS  generated project repositories (default 1500)
//   ZUUL_TS_BENCH_DIR       where the repositories are kept between runs
//   ZUUL_TS_BENCH_RUNS      speculative layouts to time (default 20)

import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildLayout } from '../src/config/layout/index.js';
import { SpeculativeLayouts } from '../src/config/speculative.js';
import { parseOptionsFor } from '../src/config/system.js';
import { parseTenantFile } from '../src/config/tenant-file.js';
import { TenantLoader } from '../src/config/tenant-loader.js';
import { RepoCache } from '../src/merger/repo-cache.js';
import { freezeJobGraph } from '../src/model/freeze/index.js';
import { benchTenant, digest, projectConf, writeRepos } from './layout-repos.js';
import { connections, HOST } from './layout-tenant.js';

const here = dirname(fileURLToPath(import.meta.url));
const corpus = resolve(process.env.ZUUL_TS_CORPUS ?? join(here, '../../../shared/corpus'));
const count = Number(process.env.ZUUL_TS_BENCH_PROJECTS ?? 1500);
const runs = Number(process.env.ZUUL_TS_BENCH_RUNS ?? 20);

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
/** CPU time (all threads) since `start`, in ms: steadier than wall time on a busy machine. */
const cpu = (start: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const setupStart = process.hrtime.bigint();
const { tenantYaml, repos: files, generated } = benchTenant(corpus, count);
// Kept between runs, under a name that changes whenever the generated content does.
const root =
  process.env.ZUUL_TS_BENCH_DIR ?? join(tmpdir(), `zuul-ts-bench-layout-${digest(files)}`);
const gitDir = join(root, 'git');
const wrote = await writeRepos(gitDir, 'gerrit', files);
const setup = ms(setupStart);
let branchCount = 0;
for (const branches of files.values()) branchCount += branches.size;
console.log(
  `layout bench: ${files.size} repositories (${generated.length} generated), ${branchCount} project branches`,
);
console.log(`  repositories ${wrote ? 'written' : 'reused'} in ${gitDir} (${setup.toFixed(0)} ms)`);

const repos = new RepoCache({ gitDir });
const conns = connections(repos);
const parseOptions = parseOptionsFor(conns);
const tenant = parseTenantFile(tenantYaml, {
  fileName: 'main.yaml',
  connectionNames: new Set(conns.keys()),
  canonicalHostnames: new Map([
    ['gerrit', HOST],
    ['googlesource', 'gerrit.googlesource.com'],
  ]),
}).tenants[0]!;

// ---- full layout from the warm repository cache -----------------------------
/** Reads, parses and builds the whole tenant, as a full reconfiguration does. */
async function fullLayout(label: string) {
  const loadStart = process.hrtime.bigint();
  const loadCpu = process.cpuUsage();
  const loader = new TenantLoader({ connections: conns, repos, parseOptions });
  const loaded = await loader.loadTenant(tenant);
  const loadTime = ms(loadStart);
  const buildStart = process.hrtime.bigint();
  const layout = buildLayout(loaded);
  const buildTime = ms(buildStart);
  console.log(
    `${label}: ${(loadTime + buildTime).toFixed(0)} ms (read + parse ${loadTime.toFixed(0)} ms, build ${buildTime.toFixed(0)} ms; CPU ${cpu(loadCpu).toFixed(0)} ms)`,
  );
  return { loaded, layout };
}

await fullLayout('full layout, first in a fresh process');
// What a running scheduler's full reconfiguration costs: everything read and
// parsed again, with the code already compiled.
const { loaded, layout } = await fullLayout('full layout, again (reconfiguration)');
const errors = layout.errors.filter((e) => e.severity === 'error');
let variants = 0;
for (const v of layout.jobs.values()) variants += v.length;
console.log(
  `  ${layout.projects.size} projects, ${layout.jobs.size} jobs (${variants} variants), ${layout.projectConfigs.size} configured projects, ${errors.length} errors, ${layout.errors.length - errors.length} warnings`,
);
for (const e of errors.slice(0, Number(process.env.ZUUL_TS_BENCH_SHOW_ERRORS ?? 5))) {
  console.log(`  error: ${e.sourceContext?.project}: ${e.shortError}`);
}

// Building again from the parsed configuration (nothing read or parsed).
const rebuildStart = process.hrtime.bigint();
buildLayout(loaded);
console.log(`  layout rebuild from parsed config: ${ms(rebuildStart).toFixed(0)} ms`);

// ---- speculative layout for one change --------------------------------------
const spec = new SpeculativeLayouts({ loaded, layout, parseOptions });
const target = generated[1]!;
const targetCanonical = `${HOST}/${target}`;
const edited = `${projectConf(target, 1, 'master')}- job:
    name: bench-new-job
    parent: openstack-tox-py312
- project:
    check:
      jobs:
        - bench-new-job
`;
const request = {
  changes: [{ project: target, branch: 'master', files: ['.zuul.yaml'] }],
  files: { [target]: { master: { '.zuul.yaml': edited } } },
};
const specTimes: number[] = [];
const specCpu: number[] = [];
let firstSpec = 0;
for (let i = 0; i <= runs; i++) {
  // A fresh object each time, so that no parse is reused between runs.
  const fresh = { ...request, files: { [target]: { master: { '.zuul.yaml': `${edited}\n` } } } };
  const start = process.hrtime.bigint();
  const startCpu = process.cpuUsage();
  const result = spec.layoutFor(fresh);
  const t = ms(start);
  if (i > 0) specCpu.push(cpu(startCpu));
  if (result.use !== 'speculative' || !result.layout.jobs.has('bench-new-job')) {
    throw new Error(`unexpected speculative result: ${result.use}`);
  }
  if (i === 0) firstSpec = t;
  else specTimes.push(t);
}
console.log(
  `speculative layout (one change, one .zuul.yaml): median ${median(specTimes).toFixed(1)} ms over ${runs} (first ${firstSpec.toFixed(1)} ms, min ${Math.min(...specTimes).toFixed(1)} ms, max ${Math.max(...specTimes).toFixed(1)} ms; CPU median ${median(specCpu).toFixed(1)} ms)`,
);

// ---- freezing one change's job graph ----------------------------------------
const pipeline = { name: 'check', postReview: false };
const item = {
  changes: [{ project: targetCanonical, branch: 'master', files: ['foo/api.py'], key: '12345,1' }],
};
const first = freezeJobGraph(layout, pipeline, item);
if (!first.ok) throw new Error(first.message);
const freezeTimes: number[] = [];
for (let i = 0; i < 1000; i++) {
  const start = process.hrtime.bigint();
  freezeJobGraph(layout, pipeline, item);
  freezeTimes.push(ms(start));
}
console.log(
  `freeze job graph (${target}, check, ${first.graph.jobs.length} jobs): median ${median(freezeTimes).toFixed(3)} ms over 1000 (min ${Math.min(...freezeTimes).toFixed(3)} ms)`,
);
console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
