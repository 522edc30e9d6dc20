// Finding a tenant's project from the tenant file alone, by canonical
// (`host/org/repo`) or short (`org/repo`) name, as Zuul's Tenant.getProject
// does. For tools that need a project's connection (keys, `encrypt`) without
// building the layout from git.

import type { TenantConfig, TenantFile, TenantProjectConfig } from '../model/tenant.js';

export class ProjectLookupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProjectLookupError';
  }
}

export function findTenant(file: TenantFile, name: string): TenantConfig {
  const tenant = file.tenants.find((t) => t.name === name);
  if (!tenant) {
    const names = file.tenants.map((t) => t.name).join(', ') || 'none';
    throw new ProjectLookupError(`Tenant ${name} not found (tenants: ${names})`);
  }
  return tenant;
}

/**
 * The tenant's entry for a project. `canonicalHostnames` maps connection
 * names to their canonical hostnames; connections missing from it only
 * match by short name.
 */
export function findTenantProject(
  tenant: TenantConfig,
  name: string,
  canonicalHostnames: ReadonlyMap<string, string>,
): TenantProjectConfig {
  const canonical = tenant.projects.find((p) => {
    const host = canonicalHostnames.get(p.connectionName);
    return host !== undefined && `${host}/${p.name}` === name;
  });
  if (canonical) return canonical;
  const short = tenant.projects.filter((p) => p.name === name);
  // One project may be listed once per connection only; several entries with
  // one short name are different projects on different hosts.
  if (short.length > 1) {
    const hosts = short.map((p) => canonicalHostnames.get(p.connectionName) ?? p.connectionName);
    throw new ProjectLookupError(
      `Project name "${name}" is ambiguous, please fully qualify the project with a hostname. Valid hostnames are: ${hosts.join(', ')}`,
    );
  }
  if (!short[0]) throw new ProjectLookupError(`Project ${name} not found in tenant ${tenant.name}`);
  return short[0];
}
