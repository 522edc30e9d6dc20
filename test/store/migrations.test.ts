// Migrations on every backend: fresh, repeated, failing, newer-than-known,
// table prefixes, and several processes migrating one database at once.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { openStore } from '../../src/store/db.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';
import {
  appliedMigrations,
  type Migration,
  MigrationError,
  migrate,
} from '../../src/store/migrations.js';
import {
  BACKENDS,
  distModule,
  dropStore,
  MYSQL_SKIP,
  openFresh,
  tempDir,
} from '../helpers/store.js';

const MARIADB = BACKENDS.find((b) => b.name === 'mariadb')!;

async function tableNames(store: Awaited<ReturnType<typeof openStore>>): Promise<string[]> {
  return (await store.db.introspection.getTables()).map((t) => t.name).sort();
}

/** The child's script: migrate with three slow steps that each log their run. */
const CHILD = `
import { openStore } from '${distModule('store/db.js')}';
import { migrate } from '${distModule('store/migrations.js')}';
const [uri, prefix, startAt] = process.argv.slice(2);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const step = (id) => ({
  id,
  name: 'step ' + id,
  async up(db, ctx) {
    if (id === 1) {
      await db.schema.createTable(ctx.name('mig_log'))
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('pid', 'integer').execute();
    }
    await sleep(150);
    await db.insertInto(ctx.name('mig_log')).values({ id, pid: process.pid }).execute();
  },
});
const store = await openStore({ uri, tablePrefix: prefix, migrate: false });
await sleep(Math.max(0, Number(startAt) - Date.now()));
try {
  console.log(JSON.stringify(await migrate(store, [step(1), step(2), step(3)])));
} finally {
  await store.close();
}
`;

function runChild(
  script: string,
  args: string[],
): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

for (const backend of BACKENDS) {
  describe(`migrations on ${backend.name}`, { skip: backend.skip }, () => {
    it('a fresh store gets every migration, once', async () => {
      const store = await openFresh(backend);
      try {
        assert.deepEqual(
          await appliedMigrations(store),
          MIGRATIONS.map((m) => m.id),
        );
        assert.deepEqual(await migrate(store, MIGRATIONS), [], 'nothing left to apply');
        const row = await store.db
          .selectFrom('schema_migrations')
          .selectAll()
          .where('id', '=', 1)
          .executeTakeFirstOrThrow();
        assert.equal(row.name, 'keystore keys');
        assert.match(row.applied_at, /^\d{4}-\d\d-\d\dT/);
      } finally {
        await dropStore(store);
      }
    });

    it('table_prefix prefixes every table and constraint; queries use logical names', async () => {
      const opts = backend.fresh();
      const prefix = opts.tablePrefix ?? 'zt_';
      const store = await openStore({ ...opts, tablePrefix: prefix });
      try {
        const names = await tableNames(store);
        assert.ok(names.includes(`${prefix}schema_migrations`), names.join(','));
        assert.ok(names.includes(`${prefix}keystore_keys`), names.join(','));
        assert.ok(!names.includes('keystore_keys'));
        if (store.dialect === 'postgresql') {
          // Constraint (and so index) names are global in a PostgreSQL schema.
          const pk = await sql<{
            conname: string;
          }>`select conname from pg_constraint where conname like ${`${prefix}keystore%`}`.execute(
            store.db,
          );
          assert.deepEqual(pk.rows, [{ conname: `${prefix}keystore_keys_pkey` }]);
        }
        await store.db
          .insertInto('keystore_keys')
          .values({
            kind: 'k',
            connection: 'c',
            name: 'n',
            version: 0,
            created: 1,
            private_key: 'x',
          })
          .execute();
        // Aliases and table-qualified columns go through the plugin too.
        const viaAlias = await store.db.selectFrom('keystore_keys as k').select('k.name').execute();
        assert.deepEqual(viaAlias, [{ name: 'n' }]);
        const qualified = await store.db
          .selectFrom('keystore_keys')
          .select('keystore_keys.kind')
          .where('keystore_keys.connection', '=', 'c')
          .execute();
        assert.deepEqual(qualified, [{ kind: 'k' }]);
      } finally {
        await dropStore(store);
      }
    });

    it('a failing migration leaves nothing behind and is not recorded', async () => {
      const store = await openFresh(backend, { migrate: false });
      const steps: Migration[] = [
        {
          id: 1,
          name: 'ok',
          async up(db, ctx) {
            await db.schema.createTable(ctx.name('first')).addColumn('a', 'integer').execute();
          },
        },
        {
          id: 2,
          name: 'breaks',
          async up(db, ctx) {
            await db.schema.createTable(ctx.name('second')).addColumn('a', 'integer').execute();
            throw new Error('boom');
          },
        },
      ];
      try {
        await assert.rejects(
          migrate(store, steps),
          (e: Error) =>
            e instanceof MigrationError && /migration 2 \(breaks\) failed.*boom/.test(e.message),
        );
        assert.deepEqual(await appliedMigrations(store), [1]);
        const names = await tableNames(store);
        assert.ok(names.includes(`${store.tablePrefix}first`));
        assert.ok(
          !names.includes(`${store.tablePrefix}second`),
          'DDL of the failed step rolled back',
        );
      } finally {
        await dropStore(store);
      }
    });

    it('refuses a database migrated by a newer zuul-ts', async () => {
      const store = await openFresh(backend);
      try {
        await store.db
          .insertInto('schema_migrations')
          .values({ id: 9999, name: 'from the future', applied_at: new Date().toISOString() })
          .execute();
        await assert.rejects(migrate(store, MIGRATIONS), /migration\(s\) 9999 .*newer zuul-ts/);
      } finally {
        await dropStore(store);
      }
    });

    it('rejects a migration list out of order', async () => {
      const store = await openFresh(backend, { migrate: false });
      const up = async () => {};
      try {
        await assert.rejects(
          migrate(store, [
            { id: 2, name: 'b', up },
            { id: 1, name: 'a', up },
          ]),
          /increasing order/,
        );
      } finally {
        await dropStore(store);
      }
    });

    it('four processes migrating at once apply each step exactly once', async () => {
      const opts = backend.fresh();
      const script = join(tempDir('zuul-ts-migrate-'), 'child.mjs');
      writeFileSync(script, CHILD);
      const prefix = opts.tablePrefix ?? '';
      const startAt = String(Date.now() + 1500);
      const results = await Promise.all(
        [1, 2, 3, 4].map(() => runChild(script, [opts.uri, prefix, startAt])),
      );
      for (const r of results) assert.equal(r.code, 0, r.err);
      const applied = results.flatMap((r) => JSON.parse(r.out) as number[]).sort();
      assert.deepEqual(applied, [1, 2, 3], 'every step applied by exactly one process');
      const store = await openStore({ ...opts, migrate: false });
      try {
        const log = await sql<{
          id: number;
        }>`select id from ${sql.table(`${prefix}mig_log`)} order by id`.execute(store.db);
        assert.deepEqual(
          log.rows.map((r) => Number(r.id)),
          [1, 2, 3],
        );
      } finally {
        await dropStore(store);
      }
    });
  });
}

describe('MySQL/MariaDB specifics', { skip: MYSQL_SKIP }, () => {
  it('tables are InnoDB with a binary collation: keys differing in case are distinct', async () => {
    const store = await openFresh(MARIADB);
    try {
      const { rows } = await sql<{ engine: string; coll: string }>`
        select engine, table_collation as coll from information_schema.tables
        where table_schema = database() and table_name = ${`${store.tablePrefix}keystore_keys`}`.execute(
        store.db,
      );
      assert.deepEqual(rows, [{ engine: 'InnoDB', coll: 'utf8mb4_bin' }]);
      for (const name of ['Org/Project', 'org/project']) {
        await store.db
          .insertInto('keystore_keys')
          .values({ kind: 'k', connection: 'c', name, version: 0, created: 1, private_key: 'x' })
          .execute();
      }
      const found = await store.db
        .selectFrom('keystore_keys')
        .select('name')
        .where('name', '=', 'org/project')
        .execute();
      assert.deepEqual(found, [{ name: 'org/project' }]);
    } finally {
      await dropStore(store);
    }
  });

  it('a step interrupted by a crash is undone at the next start, then applied', async () => {
    const opts = MARIADB.fresh();
    const store = await openStore({ ...opts, migrate: false });
    try {
      // What a process killed inside migration 2 leaves: migration 1 applied,
      // 2 marked pending, its table half-made.
      await migrate(store, MIGRATIONS.slice(0, 1));
      await store.db
        .insertInto('schema_migrations')
        .values({
          id: 2,
          name: JSON.stringify([`${store.tablePrefix}keystore_keys`]),
          applied_at: '',
        })
        .execute();
      await sql`create table ${sql.table('components')} (id varchar(10))`.execute(store.db);
      assert.deepEqual(await appliedMigrations(store), [1], 'a pending step is not applied');
      assert.deepEqual(await migrate(store, MIGRATIONS.slice(0, 2)), [2]);
      const cols = await store.db.introspection.getTables();
      const components = cols.find((t) => t.name === `${store.tablePrefix}components`);
      assert.deepEqual(
        components?.columns.map((c) => c.name).sort(),
        ['heartbeat', 'hostname', 'id', 'kind', 'started', 'state', 'version'],
        'the half-made table was dropped and created again by the step',
      );
    } finally {
      await dropStore(store);
    }
  });
});

describe('SQLite setup for several processes', () => {
  it('uses WAL, a busy timeout and foreign keys', async () => {
    const store = await openStore({ uri: `sqlite:///${join(tempDir(), 'wal.db')}` });
    try {
      const pragma = async (name: string) =>
        Object.values((await sql.raw(`pragma ${name}`).execute(store.db)).rows[0] as object)[0];
      assert.equal(await pragma('journal_mode'), 'wal');
      assert.equal(await pragma('busy_timeout'), 10000);
      assert.equal(await pragma('foreign_keys'), 1);
      assert.equal(await pragma('synchronous'), 1, 'NORMAL');
    } finally {
      await store.close();
    }
  });

  it('a relative sqlite:/// path resolves against baseDir and its directory is created', async () => {
    const base = tempDir();
    const store = await openStore({ uri: 'sqlite:///state/sub/zuul.db', baseDir: base });
    try {
      assert.equal(store.description, `sqlite:///${join(base, 'state/sub/zuul.db')}`);
    } finally {
      await store.close();
    }
  });

  it('an unreachable PostgreSQL is an error naming the store, without the password', async () => {
    await assert.rejects(
      openStore({ uri: 'postgresql://zuul:topsecret@127.0.0.1:1/zuul' }),
      (e: Error) =>
        /^Unable to use the state store postgresql:\/\/zuul:\*\*\*@127\.0\.0\.1:1\/zuul: /.test(
          e.message,
        ) && !e.message.includes('topsecret'),
    );
  });

  it('an unreachable MySQL is an error naming the store, without the password', async () => {
    await assert.rejects(
      openStore({ uri: 'mysql+pymysql://zuul:topsecret@127.0.0.1:1/zuul' }),
      (e: Error) =>
        /^Unable to use the state store mysql\+pymysql:\/\/zuul:\*\*\*@127\.0\.0\.1:1\/zuul: /.test(
          e.message,
        ) && !e.message.includes('topsecret'),
    );
  });

  it('a PyMySQL URI parameter zuul-ts cannot honour is refused by name', async () => {
    await assert.rejects(
      openStore({ uri: 'mysql+pymysql://zuul:topsecret@127.0.0.1:1/zuul?autocommit=true' }),
      (e: Error) =>
        /dburi parameter "autocommit" is not supported for MySQL\/MariaDB/.test(e.message) &&
        !e.message.includes('topsecret'),
    );
  });
});
