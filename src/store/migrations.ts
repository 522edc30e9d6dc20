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
//   write).
// DDL is transactional on both engines, so a failed step leaves nothing.

import { createHash } from 'node:crypto';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Store, StoreDialect } from './db.js';
import type { Database } from './schema.js';

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
  const ctx: MigrationContext = {
    dialect: store.dialect,
    tablePrefix: store.tablePrefix,
    name: (n) => store.tablePrefix + n,
  };
  const known = new Set(migrations.map((m) => m.id));
  const latest = migrations.length ? migrations[migrations.length - 1]!.id : 0;
  const applied: number[] = [];
  for (;;) {
    // One step per locked transaction: re-read, apply the first pending one.
    const step = await withMigrationLock(store, async (trx) => {
      await ensureMigrationsTable(trx);
      const rows = await trx.selectFrom('schema_migrations').select('id').execute();
      const done = new Set(rows.map((r) => Number(r.id)));
      const unknown = [...done].filter((id) => !known.has(id)).sort((a, b) => a - b);
      if (unknown.length) {
        throw new MigrationError(
          `The database (${store.description}) has schema migration(s) ${unknown.join(', ')} that this zuul-ts does not know (it knows up to ${latest}); it was used by a newer zuul-ts`,
        );
      }
      const next = migrations.find((m) => !done.has(m.id));
      if (!next) return undefined;
      try {
        await next.up(trx, ctx);
      } catch (err) {
        throw new MigrationError(
          `Schema migration ${next.id} (${next.name}) failed on ${store.description}: ${(err as Error).message}`,
        );
      }
      await trx
        .insertInto('schema_migrations')
        .values({ id: next.id, name: next.name, applied_at: new Date().toISOString() })
        .execute();
      return next.id;
    });
    if (step === undefined) return applied;
    applied.push(step);
  }
}

/** Ids recorded as applied, ascending (empty for a fresh database). */
export async function appliedMigrations(store: Store): Promise<number[]> {
  await withMigrationLock(store, ensureMigrationsTable);
  const rows = await store.db.selectFrom('schema_migrations').select('id').orderBy('id').execute();
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

async function ensureMigrationsTable(db: Kysely<Database>): Promise<void> {
  await db.schema
    .createTable('schema_migrations')
    .ifNotExists()
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('applied_at', 'text', (c) => c.notNull())
    .execute();
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

/**
 * The advisory lock's two int4 keys: a fixed class ('zuts') and a hash of
 * the table prefix, so deployments sharing a database migrate independently.
 */
function advisoryLockKey(prefix: string): [number, number] {
  const h = createHash('sha256').update(`zuul-ts migrations ${prefix}`).digest();
  return [0x7a757473, h.readInt32BE(0)];
}
