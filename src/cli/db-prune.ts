// `zuul-ts db-prune -c zuul.conf --older-than 90d` (or `--before
// "2025-01-31 12:00:00"`): Zuul's `zuul-admin prune-database`. Deletes the
// build history of buildsets last updated before the cutoff, in batches of
// `--batch-size` buildsets, each its own short transaction, so it can run
// while Zuul is working.

import { loadZuulConf } from '../config/zuul-conf.js';
import { openStore, storeOptionsFromConf } from '../store/db.js';
import { DEFAULT_PRUNE_BATCH, pruneHistory } from '../store/history/prune.js';
import { parseTimeParam } from '../store/history/time.js';

export interface DbPruneOptions {
  config: string;
  olderThan?: string;
  before?: string;
  batchSize?: string;
  /** Unix ms; tests pin it. */
  now?: number;
}

export class CutoffError extends Error {}

/** The cutoff, as Zuul computes it: exactly one of --before (UTC) and --older-than (Nd, Nh). */
export function parseCutoff(now: number, before?: string, olderThan?: string): number {
  if ((before === undefined) === (olderThan === undefined)) {
    throw new CutoffError('Give either --before or --older-than (one of them)');
  }
  if (olderThan !== undefined) {
    const m = /^(\d+)([dh])$/.exec(olderThan.trim());
    if (!m) {
      throw new CutoffError(
        `--older-than "${olderThan}" is not a number of days or hours (e.g. 90d or 24h)`,
      );
    }
    return now - Number(m[1]) * (m[2] === 'd' ? 86_400_000 : 3_600_000);
  }
  const at = parseTimeParam(before!);
  if (at === undefined) {
    throw new CutoffError(
      `--before "${before}" is not a UTC timestamp (e.g. "2025-01-31 12:00:00" or 2025-01-31T12:00:00Z)`,
    );
  }
  return at;
}

function parseBatchSize(value: string | undefined): number {
  if (value === undefined) return DEFAULT_PRUNE_BATCH;
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) {
    throw new CutoffError(`--batch-size "${value}" is not a positive whole number`);
  }
  return Number(value);
}

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

export async function dbPruneCommand(opts: DbPruneOptions): Promise<number> {
  let cutoff: number;
  let batchSize: number;
  try {
    cutoff = parseCutoff(opts.now ?? Date.now(), opts.before, opts.olderThan);
    batchSize = parseBatchSize(opts.batchSize);
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  try {
    const conf = loadZuulConf(opts.config);
    const store = await openStore(storeOptionsFromConf(conf));
    try {
      console.log(`Deleting buildsets last updated before ${iso(cutoff)} UTC`);
      const totals = await pruneHistory(store, {
        cutoff,
        batchSize,
        onBatch: (b) =>
          console.log(
            `Deleted ${b.buildsets} buildset(s), ${b.builds} build(s), ${b.refs} ref(s) (updated from ${iso(b.oldest)})`,
          ),
      });
      console.log(
        `Done: ${totals.buildsets} buildset(s), ${totals.builds} build(s) and ${totals.refs} ref(s) deleted`,
      );
    } finally {
      await store.close();
    }
    return 0;
  } catch (err) {
    console.error((err as Error).message);
    return 1;
  }
}
