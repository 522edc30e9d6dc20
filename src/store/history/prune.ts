// Pruning the build history (Zuul's `zuul-admin prune-database`): every
// buildset last updated before a cutoff goes, with its builds, their
// artifacts, provides and events, its own events and its ref links; refs no
// buildset links any more go too.
//
// The work is done in batches of at most `batchSize` buildsets, oldest
// first, each in its own transaction, so that no lock is held for long and
// the reporter and readers carry on in between. A batch deletes children
// before parents (not relying on cascades), with subqueries rather than id
// lists so a batch's builds never meet a bind-parameter limit.
//
// A ref is kept while any buildset links it (a build's ref is always one of
// its buildset's links). If the reporter links a ref in the moment it is
// being pruned, the foreign key refuses the delete; those refs are then
// left in place, harmless, and the prune goes on.

import type { Kysely, Transaction } from 'kysely';
import type { Store } from '../db.js';
import type { Database } from '../schema.js';

export interface PruneOptions {
  /** Unix ms: buildsets with `updated` before this are deleted. */
  cutoff: number;
  /** Buildsets per transaction (default 1000). */
  batchSize?: number;
  /** Told after each batch. */
  onBatch?(batch: PruneBatch): void;
}

export interface PruneBatch {
  buildsets: number;
  builds: number;
  refs: number;
  /** Oldest `updated` in the batch (Unix ms). */
  oldest: number;
}

export interface PruneTotals {
  buildsets: number;
  builds: number;
  refs: number;
}

export const DEFAULT_PRUNE_BATCH = 1000;

export async function pruneHistory(store: Store, opts: PruneOptions): Promise<PruneTotals> {
  const batchSize = opts.batchSize ?? DEFAULT_PRUNE_BATCH;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batch size must be a positive integer, not ${batchSize}`);
  }
  if (!Number.isFinite(opts.cutoff)) throw new RangeError('the cutoff must be a time');
  const totals: PruneTotals = { buildsets: 0, builds: 0, refs: 0 };
  for (;;) {
    const batch = await store.db
      .transaction()
      .execute((trx: Transaction<Database>) => deleteBatch(trx, opts.cutoff, batchSize));
    if (!batch) return totals;
    batch.refs = await deleteUnlinkedRefs(store.db, batch.refCandidates);
    totals.buildsets += batch.buildsets;
    totals.builds += batch.builds;
    totals.refs += batch.refs;
    opts.onBatch?.({
      buildsets: batch.buildsets,
      builds: batch.builds,
      refs: batch.refs,
      oldest: batch.oldest,
    });
    if (batch.buildsets < batchSize) return totals;
  }
}

interface BatchResult extends PruneBatch {
  refCandidates: number[];
}

async function deleteBatch(
  trx: Kysely<Database>,
  cutoff: number,
  limit: number,
): Promise<BatchResult | undefined> {
  // Oldest first, along the `updated` index.
  const rows = await trx
    .selectFrom('zuul_buildset')
    .select(['id', 'updated'])
    .where('updated', '<', cutoff)
    .orderBy('updated')
    .orderBy('id')
    .limit(limit)
    .execute();
  if (!rows.length) return undefined;
  const ids = rows.map((r) => Number(r.id));
  const oldest = Math.min(...rows.map((r) => Number(r.updated)));
  const refCandidates = (
    await trx
      .selectFrom('zuul_buildset_ref')
      .select('ref_id')
      .distinct()
      .where('buildset_id', 'in', ids)
      .execute()
  ).map((r) => Number(r.ref_id));

  const buildsOf = trx.selectFrom('zuul_build').select('id').where('buildset_id', 'in', ids);
  for (const table of ['zuul_artifact', 'zuul_provides', 'zuul_build_event'] as const) {
    await trx.deleteFrom(table).where('build_id', 'in', buildsOf).execute();
  }
  const builds = await trx
    .deleteFrom('zuul_build')
    .where('buildset_id', 'in', ids)
    .executeTakeFirst();
  for (const table of ['zuul_buildset_event', 'zuul_buildset_ref'] as const) {
    await trx.deleteFrom(table).where('buildset_id', 'in', ids).execute();
  }
  const buildsets = await trx.deleteFrom('zuul_buildset').where('id', 'in', ids).executeTakeFirst();
  return {
    buildsets: Number(buildsets.numDeletedRows),
    builds: Number(builds.numDeletedRows),
    refs: 0,
    oldest,
    refCandidates,
  };
}

/** Deletes those of `candidates` no buildset links; returns how many went. */
async function deleteUnlinkedRefs(db: Kysely<Database>, candidates: number[]): Promise<number> {
  let deleted = 0;
  // Bounded statements: a batch of buildsets can link many refs.
  for (let i = 0; i < candidates.length; i += 1000) {
    const chunk = candidates.slice(i, i + 1000);
    try {
      const res = await db
        .deleteFrom('zuul_ref')
        .where('id', 'in', chunk)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('zuul_buildset_ref')
                .select('zuul_buildset_ref.ref_id')
                .whereRef('zuul_buildset_ref.ref_id', '=', 'zuul_ref.id'),
            ),
          ),
        )
        .executeTakeFirst();
      deleted += Number(res.numDeletedRows);
    } catch (err) {
      // A buildset linked one of them meanwhile: keep this chunk, go on.
      if (!isForeignKeyViolation(err)) throw err;
    }
  }
  return deleted;
}

function isForeignKeyViolation(err: unknown): boolean {
  const e = err as { code?: unknown; errno?: unknown } | undefined;
  // PostgreSQL's SQLSTATE, SQLite's extended code, MySQL's ER_ROW_IS_REFERENCED_2.
  return e?.code === '23503' || e?.code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || e?.errno === 1451;
}
