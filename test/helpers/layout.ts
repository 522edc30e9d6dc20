// Layouts from small in-memory configurations, without git: a tenant file
// plus file contents per connection/project/branch go through the real
// tenant-file parser, tenant loader (with an in-memory reader) and layout
// builder.

import { InMemoryFileReader, type InMemoryFiles } from '../../src/config/file-reader.js';
import { type BuildLayoutOptions, buildLayout } from '../../src/config/layout/index.js';
import { parseOptionsFor } from '../../src/config/system.js';
import { parseTenantFile } from '../../src/config/tenant-file.js';
import { type LoadedTenant, TenantLoader } from '../../src/config/tenant-loader.js';
import type { Connection, MergeMode, Source } from '../../src/drivers/driver.js';
import type { Layout } from '../../src/model/layout.js';

export type { InMemoryFiles };

/**
 * A connection of the test system: a driver name, or a driver plus its
 * canonical hostname and (GitHub-like) the merge modes each project allows.
 */
export type TestConnection =
  | string
  | { driver: string; canonicalHostname?: string; mergeModes?: Record<string, MergeMode[]> };

export interface LayoutFromFilesOptions {
  /** Connection name → driver. Default: `{gerrit: 'gerrit'}` (hostname review.example.com). */
  connections?: Record<string, TestConnection>;
  /** `connection/project` or `project` → default branch (else master, or the first branch listed). */
  defaultBranches?: Record<string, string>;
  /** Which tenant of the file to build (default: the first). */
  tenant?: string;
  /** Passed to buildLayout (global semaphores come from the tenant file unless given). */
  build?: BuildLayoutOptions;
}

const HOSTNAMES: Record<string, string> = {
  gerrit: 'review.example.com',
  github: 'github.com',
  gitlab: 'gitlab.com',
  git: 'git.example.com',
};

const MERGE_MODES: Record<string, MergeMode> = {
  gerrit: 'merge-resolve',
  github: 'merge-ort',
};

/** Connections whose sources answer nothing by themselves (the reader has the data). */
export function testConnections(
  spec: Record<string, TestConnection> = { gerrit: 'gerrit' },
): Map<string, Connection> {
  const out = new Map<string, Connection>();
  const all: Record<string, TestConnection> = { ...spec, timer: 'timer', zuul: 'zuul' };
  for (const [name, value] of Object.entries(all)) {
    const driver = typeof value === 'string' ? value : value.driver;
    const hostname =
      (typeof value === 'string' ? undefined : value.canonicalHostname) ??
      HOSTNAMES[driver] ??
      `${name}.example.com`;
    const hasSource =
      driver !== 'timer' && driver !== 'zuul' && driver !== 'smtp' && driver !== 'mqtt';
    const source: Source | undefined = hasSource
      ? {
          connectionName: name,
          canonicalHostname: hostname,
          defaultMergeMode: MERGE_MODES[driver] ?? 'merge',
          gitUrl: (p) => `file:///nonexistent/${name}/${p}`,
          getBranches: async () => [],
          getDefaultBranch: async () => undefined,
          ...(typeof value !== 'string' && value.mergeModes
            ? { getProjectMergeModes: async (p: string) => value.mergeModes?.[p] }
            : {}),
        }
      : undefined;
    out.set(name, {
      name,
      driverName: driver,
      config: { name, driver, options: {} },
      source,
    });
  }
  return out;
}

/** Loads (without building) one tenant of `tenantYaml` from in-memory files. */
export async function loadFromFiles(
  tenantYaml: string,
  files: InMemoryFiles,
  opts: LayoutFromFilesOptions = {},
): Promise<LoadedTenant & { globalSemaphores: Map<string, { name: string; max: number }> }> {
  const connections = testConnections(opts.connections);
  const canonicalHostnames = new Map<string, string>();
  for (const [name, c] of connections) {
    if (c.source) canonicalHostnames.set(name, c.source.canonicalHostname);
  }
  const file = parseTenantFile(tenantYaml, {
    fileName: 'main.yaml',
    connectionNames: new Set(connections.keys()),
    canonicalHostnames,
  });
  const tenant = opts.tenant ? file.tenants.find((t) => t.name === opts.tenant) : file.tenants[0];
  if (!tenant) throw new Error(`no tenant ${opts.tenant ?? ''} in the tenant file`);
  const loader = new TenantLoader({
    connections,
    reader: new InMemoryFileReader(files, opts.defaultBranches),
    parseOptions: parseOptionsFor(connections),
  });
  const loaded = await loader.loadTenant(tenant);
  return { ...loaded, globalSemaphores: file.globalSemaphores };
}

/**
 * Builds the layout of one tenant of `tenantYaml` (default: the first) from
 * `files` (connection → project → branch → path → content). Projects the
 * tenant lists but `files` does not are empty single-branch (`master`)
 * repositories.
 */
export async function layoutFromFiles(
  tenantYaml: string,
  files: InMemoryFiles,
  opts: LayoutFromFilesOptions = {},
): Promise<Layout> {
  const loaded = await loadFromFiles(tenantYaml, files, opts);
  return buildLayout(loaded, {
    globalSemaphores: loaded.globalSemaphores,
    ...opts.build,
  });
}
