// The requester side of the executor (the scheduler, `zuul-ts run-job`,
// tests): queue a build for any executor of its zone, follow its events,
// resume it when it paused, cancel it, and collect its result. No executor
// has to run in this process.

import type { Store } from '../store/db.js';
import { PRECEDENCE, RequestQueue, type RequestRecord } from '../store/requests.js';
import { RequestClient, RequestTimeoutError } from '../store/requests-client.js';
import type { RequestSignals } from '../store/requests-signals.js';
import { BuildEvents, type StoredBuildEvent } from './events.js';
import type { BuildRequest, BuildResultPayload } from './protocol.js';
import { buildKindFor } from './service-settings.js';

export { RequestTimeoutError } from '../store/requests-client.js';

export interface BuildClientOptions {
  store: Store;
  signals?: RequestSignals;
  /** Recorded on requests (the requesting component's id). */
  requester?: string;
  /** Poll period when no cross-process wake-ups arrive (default 250 ms). */
  pollMs?: number;
}

export interface SubmitBuildOptions {
  /** Zuul's pipeline precedence: lower is served first (default normal, 200). */
  precedence?: number;
  /** Executors that may die holding it before the request fails (default 3). */
  maxAttempts?: number;
}

export interface WaitBuildOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

/** How a build request ended. */
export interface BuildOutcome {
  /** completed: the executor reported; cancelled: the requester withdrew it; failed: see error. */
  state: 'completed' | 'cancelled' | 'failed';
  /** The executor's result; null for a request cancelled before it started, or failed. */
  result: BuildResultPayload | null;
  /** Why the request failed (unreadable, or every executor that took it died). */
  error: string | null;
  record: RequestRecord;
}

export class BuildClient {
  readonly queue: RequestQueue;
  readonly events: BuildEvents;
  private readonly requests: RequestClient;

  constructor(private readonly opts: BuildClientOptions) {
    this.queue = new RequestQueue(opts.store);
    this.events = new BuildEvents(opts.store);
    this.requests = new RequestClient(this.queue, opts.signals, opts.requester);
  }

  /** Queues a build for an executor of `request.zone`; returns the request id. */
  submit(request: BuildRequest, opts: SubmitBuildOptions = {}): Promise<string> {
    return this.queue.submit({
      kind: buildKindFor(request.zone),
      payload: request,
      precedence: opts.precedence ?? PRECEDENCE.normal,
      maxAttempts: opts.maxAttempts,
      requester: this.opts.requester,
    });
  }

  /** The build's events after event id `after`. */
  list(requestId: string, after = 0): Promise<StoredBuildEvent[]> {
    return this.events.list(requestId, after);
  }

  /**
   * Waits for the first event after `after` that `match` accepts (e.g. the
   * build's `paused`). Throws RequestTimeoutError, or the signal's reason.
   */
  waitForEvent(
    requestId: string,
    match: (e: StoredBuildEvent) => boolean,
    opts: WaitBuildOptions & { after?: number },
  ): Promise<StoredBuildEvent> {
    return this.until(requestId, opts, async () =>
      (await this.events.list(requestId, opts.after ?? 0)).find(match),
    );
  }

  /** Lets the build continue after its `paused` event. */
  async resume(requestId: string): Promise<void> {
    const paused = (await this.events.list(requestId)).filter((e) => e.type === 'paused').pop();
    if (!paused) throw new Error(`The build of request ${requestId} has not paused`);
    await this.events.append(requestId, { type: 'resume', uuid: paused.build }, paused.attempt);
  }

  /**
   * Withdraws the build: not started yet, it never will be; running, its
   * executor aborts it (cleanup playbooks run, result ABORTED). False when
   * it had already ended.
   */
  cancel(requestId: string): Promise<boolean> {
    return this.queue.cancel(requestId);
  }

  /**
   * Waits until the build has ended. A cancelled running build ends when
   * its executor has reported the aborted result (if that executor dies
   * meanwhile, nobody reports it: the wait then times out).
   */
  async wait(requestId: string, opts: WaitBuildOptions): Promise<BuildOutcome> {
    const started = Date.now();
    const record = await this.requests.wait(requestId, {
      timeoutMs: opts.timeoutMs,
      pollMs: this.opts.pollMs,
      signal: opts.signal,
    });
    if (record.state === 'completed') {
      return {
        state: 'completed',
        result: record.result as BuildResultPayload,
        error: null,
        record,
      };
    }
    if (record.state === 'failed') {
      return { state: 'failed', result: null, error: record.error, record };
    }
    // Cancelled. Never claimed: nothing ran. Claimed: the executor sends
    // the aborted result as an event once cleanup is over.
    if (record.worker === null) return { state: 'cancelled', result: null, error: null, record };
    const left = Math.max(0, opts.timeoutMs - (Date.now() - started));
    const ev = await this.waitForEvent(requestId, (e) => e.type === 'result', {
      timeoutMs: left,
      signal: opts.signal,
    });
    const result = ev.event.type === 'result' ? ev.event.result : null;
    return { state: 'cancelled', result, error: null, record };
  }

  /** Deletes the request and its events (after its outcome was read). */
  async remove(requestId: string): Promise<void> {
    await this.queue.remove(requestId);
    await this.events.remove(requestId);
  }

  /** Re-runs `check` on wake-ups for the request and every poll period until it gives a value. */
  private until<T>(
    requestId: string,
    opts: WaitBuildOptions,
    check: () => Promise<T | undefined>,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      let running = false;
      let again = false;
      const finish = (err: Error | undefined, value?: T) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        clearInterval(poller);
        unsubscribe?.();
        opts.signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve(value as T);
      };
      const look = async () => {
        if (settled) return;
        if (running) {
          again = true;
          return;
        }
        running = true;
        try {
          const v = await check();
          if (v !== undefined) finish(undefined, v);
        } catch (err) {
          finish(err as Error);
        } finally {
          running = false;
          if (again && !settled) {
            again = false;
            void look();
          }
        }
      };
      const onAbort = () => finish(opts.signal!.reason as Error);
      const deadline = setTimeout(
        () => finish(new RequestTimeoutError(requestId, 'executor build', opts.timeoutMs)),
        opts.timeoutMs,
      );
      const poller = setInterval(() => void look(), this.opts.pollMs ?? 250);
      const unsubscribe = this.opts.signals?.onDone((id) => {
        if (id === requestId) void look();
      });
      if (opts.signal?.aborted) return onAbort();
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      void look();
    });
  }
}
