// Bulk loading the history benchmark's data (history-data.ts) into a
// migrated store. Both loaders drop the history tables' secondary indexes
// (and, on PostgreSQL, foreign keys) first and recreate them from the
// definitions they read back, after the rows are in: building an index
// by sorting once is far faster than updating sixteen of them per row,
// and the result is the migration's schema exactly.
// * SQLite: better-sqlite3 on the file, one transaction, prepared
//   statements, no journal while loading.
// * PostgreSQL: 20,000 rows per INSERT … SELECT FROM unnest(arrays), one
//   array parameter per column.

import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { allBuildsets, type BuildData, type BuildsetData } from './history-data.js';

const TABLES = [
  'zuul_buildset',
  'zuul_buildset_event',
  'zuul_ref',
  'zuul_buildset_ref',
  'zuul_build',
  'zuul_artifact',
  'zuul_provides',
  'zuul_build_event',
  'zuul_system_event',
];

type Progress = (rows: number) => void;

const BUILDSET_COLS = [
  'id',
  'uuid',
  'tenant',
  'pipeline',
  'result',
  'message',
  'event_id',
  'event_timestamp',
  'first_build_start_time',
  'last_build_end_time',
  'updated',
] as const;
const REF_COLS = [
  'id',
  'ref_key',
  'project',
  'ref',
  'ref_url',
  'change',
  'patchset',
  'oldrev',
  'newrev',
  'branch',
] as const;
const BUILD_COLS = [
  'id',
  'buildset_id',
  'ref_id',
  'uuid',
  'job_name',
  'result',
  'start_time',
  'end_time',
  'voting',
  'log_url',
  'nodeset',
  'error_detail',
  'final',
  'held',
  'tenant',
  'pipeline',
  'project',
  'branch',
  'change',
  'patchset',
  'ref',
  'newrev',
] as const;

const q = (name: string) => `"${name}"`;

export function loadSqlite(path: string, prefix: string, progress: Progress): void {
  const db = new SqliteDatabase(path);
  try {
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma('foreign_keys = OFF');
    db.pragma('cache_size = -1000000');
    db.pragma('temp_store = MEMORY');
    const names = TABLES.map((t) => prefix + t);
    const indexes = db
      .prepare(
        `select name, sql from sqlite_master where type = 'index' and sql is not null and tbl_name in (${names.map(() => '?').join(',')})`,
      )
      .all(...names) as { name: string; sql: string }[];
    for (const ix of indexes) db.exec(`drop index ${q(ix.name)}`);
    const insert = (table: string, cols: readonly string[]) =>
      db.prepare(
        `insert into ${q(prefix + table)} (${cols.map(q).join(',')}) values (${cols.map(() => '?').join(',')})`,
      );
    const bsIns = insert('zuul_buildset', BUILDSET_COLS);
    const refIns = insert('zuul_ref', REF_COLS);
    const linkIns = insert('zuul_buildset_ref', ['buildset_id', 'ref_id']);
    const buildIns = insert('zuul_build', BUILD_COLS);
    const artIns = insert('zuul_artifact', ['build_id', 'name', 'url', 'meta']);
    const provIns = insert('zuul_provides', ['build_id', 'name']);
    const evIns = insert('zuul_buildset_event', [
      'buildset_id',
      'event_time',
      'event_type',
      'description',
    ]);
    let rows = 0;
    db.transaction(() => {
      for (const bs of allBuildsets()) {
        bsIns.run(BUILDSET_COLS.map((c) => bs[c]));
        refIns.run(REF_COLS.map((c) => bs.ref[c]));
        linkIns.run(bs.id, bs.ref.id);
        evIns.run(bs.id, bs.event_timestamp, 'triggered', `Triggered by ${bs.ref.project}`);
        for (const b of bs.builds) {
          buildIns.run(BUILD_COLS.map((c) => b[c]));
          if (b.artifact) artIns.run(b.id, b.artifact.name, b.artifact.url, b.artifact.meta);
          if (b.provides) provIns.run(b.id, b.provides);
        }
        rows += bs.builds.length;
        if (bs.id % 100_000 === 0) progress(rows);
      }
    })();
    progress(rows);
    for (const ix of indexes) db.exec(ix.sql);
    db.exec('analyze');
    db.pragma('journal_mode = WAL');
  } finally {
    db.close();
  }
}

const BATCH = 20_000;

function pgType(col: string): string {
  if (['id', 'buildset_id', 'ref_id', 'change', 'build_id'].includes(col)) return 'int[]';
  if (
    [
      'event_timestamp',
      'first_build_start_time',
      'last_build_end_time',
      'updated',
      'start_time',
      'end_time',
      'event_time',
    ].includes(col)
  ) {
    return 'bigint[]';
  }
  if (['voting', 'final', 'held'].includes(col)) return 'smallint[]';
  return 'text[]';
}

class PgBatch<R> {
  private rows: R[] = [];
  constructor(
    private readonly client: pg.Client,
    private readonly table: string,
    private readonly cols: readonly string[],
    private readonly value: (r: R, col: string) => unknown,
  ) {}

  async add(r: R): Promise<void> {
    this.rows.push(r);
    if (this.rows.length >= BATCH) await this.flush();
  }

  async flush(): Promise<void> {
    if (!this.rows.length) return;
    const arrays = this.cols.map((c) => this.rows.map((r) => this.value(r, c)));
    const text = `insert into ${q(this.table)} (${this.cols.map(q).join(',')}) select * from unnest(${this.cols.map((c, i) => `$${i + 1}::${pgType(c)}`).join(',')})`;
    this.rows = [];
    await this.client.query(text, arrays);
  }
}

export async function loadPostgres(uri: string, prefix: string, progress: Progress): Promise<void> {
  const client = new pg.Client({ connectionString: uri });
  await client.connect();
  try {
    await client.query(`set maintenance_work_mem = '1GB'`);
    await client.query('set synchronous_commit = off');
    const names = TABLES.map((t) => prefix + t);
    const fks = (
      await client.query<{ conname: string; table: string; def: string }>(
        `select conname, conrelid::regclass::text as table, pg_get_constraintdef(oid) as def
           from pg_constraint where contype = 'f' and conrelid::regclass::text = any($1)`,
        [names],
      )
    ).rows;
    for (const fk of fks)
      await client.query(`alter table ${fk.table} drop constraint ${q(fk.conname)}`);
    const indexes = (
      await client.query<{ indexname: string; indexdef: string }>(
        `select i.indexname, i.indexdef from pg_indexes i
           where i.tablename = any($1)
             and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`,
        [names],
      )
    ).rows;
    for (const ix of indexes) await client.query(`drop index ${q(ix.indexname)}`);

    const bsBatch = new PgBatch<BuildsetData>(
      client,
      `${prefix}zuul_buildset`,
      BUILDSET_COLS,
      (r, c) => r[c as keyof BuildsetData],
    );
    const refBatch = new PgBatch<BuildsetData['ref']>(
      client,
      `${prefix}zuul_ref`,
      REF_COLS,
      (r, c) => r[c as keyof BuildsetData['ref']],
    );
    const linkBatch = new PgBatch<number>(
      client,
      `${prefix}zuul_buildset_ref`,
      ['buildset_id', 'ref_id'],
      (r) => r,
    );
    const evBatch = new PgBatch<BuildsetData>(
      client,
      `${prefix}zuul_buildset_event`,
      ['buildset_id', 'event_time', 'event_type', 'description'],
      (r, c) =>
        c === 'buildset_id'
          ? r.id
          : c === 'event_time'
            ? r.event_timestamp
            : c === 'event_type'
              ? 'triggered'
              : `Triggered by ${r.ref.project}`,
    );
    const buildBatch = new PgBatch<BuildData>(
      client,
      `${prefix}zuul_build`,
      BUILD_COLS,
      (r, c) => r[c as keyof BuildData],
    );
    const artBatch = new PgBatch<BuildData>(
      client,
      `${prefix}zuul_artifact`,
      ['build_id', 'name', 'url', 'meta'],
      (r, c) => (c === 'build_id' ? r.id : r.artifact![c as 'name' | 'url' | 'meta']),
    );
    const provBatch = new PgBatch<BuildData>(
      client,
      `${prefix}zuul_provides`,
      ['build_id', 'name'],
      (r, c) => (c === 'build_id' ? r.id : r.provides),
    );
    let rows = 0;
    for (const bs of allBuildsets()) {
      await bsBatch.add(bs);
      await refBatch.add(bs.ref);
      await linkBatch.add(bs.id);
      await evBatch.add(bs);
      for (const b of bs.builds) {
        await buildBatch.add(b);
        if (b.artifact) await artBatch.add(b);
        if (b.provides) await provBatch.add(b);
      }
      rows += bs.builds.length;
      if (bs.id % 100_000 === 0) progress(rows);
    }
    for (const b of [bsBatch, refBatch, linkBatch, evBatch, buildBatch, artBatch, provBatch])
      await b.flush();
    progress(rows);
    for (const ix of indexes) await client.query(ix.indexdef);
    for (const fk of fks)
      await client.query(`alter table ${fk.table} add constraint ${q(fk.conname)} ${fk.def}`);
    // The serial columns continue after the loaded ids.
    for (const t of [
      'zuul_buildset',
      'zuul_ref',
      'zuul_build',
      'zuul_artifact',
      'zuul_provides',
      'zuul_buildset_event',
    ]) {
      await client.query(
        `select setval(pg_get_serial_sequence('${prefix}${t}', 'id'), greatest(1, (select max(id) from ${q(prefix + t)})))`,
      );
    }
    for (const t of names) await client.query(`vacuum analyze ${q(t)}`);
  } finally {
    await client.end();
  }
}
