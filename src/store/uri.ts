// `[database] dburi`: SQLAlchemy-style database URLs, as Zuul reads them.
//
// Accepted forms:
//   sqlite://                         in-memory (tests)
//   sqlite:///relative/path.db        relative to the zuul.conf directory
//   sqlite:////absolute/path.db       absolute (the path keeps its leading /)
//   postgresql://user:pass@host:port/db?sslmode=require&host=/run/postgresql
//   postgresql+psycopg2://…           the driver part is ignored
//   mysql+pymysql://…, mariadb+pymysql://…   (MySQL >= 8.0 / MariaDB >= 10.6)
//
// A relative SQLite path resolves against the zuul.conf directory, like every
// other path in that file (SQLAlchemy would use the process cwd, but Zuul has
// no SQLite support, so no existing config depends on that).

import { isAbsolute, resolve } from 'node:path';

export type DbDialect = 'sqlite' | 'postgresql' | 'mysql';

export interface SqliteUri {
  dialect: 'sqlite';
  /** Absolute file path, or ':memory:'. */
  path: string;
}

export interface ServerUri {
  dialect: 'postgresql' | 'mysql';
  /** The dialect as written (`mariadb` stays visible for messages). */
  scheme: string;
  /** The `+driver` suffix, if any (e.g. `pymysql`). */
  driver?: string;
  user?: string;
  password?: string;
  /** Undefined when given only by `?host=` (a Unix socket directory) or not at all. */
  host?: string;
  port?: number;
  database?: string;
  /** Query parameters other than the ones folded into the fields above. */
  params: Record<string, string>;
}

export type DbUri = SqliteUri | ServerUri;

export class DbUriError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DbUriError';
  }
}

const SCHEME_RE = /^([A-Za-z][A-Za-z0-9]*)(?:\+([A-Za-z0-9_]+))?:\/\/(.*)$/s;

/**
 * Parses a dburi. `baseDir` anchors relative SQLite paths. Error messages
 * never repeat the URI itself: it may carry a password.
 */
export function parseDbUri(uri: string, baseDir: string = process.cwd()): DbUri {
  const m = SCHEME_RE.exec(uri.trim());
  if (!m) {
    throw new DbUriError(
      'dburi is not a database URL (expected e.g. sqlite:///zuul.db or postgresql://user:password@host/zuul)',
    );
  }
  const scheme = m[1]!.toLowerCase();
  const driver = m[2];
  const rest = m[3]!;
  switch (scheme) {
    case 'sqlite':
      return parseSqlite(rest, baseDir);
    case 'postgresql':
      return parseServer('postgresql', scheme, driver, rest);
    case 'mysql':
    case 'mariadb':
      return parseServer('mysql', scheme, driver, rest);
    case 'postgres':
      // SQLAlchemy dropped this alias in 1.4; say so rather than guessing.
      throw new DbUriError('dburi scheme "postgres://" is not supported; write "postgresql://"');
    default:
      throw new DbUriError(
        `dburi scheme "${scheme}" is not supported (use sqlite, postgresql, mysql+pymysql or mariadb+pymysql)`,
      );
  }
}

function parseSqlite(rest: string, baseDir: string): SqliteUri {
  // `sqlite://` → memory; `sqlite:///x` → rest is "/x" → relative path "x";
  // `sqlite:////x` → rest is "//x" → absolute "/x". A host part is not allowed.
  const query = rest.indexOf('?');
  const body = query >= 0 ? rest.slice(0, query) : rest;
  if (body === '' || body === '/' || body === '/:memory:') {
    return { dialect: 'sqlite', path: ':memory:' };
  }
  if (!body.startsWith('/')) {
    throw new DbUriError(
      'sqlite dburi must have three slashes before the path (sqlite:///relative.db or sqlite:////absolute.db)',
    );
  }
  const path = decodeURIComponent(body.slice(1));
  return { dialect: 'sqlite', path: isAbsolute(path) ? path : resolve(baseDir, path) };
}

function parseServer(
  dialect: 'postgresql' | 'mysql',
  scheme: string,
  driver: string | undefined,
  rest: string,
): ServerUri {
  const q = rest.indexOf('?');
  const main = q >= 0 ? rest.slice(0, q) : rest;
  const params: Record<string, string> = {};
  if (q >= 0) {
    for (const [k, v] of new URLSearchParams(rest.slice(q + 1))) params[k] = v;
  }
  const slash = main.indexOf('/');
  const authority = slash >= 0 ? main.slice(0, slash) : main;
  const database = slash >= 0 ? decode(main.slice(slash + 1)) : undefined;
  // The password may contain '@' when not escaped: the last '@' ends the userinfo.
  const at = authority.lastIndexOf('@');
  const userinfo = at >= 0 ? authority.slice(0, at) : undefined;
  const hostport = at >= 0 ? authority.slice(at + 1) : authority;
  const out: ServerUri = { dialect, scheme, params };
  if (driver) out.driver = driver;
  if (userinfo !== undefined) {
    const colon = userinfo.indexOf(':');
    out.user = decode(colon >= 0 ? userinfo.slice(0, colon) : userinfo);
    if (colon >= 0) out.password = decode(userinfo.slice(colon + 1));
  }
  const { host, port } = splitHostPort(hostport);
  if (host) out.host = host;
  if (port !== undefined) out.port = port;
  if (database) out.database = database;
  if (!out.host && params.host) {
    out.host = params.host;
    delete params.host;
  }
  if (out.port === undefined && params.port) {
    out.port = parsePort(params.port);
    delete params.port;
  }
  return out;
}

function splitHostPort(hostport: string): { host?: string; port?: number } {
  if (hostport === '') return {};
  if (hostport.startsWith('[')) {
    // IPv6 literal: [::1]:5432
    const end = hostport.indexOf(']');
    if (end < 0) throw new DbUriError('dburi has an unterminated IPv6 address');
    const host = hostport.slice(1, end);
    const after = hostport.slice(end + 1);
    if (after === '') return { host };
    if (!after.startsWith(':')) throw new DbUriError('dburi has garbage after the IPv6 address');
    return { host, port: parsePort(after.slice(1)) };
  }
  const colon = hostport.lastIndexOf(':');
  if (colon < 0) return { host: decode(hostport) };
  return { host: decode(hostport.slice(0, colon)), port: parsePort(hostport.slice(colon + 1)) };
}

function parsePort(s: string): number {
  if (!/^\d{1,5}$/.test(s) || Number(s) > 65535) {
    throw new DbUriError(`dburi port "${s}" is not a port number`);
  }
  return Number(s);
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new DbUriError('dburi contains an invalid %-escape');
  }
}

/** The URI for logs and messages: the password replaced by `***`. */
export function redactDbUri(uri: DbUri): string {
  if (uri.dialect === 'sqlite')
    return uri.path === ':memory:' ? 'sqlite://' : `sqlite:///${uri.path}`;
  const scheme = uri.driver ? `${uri.scheme}+${uri.driver}` : uri.scheme;
  const user =
    uri.user !== undefined
      ? `${encodeURIComponent(uri.user)}${uri.password !== undefined ? ':***' : ''}@`
      : '';
  const host =
    uri.host && !uri.host.startsWith('/')
      ? uri.host.includes(':')
        ? `[${uri.host}]`
        : uri.host
      : '';
  const port = uri.port !== undefined ? `:${uri.port}` : '';
  const db = uri.database !== undefined ? `/${encodeURIComponent(uri.database)}` : '';
  const params = new URLSearchParams(uri.params);
  if (uri.host?.startsWith('/')) params.set('host', uri.host);
  const query = params.size ? `?${params.toString()}` : '';
  return `${scheme}://${user}${host}${port}${db}${query}`;
}
