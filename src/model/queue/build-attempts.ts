// What the scheduler does with a build's outcome: record it, or retry the
// job with a new build (semantics §F.8, §H rule 14).

/** `undefined` is the executor's "no result": a retryable outcome. */
export type ExecutorOutcome = string | undefined;

export type AttemptDecision =
  /** Run the job again; the finished try is recorded as RETRY. */
  { retry: true; recordAs: 'RETRY' } | { retry: false; result: string };

/**
 * `attempt` is this try's number (1 for the first); `attempts` the job's
 * limit. Retryable outcomes on the last allowed try become RETRY_LIMIT.
 * ABORTED (the executor went away) is always tried again; an executor-side
 * MERGE_CONFLICT is, while tries remain. A build cancelled by Zuul itself
 * is never retried.
 */
export function decideAttempt(
  outcome: ExecutorOutcome,
  attempt: number,
  attempts: number,
  cancelledByZuul = false,
): AttemptDecision {
  if (cancelledByZuul) return { retry: false, result: outcome ?? 'CANCELED' };
  if (outcome === 'ABORTED') return { retry: true, recordAs: 'RETRY' };
  const triesLeft = attempt < attempts;
  if (outcome === undefined || outcome === 'RETRY') {
    return triesLeft ? { retry: true, recordAs: 'RETRY' } : { retry: false, result: 'RETRY_LIMIT' };
  }
  if (outcome === 'MERGE_CONFLICT' && triesLeft) return { retry: true, recordAs: 'RETRY' };
  return { retry: false, result: outcome };
}

/**
 * The result after the post-run phase: a failed post playbook turns a run
 * phase's SUCCESS or FAILURE into POST_FAILURE, but a timeout or a pending
 * retry stands.
 */
export function resultAfterPostRun(
  runResult: ExecutorOutcome,
  postFailed: boolean,
): ExecutorOutcome {
  if (!postFailed) return runResult;
  if (runResult === undefined || runResult === 'TIMED_OUT' || runResult === 'ABORTED') {
    return runResult;
  }
  return 'POST_FAILURE';
}
