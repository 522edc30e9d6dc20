// The merger component: takes merge requests from the store's request
// queue, runs them with a MergeWorker (the git side) and writes the results
// back, while it is registered in the component registry as a `merger`.
// Any number of mergers may share one store; the queue gives each request
// to one of them, and a request a dead merger held goes to another once its
// lease runs out.

import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { ComponentRegistry } from '../store/component-registry.js';
import type { Store } from '../store/db.js';
import { type ClaimedRequest, RequestQueue } from '../store/requests.js';
import type { RequestSignals } from '../store/requests-signals.js';
import { RequestWorker } from '../store/requests-worker.js';
import { MERGER_KINDS, type MergeWorker, operationOfKind } from './protocol.js';

export interface MergerServiceOptions {
  store: Store;
  /** Wake-ups for new requests; without them the service polls. */
  signals?: RequestSignals;
  /** The operations this merger can do; it claims only their kinds. */
  worker: Partial<MergeWorker>;
  version: string | null;
  hostname?: string;
  /** Request lease (default 60 s): how long a dead merger holds a request up. */
  leaseMs?: number;
  /** Poll period without cross-process wake-ups (default 1 s). */
  pollMs?: number;
  /** Requests run at once (default 1). */
  concurrency?: number;
  /** Component heartbeat period (default 10 s); stale after 3 missed. */
  heartbeatMs?: number;
  /** Finished requests nobody collected are deleted after this (default 1 h). */
  retentionMs?: number;
  log: Logger;
}

export class MergerService {
  /** Component id: in the registry, and on the requests this merger claims. */
  readonly id = randomUUID();
  readonly kinds: readonly string[];
  /** Its row in the component registry, heartbeating. */
  private readonly presence: ComponentRegistry;
  private readonly requests: RequestWorker;
  private readonly log: Logger;
  private stopped = false;

  constructor(private readonly opts: MergerServiceOptions) {
    this.log = opts.log;
    this.kinds = Object.entries(MERGER_KINDS)
      .filter(([op]) => typeof opts.worker[op as keyof MergeWorker] === 'function')
      .map(([, kind]) => kind);
    this.presence = new ComponentRegistry({
      store: opts.store,
      kinds: ['merger'],
      ids: { merger: this.id },
      version: opts.version,
      hostname: opts.hostname,
      intervalMs: opts.heartbeatMs,
      // Never sooner than other components' default staleness (3 × 10 s).
      cleanupFloorMs: 30_000,
      log: opts.log,
    });
    const leaseMs = opts.leaseMs ?? 60_000;
    this.requests = new RequestWorker({
      queue: new RequestQueue(opts.store),
      signals: opts.signals,
      workerId: this.id,
      kinds: this.kinds,
      handler: (claim, signal) => this.handle(claim, signal),
      leaseMs,
      pollMs: opts.pollMs,
      // Expired leases are only found by looking: at least once per lease.
      listeningPollMs: Math.min(10_000, leaseMs),
      concurrency: opts.concurrency,
      retentionMs: opts.retentionMs,
      log: this.log,
    });
  }

  /** Registers the component and starts taking requests. */
  async start(): Promise<void> {
    await this.presence.start();
    this.requests.start();
    await this.presence.setState('running');
    this.log.info({ component: this.id, kinds: this.kinds }, 'merger started');
  }

  /**
   * Stops taking requests, gives running ones `graceMs` to finish (the
   * rest go back to the queue) and leaves the registry.
   */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.log.info({ component: this.id }, 'merger stopping');
    await this.requests.stop(graceMs);
    await this.presence.stop();
    this.log.info({ component: this.id }, 'merger stopped');
  }

  private async handle(claim: ClaimedRequest, signal: AbortSignal): Promise<unknown> {
    const op = operationOfKind(claim.kind);
    const fn = op && this.opts.worker[op];
    // Only implemented kinds are claimed; this guards a worker that changed.
    if (!fn) throw new Error(`This merger cannot do ${claim.kind} requests`);
    const started = Date.now();
    const result = await (fn as (p: unknown, s: AbortSignal) => Promise<unknown>)(
      claim.payload,
      signal,
    );
    this.log.debug({ request: claim.id, ms: Date.now() - started }, 'merger operation finished');
    return result;
  }
}
