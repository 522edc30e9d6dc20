// From zuul.conf to tenant layouts, the way every command that builds
// layouts does it: the system configuration, the tenant file, a tenant
// loader over the repository cache, and the project secrets keys that
// layout validation decrypts secrets with (semantics §D.3: a secret a job
// uses must decrypt, or the job stanza has a configuration error).

import type { Layout } from '../model/layout.js';
import type { GlobalSemaphore, TenantConfig, TenantFile } from '../model/tenant.js';
import { buildLayout } from './layout/index.js';
import { SecretKeyring } from './secret-keys.js';
import { loadSystemConfig, loadTenantFile, parseOptionsFor, type SystemConfig } from './system.js';
import { type LoadedTenant, TenantLoader } from './tenant-loader.js';

export interface TenantLayoutOptions {
  /** The tenant file's global semaphores. */
  globalSemaphores?: ReadonlyMap<string, GlobalSemaphore>;
  /**
   * Keys to check secrets with. Every command passes one; without it,
   * secrets are not decrypted (tests of other rules).
   */
  keyring?: SecretKeyring;
}

/**
 * Builds a loaded tenant's layout, first loading the secrets keys of the
 * projects whose jobs use secrets (none, and no keystore, when no job
 * does). Fails only when the keystore is needed and unusable.
 */
export async function buildTenantLayout(
  loaded: LoadedTenant,
  opts: TenantLayoutOptions = {},
): Promise<Layout> {
  if (opts.keyring) await opts.keyring.prepareFor(loaded);
  return buildLayout(loaded, {
    globalSemaphores: opts.globalSemaphores,
    ...(opts.keyring ? { checkSecretDecrypts: opts.keyring.checkSecretDecrypts } : {}),
  });
}

/** What a command needs to build the layouts of a deployment. */
export interface Deployment {
  system: SystemConfig;
  tenantFile: TenantFile;
  loader: TenantLoader;
  keyring: SecretKeyring;
  /** Loads a tenant's projects from git and builds its layout. */
  layout(tenant: TenantConfig): Promise<Layout>;
  /** Releases the keystore's store if it was opened. */
  close(): Promise<void>;
}

/** Reads zuul.conf and the tenant file; nothing is fetched or opened yet. */
export async function openDeployment(confPath: string): Promise<Deployment> {
  const system = loadSystemConfig(confPath);
  const tenantFile = await loadTenantFile(system);
  const loader = new TenantLoader({
    connections: system.connections,
    repos: system.repos,
    parseOptions: parseOptionsFor(system.connections),
  });
  const keyring = SecretKeyring.fromConf(system.conf);
  return {
    system,
    tenantFile,
    loader,
    keyring,
    layout: async (tenant) =>
      buildTenantLayout(await loader.loadTenant(tenant), {
        globalSemaphores: tenantFile.globalSemaphores,
        keyring,
      }),
    close: () => keyring.close(),
  };
}
