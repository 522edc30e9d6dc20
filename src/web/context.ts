// What the web component's route modules may use. Route modules never load
// configuration or touch git themselves: they read the current state
// through this interface, which `zuul-ts serve` / `zuul-ts web` fill in
// (and tests fill in from fixtures).

import type { FastifyInstance } from 'fastify';
import type { ZuulConf } from '../config/zuul-conf.js';
import type { Connection } from '../drivers/driver.js';
import type { Layout } from '../model/layout.js';
import type { TenantConfig, TenantFile } from '../model/tenant.js';
import type { ComponentListing } from '../store/components.js';
import type { HistoryReader } from '../store/history/reader.js';

/** A tenant as the web component sees it. */
export interface TenantState {
  config: TenantConfig;
  /** Undefined while the tenant's first layout is still loading (→ 422). */
  layout?: Layout;
}

/** Public keys the key endpoints serve (generated on first request). */
export interface PublicKeys {
  /** PEM public key of a project's secrets key pair. */
  projectSecretsKey(connection: string, project: string): Promise<string>;
  /** OpenSSH public key (`ssh-rsa …`) of a project's SSH key pair. */
  projectSshKey(connection: string, project: string): Promise<string>;
  /** OpenSSH public key of a tenant's SSH key pair. */
  tenantSshKey(tenant: string): Promise<string>;
}

export interface WebContext {
  conf: ZuulConf;
  connections: ReadonlyMap<string, Connection>;
  /** The tenant file currently in effect. */
  tenantFile(): TenantFile;
  /** Every tenant by name, in tenant-file order. */
  tenants(): ReadonlyMap<string, TenantState>;
  keys: PublicKeys;
  /** The component registry; undefined when there is none (→ 503). */
  components?: { listing(): Promise<ComponentListing> };
  /** Zuul-ts version, as /api/info reports it. */
  version: string;
  /** The build history (SQL reporter database); undefined when there is none (→ 503). */
  history?: HistoryReader;
}

/** A route module: registers the routes of one API resource. */
export type RouteModule = (app: FastifyInstance, ctx: WebContext) => void;
