// The history benchmark's data: a deterministic function of the row index,
// so both databases get the same rows and a rerun needs no stored seed.
// Sizes (ZUUL_TS_BENCH_SCALE scales them all, default 1):
// 2.5M buildsets of 1-7 builds (10M on average), one ref each, 2,000
// projects (skewed: a few busy ones), 20 pipelines (check and gate the
// busiest), 5,000 job names in ten families (`tempest-123`), two tenants
// (`bench` has 90% of the projects). Results are mostly SUCCESS; the
// newest buildsets are still running.

const scale = Number(process.env.ZUUL_TS_BENCH_SCALE ?? 1);

export const SIZES = {
  buildsets: Math.round(2_500_000 * scale),
  projects: 2000,
  pipelines: 20,
  jobs: 5000,
} as const;

export const TENANT = 'bench';
/** Unix ms of the first buildset; one buildset every 20 s after it. */
const BASE_MS = Date.UTC(2023, 0, 1);

export const PIPELINES = [
  'check',
  'gate',
  'post',
  'periodic',
  ...Array.from({ length: 16 }, (_, i) => `pipeline-${i + 1}`),
];
/** Cumulative share of buildsets per pipeline, in PIPELINES order. */
const PIPELINE_CUMULATIVE = (() => {
  const weights = [35, 20, 10, 5, ...Array(16).fill(30 / 16)];
  let sum = 0;
  return weights.map((w) => {
    sum += w;
    return sum / 100;
  });
})();

export const FAMILIES = [
  'tox-py',
  'openstack-tox',
  'tempest',
  'build-docs',
  'unit',
  'functional',
  'lint',
  'integration',
  'grenade',
  'publish',
];
export const jobName = (j: number) => `${FAMILIES[j % FAMILIES.length]}-${j}`;
export const projectName = (p: number) => `org${p % 50}/project-${p}`;
export const NODESETS = Array.from({ length: 12 }, (_, i) => `nodeset-${i}`);

const RESULTS: [string, number][] = [
  ['SUCCESS', 0.82],
  ['FAILURE', 0.91],
  ['SKIPPED', 0.96],
  ['ERROR', 0.97],
  ['NODE_FAILURE', 0.98],
  ['POST_FAILURE', 0.99],
  ['TIMED_OUT', 0.995],
  ['RETRY_LIMIT', 1],
];

/** A 32-bit hash of (n, salt) as a float in [0, 1). */
export function rand(n: number, salt: number): number {
  let h = Math.imul(n ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(salt + 0x27d4eb2f, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

function hex(n: number, salt: number, len: number): string {
  let s = '';
  for (let k = 0; s.length < len; k++) {
    s += Math.floor(rand(n, salt * 31 + k) * 4294967296)
      .toString(16)
      .padStart(8, '0');
  }
  return s.slice(0, len);
}

export const buildsetUuid = (i: number) => hex(i, 1, 32);
export const buildUuid = (id: number) => hex(id, 2, 32);
export const newrevOf = (i: number) => hex(i, 3, 40);

/** The project of buildset i: skewed so the lowest numbers are the busiest. */
export function projectOf(i: number): number {
  return Math.floor(SIZES.projects * rand(i, 4) ** 2);
}
export const tenantOf = (p: number) => (p < SIZES.projects * 0.9 ? TENANT : 'other');

export function pipelineOf(i: number): string {
  const r = rand(i, 5);
  return PIPELINES[PIPELINE_CUMULATIVE.findIndex((c) => r < c)] ?? 'check';
}

export const branchOf = (i: number) =>
  rand(i, 6) < 0.85 ? 'master' : `stable/202${Math.floor(rand(i, 7) * 6)}`;

export const buildCount = (i: number) => 1 + Math.floor(rand(i, 8) * 7);

/** The k-th job a project runs (each project has its own set of jobs). */
export const jobOf = (p: number, k: number) => (p * 37 + k * 1013) % SIZES.jobs;

export interface BuildsetData {
  id: number;
  uuid: string;
  tenant: string;
  pipeline: string;
  result: string | null;
  message: string | null;
  event_id: string;
  event_timestamp: number;
  first_build_start_time: number | null;
  last_build_end_time: number | null;
  updated: number;
  ref: {
    id: number;
    ref_key: string;
    project: string;
    ref: string;
    ref_url: string | null;
    change: number | null;
    patchset: string | null;
    oldrev: string | null;
    newrev: string | null;
    branch: string;
  };
  builds: BuildData[];
}

export interface BuildData {
  id: number;
  buildset_id: number;
  ref_id: number;
  uuid: string;
  job_name: string;
  result: string | null;
  start_time: number;
  end_time: number | null;
  voting: number;
  log_url: string | null;
  nodeset: string;
  error_detail: string | null;
  final: number;
  held: number;
  tenant: string;
  pipeline: string;
  project: string;
  branch: string;
  change: number | null;
  patchset: string | null;
  ref: string;
  newrev: string | null;
  artifact?: { name: string; url: string; meta: string | null };
  provides?: string;
}

/** Buildset i (1-based) with its ref and builds; `firstBuildId` is its first build's id. */
export function buildsetData(i: number, firstBuildId: number): BuildsetData {
  const p = projectOf(i);
  const project = projectName(p);
  const tenant = tenantOf(p);
  const pipeline = pipelineOf(i);
  const branch = branchOf(i);
  const changeBased = pipeline === 'check' || pipeline === 'gate' || rand(i, 9) < 0.3;
  const change = changeBased ? 1 + Math.floor(i / 3) : null;
  const patchset = changeBased ? String(1 + Math.floor(rand(i, 10) * 5)) : null;
  const refName = changeBased
    ? `refs/changes/${String(change! % 100).padStart(2, '0')}/${change}/${patchset}`
    : `refs/heads/${branch}`;
  const running = i > SIZES.buildsets - Math.max(1, Math.round(SIZES.buildsets / 2000));
  const start = BASE_MS + i * 20_000;
  const builds: BuildData[] = [];
  let failed = false;
  let end = start;
  for (let k = 0; k < buildCount(i); k++) {
    const id = firstBuildId + k;
    const r = rand(id, 11);
    const result = running && k > 0 ? null : RESULTS.find(([, c]) => r < c)![0];
    if (result && result !== 'SUCCESS' && result !== 'SKIPPED') failed = true;
    const bStart = start + k * 5_000;
    const bEnd = result === null ? null : bStart + 60_000 + Math.floor(rand(id, 12) * 3_540_000);
    if (bEnd && bEnd > end) end = bEnd;
    const uuid = buildUuid(id);
    const b: BuildData = {
      id,
      buildset_id: i,
      ref_id: i,
      uuid,
      job_name: jobName(jobOf(p, k)),
      result,
      start_time: bStart,
      end_time: bEnd,
      voting: rand(id, 13) < 0.93 ? 1 : 0,
      log_url: result ? `https://logs.example.com/${uuid.slice(0, 3)}/${uuid}/` : null,
      nodeset: NODESETS[Math.floor(rand(id, 14) * NODESETS.length)]!,
      error_detail: result === 'SKIPPED' ? 'Skipped due to failed job tox-py-0' : null,
      final: rand(id, 15) < 0.98 ? 1 : 0,
      held: rand(id, 16) < 0.00005 ? 1 : 0,
      tenant,
      pipeline,
      project,
      branch,
      change,
      patchset,
      ref: refName,
      newrev: changeBased ? null : newrevOf(i),
    };
    const a = rand(id, 17);
    if (result && a < 0.05) {
      b.artifact = {
        name: 'docs',
        url: `https://logs.example.com/${uuid}/docs/`,
        meta: a < 0.01 ? JSON.stringify({ type: 'docs_site' }) : null,
      };
    }
    if (result === 'SUCCESS' && rand(id, 18) < 0.02) b.provides = `${project}-artifact`;
    builds.push(b);
  }
  return {
    id: i,
    uuid: buildsetUuid(i),
    tenant,
    pipeline,
    result: running ? null : failed ? 'FAILURE' : 'SUCCESS',
    message: running ? null : failed ? 'Build failed.' : 'Build succeeded.',
    event_id: hex(i, 19, 32),
    event_timestamp: start - 2_000,
    first_build_start_time: start,
    last_build_end_time: running ? null : end,
    updated: running ? start : end,
    ref: {
      id: i,
      ref_key: `bench-${i}`,
      project,
      ref: refName,
      ref_url: changeBased ? `https://review.example.com/${change}` : null,
      change,
      patchset,
      oldrev: changeBased ? null : newrevOf(i - 1),
      newrev: changeBased ? null : newrevOf(i),
      branch,
    },
    builds,
  };
}

/** Every buildset in id order. */
export function* allBuildsets(): Generator<BuildsetData> {
  let nextBuild = 1;
  for (let i = 1; i <= SIZES.buildsets; i++) {
    const bs = buildsetData(i, nextBuild);
    nextBuild += bs.builds.length;
    yield bs;
  }
}
