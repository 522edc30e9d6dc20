// The requester side of the request queue: submit a request and wait for
// its result, woken by the queue's signals and, as a safety net, by
// polling the row. A requester that gives up cancels its request, so no
// worker starts it (and a running one's result is refused); a requester
// that got its answer deletes the row.

import {
  isFinal,
  RequestError,
  type RequestQueue,
  type RequestRecord,
  type SubmitOptions,
} from './requests.js';
import type { RequestSignals } from './requests-signals.js';

export class RequestTimeoutError extends RequestError {
  constructor(
    readonly requestId: string,
    readonly kind: string,
    timeoutMs: number,
  ) {
    super(
      `No result for the ${kind} request ${requestId} within ${Math.round(timeoutMs / 1000)} s`,
    );
    this.name = 'RequestTimeoutError';
  }
}

/** The worker reported a failure, or every worker that took the request died. */
export class RequestFailedError extends RequestError {
  constructor(
    readonly requestId: string,
    readonly kind: string,
    readonly reason: string,
  ) {
    super(`The ${kind} request ${requestId} failed: ${reason}`);
    this.name = 'RequestFailedError';
  }
}

export interface WaitOptions {
  timeoutMs: number;
  /** Poll period without cross-process wake-ups (default 250 ms). */
  pollMs?: number;
  /** Poll period while PostgreSQL LISTEN is up (default 5 s). */
  listeningPollMs?: number;
  signal?: AbortSignal;
}

export interface RunOptions extends Omit<SubmitOptions, 'kind' | 'payload'>, WaitOptions {}

export class RequestClient {
  constructor(
    readonly queue: RequestQueue,
    private readonly signals?: RequestSignals,
    private readonly requester?: string,
  ) {}

  /**
   * Submits a request, waits for its result and deletes the row. Throws
   * RequestFailedError, RequestTimeoutError (the request is then
   * cancelled) or the signal's reason.
   */
  async run(kind: string, payload: unknown, opts: RunOptions): Promise<unknown> {
    const id = await this.queue.submit({
      kind,
      payload,
      precedence: opts.precedence,
      maxAttempts: opts.maxAttempts,
      requester: opts.requester ?? this.requester,
      id: opts.id,
    });
    let record: RequestRecord;
    try {
      record = await this.wait(id, opts);
    } catch (err) {
      await this.queue.cancel(id).catch(() => {});
      throw err;
    }
    await this.queue.remove(id).catch(() => {});
    if (record.state === 'completed') return record.result;
    throw new RequestFailedError(id, kind, record.error ?? record.state);
  }

  /** Waits until request `id` is finished and returns its row. */
  wait(id: string, opts: WaitOptions): Promise<RequestRecord> {
    return new Promise<RequestRecord>((resolve, reject) => {
      let settled = false;
      let checking = false;
      let recheck = false;
      let kind = 'unknown';
      const finish = (err: Error | undefined, rec?: RequestRecord) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        clearTimeout(poller);
        unsubscribe?.();
        opts.signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve(rec!);
      };
      const check = async () => {
        if (settled) return;
        if (checking) {
          recheck = true;
          return;
        }
        checking = true;
        try {
          const rec = await this.queue.get(id);
          if (!rec) finish(new RequestError(`The request ${id} no longer exists`));
          else {
            kind = rec.kind;
            if (isFinal(rec.state)) finish(undefined, rec);
          }
        } catch (err) {
          finish(err as Error);
        } finally {
          checking = false;
          if (recheck && !settled) {
            recheck = false;
            void check();
          }
        }
      };
      const schedulePoll = () => {
        const ms = this.signals?.listening ? (opts.listeningPollMs ?? 5000) : (opts.pollMs ?? 250);
        poller = setTimeout(() => {
          void check().then(() => {
            if (!settled) schedulePoll();
          });
        }, ms);
      };
      const onAbort = () => finish(opts.signal!.reason as Error);
      let poller: NodeJS.Timeout | undefined;
      const deadline = setTimeout(
        () => finish(new RequestTimeoutError(id, kind, opts.timeoutMs)),
        opts.timeoutMs,
      );
      const unsubscribe = this.signals?.onDone((doneId) => {
        if (doneId === id) void check();
      });
      if (opts.signal?.aborted) return onAbort();
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      void check();
      schedulePoll();
    });
  }
}
