// Build history: what the SQL reporter records and the history endpoints
// (/builds, /buildsets, /build-times, /badge, /system-events) read. The
// tables follow Zuul's SQL reporter (same table and column names), with
// filter columns copied onto the big tables so every endpoint query is one
// index range scan on a 10-million-build database.
//
// Tables (the reporter writes all of them; reads are src/store/history/):
// * zuul_buildset — one per queue item run: tenant, pipeline, result,
//   message, event id/timestamp, first build start/last build end, and
//   `updated` (last write; what pruning ages by).
// * zuul_ref — one per distinct ref/change (project, branch, change,
//   patchset, ref, oldrev, newrev, ref_url), shared by every buildset and
//   build of that ref, across tenants. `ref_key` is the reporter's
//   deduplication key for those fields (unique), so a repeated report finds
//   the existing row instead of adding one.
// * zuul_buildset_ref — which refs a buildset covers (several with circular
//   dependencies).
// * zuul_build — one per build, started or finished (`result` NULL while it
//   runs). Besides its own fields it repeats, for filtering without joins,
//   the buildset's tenant and pipeline and its ref's project, branch,
//   change, patchset, ref and newrev: the reporter must write them equal to
//   the buildset/ref rows. `ref_id` is the build's own ref (one of the
//   buildset's refs); it has no foreign key, since the buildset_ref link
//   already keeps the ref alive.
// * zuul_artifact, zuul_provides, zuul_build_event — per build (artifact
//   `meta` is a JSON object as text, or NULL when the artifact has none).
// * zuul_buildset_event — per buildset (Zuul writes type `triggered`).
// * zuul_system_event — per tenant (reconfigurations and the like).
// Children are deleted with their buildset/build (ON DELETE CASCADE).
//
// Column types, chosen so the same migration and queries behave the same on
// SQLite, PostgreSQL and MySQL/MariaDB:
// * Times are BIGINT Unix milliseconds (UTC). The three engines' date types
//   disagree on time zones (PostgreSQL's `timestamp` vs MySQL's session
//   zone), fractions (MySQL DATETIME drops them by default) and what the
//   drivers return (JS Date in local time, strings, or text on SQLite); an
//   integer sorts, compares and indexes identically everywhere, is 8 bytes
//   on 10M rows, keeps the fractions Zuul's float `duration` shows, and the
//   readers render it as Zuul's `YYYY-MM-DDTHH:MM:SS` (UTC, no fractions).
// * Booleans (voting, final, held) are SMALLINT 0/1 (NULL when unknown):
//   SQLite has no boolean and better-sqlite3 cannot bind JS booleans.
// * Indexed strings are varchar(255) (MySQL cannot index TEXT; at utf8mb4
//   two of them fit in one InnoDB index key); long free text is TEXT.
//
// Indexes on zuul_build: every /builds filter has a (tenant, column, id)
// index, so "newest 50 matching" walks one index backwards and stops; the
// rarely-true flags (held, non-final, non-voting) get partial indexes where
// the engine has them.

import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Migration, MigrationContext } from '../migrations.js';

type Ctx = MigrationContext;
// biome-ignore lint/suspicious/noExplicitAny: migrations see the schema as it was then.
type Db = Kysely<any>;

const STR = 'varchar(255)';

export const buildHistory: Migration = {
  id: 3,
  name: 'build history',
  async up(db, ctx) {
    await createBuildsets(db, ctx);
    await createRefs(db, ctx);
    await createBuilds(db, ctx);
    await createBuildChildren(db, ctx);
    await createSystemEvents(db, ctx);
  },
};

function isMysql(ctx: Ctx): boolean {
  return String(ctx.dialect) === 'mysql';
}

/** An auto-increment integer primary key on each engine. */
function withId(db: Db, ctx: Ctx, table: string) {
  const t = db.schema.createTable(table);
  if (ctx.dialect === 'postgresql') return t.addColumn('id', 'serial', (c) => c.primaryKey());
  if (isMysql(ctx)) {
    return t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
  }
  // SQLite: INTEGER PRIMARY KEY is the rowid; every index ends in it implicitly.
  return t.addColumn('id', 'integer', (c) => c.primaryKey());
}

async function index(
  db: Db,
  ctx: Ctx,
  table: string,
  name: string,
  columns: string[],
  opts: { unique?: boolean; partial?: [string, number] } = {},
): Promise<void> {
  let b = db.schema.createIndex(ctx.name(name)).on(table).columns(columns);
  if (opts.unique) b = b.unique();
  if (opts.partial && !isMysql(ctx)) {
    const [col, value] = opts.partial;
    b = b.where(sql.ref(col), '=', value);
  }
  await b.execute();
}

async function createBuildsets(db: Db, ctx: Ctx): Promise<void> {
  await withId(db, ctx, 'zuul_buildset')
    .addColumn('uuid', STR, (c) => c.notNull())
    .addColumn('tenant', STR, (c) => c.notNull())
    .addColumn('pipeline', STR, (c) => c.notNull())
    .addColumn('result', STR)
    .addColumn('message', 'text')
    .addColumn('event_id', STR)
    .addColumn('event_timestamp', 'bigint')
    .addColumn('first_build_start_time', 'bigint')
    .addColumn('last_build_end_time', 'bigint')
    .addColumn('updated', 'bigint', (c) => c.notNull())
    .execute();
  const t = 'zuul_buildset';
  await index(db, ctx, t, 'zuul_buildset_uuid_idx', ['uuid'], { unique: true });
  await index(db, ctx, t, 'zuul_buildset_tenant_idx', ['tenant', 'id']);
  await index(db, ctx, t, 'zuul_buildset_pipeline_idx', ['tenant', 'pipeline', 'id']);
  await index(db, ctx, t, 'zuul_buildset_result_idx', ['tenant', 'result', 'id']);
  await index(db, ctx, t, 'zuul_buildset_updated_idx', ['updated']);

  await withId(db, ctx, 'zuul_buildset_event')
    .addColumn('buildset_id', 'integer', (c) => c.notNull())
    .addColumn('event_time', 'bigint', (c) => c.notNull())
    .addColumn('event_type', STR, (c) => c.notNull())
    .addColumn('description', 'text')
    .addForeignKeyConstraint(
      ctx.name('zuul_buildset_event_buildset_fk'),
      ['buildset_id'],
      'zuul_buildset',
      ['id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
  await index(db, ctx, 'zuul_buildset_event', 'zuul_buildset_event_buildset_idx', ['buildset_id']);
}

async function createRefs(db: Db, ctx: Ctx): Promise<void> {
  await withId(db, ctx, 'zuul_ref')
    .addColumn('ref_key', STR, (c) => c.notNull())
    .addColumn('project', STR, (c) => c.notNull())
    .addColumn('ref', STR)
    .addColumn('ref_url', 'text')
    .addColumn('change', 'integer')
    .addColumn('patchset', STR)
    .addColumn('oldrev', STR)
    .addColumn('newrev', STR)
    .addColumn('branch', STR)
    .execute();
  const t = 'zuul_ref';
  await index(db, ctx, t, 'zuul_ref_key_idx', ['ref_key'], { unique: true });
  // Each ends in the id so that PostgreSQL finds the matching refs' ids in
  // the index alone (SQLite and MySQL keep the key in every index anyway).
  await index(db, ctx, t, 'zuul_ref_project_idx', ['project', 'branch', 'id']);
  await index(db, ctx, t, 'zuul_ref_branch_idx', ['branch', 'id']);
  await index(db, ctx, t, 'zuul_ref_change_idx', ['change', 'patchset', 'id']);
  await index(db, ctx, t, 'zuul_ref_ref_idx', ['ref', 'id']);
  await index(db, ctx, t, 'zuul_ref_newrev_idx', ['newrev', 'id']);

  await db.schema
    .createTable('zuul_buildset_ref')
    .addColumn('buildset_id', 'integer', (c) => c.notNull())
    .addColumn('ref_id', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint(ctx.name('zuul_buildset_ref_pkey'), ['buildset_id', 'ref_id'])
    .addForeignKeyConstraint(
      ctx.name('zuul_buildset_ref_buildset_fk'),
      ['buildset_id'],
      'zuul_buildset',
      ['id'],
      (fk) => fk.onDelete('cascade'),
    )
    .addForeignKeyConstraint(ctx.name('zuul_buildset_ref_ref_fk'), ['ref_id'], 'zuul_ref', ['id'])
    .execute();
  await index(db, ctx, 'zuul_buildset_ref', 'zuul_buildset_ref_ref_idx', ['ref_id', 'buildset_id']);
}

async function createBuilds(db: Db, ctx: Ctx): Promise<void> {
  await withId(db, ctx, 'zuul_build')
    .addColumn('buildset_id', 'integer', (c) => c.notNull())
    .addColumn('ref_id', 'integer', (c) => c.notNull())
    .addColumn('uuid', STR, (c) => c.notNull())
    .addColumn('job_name', STR, (c) => c.notNull())
    .addColumn('result', STR)
    .addColumn('start_time', 'bigint')
    .addColumn('end_time', 'bigint')
    .addColumn('voting', 'smallint')
    .addColumn('log_url', 'text')
    .addColumn('nodeset', STR)
    .addColumn('error_detail', 'text')
    .addColumn('final', 'smallint')
    .addColumn('held', 'smallint')
    // Copies for filtering (see the top of this file).
    .addColumn('tenant', STR, (c) => c.notNull())
    .addColumn('pipeline', STR, (c) => c.notNull())
    .addColumn('project', STR, (c) => c.notNull())
    .addColumn('branch', STR)
    .addColumn('change', 'integer')
    .addColumn('patchset', STR)
    .addColumn('ref', STR)
    .addColumn('newrev', STR)
    .addForeignKeyConstraint(
      ctx.name('zuul_build_buildset_fk'),
      ['buildset_id'],
      'zuul_buildset',
      ['id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
  const t = 'zuul_build';
  await index(db, ctx, t, 'zuul_build_uuid_idx', ['uuid'], { unique: true });
  await index(db, ctx, t, 'zuul_build_buildset_idx', ['buildset_id']);
  await index(db, ctx, t, 'zuul_build_tenant_idx', ['tenant', 'id']);
  // A project's builds are often narrowed further by pipeline and result
  // (the dashboard's project page): carrying both in the index lets the
  // walk test them without reading each row. MySQL cannot: four
  // varchar(255) columns exceed its 3072-byte key limit.
  await index(
    db,
    ctx,
    t,
    'zuul_build_project_idx',
    isMysql(ctx) ? ['tenant', 'project', 'id'] : ['tenant', 'project', 'id', 'pipeline', 'result'],
  );
  for (const col of [
    'pipeline',
    'branch',
    'job_name',
    'change',
    'ref',
    'newrev',
    'result',
    'nodeset',
  ]) {
    await index(db, ctx, t, `zuul_build_${col}_idx`, ['tenant', col, 'id']);
  }
  // Filters whose interesting value is rare: only those rows are indexed.
  await index(db, ctx, t, 'zuul_build_held_idx', ['tenant', 'held', 'id'], {
    partial: ['held', 1],
  });
  await index(db, ctx, t, 'zuul_build_nonfinal_idx', ['tenant', 'final', 'id'], {
    partial: ['final', 0],
  });
  await index(db, ctx, t, 'zuul_build_nonvoting_idx', ['tenant', 'voting', 'id'], {
    partial: ['voting', 0],
  });
  // /build-times: one job's completed builds, newest end first.
  await index(db, ctx, t, 'zuul_build_times_idx', ['tenant', 'job_name', 'end_time', 'id']);
  // The dashboard's Runtime page: one job of one project (and pipeline and
  // branch), newest end first. MySQL's key cannot hold three varchar(255).
  await index(
    db,
    ctx,
    t,
    'zuul_build_project_times_idx',
    isMysql(ctx)
      ? ['project', 'job_name', 'end_time', 'id']
      : ['tenant', 'project', 'job_name', 'end_time', 'id'],
  );
}

async function createBuildChildren(db: Db, ctx: Ctx): Promise<void> {
  const child = (table: string) =>
    withId(db, ctx, table).addColumn('build_id', 'integer', (c) => c.notNull());

  await child('zuul_artifact')
    .addColumn('name', STR, (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('meta', 'text')
    .addForeignKeyConstraint(
      ctx.name('zuul_artifact_build_fk'),
      ['build_id'],
      'zuul_build',
      ['id'],
      (f) => f.onDelete('cascade'),
    )
    .execute();
  await child('zuul_provides')
    .addColumn('name', STR, (c) => c.notNull())
    .addForeignKeyConstraint(
      ctx.name('zuul_provides_build_fk'),
      ['build_id'],
      'zuul_build',
      ['id'],
      (f) => f.onDelete('cascade'),
    )
    .execute();
  await child('zuul_build_event')
    .addColumn('event_time', 'bigint', (c) => c.notNull())
    .addColumn('event_type', STR, (c) => c.notNull())
    .addColumn('description', 'text')
    .addForeignKeyConstraint(
      ctx.name('zuul_build_event_build_fk'),
      ['build_id'],
      'zuul_build',
      ['id'],
      (f) => f.onDelete('cascade'),
    )
    .execute();
  for (const table of ['zuul_artifact', 'zuul_provides', 'zuul_build_event']) {
    await index(db, ctx, table, `${table}_build_idx`, ['build_id']);
  }
}

async function createSystemEvents(db: Db, ctx: Ctx): Promise<void> {
  await withId(db, ctx, 'zuul_system_event')
    .addColumn('tenant', STR, (c) => c.notNull())
    .addColumn('event_id', STR)
    .addColumn('event_time', 'bigint', (c) => c.notNull())
    .addColumn('event_type', STR, (c) => c.notNull())
    .addColumn('description', 'text')
    .execute();
  const t = 'zuul_system_event';
  await index(db, ctx, t, 'zuul_system_event_tenant_idx', ['tenant', 'id']);
  await index(db, ctx, t, 'zuul_system_event_type_idx', ['tenant', 'event_type', 'id']);
  await index(db, ctx, t, 'zuul_system_event_time_idx', ['event_time']);
}
