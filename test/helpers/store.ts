// State-store backends for tests: a temporary SQLite file, PostgreSQL when
// ZUUL_TS_TEST_PG_URI is set and MariaDB when ZUUL_TS_TEST_MYSQL_URI is set
// (scripts/ci-services.sh sets both up and .ci/run exports them). Every
// server use gets its own table prefix, so test files running at once, or
// runs leaving tables behind, never meet.

import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import { openStore, type Store, type StoreOptions } from '../../src/store/db.js';

export const PG_URI = process.env.ZUUL_TS_TEST_PG_URI;

/** Shown by node:test when PostgreSQL tests are skipped. */
export const PG_SKIP = PG_URI
  ? false
  : 'PostgreSQL tests skipped: ZUUL_TS_TEST_PG_URI is not set (run: eval "$(scripts/ci-services.sh)")';

export const MYSQL_URI = process.env.ZUUL_TS_TEST_MYSQL_URI;

/** Shown by node:test when MariaDB tests are skipped. */
export const MYSQL_SKIP = MYSQL_URI
  ? false
  : 'MariaDB tests skipped: ZUUL_TS_TEST_MYSQL_URI is not set (run: eval "$(scripts/ci-services.sh)")';

export interface Backend {
  name: 'sqlite' | 'postgresql' | 'mariadb';
  skip: string | false;
  /** Options for a new, empty store. */
  fresh(): StoreOptions;
}

export function tempDir(prefix = 'zuul-ts-store-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function uniquePrefix(): string {
  return `t${randomBytes(5).toString('hex')}_`;
}

export const BACKENDS: readonly Backend[] = [
  {
    name: 'sqlite',
    skip: false,
    fresh: () => ({ uri: `sqlite:///${join(tempDir(), 'zuul.db')}` }),
  },
  {
    name: 'postgresql',
    skip: PG_SKIP,
    fresh: () => ({ uri: PG_URI ?? '', tablePrefix: uniquePrefix() }),
  },
  {
    name: 'mariadb',
    skip: MYSQL_SKIP,
    fresh: () => ({ uri: MYSQL_URI ?? '', tablePrefix: uniquePrefix() }),
  },
];

/** The backends on a database server (each test gets its own table prefix there). */
export const SERVER_BACKENDS: readonly Backend[] = BACKENDS.filter((b) => b.name !== 'sqlite');

/** Drops a server store's prefixed tables (SQLite files just stay in /tmp). */
export async function dropStore(store: Store): Promise<void> {
  try {
    if (store.dialect !== 'sqlite' && store.tablePrefix) {
      // Names only: Kysely's introspection also reads every table's columns,
      // which fails when a test file running at the same time drops its own
      // tables in between.
      const rows = await sql<{ name: string }>`
        select table_name as name from information_schema.tables
        where table_schema = ${store.dialect === 'postgresql' ? sql`current_schema()` : sql`database()`}`.execute(
        store.db,
      );
      const tables = rows.rows.filter((t) => t.name.startsWith(store.tablePrefix));
      if (store.dialect === 'postgresql') {
        for (const t of tables) {
          await sql`drop table if exists ${sql.id(t.name)} cascade`.execute(store.db);
        }
      } else if (tables.length) {
        // MySQL has no CASCADE: foreign keys between the tables would fix
        // the drop order; one connection with the checks off does not care.
        await store.db.connection().execute(async (conn) => {
          await sql`set foreign_key_checks = 0`.execute(conn);
          for (const t of tables) await sql`drop table if exists ${sql.id(t.name)}`.execute(conn);
          await sql`set foreign_key_checks = 1`.execute(conn);
        });
      }
    }
  } finally {
    await store.close();
  }
}

export async function openFresh(
  backend: Backend,
  extra: Partial<StoreOptions> = {},
): Promise<Store> {
  return openStore({ ...backend.fresh(), ...extra });
}

const here = fileURLToPath(new URL('.', import.meta.url));
/** File URL of a compiled module under dist/src, for scripts run in child processes. */
export function distModule(path: string): string {
  return pathToFileURL(resolve(here, '../../src', path)).href;
}
