// The worker side of the request queue: claim requests of some kinds, run
// them, keep the lease alive meanwhile, write the result back. Shared by
// every component that serves requests (mergers now, executors later).
//
// A claim whose lease cannot be renewed (the request was cancelled, or this
// worker was too slow and another took it over) is abandoned: the handler
// is aborted and its result dropped. On stop, running requests get a grace
// period to finish; the rest are aborted and released for another worker.

import type { Logger } from 'pino';
import type { ClaimedRequest, RequestQueue } from './requests.js';
import { ANY_KIND, type RequestSignals } from './requests-signals.js';

/** Runs one request; the result must be JSON-serialisable. Throwing fails the request. */
export type RequestHandler = (claim: ClaimedRequest, signal: AbortSignal) => Promise<unknown>;

export type WorkerLog = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

export interface RequestWorkerOptions {
  queue: RequestQueue;
  /** Wake-ups; without them the worker only polls. */
  signals?: RequestSignals;
  /** This worker's component id (recorded on claimed rows). */
  workerId: string;
  kinds: readonly string[];
  handler: RequestHandler;
  /** Lease length (default 60 s): how long a dead worker holds a request up. */
  leaseMs?: number;
  /** Lease renewal period (default a third of the lease). */
  renewMs?: number;
  /** Poll period without cross-process wake-ups (default 1 s). */
  pollMs?: number;
  /** Poll period while PostgreSQL LISTEN is up (default 10 s; catches expired leases). */
  listeningPollMs?: number;
  /** Requests run at once (default 1). */
  concurrency?: number;
  /** Period of housekeeping: failing lost requests, pruning old ones (default 60 s). */
  housekeepingMs?: number;
  /** Finished requests older than this are deleted (default 1 h). */
  retentionMs?: number;
  log: WorkerLog;
}

/** How long stop() waits for aborted handlers before releasing their claims anyway. */
const ABORT_WAIT_MS = 5000;

interface Running {
  claim: ClaimedRequest;
  abort: AbortController;
  done: Promise<void>;
  /** Aborted because of stop(): give the request back rather than failing it. */
  shuttingDown: boolean;
  /** The lease is no longer ours: drop whatever comes out. */
  lost: boolean;
}

export class RequestWorker {
  private readonly running = new Map<string, Running>();
  private readonly leaseMs: number;
  private readonly renewMs: number;
  private readonly concurrency: number;
  private stopping = false;
  private started = false;
  private pumping?: Promise<void>;
  private pumpAgain = false;
  private pollTimer?: NodeJS.Timeout;
  private houseTimer?: NodeJS.Timeout;
  private unsubscribe?: () => void;
  private idle: (() => void)[] = [];

  constructor(private readonly opts: RequestWorkerOptions) {
    this.leaseMs = opts.leaseMs ?? 60_000;
    this.renewMs = opts.renewMs ?? Math.max(1, Math.floor(this.leaseMs / 3));
    this.concurrency = Math.max(1, opts.concurrency ?? 1);
    if (this.renewMs >= this.leaseMs) {
      throw new Error(`The lease renewal period (${this.renewMs} ms) must be below the lease`);
    }
  }

  /** Requests being worked on now. */
  get active(): number {
    return this.running.size;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    const kinds = new Set(this.opts.kinds);
    this.unsubscribe = this.opts.signals?.onNew((kind) => {
      if (kind === ANY_KIND || kinds.has(kind)) this.wake();
    });
    this.schedulePoll();
    this.houseTimer = setInterval(() => {
      this.housekeeping().catch((err) =>
        this.opts.log.warn({ err }, 'request housekeeping failed'),
      );
    }, this.opts.housekeepingMs ?? 60_000);
    this.houseTimer.unref();
    this.wake();
  }

  /** Looks for work now. */
  wake(): void {
    if (this.stopping || !this.started) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = this.pump().finally(() => {
      this.pumping = undefined;
      if (this.pumpAgain) {
        this.pumpAgain = false;
        this.wake();
      }
    });
  }

  /**
   * Stops claiming; lets running requests finish for up to `graceMs`, then
   * aborts and releases them.
   */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.unsubscribe?.();
    clearTimeout(this.pollTimer);
    clearInterval(this.houseTimer);
    await this.pumping?.catch(() => {});
    if (this.running.size) {
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((res) => {
        timer = setTimeout(res, graceMs);
      });
      await Promise.race([this.allDone(), grace]);
      clearTimeout(timer);
    }
    for (const r of this.running.values()) {
      r.shuttingDown = true;
      r.abort.abort(new Error('the worker is shutting down'));
    }
    // A handler that ignores the abort must not hold the process up:
    // release its claim regardless, so its late result is refused.
    if (this.running.size) {
      let timer: NodeJS.Timeout | undefined;
      const cap = new Promise<void>((res) => {
        timer = setTimeout(res, ABORT_WAIT_MS);
      });
      await Promise.race([this.allDone(), cap]);
      clearTimeout(timer);
    }
    for (const r of this.running.values()) {
      r.lost = true;
      await this.opts.queue.release(r.claim).catch(() => {});
    }
  }

  /** Fails requests lost for good and prunes old ones (exported for tests). */
  async housekeeping(): Promise<void> {
    const failed = await this.opts.queue.failLost();
    if (failed) this.opts.log.warn({ failed }, 'requests failed after every attempt was lost');
    const pruned = await this.opts.queue.prune(this.opts.retentionMs ?? 3_600_000);
    if (pruned) this.opts.log.debug({ pruned }, 'pruned finished requests');
  }

  private allDone(): Promise<void> {
    if (!this.running.size) return Promise.resolve();
    return new Promise((res) => this.idle.push(res));
  }

  private schedulePoll(): void {
    if (this.stopping) return;
    const ms = this.opts.signals?.listening
      ? (this.opts.listeningPollMs ?? 10_000)
      : (this.opts.pollMs ?? 1000);
    // Not unref'd: a started worker keeps its process alive until stop().
    this.pollTimer = setTimeout(() => {
      this.wake();
      this.schedulePoll();
    }, ms);
  }

  private async pump(): Promise<void> {
    while (!this.stopping && this.running.size < this.concurrency) {
      let claim: ClaimedRequest | undefined;
      try {
        claim = await this.opts.queue.claim(this.opts.workerId, this.opts.kinds, this.leaseMs);
      } catch (err) {
        this.opts.log.warn({ err }, 'cannot claim a request');
        return;
      }
      if (!claim) return;
      if (this.stopping) {
        await this.opts.queue.release(claim).catch(() => {});
        return;
      }
      this.run(claim);
    }
  }

  private run(claim: ClaimedRequest): void {
    const r: Running = {
      claim,
      abort: new AbortController(),
      done: Promise.resolve(),
      shuttingDown: false,
      lost: false,
    };
    this.running.set(claim.id, r);
    this.opts.log.info(
      { request: claim.id, kind: claim.kind, attempt: claim.attempt },
      'request claimed',
    );
    const renewer = setInterval(() => {
      this.opts.queue.renew(claim, this.leaseMs).then(
        (ok) => {
          if (ok || r.lost) return;
          r.lost = true;
          this.opts.log.warn(
            { request: claim.id },
            'request lease lost (cancelled or taken over); abandoning it',
          );
          r.abort.abort(new Error('the request lease was lost'));
        },
        (err) => this.opts.log.warn({ err, request: claim.id }, 'cannot renew a request lease'),
      );
    }, this.renewMs);
    r.done = this.execute(r).finally(() => {
      clearInterval(renewer);
      this.running.delete(claim.id);
      if (!this.running.size) for (const res of this.idle.splice(0)) res();
      this.wake();
    });
  }

  private async execute(r: Running): Promise<void> {
    const { claim } = r;
    const { queue, log } = this.opts;
    let outcome: { ok: true; result: unknown } | { ok: false; error: Error };
    try {
      const result = await this.opts.handler(claim, r.abort.signal);
      // A result the store cannot take is the handler's failure, not the store's.
      if (JSON.stringify(result) === undefined) throw new Error('the work produced no result');
      outcome = { ok: true, result };
    } catch (err) {
      outcome = { ok: false, error: err instanceof Error ? err : new Error(String(err)) };
    }
    if (r.lost) {
      log.warn({ request: claim.id }, 'request result dropped: the lease was lost');
      return;
    }
    try {
      if (outcome.ok) {
        if (await queue.complete(claim, outcome.result)) {
          log.info({ request: claim.id, kind: claim.kind }, 'request completed');
        } else {
          log.warn({ request: claim.id }, 'request result refused: the lease was taken over');
        }
      } else if (r.shuttingDown) {
        if (await queue.release(claim)) log.info({ request: claim.id }, 'request released');
      } else {
        log.warn({ request: claim.id, err: outcome.error }, 'request failed');
        await queue.fail(claim, outcome.error.message);
      }
    } catch (err) {
      // The lease runs out and another worker retries the request.
      log.error({ err, request: claim.id }, 'cannot record the outcome of a request');
    }
  }
}
