// One build the executor service holds: its claim, why it is being
// stopped (if it is), whether it got past preparation, and its pause.
// Also the checks on a claimed request and the results the service makes
// up itself when runBuild could not give one.

import type { ClaimedRequest } from '../store/requests.js';
import type { BuildRequest, BuildResultName, BuildResultPayload } from './protocol.js';

/**
 * Why a running build is stopped: the requester cancelled it, its
 * directory passed disk_limit_per_job, the executor is stopping, or its
 * lease went to another executor.
 */
export type StopReason = 'cancel' | 'disk' | 'shutdown' | 'lost';

export class BuildRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BuildRequestError';
  }
}

const UUID_RE = /^[A-Za-z0-9_-]{1,64}$/;

/** The request's payload, checked as far as the service itself relies on it. */
export function parseBuildRequest(payload: unknown): BuildRequest {
  const p = payload as Partial<BuildRequest> | null;
  if (!p || typeof p !== 'object') throw new BuildRequestError('A build request must be an object');
  if (typeof p.uuid !== 'string' || !UUID_RE.test(p.uuid)) {
    throw new BuildRequestError(
      `A build request needs a uuid of letters, digits, "_" and "-": ${JSON.stringify(p.uuid)}`,
    );
  }
  if (!p.job || typeof p.job !== 'object' || typeof p.job.name !== 'string') {
    throw new BuildRequestError(`The build request ${p.uuid} has no job`);
  }
  return p as BuildRequest;
}

export class RunningBuild {
  readonly abort = new AbortController();
  reason?: StopReason;
  /** Unix ms: claimed, and when the first playbook started (preparation done). */
  readonly claimedAt = Date.now();
  firstPlaybookAt?: number;
  /** The build paused (zuul_return pause) and waits for its requester's resume. */
  paused = false;
  private resumed?: () => void;
  /** Event writes, in order. */
  private chain: Promise<void> = Promise.resolve();

  constructor(
    readonly claim: ClaimedRequest,
    readonly request: BuildRequest,
  ) {}

  get uuid(): string {
    return this.request.uuid;
  }

  /** Preparation is over once a playbook runs (the governor's "starting" count). */
  get starting(): boolean {
    return this.firstPlaybookAt === undefined;
  }

  /** Stops the build for `reason` (the first reason given wins). */
  stop(reason: StopReason): void {
    this.reason ??= reason;
    this.abort.abort(new Error(`build stopped: ${reason}`));
  }

  /** Queues an event write after the previous ones. */
  enqueue(write: () => Promise<void>): void {
    this.chain = this.chain.then(write);
  }

  /** Waits until every queued event is written. */
  flushed(): Promise<void> {
    return this.chain;
  }

  /** Resolves when resume() is called or `signal` aborts. */
  waitForResume(signal: AbortSignal): Promise<void> {
    this.paused = true;
    return new Promise<void>((res) => {
      const done = () => {
        this.paused = false;
        this.resumed = undefined;
        signal.removeEventListener('abort', done);
        res();
      };
      this.resumed = done;
      if (signal.aborted) done();
      else signal.addEventListener('abort', done, { once: true });
    });
  }

  resume(): void {
    this.resumed?.();
  }
}

/** A result the service reports when runBuild gave none. */
export function serviceResult(
  request: BuildRequest,
  result: BuildResultName,
  detail: string,
  executorHostname: string,
): BuildResultPayload {
  return {
    uuid: request.uuid,
    result,
    errorDetail: detail,
    logUrl: null,
    data: {},
    secretData: {},
    artifacts: [],
    warnings: [],
    fileComments: null,
    childJobs: null,
    unreachable: false,
    earlyFailure: false,
    startTime: null,
    endTime: new Date().toISOString(),
    executorHostname,
    playbooks: [],
  };
}

/**
 * What an unexpected executor error means for the build: Zuul retries it
 * (no result), unless this was the job's last attempt.
 */
export function retryResult(request: BuildRequest): BuildResultName {
  return request.attempt >= (request.job.attempts ?? 1) ? 'RETRY_LIMIT' : 'RETRY';
}
