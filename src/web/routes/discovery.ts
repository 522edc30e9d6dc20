// Discovery endpoints (API reference §1, §4, §5, §24, §52): the route
// index, server and tenant info, tenants and connections.

import type { ZuulConf } from '../../config/zuul-conf.js';
import type { Connection } from '../../drivers/driver.js';
import type { TenantFile } from '../../model/tenant.js';
import type { RouteModule, TenantState, WebContext } from '../context.js';
import { cacheFor } from '../http.js';

// ---- GET /api ----------------------------------------------------------------

const T = '/api/tenant/{tenant}';

/** Zuul's route index (AUG25 keys), templates as Zuul writes them. */
export const API_INDEX: Readonly<Record<string, string>> = {
  info: '/api/info',
  connections: '/api/connections',
  components: '/api/components',
  authorizations: '/api/authorizations',
  tenants: '/api/tenants',
  tenant_info: `${T}/info`,
  status: `${T}/status`,
  status_change: `${T}/status/change/{change}`,
  jobs: `${T}/jobs`,
  job: `${T}/job/{job_name}`,
  projects: `${T}/projects`,
  project: `${T}/project/{project:.*}`,
  project_freeze_jobs: `${T}/pipeline/{pipeline}/project/{project:.*}/branch/{branch:.*}/freeze-jobs`,
  pipelines: `${T}/pipelines`,
  semaphores: `${T}/semaphores`,
  labels: `${T}/labels`,
  nodes: `${T}/nodes`,
  nodeset_requests: `${T}/nodeset-requests`,
  key: `${T}/key/{project:.*}.pub`,
  project_ssh_key: `${T}/project-ssh-key/{project:.*}.pub`,
  console_stream: `${T}/console-stream`,
  badge: `${T}/badge`,
  builds: `${T}/builds`,
  build: `${T}/build/{uuid}`,
  buildsets: `${T}/buildsets`,
  buildset: `${T}/buildset/{uuid}`,
  config_errors: `${T}/config-errors`,
  tenant_authorizations: `${T}/authorizations`,
  tenant_status: `${T}/tenant-status`,
  autohold: `${T}/project/{project:.*}/autohold`,
  autohold_list: `${T}/autohold`,
  autohold_by_request_id: `${T}/autohold/{request_id}`,
  autohold_delete: `${T}/autohold/{request_id}`,
  enqueue: `${T}/project/{project:.*}/enqueue`,
  dequeue: `${T}/project/{project:.*}/dequeue`,
  promote: `${T}/promote`,
};

// ---- info ----------------------------------------------------------------------

export interface RealmInfo {
  authority: string | null;
  client_id: string | null;
  type: 'JWT';
  driver: string;
  scope?: string;
  load_user_info?: boolean;
}

export interface AuthInfo {
  realms: Record<string, RealmInfo>;
  default_realm: string | null;
  read_protected?: boolean;
  auth_log_file_requests?: boolean;
  niz?: boolean;
}

export interface InfoDocument {
  info: {
    capabilities: { job_history: boolean; auth: AuthInfo };
    stats: { url: string | null; prefix: string | null; type: string };
    websocket_url: string | null;
    tenant?: string;
  };
}

const TRUE = new Set(['1', 'yes', 'true', 'on']);

/** The authenticators of zuul.conf as /api/info lists them, and the default realm. */
function realms(conf: ZuulConf): { realms: Record<string, RealmInfo>; defaultRealm?: string } {
  const out: Record<string, RealmInfo> = {};
  let first: string | undefined;
  let marked: string | undefined;
  for (const auth of conf.authenticators()) {
    const o = auth.options;
    const realm = o.realm || auth.name;
    first ??= realm;
    if (o.default !== undefined && TRUE.has(o.default.trim().toLowerCase())) marked ??= realm;
    const entry: RealmInfo = {
      authority: o.issuer_id ?? null,
      client_id: o.client_id ?? null,
      type: 'JWT',
      driver: auth.driver,
    };
    if (auth.driver === 'OpenIDConnect' || auth.driver === 'RS256withJWKS') {
      entry.scope = o.scope ?? 'openid profile';
      entry.load_user_info = o.load_user_info
        ? TRUE.has(o.load_user_info.trim().toLowerCase())
        : true;
    }
    out[realm] = entry;
  }
  return { realms: out, defaultRealm: marked ?? first };
}

/**
 * The info document: the server's (§5) without a tenant, a tenant's (§24)
 * with one. An unknown tenant still gets an answer, with only `realms` and
 * `default_realm` under `auth`.
 */
export function infoDocument(
  conf: ZuulConf,
  tenantFile: TenantFile,
  tenant?: { name: string; state?: TenantState },
): InfoDocument {
  const { realms: realmMap, defaultRealm } = realms(conf);
  const logFiles = conf.getBool('web', 'auth_log_file_requests', false);
  const apiRoot = tenantFile.apiRoot;
  let auth: AuthInfo;
  if (tenant === undefined) {
    auth = {
      realms: realmMap,
      default_realm: apiRoot?.authenticationRealm ?? defaultRealm ?? null,
      read_protected: (apiRoot?.accessRules.length ?? 0) > 0,
      auth_log_file_requests: logFiles,
    };
  } else if (tenant.state === undefined) {
    auth = { realms: realmMap, default_realm: defaultRealm ?? null };
  } else {
    const t = tenant.state.config;
    auth = {
      realms: realmMap,
      default_realm: t.authenticationRealm ?? defaultRealm ?? null,
      read_protected: t.accessRules.length > 0 || !t.anonymousReadAccess,
      auth_log_file_requests: logFiles,
      niz: (tenant.state.layout?.providers.size ?? 0) > 0,
    };
  }
  const doc: InfoDocument = {
    info: {
      capabilities: {
        // No build database yet: the dashboard must not offer build history.
        job_history: false,
        auth,
      },
      stats: {
        url: conf.get('web', 'stats_url') ?? null,
        prefix: conf.get('statsd', 'prefix') ?? null,
        type: conf.get('web', 'stats_type') ?? 'graphite',
      },
      websocket_url: conf.get('web', 'websocket_url') ?? null,
    },
  };
  if (tenant !== undefined) doc.info.tenant = tenant.name;
  return doc;
}

// ---- connections ------------------------------------------------------------------

export interface ConnectionInfo {
  name: string;
  driver: string;
  baseurl?: string;
  canonical_hostname?: string;
  server?: string;
  ssh_server?: string;
  port?: number;
  repo_cache?: string | null;
}

/** A connection as /api/connections shows it (only connections with a source). */
export function connectionInfo(conn: Connection): ConnectionInfo | undefined {
  if (!conn.source) return undefined;
  const base: ConnectionInfo = { name: conn.name, driver: conn.driverName };
  const o = conn.config.options;
  const c = conn as Connection & Record<string, unknown>;
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  switch (conn.driverName) {
    case 'gerrit': {
      const server = str(c.server) ?? o.server ?? '';
      return {
        ...base,
        baseurl: str(c.baseurl) ?? o.baseurl ?? `https://${server}`,
        canonical_hostname: conn.source.canonicalHostname,
        server,
        ssh_server: str(c.sshServer) ?? o.ssh_server ?? server,
        port: typeof c.port === 'number' ? c.port : Number.parseInt(o.port ?? '29418', 10),
      };
    }
    case 'github': {
      const server = str(c.server) ?? o.server ?? 'github.com';
      return {
        ...base,
        baseurl: server === 'github.com' ? 'https://api.github.com' : `https://${server}/api/v3`,
        canonical_hostname: conn.source.canonicalHostname,
        server,
        repo_cache: o.repo_cache ?? null,
      };
    }
    case 'git':
      return {
        ...base,
        baseurl: str(c.baseurl) ?? o.baseurl ?? '',
        canonical_hostname: conn.source.canonicalHostname,
      };
    default:
      return base;
  }
}

// ---- schemas -----------------------------------------------------------------------

const NULLABLE_STRING = { type: ['string', 'null'] } as const;

const REALM_SCHEMA = {
  type: 'object',
  properties: {
    authority: NULLABLE_STRING,
    client_id: NULLABLE_STRING,
    type: { type: 'string', enum: ['JWT'] },
    driver: { type: 'string' },
    scope: { type: 'string' },
    load_user_info: { type: 'boolean' },
  },
  required: ['authority', 'client_id', 'type', 'driver'],
} as const;

export const INFO_SCHEMA = {
  description: 'Server (or tenant) information for the dashboard',
  type: 'object',
  properties: {
    info: {
      type: 'object',
      properties: {
        capabilities: {
          type: 'object',
          properties: {
            job_history: { type: 'boolean', description: 'Whether build history is available' },
            auth: {
              type: 'object',
              properties: {
                realms: {
                  type: 'object',
                  description: 'One entry per authenticator, keyed by realm',
                  additionalProperties: REALM_SCHEMA,
                },
                default_realm: NULLABLE_STRING,
                read_protected: { type: 'boolean' },
                auth_log_file_requests: { type: 'boolean' },
                niz: { type: 'boolean', description: 'Tenant has launcher providers' },
              },
              required: ['realms', 'default_realm'],
            },
          },
          required: ['job_history', 'auth'],
        },
        stats: {
          type: 'object',
          properties: {
            url: NULLABLE_STRING,
            prefix: NULLABLE_STRING,
            type: { type: 'string' },
          },
          required: ['url', 'prefix', 'type'],
        },
        websocket_url: NULLABLE_STRING,
        tenant: { type: 'string', description: 'Only in tenant (whitelabel) info' },
      },
      required: ['capabilities', 'stats', 'websocket_url'],
    },
  },
  required: ['info'],
} as const;

export const INDEX_SCHEMA = {
  description: 'Route name → path template',
  type: 'object',
  additionalProperties: { type: 'string' },
} as const;

export const TENANTS_SCHEMA = {
  description: 'Loaded tenants, sorted by name',
  type: 'array',
  items: {
    type: 'object',
    properties: {
      name: { type: 'string' },
      projects: { type: 'integer', description: 'Number of untrusted projects' },
      queue: { type: 'integer', description: 'Items in pipelines (0 until the scheduler exists)' },
    },
    required: ['name', 'projects', 'queue'],
  },
} as const;

export const CONNECTIONS_SCHEMA = {
  description: 'Connections with a source driver, in zuul.conf order',
  type: 'array',
  items: {
    type: 'object',
    properties: {
      name: { type: 'string' },
      driver: { type: 'string' },
      baseurl: { type: 'string' },
      canonical_hostname: { type: 'string' },
      server: { type: 'string' },
      ssh_server: { type: 'string', description: 'gerrit' },
      port: { type: 'integer', description: 'gerrit' },
      repo_cache: { ...NULLABLE_STRING, description: 'github' },
    },
    required: ['name', 'driver'],
  },
} as const;

// ---- routes ---------------------------------------------------------------------------

export const discoveryRoutes: RouteModule = (app, ctx: WebContext) => {
  const infoExpiry = ctx.conf.getInt('web', 'static_cache_expiry', 3600);

  app.get('/api', { schema: { response: { 200: INDEX_SCHEMA } } }, async () => API_INDEX);

  app.get('/api/info', { schema: { response: { 200: INFO_SCHEMA } } }, async (_req, reply) => {
    cacheFor(reply, infoExpiry);
    return infoDocument(ctx.conf, ctx.tenantFile());
  });

  app.get<{ Params: { tenant: string } }>(
    '/api/tenant/:tenant/info',
    {
      schema: {
        params: {
          type: 'object',
          properties: { tenant: { type: 'string' } },
          required: ['tenant'],
        },
        response: { 200: INFO_SCHEMA },
      },
    },
    async (req, reply) => {
      cacheFor(reply, infoExpiry);
      const name = req.params.tenant;
      return infoDocument(ctx.conf, ctx.tenantFile(), {
        name,
        state: ctx.tenants().get(name),
      });
    },
  );

  app.get(
    '/api/tenants',
    { schema: { response: { 200: TENANTS_SCHEMA } } },
    async (_req, reply) => {
      cacheFor(reply, 1);
      const out: { name: string; projects: number; queue: number }[] = [];
      for (const [name, state] of ctx.tenants()) {
        if (!state.layout) continue;
        const projects = state.config.projects.filter((p) => !p.trusted).length;
        out.push({ name, projects, queue: 0 });
      }
      return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
  );

  app.get('/api/connections', { schema: { response: { 200: CONNECTIONS_SCHEMA } } }, async () => {
    const out: ConnectionInfo[] = [];
    for (const conn of ctx.connections.values()) {
      const info = connectionInfo(conn);
      if (info) out.push(info);
    }
    return out;
  });
};
