// Builds every tenant's layout of a Zuul fixture scenario the way
// `config-check` does: real git repositories, the tenant loader, the
// layout builder.

import { buildLayout } from '../../src/config/layout/index.js';
import { loadSystemConfig, loadTenantFile, parseOptionsFor } from '../../src/config/system.js';
import { TenantLoader } from '../../src/config/tenant-loader.js';
import type { Layout } from '../../src/model/layout.js';
import { type DeployOptions, deployFixture, type FixtureDeployment } from './fixtures.js';

/** Deploys a scenario (optionally changing its repositories first) and builds every tenant. */
export async function fixtureLayouts(
  scenario: string,
  opts: DeployOptions = {},
  prepare?: (d: FixtureDeployment) => void,
): Promise<Map<string, Layout>> {
  const d = deployFixture(scenario, opts);
  prepare?.(d);
  const system = loadSystemConfig(d.confPath);
  const file = await loadTenantFile(system);
  const loader = new TenantLoader({
    connections: system.connections,
    repos: system.repos,
    parseOptions: parseOptionsFor(system.connections),
  });
  const out = new Map<string, Layout>();
  for (const tenant of file.tenants) {
    const loaded = await loader.loadTenant(tenant);
    out.set(tenant.name, buildLayout(loaded, { globalSemaphores: file.globalSemaphores }));
  }
  return out;
}
