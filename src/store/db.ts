// Opening the state store: a Kysely database on SQLite (better-sqlite3),
// PostgreSQL (pg) or MySQL/MariaDB (mysql2), from `[database] dburi` and
// `table_prefix`. The whole store, build history included, lives in that one
// database, so a Zuul zuul.conf with `mysql+pymysql://` works unchanged.
//
// SQLite is set up so several processes may share the file: WAL journal
// (readers never block the writer), a busy timeout (a writer waits for
// another process's write instead of failing at once) and NORMAL sync (safe
// with WAL; a power cut can lose the last commits, never corrupt the file).
// better-sqlite3 is synchronous, so a write that waits for another process
// blocks this process's event loop for up to the busy timeout: fine for the
// single-process default, and the reason PostgreSQL is the multi-machine
// engine. Within one process, open one Store per database file and share it.
//
// MySQL/MariaDB sessions are set up to behave like PostgreSQL's where the
// store's code depends on it: UTC time zone, READ COMMITTED isolation (no
// gap locks, each statement sees what committed before it). The queues use
// SKIP LOCKED, hence MariaDB >= 10.6 or MySQL >= 8.0; older servers are
// refused on open.

import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  Kysely,
  MysqlDialect,
  PostgresDialect,
  SqliteDialect,
  type SqliteDatabase as SqliteDialectDatabase,
  sql,
} from 'kysely';
import mysql from 'mysql2';
import pg from 'pg';
import type { ZuulConf } from '../config/zuul-conf.js';
import { MIGRATIONS } from './migrations/index.js';
import { MigrationError, migrate } from './migrations.js';
import { MysqlTableOptionsPlugin } from './mysql-tables.js';
import { type Database, TABLE_NAMES } from './schema.js';
import { checkTablePrefix, TablePrefixPlugin } from './table-prefix.js';
import { type DbUri, parseDbUri, redactDbUri, type ServerUri, type SqliteUri } from './uri.js';

export type StoreDialect = 'sqlite' | 'postgresql' | 'mysql';

export interface StoreOptions {
  /** `[database] dburi`. */
  uri: string;
  /** `[database] table_prefix`. */
  tablePrefix?: string;
  /** Where relative SQLite paths resolve (the zuul.conf directory). */
  baseDir?: string;
  /** Run pending migrations on open (default true). */
  migrate?: boolean;
  /** SQLite: how long a writer waits for another process's lock. */
  busyTimeoutMs?: number;
  /** PostgreSQL, MySQL: connection pool size. */
  poolSize?: number;
}

export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: StoreDialect;
  readonly tablePrefix: string;
  /** The URI with the password masked, for messages. */
  readonly description: string;
  close(): Promise<void>;
}

export class StoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreError';
  }
}

const DEFAULT_BUSY_TIMEOUT_MS = 10_000;

/** Opens the store and (unless told not to) brings its schema up to date. */
export async function openStore(opts: StoreOptions): Promise<Store> {
  const tablePrefix = opts.tablePrefix ?? '';
  checkTablePrefix(tablePrefix);
  const uri = parseDbUri(opts.uri, opts.baseDir);
  const store = createStore(uri, tablePrefix, opts);
  if (opts.migrate !== false) {
    try {
      if (store.dialect === 'mysql') await checkMysqlVersion(store);
      await migrate(store, MIGRATIONS);
    } catch (err) {
      await store.close().catch(() => {});
      if (err instanceof MigrationError || err instanceof StoreError) throw err;
      // Most likely unreachable or refused credentials; say which store.
      throw new StoreError(
        `Unable to use the state store ${store.description}: ${(err as Error).message}`,
      );
    }
  }
  return store;
}

/** Store options from zuul.conf's `[database]` section (dburi is required, as in Zuul). */
export function storeOptionsFromConf(conf: ZuulConf): StoreOptions {
  return {
    uri: conf.require('database', 'dburi'),
    tablePrefix: conf.get('database', 'table_prefix', ''),
    baseDir: conf.dir,
  };
}

function createStore(uri: DbUri, tablePrefix: string, opts: StoreOptions): Store {
  const plugins = tablePrefix ? [new TablePrefixPlugin(tablePrefix, TABLE_NAMES)] : [];
  const description = redactDbUri(uri);
  if (uri.dialect === 'sqlite') {
    const db = new Kysely<Database>({
      dialect: new SqliteDialect({ database: cachingStatements(openSqlite(uri, opts)) }),
      plugins,
    });
    return { db, dialect: 'sqlite', tablePrefix, description, close: () => db.destroy() };
  }
  if (uri.dialect === 'postgresql') {
    const pool = new pg.Pool({
      connectionString: pgConnectionString(uri),
      max: opts.poolSize ?? 10,
    });
    // A connection that the server drops emits 'error' on the pool when
    // idle, on the client itself when checked out; unhandled, either would
    // kill the process. The query in flight fails on its own (its caller
    // sees that) and the next one gets a new connection, so there is
    // nothing else to do here.
    pool.on('error', () => {});
    pool.on('connect', (client) => client.on('error', () => {}));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins });
    return { db, dialect: 'postgresql', tablePrefix, description, close: () => db.destroy() };
  }
  const pool = mysql.createPool({
    ...mysqlConnectionOptions(uri),
    connectionLimit: opts.poolSize ?? 10,
  });
  // As for pg: a dropped idle connection must not kill the process.
  pool.on('connection', (conn) => conn.on('error', () => {}));
  const db = new Kysely<Database>({
    dialect: new MysqlDialect({
      pool,
      async onCreateConnection(conn) {
        await conn.executeQuery(sql`set time_zone = '+00:00'`.compile(db));
        await conn.executeQuery(
          sql`set session transaction isolation level read committed`.compile(db),
        );
      },
    }),
    plugins: [...plugins, new MysqlTableOptionsPlugin()],
  });
  return { db, dialect: 'mysql', tablePrefix, description, close: () => db.destroy() };
}

/**
 * mysql2 options from a SQLAlchemy/PyMySQL URI. PyMySQL's query parameters
 * that have a mysql2 equivalent are translated; any other is an error, so a
 * setting the operator relies on (TLS above all) is never silently dropped.
 */
function mysqlConnectionOptions(uri: ServerUri): mysql.PoolOptions {
  const out: mysql.PoolOptions = {
    user: uri.user,
    password: uri.password,
    database: uri.database,
    timezone: 'Z',
    supportBigNumbers: true,
  };
  if (uri.host?.startsWith('/')) out.socketPath = uri.host;
  else {
    out.host = uri.host ?? 'localhost';
    out.port = uri.port ?? 3306;
  }
  const ssl: mysql.SslOptions = {};
  let tls = false;
  for (const [key, value] of Object.entries(uri.params)) {
    switch (key) {
      case 'charset':
        out.charset = value;
        break;
      case 'unix_socket':
        out.socketPath = value;
        break;
      case 'connect_timeout':
        if (!/^\d+(\.\d+)?$/.test(value)) {
          throw new StoreError(
            `[database] dburi parameter connect_timeout "${value}" is not seconds`,
          );
        }
        out.connectTimeout = Number(value) * 1000;
        break;
      case 'ssl_ca':
      case 'ssl_cert':
      case 'ssl_key':
        ssl[key === 'ssl_ca' ? 'ca' : key === 'ssl_cert' ? 'cert' : 'key'] = readPem(key, value);
        tls = true;
        break;
      case 'ssl_verify_cert':
        ssl.rejectUnauthorized = !/^(0|false|no)$/i.test(value);
        tls = true;
        break;
      default:
        throw new StoreError(
          `[database] dburi parameter "${key}" is not supported for MySQL/MariaDB (supported: charset, unix_socket, connect_timeout, ssl_ca, ssl_cert, ssl_key, ssl_verify_cert)`,
        );
    }
  }
  if (tls) out.ssl = ssl;
  return out;
}

function readPem(param: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new StoreError(
      `[database] dburi parameter ${param}: unable to read ${path}: ${(err as Error).message}`,
    );
  }
}

/** SKIP LOCKED (the queues) needs MariaDB 10.6 or MySQL 8.0. */
async function checkMysqlVersion(store: Store): Promise<void> {
  const { rows } = await sql<{ v: string }>`select version() as v`.execute(store.db);
  const version = rows[0]?.v ?? '';
  const m = /^(\d+)\.(\d+)/.exec(version);
  const [major, minor] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
  const maria = /mariadb/i.test(version);
  const ok = maria ? major > 10 || (major === 10 && minor >= 6) : major >= 8;
  if (!ok) {
    throw new StoreError(
      `The state store ${store.description} runs ${maria ? 'MariaDB' : 'MySQL'} ${version}; zuul-ts needs MariaDB 10.6 or later, or MySQL 8.0 or later`,
    );
  }
}

function openSqlite(uri: SqliteUri, opts: StoreOptions): SqliteDatabase.Database {
  if (uri.path !== ':memory:') mkdirSync(dirname(uri.path), { recursive: true });
  let sqlite: SqliteDatabase.Database;
  try {
    sqlite = new SqliteDatabase(uri.path);
  } catch (err) {
    throw new StoreError(`Unable to open SQLite database ${uri.path}: ${(err as Error).message}`);
  }
  // busy_timeout first: switching to WAL needs a lock another process may hold.
  sqlite.pragma(
    `busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS))}`,
  );
  if (uri.path !== ':memory:') {
    const mode = sqlite.pragma('journal_mode = WAL', { simple: true });
    if (String(mode).toLowerCase() !== 'wal') {
      sqlite.close();
      throw new StoreError(
        `SQLite database ${uri.path} cannot use WAL journaling (got "${mode}"); is it on a network filesystem?`,
      );
    }
  }
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  if (uri.path !== ':memory:') {
    // Reads go through a memory map of the file (SQLite caps it at its
    // build's maximum, 2 GiB for better-sqlite3) instead of being copied
    // from the OS cache into SQLite's page cache on every query; the page
    // cache itself grows from the default 2 MiB to 64 MiB for what the map
    // does not cover. Both matter for the build history (docs/benchmarks.md).
    sqlite.pragma(`mmap_size = ${SQLITE_MMAP_BYTES}`);
    sqlite.pragma(`cache_size = -${SQLITE_CACHE_KIB}`);
  }
  return sqlite;
}

const SQLITE_MMAP_BYTES = 2 ** 31;
const SQLITE_CACHE_KIB = 64 * 1024;
const STATEMENT_CACHE_SIZE = 256;

/**
 * The database as Kysely's SQLite driver sees it, with prepared statements
 * kept by SQL text: the driver prepares every query anew, which costs as
 * much as running a small one. Kysely runs one query at a time on the
 * connection, so a cached statement is never in use twice at once. The
 * least recently used statement goes when the cache is full (SQL texts
 * vary with the length of IN lists).
 */
function cachingStatements(sqlite: SqliteDatabase.Database): SqliteDialectDatabase {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => {
      cache.clear();
      sqlite.close();
    },
    prepare(text: string) {
      let stmt = cache.get(text);
      if (stmt) {
        cache.delete(text);
      } else {
        stmt = sqlite.prepare(text);
        if (cache.size >= STATEMENT_CACHE_SIZE) {
          const oldest = cache.keys().next().value;
          if (oldest !== undefined) cache.delete(oldest);
        }
      }
      cache.set(text, stmt);
      return stmt;
    },
  };
}

/** A libpq-style URL for pg, without SQLAlchemy's `+driver` part. */
export function pgConnectionString(uri: ServerUri): string {
  const enc = encodeURIComponent;
  const params = new URLSearchParams(uri.params);
  let host = '';
  if (uri.host?.startsWith('/')) params.set('host', uri.host);
  else if (uri.host) host = uri.host.includes(':') ? `[${uri.host}]` : uri.host;
  const user =
    uri.user !== undefined
      ? `${enc(uri.user)}${uri.password !== undefined ? `:${enc(uri.password)}` : ''}@`
      : '';
  const port = uri.port !== undefined ? `:${uri.port}` : '';
  const db = uri.database !== undefined ? `/${enc(uri.database)}` : '';
  const query = params.size ? `?${params.toString()}` : '';
  return `postgresql://${user}${host}${port}${db}${query}`;
}
