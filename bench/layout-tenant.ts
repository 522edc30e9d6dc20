// The layout benchmark's OpenDev-sized tenant, shared by the benchmarks
// that need its repositories or its built layout (layout.ts,
// api-config-server.ts): the connections whose sources answer from a warm
// repository cache, and the parsed tenant file.

import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildLayout } from '../src/config/layout/index.js';
import { parseOptionsFor } from '../src/config/system.js';
import { parseTenantFile } from '../src/config/tenant-file.js';
import { TenantLoader } from '../src/config/tenant-loader.js';
import type { Connection, Source } from '../src/drivers/driver.js';
import { RepoCache, repoKey } from '../src/merger/repo-cache.js';
import type { Layout } from '../src/model/layout.js';
import type { TenantFile } from '../src/model/tenant.js';
import { benchTenant, digest, type RepoFiles, writeRepos } from './layout-repos.js';

const here = dirname(fileURLToPath(import.meta.url));
export const HOST = 'review.opendev.org';

/** Connections whose source answers from the repository cache as it is (a warm cache: no fetch). */
export function connections(repos: RepoCache): Map<string, Connection> {
  const out = new Map<string, Connection>();
  const gerrit: Source = {
    connectionName: 'gerrit',
    canonicalHostname: HOST,
    defaultMergeMode: 'merge-resolve',
    gitUrl: (p) => `https://${HOST}/${p}`,
    getBranches: async (p) => (await repos.readRefs(repoKey('gerrit', p))).branches,
    getDefaultBranch: (p) => repos.defaultBranch(repoKey('gerrit', p)),
  };
  const googlesource: Source = {
    ...gerrit,
    connectionName: 'googlesource',
    canonicalHostname: 'gerrit.googlesource.com',
  };
  const drivers: Record<string, string> = {
    gerrit: 'gerrit',
    googlesource: 'gerrit',
    github: 'github',
    smtp: 'smtp',
    timer: 'timer',
    zuul: 'zuul',
  };
  for (const [name, driver] of Object.entries(drivers)) {
    out.set(name, {
      name,
      driverName: driver,
      config: { name, driver, options: {} },
      ...(name === 'gerrit' ? { source: gerrit } : {}),
      ...(name === 'googlesource' ? { source: googlesource } : {}),
    });
  }
  return out;
}

export interface BenchSetup {
  files: RepoFiles;
  generated: string[];
  gitDir: string;
  /** Whether the repositories were written now (false: reused). */
  wrote: boolean;
  repos: RepoCache;
  conns: Map<string, Connection>;
  tenantFile: TenantFile;
}

/**
 * Writes (or reuses) the tenant's repositories and parses its tenant file.
 * Environment: ZUUL_TS_CORPUS, ZUUL_TS_BENCH_PROJECTS, ZUUL_TS_BENCH_DIR.
 */
export async function benchSetup(): Promise<BenchSetup> {
  const corpus = resolve(process.env.ZUUL_TS_CORPUS ?? join(here, '../../../shared/corpus'));
  const count = Number(process.env.ZUUL_TS_BENCH_PROJECTS ?? 1500);
  const { tenantYaml, repos: files, generated } = benchTenant(corpus, count);
  // Kept between runs, under a name that changes whenever the generated content does.
  const root =
    process.env.ZUUL_TS_BENCH_DIR ?? join(tmpdir(), `zuul-ts-bench-layout-${digest(files)}`);
  const gitDir = join(root, 'git');
  const wrote = await writeRepos(gitDir, 'gerrit', files);
  const repos = new RepoCache({ gitDir });
  const conns = connections(repos);
  const tenantFile = parseTenantFile(tenantYaml, {
    fileName: 'main.yaml',
    connectionNames: new Set(conns.keys()),
    canonicalHostnames: new Map([
      ['gerrit', HOST],
      ['googlesource', 'gerrit.googlesource.com'],
    ]),
  });
  return { files, generated, gitDir, wrote, repos, conns, tenantFile };
}

/** Reads, parses and builds the tenant's whole layout from the warm cache. */
export async function benchLayout(setup: BenchSetup): Promise<Layout> {
  const loader = new TenantLoader({
    connections: setup.conns,
    repos: setup.repos,
    parseOptions: parseOptionsFor(setup.conns),
  });
  return buildLayout(await loader.loadTenant(setup.tenantFile.tenants[0]!));
}
