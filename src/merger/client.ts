// The requester side of the merger (the scheduler, config loading): asks a
// question through the store's request queue and waits for whichever
// merger answers it. No merger has to run in this process.

import type { Store } from '../store/db.js';
import { PRECEDENCE, RequestQueue } from '../store/requests.js';
import { RequestClient } from '../store/requests-client.js';
import type { RequestSignals } from '../store/requests-signals.js';
import { MERGER_KINDS, type MergerOperation, type MergerOperations } from './protocol.js';

export interface MergerRequestOptions {
  /** How long to wait for a merger (default: the client's). */
  timeoutMs?: number;
  /** Zuul's pipeline precedence: lower is served first (default normal, 200). */
  precedence?: number;
  signal?: AbortSignal;
}

export interface MergerClientOptions {
  store: Store;
  signals?: RequestSignals;
  /** Default wait for a result (default 300 s, Zuul's git_timeout). */
  timeoutMs?: number;
  /** Recorded on requests (the requesting component's id). */
  requester?: string;
  /** Poll period when no cross-process wake-ups arrive (default 250 ms). */
  pollMs?: number;
}

/**
 * Thrown by RequestClient and re-exported for callers: RequestFailedError
 * (the merger reported an error), RequestTimeoutError (no answer in time).
 */
export { RequestFailedError, RequestTimeoutError } from '../store/requests-client.js';

export class MergerClient {
  private readonly client: RequestClient;

  constructor(private readonly opts: MergerClientOptions) {
    this.client = new RequestClient(new RequestQueue(opts.store), opts.signals, opts.requester);
  }

  /** Asks any merger to do `op` and returns its result. */
  async request<Op extends MergerOperation>(
    op: Op,
    payload: MergerOperations[Op]['payload'],
    opts: MergerRequestOptions = {},
  ): Promise<MergerOperations[Op]['result']> {
    const result = await this.client.run(MERGER_KINDS[op], payload, {
      timeoutMs: opts.timeoutMs ?? this.opts.timeoutMs ?? 300_000,
      precedence: opts.precedence ?? PRECEDENCE.normal,
      pollMs: this.opts.pollMs,
      signal: opts.signal,
    });
    return result as MergerOperations[Op]['result'];
  }

  merge(payload: MergerOperations['merge']['payload'], opts?: MergerRequestOptions) {
    return this.request('merge', payload, opts);
  }

  cat(payload: MergerOperations['cat']['payload'], opts?: MergerRequestOptions) {
    return this.request('cat', payload, opts);
  }

  filesChanges(payload: MergerOperations['filesChanges']['payload'], opts?: MergerRequestOptions) {
    return this.request('filesChanges', payload, opts);
  }

  repoState(payload: MergerOperations['repoState']['payload'], opts?: MergerRequestOptions) {
    return this.request('repoState', payload, opts);
  }

  refs(payload: MergerOperations['refs']['payload'], opts?: MergerRequestOptions) {
    return this.request('refs', payload, opts);
  }
}
