// Reading builds: /builds, /build/{uuid} and /build-times.
//
// Every list is two queries, as in Zuul: the first finds the ids of one
// page using only zuul_build (every filter column is on it, so this is one
// walk down an index in id order), the second loads those builds with
// their buildset and ref; artifacts and provides follow by build id. The
// expensive part, skipping rows for deep pages, thus touches the index
// only, never the joined rows.

import { type Kysely, type SelectQueryBuilder, type SqlBool, sql } from 'kysely';
import type { StoreDialect } from '../db.js';
import type { Database } from '../schema.js';
import { cachedRows, fuzzyParams, shapeOf } from './compiled.js';
import { allOf, flags, fuzzy, inList, notInList } from './match.js';
import {
  artifactJson,
  type BuildChildren,
  type BuildRow,
  buildTimeJson,
  refJson,
  topBuildJson,
} from './serialise.js';
import type { BuildFilters, BuildTimeFilters, BuildTimeJson, Page, TopBuildJson } from './types.js';

type Db = Kysely<Database>;
type Cond = ReturnType<typeof inList>;

const FUZZY = ['project', 'pipeline', 'branch', 'job_name'] as const;
const TIME_COLUMNS = ['project', 'pipeline', 'branch', 'ref', 'job_name'] as const;
const EXACT = ['change', 'patchset', 'ref', 'newrev', 'uuid', 'nodeset', 'result'] as const;

/** The WHERE conditions of /builds on zuul_build's own columns. */
export function buildConditions(dialect: StoreDialect, tenant: string, f: BuildFilters): Cond[] {
  const c: Cond[] = [inList('tenant', [tenant])];
  for (const col of FUZZY) {
    const values = f[col];
    if (values?.length) c.push(fuzzy(dialect, col, values));
  }
  for (const col of EXACT) {
    const values = f[col];
    if (values?.length) c.push(inList(col, values));
  }
  // Flags are literals so that SQLite can use the partial indexes.
  if (f.voting?.length) c.push(flagCond('voting', f.voting));
  if (f.held?.length) c.push(flagCond('held', f.held));
  if (f.final !== undefined) c.push(flagCond('final', [f.final]));
  if (f.exclude_result?.length) c.push(notInList('result', f.exclude_result));
  if (f.complete === true) c.push(sql<SqlBool>`${sql.ref('result')} is not null`);
  if (f.complete === false) c.push(sql<SqlBool>`${sql.ref('result')} is null`);
  if (f.idx_min !== undefined) c.push(sql<SqlBool>`${sql.ref('id')} >= ${f.idx_min}`);
  if (f.idx_max !== undefined) c.push(sql<SqlBool>`${sql.ref('id')} <= ${f.idx_max}`);
  return c;
}

/** buildConditions' parameter values, in the order its SQL uses them. */
function buildConditionParams(dialect: StoreDialect, tenant: string, f: BuildFilters): unknown[] {
  const out: unknown[] = [tenant];
  for (const col of FUZZY) {
    const values = f[col];
    if (values?.length) fuzzyParams(dialect, values, out);
  }
  for (const col of EXACT) {
    const values = f[col];
    if (values?.length) out.push(...values);
  }
  if (f.exclude_result?.length) out.push(...f.exclude_result);
  if (f.idx_min !== undefined) out.push(f.idx_min);
  if (f.idx_max !== undefined) out.push(f.idx_max);
  return out;
}

function flagCond(column: string, values: readonly boolean[]): Cond {
  const set = [...new Set(values)];
  if (set.length === 1) return sql<SqlBool>`${sql.ref(column)} = ${sql.lit(set[0] ? 1 : 0)}`;
  return flags(column, set);
}

/** One page of /builds, newest first. */
export async function listBuilds(
  db: Db,
  dialect: StoreDialect,
  tenant: string,
  filters: BuildFilters,
  page: Page,
): Promise<TopBuildJson[]> {
  const key = `builds|${page.limit}|${page.skip}|${shapeOf(filters)}`;
  const rows = (await cachedRows(db, key, buildConditionParams(dialect, tenant, filters), () => {
    const ids = db
      .selectFrom('zuul_build')
      .select('id')
      .where(allOf(buildConditions(dialect, tenant, filters)))
      .orderBy('id', 'desc')
      .limit(sql.lit(page.limit))
      .offset(sql.lit(page.skip));
    return joinedBuilds(db, ids).orderBy('b.id', 'desc');
  })) as BuildRow[];
  const children = await loadChildren(
    db,
    rows.map((r) => Number(r.id)),
  );
  return rows.map((b) => topBuildJson(b, children.get(Number(b.id))));
}

/** /build/{uuid}: the build with its buildset's refs, or undefined. */
export async function getBuild(
  db: Db,
  tenant: string,
  uuid: string,
): Promise<TopBuildJson | undefined> {
  const row = await joinedBuilds(db)
    .where('b.tenant', '=', tenant)
    .where('b.uuid', '=', uuid)
    .executeTakeFirst();
  if (!row) return undefined;
  const id = Number(row.id);
  const [children, refs] = await Promise.all([
    loadChildren(db, [id]),
    buildsetRefs(db, [Number(row.buildset_id)]),
  ]);
  return topBuildJson(
    row,
    children.get(id),
    (refs.get(Number(row.buildset_id)) ?? []).map(refJson),
  );
}

/** /build-times: completed builds, latest end first. */
export async function listBuildTimes(
  db: Db,
  tenant: string,
  f: BuildTimeFilters,
  page: Page,
): Promise<BuildTimeJson[]> {
  const params: unknown[] = [tenant];
  const c: Cond[] = [inList('tenant', [tenant])];
  for (const col of TIME_COLUMNS) {
    const values = f[col];
    if (values?.length) {
      c.push(inList(col, values));
      params.push(...values);
    }
  }
  if (f.exclude_result?.length) params.push(...f.exclude_result);
  if (f.start_time !== undefined) params.push(f.start_time);
  if (f.end_time !== undefined) params.push(f.end_time);
  if (f.final !== undefined) c.push(flagCond('final', [f.final]));
  if (f.exclude_result?.length) c.push(notInList('result', f.exclude_result));
  c.push(sql<SqlBool>`${sql.ref('result')} is not null`);
  // Builds without an end time have no duration to show; leaving them out
  // also keeps the order the same on every engine (NULLs sort differently).
  c.push(sql<SqlBool>`${sql.ref('end_time')} is not null`);
  if (f.start_time !== undefined) c.push(sql<SqlBool>`${sql.ref('end_time')} >= ${f.start_time}`);
  if (f.end_time !== undefined) c.push(sql<SqlBool>`${sql.ref('end_time')} <= ${f.end_time}`);
  const key = `times|${page.limit}|${page.skip}|${shapeOf(f)}`;
  const rows = await cachedRows(db, key, params, () => {
    const ids = db
      .selectFrom('zuul_build')
      .select('id')
      .where(allOf(c))
      .orderBy('end_time', 'desc')
      .orderBy('id', 'desc')
      .limit(sql.lit(page.limit))
      .offset(sql.lit(page.skip));
    return joinedBuilds(db, ids).orderBy('b.end_time', 'desc').orderBy('b.id', 'desc');
  });
  return rows.map((b) => buildTimeJson(b as BuildRow));
}

/**
 * Builds joined with their buildset and ref, as BuildRow columns; with
 * `page`, only the builds whose ids that subquery selects (a derived
 * table, as MySQL allows no LIMIT in an IN subquery).
 */
export function joinedBuilds(
  db: Db,
  page?: SelectQueryBuilder<Database, 'zuul_build', { id: number }>,
) {
  const from = page
    ? db.selectFrom(page.as('p')).innerJoin('zuul_build as b', 'b.id', 'p.id')
    : db.selectFrom('zuul_build as b');
  return from
    .innerJoin('zuul_buildset as bs', 'bs.id', 'b.buildset_id')
    .innerJoin('zuul_ref as r', 'r.id', 'b.ref_id')
    .select([
      'b.id',
      'b.uuid',
      'b.job_name',
      'b.result',
      'b.held',
      'b.start_time',
      'b.end_time',
      'b.voting',
      'b.log_url',
      'b.nodeset',
      'b.error_detail',
      'b.final',
      'b.buildset_id',
      'bs.uuid as bs_uuid',
      'bs.pipeline as bs_pipeline',
      'bs.event_id as bs_event_id',
      'bs.event_timestamp as bs_event_timestamp',
      'r.project as r_project',
      'r.branch as r_branch',
      'r.change as r_change',
      'r.patchset as r_patchset',
      'r.ref as r_ref',
      'r.oldrev as r_oldrev',
      'r.newrev as r_newrev',
      'r.ref_url as r_ref_url',
    ]);
}

/** Artifacts and provides of builds, by build id, in insertion order. */
export async function loadChildren(
  db: Db,
  ids: readonly number[],
): Promise<Map<number, BuildChildren>> {
  const out = new Map<number, BuildChildren>();
  if (!ids.length) return out;
  const of = (id: number | string): BuildChildren => {
    const key = Number(id);
    let c = out.get(key);
    if (!c) {
      c = { artifacts: [], provides: [] };
      out.set(key, c);
    }
    return c;
  };
  // One round trip for both: provides rows come back with a NULL url.
  const rows = await cachedRows(db, `children|${ids.length}`, [...ids, ...ids], () =>
    db
      .selectFrom('zuul_artifact')
      .select((eb) => [
        'build_id',
        'id',
        'name',
        eb.ref('url').$castTo<string | null>().as('url'),
        'meta',
      ])
      .where('build_id', 'in', ids)
      .unionAll(
        db
          .selectFrom('zuul_provides')
          .select([
            'build_id',
            'id',
            'name',
            sql<string | null>`null`.as('url'),
            sql<string | null>`null`.as('meta'),
          ])
          .where('build_id', 'in', ids),
      )
      .orderBy('id'),
  );
  for (const r of rows) {
    if (r.url === null) of(r.build_id).provides.push({ name: r.name });
    else of(r.build_id).artifacts.push(artifactJson({ ...r, url: r.url }));
  }
  return out;
}

/** The refs of buildsets, by buildset id, in ref id order. */
export async function buildsetRefs(db: Db, buildsetIds: readonly number[]) {
  const out = new Map<number, Parameters<typeof refJson>[0][]>();
  if (!buildsetIds.length) return out;
  const rows = await cachedRows(db, `refs|${buildsetIds.length}`, buildsetIds, () =>
    db
      .selectFrom('zuul_buildset_ref as br')
      .innerJoin('zuul_ref as r', 'r.id', 'br.ref_id')
      .select([
        'br.buildset_id',
        'r.project',
        'r.branch',
        'r.change',
        'r.patchset',
        'r.ref',
        'r.oldrev',
        'r.newrev',
        'r.ref_url',
      ])
      .where('br.buildset_id', 'in', buildsetIds)
      .orderBy('br.buildset_id')
      .orderBy('r.id'),
  );
  for (const r of rows) {
    const key = Number(r.buildset_id);
    const list = out.get(key) ?? [];
    list.push(r);
    out.set(key, list);
  }
  return out;
}
