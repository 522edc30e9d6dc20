// Reading buildsets: /buildsets, /buildset/{uuid} and the badge's latest
// completed buildset.
//
// A buildset matches the ref filters (project, branch, change, …) when any
// one of its refs matches all of them: the filters go to zuul_ref and
// reach buildsets through zuul_buildset_ref, either from the matching refs
// or by testing the newest buildsets (startFromRefs says which).

import { type Kysely, type SqlBool, sql } from 'kysely';
import type { StoreDialect } from '../db.js';
import type { Database } from '../schema.js';
import { buildsetRefs, joinedBuilds, loadChildren } from './builds.js';
import { cachedRows, fuzzyParams, shapeOf } from './compiled.js';
import { allOf, fuzzy, inList, notInList } from './match.js';
import {
  type BuildRow,
  type BuildsetRow,
  buildJson,
  buildsetEventJson,
  buildsetJson,
  refJson,
} from './serialise.js';
import type { BuildsetFilters, BuildsetJson, Page } from './types.js';

type Db = Kysely<Database>;
type Cond = ReturnType<typeof inList>;

const BUILDSET_COLUMNS = [
  'id',
  'uuid',
  'result',
  'message',
  'pipeline',
  'event_id',
  'event_timestamp',
  'first_build_start_time',
  'last_build_end_time',
] as const;

function refConditions(dialect: StoreDialect, f: BuildsetFilters): Cond[] {
  const c: Cond[] = [];
  if (f.project?.length) c.push(fuzzy(dialect, 'r.project', f.project));
  if (f.branch?.length) c.push(fuzzy(dialect, 'r.branch', f.branch));
  if (f.change?.length) c.push(inList('r.change', f.change));
  if (f.patchset?.length) c.push(inList('r.patchset', f.patchset));
  if (f.ref?.length) c.push(inList('r.ref', f.ref));
  if (f.newrev?.length) c.push(inList('r.newrev', f.newrev));
  return c;
}

function buildsetConditions(dialect: StoreDialect, tenant: string, f: BuildsetFilters): Cond[] {
  const c: Cond[] = [inList('tenant', [tenant])];
  if (f.pipeline?.length) c.push(fuzzy(dialect, 'pipeline', f.pipeline));
  if (f.uuid?.length) c.push(inList('uuid', f.uuid));
  if (f.result?.length) c.push(inList('result', f.result));
  if (f.exclude_result?.length) c.push(notInList('result', f.exclude_result));
  if (f.complete === true) c.push(sql<SqlBool>`${sql.ref('result')} is not null`);
  if (f.complete === false) c.push(sql<SqlBool>`${sql.ref('result')} is null`);
  if (f.idx_min !== undefined) c.push(sql<SqlBool>`${sql.ref('id')} >= ${f.idx_min}`);
  if (f.idx_max !== undefined) c.push(sql<SqlBool>`${sql.ref('id')} <= ${f.idx_max}`);
  return c;
}

/**
 * Whether to find the buildsets from the refs matching the ref filters
 * (few refs) rather than by testing the newest buildsets one by one (a
 * large share of all refs match). Both give the same answer. The first
 * costs about one read per matching ref (R); the second about
 * (rows wanted) × (buildsets) / R; they cross at R = sqrt(wanted ×
 * buildsets). Branch and patchset alone always match many. MySQL chooses
 * itself from its statistics (both forms become a semi-join); SQLite does
 * not, and PostgreSQL misjudges the projects in between (it walked 30,000
 * buildsets, 14 ms, for a project with a few hundred refs), so on those two
 * the matching refs are counted, up to that bound.
 */
async function startFromRefs(
  db: Db,
  dialect: StoreDialect,
  f: BuildsetFilters,
  page: Page,
): Promise<boolean> {
  if (!(f.project?.length || f.change?.length || f.ref?.length || f.newrev?.length)) return false;
  if (dialect === 'mysql') return true;
  const [newest] = await cachedRows(db, 'newest-buildset', [], () =>
    db.selectFrom('zuul_buildset').select((eb) => eb.fn.max('id').as('id')),
  );
  const bound = Math.ceil(Math.sqrt((page.limit + page.skip) * Number(newest?.id ?? 0)));
  const refFilters = {
    project: f.project,
    branch: f.branch,
    change: f.change,
    patchset: f.patchset,
    ref: f.ref,
    newrev: f.newrev,
  };
  const params = pageParams(dialect, '', refFilters).slice(1);
  const [row] = await cachedRows(db, `ref-count|${bound}|${shapeOf(refFilters)}`, params, () =>
    db
      .selectFrom(
        db
          .selectFrom('zuul_ref as r')
          .select(sql.lit(1).as('one'))
          .where(allOf(refConditions(dialect, f)))
          .limit(sql.lit(bound))
          .as('m'),
      )
      .select((eb) => eb.fn.countAll().as('n')),
  );
  return Number(row?.n ?? 0) < bound;
}

/** The parameters of buildsetConditions and then refConditions, in SQL order. */
function pageParams(dialect: StoreDialect, tenant: string, f: BuildsetFilters): unknown[] {
  const out: unknown[] = [tenant];
  if (f.pipeline?.length) fuzzyParams(dialect, f.pipeline, out);
  for (const values of [f.uuid, f.result, f.exclude_result])
    if (values?.length) out.push(...values);
  if (f.idx_min !== undefined) out.push(f.idx_min);
  if (f.idx_max !== undefined) out.push(f.idx_max);
  if (f.project?.length) fuzzyParams(dialect, f.project, out);
  if (f.branch?.length) fuzzyParams(dialect, f.branch, out);
  for (const values of [f.change, f.patchset, f.ref, f.newrev])
    if (values?.length) out.push(...values);
  return out;
}

/**
 * How to run one page of buildsets matching the filters: a cache key, the
 * parameters, and the ids of the page, newest first (a subquery).
 */
async function buildsetPage(
  db: Db,
  dialect: StoreDialect,
  tenant: string,
  f: BuildsetFilters,
  page: Page,
) {
  const fromRefs = await startFromRefs(db, dialect, f, page);
  const key = `${page.limit}|${page.skip}|${fromRefs}|${shapeOf(f)}`;
  const ids = () => {
    let q = db
      .selectFrom('zuul_buildset')
      .select('id')
      .where(allOf(buildsetConditions(dialect, tenant, f)));
    const refConds = refConditions(dialect, f);
    if (refConds.length) {
      const matching = db
        .selectFrom('zuul_buildset_ref as br')
        .innerJoin('zuul_ref as r', 'r.id', 'br.ref_id')
        .select('br.buildset_id')
        .where(allOf(refConds));
      // PostgreSQL turns `IN (subquery)` into the same semi-join as
      // EXISTS and may still walk the buildsets; a list of ids it cannot.
      q = fromRefs
        ? dialect === 'postgresql'
          ? q.where(sql<SqlBool>`${sql.ref('id')} = any(array(${matching}))`)
          : q.where('id', 'in', matching)
        : q.where(({ exists }) =>
            exists(
              matching.where(
                sql<SqlBool>`${sql.ref('br.buildset_id')} = ${sql.ref('zuul_buildset.id')}`,
              ),
            ),
          );
    }
    // Literal bounds: with parameters SQLite cannot tell the page is small
    // and may scan the joined table instead of looking the page's rows up.
    return q.orderBy('id', 'desc').limit(sql.lit(page.limit)).offset(sql.lit(page.skip));
  };
  // A plan kept for every value suits the page walk and the list of ids,
  // not the semi-join, whose best order depends on the project.
  const prepare = refConditions(dialect, f).length === 0 || (fromRefs && dialect === 'postgresql');
  return { key, params: pageParams(dialect, tenant, f), ids, prepare };
}

/** One page of /buildsets: buildsets with their refs, no builds or events. */
export async function listBuildsets(
  db: Db,
  dialect: StoreDialect,
  tenant: string,
  f: BuildsetFilters,
  page: Page,
): Promise<BuildsetJson[]> {
  const p = await buildsetPage(db, dialect, tenant, f, page);
  const rows = (await cachedRows(
    db,
    `buildsets|${p.key}`,
    p.params,
    () =>
      db
        .selectFrom(p.ids().as('p'))
        .innerJoin('zuul_buildset as bs', 'bs.id', 'p.id')
        .select(BUILDSET_COLUMNS.map((c) => `bs.${c}` as const))
        .orderBy('bs.id', 'desc'),
    { prepare: p.prepare },
  )) as BuildsetRow[];
  const refs = await buildsetRefs(
    db,
    rows.map((r) => Number(r.id)),
  );
  return rows.map((r) => buildsetJson(r, (refs.get(Number(r.id)) ?? []).map(refJson)));
}

/** /buildset/{uuid}: the buildset with its refs, builds and events, or undefined. */
export async function getBuildset(
  db: Db,
  tenant: string,
  uuid: string,
): Promise<BuildsetJson | undefined> {
  const row = await db
    .selectFrom('zuul_buildset')
    .select(BUILDSET_COLUMNS)
    .where('tenant', '=', tenant)
    .where('uuid', '=', uuid)
    .executeTakeFirst();
  if (!row) return undefined;
  const id = Number(row.id);
  const [refs, builds, events] = await Promise.all([
    buildsetRefs(db, [id]),
    joinedBuilds(db).where('b.buildset_id', '=', id).orderBy('b.id').execute(),
    db
      .selectFrom('zuul_buildset_event')
      .select(['event_time', 'event_type', 'description'])
      .where('buildset_id', '=', id)
      .orderBy('id')
      .execute(),
  ]);
  const children = await loadChildren(
    db,
    builds.map((b) => Number(b.id)),
  );
  return buildsetJson(
    row as BuildsetRow,
    (refs.get(id) ?? []).map(refJson),
    builds.map((b) => buildJson(b as BuildRow, children.get(Number(b.id)))),
    events.map(buildsetEventJson),
  );
}

/** The badge's buildset: the newest completed one matching the filters. */
export async function latestCompletedBuildset(
  db: Db,
  dialect: StoreDialect,
  tenant: string,
  f: Pick<BuildsetFilters, 'project' | 'pipeline' | 'branch'>,
): Promise<{ id: number; result: string | null } | undefined> {
  const p = await buildsetPage(
    db,
    dialect,
    tenant,
    { ...f, complete: true },
    { limit: 1, skip: 0 },
  );
  const [row] = await cachedRows(
    db,
    `badge|${p.key}`,
    p.params,
    () =>
      db
        .selectFrom(p.ids().as('p'))
        .innerJoin('zuul_buildset as bs', 'bs.id', 'p.id')
        .select(['bs.id', 'bs.result']),
    { prepare: p.prepare },
  );
  return row ? { id: Number(row.id), result: row.result } : undefined;
}
