// Opening the state store: a Kysely database on SQLite (better-sqlite3) or
// PostgreSQL (pg), from `[database] dburi` and `table_prefix`.
//
// SQLite is set up so several processes may share the file: WAL journal
// (readers never block the writer), a busy timeout (a writer waits for
// another process's write instead of failing at once) and NORMAL sync (safe
// with WAL; a power cut can lose the last commits, never corrupt the file).
// better-sqlite3 is synchronous, so a write that waits for another process
// blocks this process's event loop for up to the busy timeout: fine for the
// single-process default, and the reason PostgreSQL is the multi-machine
// engine. Within one process, open one Store per database file and share it.

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { ZuulConf } from '../config/zuul-conf.js';
import { MIGRATIONS } from './migrations/index.js';
import { MigrationError, migrate } from './migrations.js';
import { type Database, TABLE_NAMES } from './schema.js';
import { checkTablePrefix, TablePrefixPlugin } from './table-prefix.js';
import { type DbUri, parseDbUri, redactDbUri, type ServerUri, type SqliteUri } from './uri.js';

export type StoreDialect = 'sqlite' | 'postgresql';

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
  /** PostgreSQL: connection pool size. */
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
      await migrate(store, MIGRATIONS);
    } catch (err) {
      await store.close().catch(() => {});
      if (err instanceof MigrationError) throw err;
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
      dialect: new SqliteDialect({ database: openSqlite(uri, opts) }),
      plugins,
    });
    return { db, dialect: 'sqlite', tablePrefix, description, close: () => db.destroy() };
  }
  if (uri.dialect === 'postgresql') {
    const pool = new pg.Pool({
      connectionString: pgConnectionString(uri),
      max: opts.poolSize ?? 10,
    });
    // An idle connection that the server drops emits 'error' on the pool;
    // unhandled, that would kill the process. The next query simply gets a
    // new connection, so there is nothing else to do here.
    pool.on('error', () => {});
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins });
    return { db, dialect: 'postgresql', tablePrefix, description, close: () => db.destroy() };
  }
  throw new StoreError(
    `The state store needs SQLite or PostgreSQL, but [database] dburi (${description}) is ${uri.scheme === 'mariadb' ? 'MariaDB' : 'MySQL'}; zuul-ts uses MySQL/MariaDB only for the build database`,
  );
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
  return sqlite;
}

/** A libpq-style URL for pg, without SQLAlchemy's `+driver` part. */
function pgConnectionString(uri: ServerUri): string {
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
