// Everything a component needs before it can load tenants: zuul.conf, the
// connections it declares, the repository cache and the tenant file.

import { readFile } from 'node:fs/promises';
import type { Connection } from '../drivers/driver.js';
import { createConnections, getDriver } from '../drivers/registry.js';
import { RepoCache } from '../merger/repo-cache.js';
import type { TenantFile } from '../model/tenant.js';
import type { ParseOptions } from './config-file.js';
import type { PipelineConnection } from './parsers/pipeline.js';
import { parseTenantFile } from './tenant-file.js';
import { runTenantConfigScript } from './tenant-script.js';
import { loadZuulConf, type ZuulConf, ZuulConfError } from './zuul-conf.js';

export interface SystemConfig {
  conf: ZuulConf;
  connections: Map<string, Connection>;
  repos: RepoCache;
  /** Problems with zuul.conf that did not stop loading (e.g. unknown keys). */
  warnings: string[];
}

/** Reads zuul.conf and builds its connections; a bad connection section is fatal. */
export function loadSystemConfig(confPath: string, env = process.env): SystemConfig {
  const conf = loadZuulConf(confPath, env);
  const repos = RepoCache.fromConf(conf);
  const { connections, errors } = createConnections(conf, { repos });
  if (errors.length) throw errors[0]!;
  return { conf, connections, repos, warnings: [...conf.warnings] };
}

/** Pipeline schemas of every connection, for parsing pipelines. */
export function parseOptionsFor(connections: ReadonlyMap<string, Connection>): ParseOptions {
  const map = new Map<string, PipelineConnection>();
  for (const [name, conn] of connections) {
    const driver = getDriver(conn.driverName);
    if (driver) map.set(name, { driverName: driver.name, schemas: driver.pipelineSchemas });
  }
  return { pipelineContext: { connections: map } };
}

export interface TenantFileText {
  text: string;
  fileName: string;
  /** Set when a tenant_config_script failed (Zuul then loads no tenants). */
  scriptError?: string;
}

/** The tenant file's text, from `tenant_config` or by running `tenant_config_script`. */
export async function readTenantFileText(conf: ZuulConf): Promise<TenantFileText> {
  const source = conf.tenantConfigSource();
  if (source.kind === 'file') {
    try {
      return { text: await readFile(source.path, 'utf8'), fileName: source.path };
    } catch (err) {
      throw new ZuulConfError(
        `${conf.path}: [scheduler] tenant_config: unable to read ${source.path}: ${(err as Error).message}`,
        conf.path,
        'scheduler',
        'tenant_config',
      );
    }
  }
  const timeoutMs = conf.getInt('merger', 'git_timeout', 300) * 1000;
  const result = await runTenantConfigScript(source.path, timeoutMs);
  return { text: result.text, fileName: source.path, scriptError: result.error };
}

export async function loadTenantFile(system: SystemConfig): Promise<TenantFile> {
  const { text, fileName } = await readTenantFileText(system.conf);
  const canonicalHostnames = new Map<string, string>();
  for (const [name, conn] of system.connections) {
    if (conn.source) canonicalHostnames.set(name, conn.source.canonicalHostname);
  }
  return parseTenantFile(text, {
    fileName,
    connectionNames: new Set(system.connections.keys()),
    canonicalHostnames,
  });
}
