// The request queue: work one component asks of another (merge requests
// today, build requests later), as rows that move
//   requested → running → completed | failed      (or → cancelled)
// A worker claims one request at a time under a lease it renews while it
// works. When a worker dies its lease runs out and the request becomes
// claimable again; every claim carries a fresh fencing token (lease_id), and
// a result is written only if the token is still the current one, so a
// request is never completed twice, even by a worker that comes back late.
//
// Claiming by exactly one worker:
// * PostgreSQL, MySQL/MariaDB: SELECT … FOR UPDATE SKIP LOCKED in a
//   transaction, so concurrent claimers pass over each other's rows instead
//   of waiting on them;
// * SQLite: one UPDATE … WHERE id = (SELECT …) RETURNING statement, atomic
//   under SQLite's single write lock.
//
// Times are each process's clock (as for component heartbeats): hosts
// sharing a store need synchronised clocks, and leases should be long
// compared with the possible skew.

import { randomUUID } from 'node:crypto';
import { type Kysely, type Selectable, sql } from 'kysely';
import type { Store } from './db.js';
import { announceDone, announceNew } from './requests-signals.js';
import type { Database, RequestsTable } from './schema.js';

export const REQUEST_STATES = ['requested', 'running', 'completed', 'failed', 'cancelled'] as const;
export type RequestState = (typeof REQUEST_STATES)[number];

/** Zuul's precedence values: lower runs first. */
export const PRECEDENCE = { high: 100, normal: 200, low: 300 } as const;

const FINAL_STATES: readonly RequestState[] = ['completed', 'failed', 'cancelled'];

export interface RequestRecord {
  id: string;
  kind: string;
  state: RequestState;
  precedence: number;
  /** Unix ms. */
  created: number;
  payload: unknown;
  requester: string | null;
  worker: string | null;
  leaseExpires: number | null;
  attempts: number;
  maxAttempts: number;
  started: number | null;
  finished: number | null;
  result: unknown;
  error: string | null;
}

/** What a worker gets from a claim; pass it back to renew/complete/fail/release. */
export interface ClaimedRequest {
  id: string;
  kind: string;
  payload: unknown;
  /** Fencing token of this claim. */
  leaseId: string;
  worker: string;
  /** Which claim this is, from 1. */
  attempt: number;
}

export interface SubmitOptions {
  kind: string;
  payload: unknown;
  /** Default PRECEDENCE.normal. */
  precedence?: number;
  /** Claims allowed before a request whose workers keep dying fails (default 3). */
  maxAttempts?: number;
  requester?: string;
  id?: string;
}

export class RequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RequestError';
  }
}

const MAX_ID = 64;

/** JSON text of a payload or result; anything JSON cannot carry is refused up front. */
function toJson(value: unknown, what: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    throw new RequestError(`The ${what} cannot be stored as JSON: ${(err as Error).message}`);
  }
  if (text === undefined) throw new RequestError(`The ${what} cannot be stored as JSON`);
  return text;
}

function fromJson(text: string | null): unknown {
  return text === null ? null : JSON.parse(text);
}

function num(v: number | string | null): number | null {
  return v === null ? null : Number(v);
}

function toRecord(r: Selectable<RequestsTable>): RequestRecord {
  return {
    id: r.id,
    kind: r.kind,
    state: r.state as RequestState,
    precedence: r.precedence,
    created: Number(r.created),
    payload: fromJson(r.payload),
    requester: r.requester,
    worker: r.worker,
    leaseExpires: num(r.lease_expires),
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    started: num(r.started),
    finished: num(r.finished),
    result: fromJson(r.result),
    error: r.error,
  };
}

export class RequestQueue {
  private readonly db: Kysely<Database>;

  constructor(
    readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {
    this.db = store.db;
  }

  /** Adds a request; returns its id. Workers serving its kind are woken. */
  async submit(opts: SubmitOptions): Promise<string> {
    const id = opts.id ?? randomUUID().replaceAll('-', '');
    if (!opts.kind || opts.kind.length > MAX_ID) {
      throw new RequestError(`A request kind must be 1 to ${MAX_ID} characters: "${opts.kind}"`);
    }
    if (id.length > MAX_ID) throw new RequestError(`A request id must be at most ${MAX_ID} chars`);
    const maxAttempts = opts.maxAttempts ?? 3;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
      throw new RequestError(`maxAttempts must be a positive integer, not ${opts.maxAttempts}`);
    }
    await this.db
      .insertInto('requests')
      .values({
        id,
        kind: opts.kind,
        state: 'requested',
        precedence: opts.precedence ?? PRECEDENCE.normal,
        created: this.now(),
        payload: toJson(opts.payload, 'request payload'),
        requester: opts.requester?.slice(0, MAX_ID) ?? null,
        worker: null,
        lease_id: null,
        lease_expires: null,
        attempts: 0,
        max_attempts: maxAttempts,
        started: null,
        finished: null,
        result: null,
        error: null,
      })
      .execute();
    await announceNew(this.store, opts.kind);
    return id;
  }

  async get(id: string): Promise<RequestRecord | undefined> {
    const r = await this.db
      .selectFrom('requests')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return r && toRecord(r);
  }

  /**
   * Claims the first waiting request of one of `kinds` (precedence, then
   * age), or one whose worker's lease ran out, for `leaseMs`. Undefined
   * when there is nothing to do.
   */
  async claim(
    worker: string,
    kinds: readonly string[],
    leaseMs: number,
  ): Promise<ClaimedRequest | undefined> {
    if (!kinds.length) return undefined;
    const now = this.now();
    const leaseId = randomUUID();
    const claimable = (db: Kysely<Database>) =>
      db
        .selectFrom('requests')
        .select('id')
        .where('kind', 'in', kinds)
        .where((eb) =>
          eb.or([
            eb('state', '=', 'requested'),
            eb.and([
              eb('state', '=', 'running'),
              eb('lease_expires', '<', now),
              eb('attempts', '<', eb.ref('max_attempts')),
            ]),
          ]),
        )
        .orderBy('precedence')
        .orderBy('created')
        .orderBy('id')
        .limit(1);
    const claimed = {
      state: 'running',
      worker,
      lease_id: leaseId,
      lease_expires: now + leaseMs,
      attempts: sql<number>`attempts + 1`,
      started: now,
    };
    let row: Selectable<RequestsTable> | undefined;
    if (this.store.dialect === 'sqlite') {
      // Look before writing: an idle poll must not take the write lock
      // other processes sharing the file wait on.
      if (!(await claimable(this.db).executeTakeFirst())) return undefined;
      row = await this.db
        .updateTable('requests')
        .set(claimed)
        .where('id', '=', claimable(this.db))
        .returningAll()
        .executeTakeFirst();
    } else {
      // READ COMMITTED: on MySQL the default REPEATABLE READ would also
      // take gap locks that hold up concurrent submits.
      row = await this.db
        .transaction()
        .setIsolationLevel('read committed')
        .execute(async (trx) => {
          const found = await claimable(trx).forUpdate().skipLocked().executeTakeFirst();
          if (!found) return undefined;
          await trx.updateTable('requests').set(claimed).where('id', '=', found.id).execute();
          return trx
            .selectFrom('requests')
            .selectAll()
            .where('id', '=', found.id)
            .executeTakeFirst();
        });
    }
    if (!row) return undefined;
    return {
      id: row.id,
      kind: row.kind,
      payload: fromJson(row.payload),
      leaseId,
      worker,
      attempt: row.attempts,
    };
  }

  /** Extends a claim's lease. False when the claim is no longer ours (taken over, cancelled). */
  async renew(claim: ClaimedRequest, leaseMs: number): Promise<boolean> {
    const res = await this.db
      .updateTable('requests')
      .set({ lease_expires: this.now() + leaseMs })
      .where('id', '=', claim.id)
      .where('state', '=', 'running')
      .where('lease_id', '=', claim.leaseId)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  /** Records the result. False (and nothing written) when the claim is no longer current. */
  async complete(claim: ClaimedRequest, result: unknown): Promise<boolean> {
    return this.finish(claim, {
      state: 'completed',
      result: toJson(result, 'request result'),
      error: null,
    });
  }

  /** Records a failure (the work itself went wrong; it is not retried). */
  fail(claim: ClaimedRequest, error: string): Promise<boolean> {
    return this.finish(claim, { state: 'failed', result: null, error });
  }

  /**
   * Gives a claim back untouched (a worker shutting down): the request is
   * waiting again and this claim does not count as an attempt.
   */
  async release(claim: ClaimedRequest): Promise<boolean> {
    const res = await this.db
      .updateTable('requests')
      .set({
        state: 'requested',
        worker: null,
        lease_id: null,
        lease_expires: null,
        started: null,
        attempts: sql<number>`attempts - 1`,
      })
      .where('id', '=', claim.id)
      .where('state', '=', 'running')
      .where('lease_id', '=', claim.leaseId)
      .executeTakeFirst();
    const released = Number(res.numUpdatedRows) > 0;
    if (released) await announceNew(this.store, claim.kind);
    return released;
  }

  /**
   * Withdraws a request that is not finished (a requester that gave up):
   * it will not be started, and a running worker's result is refused.
   */
  async cancel(id: string): Promise<boolean> {
    const res = await this.db
      .updateTable('requests')
      .set({ state: 'cancelled', finished: this.now(), lease_expires: null })
      .where('id', '=', id)
      .where('state', 'in', ['requested', 'running'])
      .executeTakeFirst();
    const cancelled = Number(res.numUpdatedRows) > 0;
    if (cancelled) await announceDone(this.store, id);
    return cancelled;
  }

  /** Deletes a request (a requester that has read its result). */
  async remove(id: string): Promise<void> {
    await this.db.deleteFrom('requests').where('id', '=', id).execute();
  }

  /**
   * Fails running requests whose lease ran out after their last allowed
   * attempt (workers kept dying on them). Returns how many.
   */
  async failLost(): Promise<number> {
    const now = this.now();
    const lost = await this.db
      .selectFrom('requests')
      .select('id')
      .where('state', '=', 'running')
      .where('lease_expires', '<', now)
      .whereRef('attempts', '>=', 'max_attempts')
      .execute();
    let failed = 0;
    for (const { id } of lost) {
      const res = await this.db
        .updateTable('requests')
        .set({
          state: 'failed',
          finished: now,
          error: 'The request was lost: every worker that took it stopped before finishing',
        })
        .where('id', '=', id)
        .where('state', '=', 'running')
        .where('lease_expires', '<', now)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) > 0) {
        failed++;
        await announceDone(this.store, id);
      }
    }
    return failed;
  }

  /** Deletes finished requests older than `maxAgeMs`; returns how many. */
  async prune(maxAgeMs: number): Promise<number> {
    const res = await this.db
      .deleteFrom('requests')
      .where('state', 'in', FINAL_STATES)
      .where('finished', '<', this.now() - maxAgeMs)
      .executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  /** Requests per kind and state (for stats and operators). */
  async counts(): Promise<{ kind: string; state: RequestState; count: number }[]> {
    const rows = await this.db
      .selectFrom('requests')
      .select(['kind', 'state', (eb) => eb.fn.countAll<number | string>().as('count')])
      .groupBy(['kind', 'state'])
      .orderBy('kind')
      .orderBy('state')
      .execute();
    return rows.map((r) => ({
      kind: r.kind,
      state: r.state as RequestState,
      count: Number(r.count),
    }));
  }

  private async finish(
    claim: ClaimedRequest,
    outcome: { state: RequestState; result: string | null; error: string | null },
  ): Promise<boolean> {
    const res = await this.db
      .updateTable('requests')
      .set({ ...outcome, finished: this.now(), lease_expires: null })
      .where('id', '=', claim.id)
      .where('state', '=', 'running')
      .where('lease_id', '=', claim.leaseId)
      .executeTakeFirst();
    const done = Number(res.numUpdatedRows) > 0;
    if (done) await announceDone(this.store, claim.id);
    return done;
  }
}

/** Whether a state is final (completed, failed, cancelled). */
export function isFinal(state: RequestState): boolean {
  return FINAL_STATES.includes(state);
}
