// Schema migrations: an ordered list of numbered steps, each applied once,
// in its own transaction, and recorded in `schema_migrations`.
//
// Several processes may start at the same moment against one database, so
// every step runs under a database-wide lock and re-reads what is applied
// after taking it:
// * PostgreSQL: a transaction-scoped advisory lock (pg_advisory_xact_lock),
//   released by COMMIT/ROLLBACK even if the process dies;
// * SQLite: BEGIN IMMEDIATE, which takes the write lock up front (a deferred
//   BEGIN would let two processes read, then deadlock on the upgrade to
//   write);
// * MySQL/MariaDB: a named lock (GET_LOCK) held by the step's connection,
//   released by RELEASE_LOCK or when the connection ends.
// DDL is transactional on PostgreSQL and SQLite, so a failed step leaves
// nothing. MySQL commits each DDL statement at once, so there a step is
// first recorded as pending (applied_at '', with the store's tables that
// existed before it), and the tables it created are dropped again if it
// fails, or at the next start if the process died in the middle of it. That
// undoes created tables only: a MySQL step that alters existing tables
// (adds columns or indexes to them) must itself be safe to run twice.

import { createHash } from 'node:crypto';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Store, StoreDialect } from './db.js';
import { type Database, TABLE_NAMES } from './schema.js';

export interface MigrationContext {
  dialect: StoreDialect;
  tablePrefix: string;
  /**
   * Names that are global in the database but are not tables (indexes,
   * constraints): prefixed here, because the table-prefix plugin only
   * renames tables.
   */
  name(name: string): string;
}

export interface Migration {
  /** Positive, strictly increasing along the list; never reused or renumbered. */
  id: number;
  /** Short description, recorded with the id. */
  name: string;
  // biome-ignore lint/suspicious/noExplicitAny: a migration sees the schema as it was at its time, not today's types.
  up(db: Kysely<any>, ctx: MigrationContext): Promise<void>;
}

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

/** Applies every pending migration; returns the ids applied by this call. */
export async function migrate(store: Store, migrations: readonly Migration[]): Promise<number[]> {
  checkList(migrations);
  // Names given to ctx.name() during a step: on MySQL, tables among them
  // that the failed step created are dropped (tests create such tables).
  const named = new Set<string>();
  const ctx: MigrationContext = {
    dialect: store.dialect,
    tablePrefix: store.tablePrefix,
    name: (n) => {
      named.add(store.tablePrefix + n);
      return store.tablePrefix + n;
    },
  };
  const mysql = store.dialect === 'mysql';
  const known = new Set(migrations.map((m) => m.id));
  const latest = migrations.length ? migrations[migrations.length - 1]!.id : 0;
  const applied: number[] = [];
  for (;;) {
    // One step per locked transaction: re-read, apply the first pending one.
    const step = await withMigrationLock(store, async (trx) => {
      await ensureMigrationsTable(trx, store.dialect);
      let rows = await trx.selectFrom('schema_migrations').selectAll().execute();
      if (mysql && rows.some(isPending)) {
        for (const r of rows.filter(isPending)) await undoInterrupted(trx, store.tablePrefix, r);
        rows = rows.filter((r) => !isPending(r));
      }
      const done = new Set(rows.map((r) => Number(r.id)));
      const unknown = [...done].filter((id) => !known.has(id)).sort((a, b) => a - b);
      if (unknown.length) {
        throw new MigrationError(
          `The database (${store.description}) has schema migration(s) ${unknown.join(', ')} that this zuul-ts does not know (it knows up to ${latest}); it was used by a newer zuul-ts`,
        );
      }
      const next = migrations.find((m) => !done.has(m.id));
      if (!next) return undefined;
      const before = mysql ? await markPending(trx, store.tablePrefix, next.id) : undefined;
      named.clear();
      try {
        await next.up(trx, ctx);
      } catch (err) {
        // If even the undo fails, the pending mark stays and the next start undoes it.
        if (before) {
          await undoFailed(trx, store.tablePrefix, next.id, before, named).catch(() => {});
        }
        throw new MigrationError(
          `Schema migration ${next.id} (${next.name}) failed on ${store.description}: ${(err as Error).message}`,
        );
      }
      const record = { id: next.id, name: next.name, applied_at: new Date().toISOString() };
      if (mysql) {
        await trx.updateTable('schema_migrations').set(record).where('id', '=', next.id).execute();
      } else {
        await trx.insertInto('schema_migrations').values(record).execute();
      }
      return next.id;
    });
    if (step === undefined) return applied;
    applied.push(step);
  }
}

/** Ids recorded as applied, ascending (empty for a fresh database). */
export async function appliedMigrations(store: Store): Promise<number[]> {
  await withMigrationLock(store, (trx) => ensureMigrationsTable(trx, store.dialect));
  const rows = await store.db
    .selectFrom('schema_migrations')
    .select('id')
    .where('applied_at', '<>', '')
    .orderBy('id')
    .execute();
  return rows.map((r) => Number(r.id));
}

function checkList(migrations: readonly Migration[]): void {
  let prev = 0;
  for (const m of migrations) {
    if (!Number.isInteger(m.id) || m.id <= prev) {
      throw new MigrationError(
        `Migration ids must be positive integers in increasing order: ${m.id} (${m.name}) follows ${prev}`,
      );
    }
    prev = m.id;
  }
}

async function ensureMigrationsTable(db: Kysely<Database>, dialect: StoreDialect): Promise<void> {
  // MySQL: CREATE TABLE commits, even when the table exists; do it only once.
  if (dialect === 'mysql' && (await mysqlTables(db)).has('schema_migrations')) return;
  await db.schema
    .createTable('schema_migrations')
    .ifNotExists()
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('applied_at', 'text', (c) => c.notNull())
    .execute();
}

type MigrationRow = { id: number; name: string; applied_at: string };

/** The store's tables a MySQL step may have created (never the record of steps itself). */
function storeTables(prefix: string): string[] {
  return TABLE_NAMES.filter((t) => t !== 'schema_migrations').map((t) => prefix + t);
}

function isPending(r: MigrationRow): boolean {
  return r.applied_at === '';
}

/**
 * MySQL: records step `id` as started, with the store's tables that exist
 * now, so that a crash in the middle can be undone. Returns every table in
 * the database before the step.
 */
async function markPending(
  trx: Kysely<Database>,
  prefix: string,
  id: number,
): Promise<Set<string>> {
  const before = await mysqlTables(trx);
  const ours = storeTables(prefix).filter((t) => before.has(t));
  await trx
    .insertInto('schema_migrations')
    .values({ id, name: JSON.stringify(ours), applied_at: '' })
    .execute();
  // Committed now, before the step's first DDL commits anything of its own.
  await sql`commit`.execute(trx);
  await sql`start transaction`.execute(trx);
  return before;
}

/** MySQL: drops the tables a step created before it failed, and its pending mark. */
async function undoFailed(
  trx: Kysely<Database>,
  prefix: string,
  id: number,
  before: Set<string>,
  named: Set<string>,
): Promise<void> {
  await sql`rollback`.execute(trx);
  const candidates = new Set([...storeTables(prefix), ...named]);
  candidates.delete(`${prefix}schema_migrations`);
  const now = await mysqlTables(trx);
  await dropTables(
    trx,
    [...now].filter((t) => candidates.has(t) && !before.has(t)),
  );
  await trx.deleteFrom('schema_migrations').where('id', '=', id).execute();
  await sql`commit`.execute(trx);
  await sql`start transaction`.execute(trx);
}

/** MySQL: a previous process died during a step; drop what that step created. */
async function undoInterrupted(
  trx: Kysely<Database>,
  prefix: string,
  row: MigrationRow,
): Promise<void> {
  let ours: string[];
  try {
    ours = JSON.parse(row.name) as string[];
  } catch {
    throw new MigrationError(
      `Schema migration ${row.id} was interrupted and its record is unreadable; drop the tables it created and delete its schema_migrations row`,
    );
  }
  const existed = new Set(ours);
  const now = await mysqlTables(trx);
  await dropTables(
    trx,
    storeTables(prefix).filter((t) => now.has(t) && !existed.has(t)),
  );
  await trx.deleteFrom('schema_migrations').where('id', '=', Number(row.id)).execute();
  await sql`commit`.execute(trx);
  await sql`start transaction`.execute(trx);
}

async function dropTables(trx: Kysely<Database>, tables: string[]): Promise<void> {
  if (!tables.length) return;
  // Foreign keys between them (or from them) must not block the drop.
  await sql`set foreign_key_checks = 0`.execute(trx);
  try {
    // sql.id, not sql.table: these are the real (already prefixed) names.
    for (const t of tables) await sql`drop table if exists ${sql.id(t)}`.execute(trx);
  } finally {
    await sql`set foreign_key_checks = 1`.execute(trx);
  }
}

/** MySQL: every table in the current database. */
async function mysqlTables(db: Kysely<Database>): Promise<Set<string>> {
  const { rows } = await sql<{
    name: string;
  }>`select table_name as name from information_schema.tables where table_schema = database()`.execute(
    db,
  );
  return new Set(rows.map((r) => r.name));
}

/**
 * Runs `fn` in a transaction that holds the store-wide migration lock.
 * Exported for tests and for tools that must not race with migrations.
 */
export async function withMigrationLock<T>(
  store: Store,
  fn: (trx: Kysely<Database>) => Promise<T>,
): Promise<T> {
  if (store.dialect === 'postgresql') {
    const [classId, objId] = advisoryLockKey(store.tablePrefix);
    return store.db.transaction().execute(async (trx: Transaction<Database>) => {
      await sql`select pg_advisory_xact_lock(${classId}::int4, ${objId}::int4)`.execute(trx);
      return fn(trx);
    });
  }
  if (store.dialect === 'mysql') return withMysqlLock(store, fn);
  // Kysely's SQLite driver has one connection; connection() holds it for the
  // whole callback, so nothing else interleaves between BEGIN and COMMIT.
  return store.db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      const result = await fn(conn);
      await sql`commit`.execute(conn);
      return result;
    } catch (err) {
      await sql`rollback`.execute(conn).catch(() => {});
      throw err;
    }
  });
}

/** How long a process waits for another one's migration step on MySQL. */
const MYSQL_LOCK_WAIT_S = 3600;

async function withMysqlLock<T>(
  store: Store,
  fn: (trx: Kysely<Database>) => Promise<T>,
): Promise<T> {
  // GET_LOCK names are server-wide: qualify by database and table prefix,
  // hashed to stay within MySQL's 64-character limit.
  return store.db.connection().execute(async (conn) => {
    const named = await sql<{ name: string }>`
      select concat('zuul-ts-migrate:',
        left(sha2(concat(database(), ':', ${store.tablePrefix}), 256), 40)) as name`.execute(conn);
    const name = named.rows[0]!.name;
    const got = await sql<{
      got: number | null;
    }>`select get_lock(${name}, ${MYSQL_LOCK_WAIT_S}) as got`.execute(conn);
    if (Number(got.rows[0]?.got) !== 1) {
      throw new MigrationError(
        `Waited ${MYSQL_LOCK_WAIT_S} s for another process's schema migration on ${store.description}; giving up`,
      );
    }
    try {
      await sql`start transaction`.execute(conn);
      try {
        const result = await fn(conn);
        await sql`commit`.execute(conn);
        return result;
      } catch (err) {
        await sql`rollback`.execute(conn).catch(() => {});
        throw err;
      }
    } finally {
      await sql`select release_lock(${name})`.execute(conn).catch(() => {});
    }
  });
}

/**
 * The advisory lock's two int4 keys: a fixed class ('zuts') and a hash of
 * the table prefix, so deployments sharing a database migrate independently.
 */
function advisoryLockKey(prefix: string): [number, number] {
  const h = createHash('sha256').update(`zuul-ts migrations ${prefix}`).digest();
  return [0x7a757473, h.readInt32BE(0)];
}
