// What an item reports when it leaves a pipeline, and what its buildset's
// result is (semantics §E.8, §H rules 12 and 13).

import type { ReporterAction } from '../pipeline.js';

/** Results a build (one job of a buildset) can end with. */
export type BuildResult =
  | 'SUCCESS'
  | 'FAILURE'
  | 'POST_FAILURE'
  | 'TIMED_OUT'
  | 'RETRY_LIMIT'
  | 'ABORTED'
  | 'SKIPPED'
  | 'NODE_FAILURE'
  | 'MERGE_CONFLICT'
  | 'CONFIG_ERROR'
  | 'DISK_FULL'
  | 'ERROR'
  | (string & {});

export type BuildsetResult =
  | 'SUCCESS'
  | 'FAILURE'
  | 'NO_JOBS'
  | 'CONFIG_ERROR'
  | 'MERGE_CONFLICT'
  | 'MERGE_FAILURE'
  | 'DEQUEUED'
  | 'ERROR';

/** One job of the item's frozen graph and how it ended. */
export interface JobOutcome {
  name: string;
  voting: boolean;
  /** The final build's result; undefined when the job never got a build. */
  result?: BuildResult;
}

/** What is known about an item when it is reported. */
export interface ItemReportState {
  /** The item's project has a section for this pipeline (in the item's layout, else the tenant's). */
  participates: boolean;
  /** Every job of the frozen job graph (empty when there is none). */
  jobs: readonly JobOutcome[];
  /** The item's layout has errors that block it. */
  configErrors: boolean;
  mergeConflict: boolean;
  /** Set when the item was dequeued because a change it needs is missing or failed. */
  dequeuedNeedingChange?: string;
  dequeuedMissingRequirements: boolean;
}

export interface ReportDecision {
  action: ReporterAction;
  result: BuildsetResult;
}

/**
 * Voting jobs decide: each needs a build that ended SUCCESS or SKIPPED (a
 * voting job with no build fails the item), non-voting jobs never fail it,
 * and an item whose every job was skipped has not succeeded either.
 */
export function allJobsSucceeded(jobs: readonly JobOutcome[]): boolean {
  if (jobs.length === 0) return false;
  if (jobs.every((j) => j.result === 'SKIPPED')) return false;
  return jobs.every((j) => !j.voting || j.result === 'SUCCESS' || j.result === 'SKIPPED');
}

/**
 * The reporter action and buildset result, in Zuul's order of precedence.
 * A project that does not take part in the pipeline reports `no-jobs`
 * before anything else, so its config errors and merge conflicts are never
 * reported there.
 */
export function chooseReport(item: ItemReportState): ReportDecision {
  const noJobs = item.jobs.length === 0;
  if (noJobs && !item.participates) return { action: 'no-jobs', result: 'NO_JOBS' };
  if (item.configErrors) return { action: 'config-error', result: 'CONFIG_ERROR' };
  if (item.mergeConflict) return { action: 'merge-conflict', result: 'MERGE_CONFLICT' };
  if (item.dequeuedNeedingChange !== undefined) return { action: 'failure', result: 'FAILURE' };
  if (item.dequeuedMissingRequirements) return { action: 'failure', result: 'FAILURE' };
  if (noJobs) return { action: 'no-jobs', result: 'NO_JOBS' };
  if (allJobsSucceeded(item.jobs)) return { action: 'success', result: 'SUCCESS' };
  return { action: 'failure', result: 'FAILURE' };
}

/**
 * A dependent pipeline checks after reporting that the code review system
 * merged every change; a reported success that did not merge becomes
 * MERGE_FAILURE, which fails the item.
 */
export function resultAfterMerge(
  decision: ReportDecision,
  allChangesMerged: boolean,
): BuildsetResult {
  if (decision.action === 'success' && !allChangesMerged) return 'MERGE_FAILURE';
  return decision.result;
}

/** Whether a dependent pipeline's item counts as succeeded (rule 13). */
export function itemSucceeded(
  decision: ReportDecision,
  dependent: boolean,
  allChangesMerged: boolean,
): boolean {
  if (decision.result !== 'SUCCESS') return false;
  return !dependent || allChangesMerged;
}

/**
 * How the report moves a dependent queue's window: it grows on a success
 * that merged, shrinks when the jobs did not all succeed, and stays put for
 * a success the code review system refused to merge.
 */
export function windowEffect(
  decision: ReportDecision,
  allChangesMerged: boolean,
): 'grow' | 'shrink' | 'none' {
  if (decision.action !== 'success') return 'shrink';
  return allChangesMerged ? 'grow' : 'none';
}

/**
 * Where the failure report of a refused enqueue (cycle not allowed, too
 * many changes, queue mismatch) goes: to the `failure` reporters, only when
 * the project takes part in the pipeline; otherwise nowhere.
 */
export function refusedEnqueueAction(participates: boolean): ReporterAction | undefined {
  return participates ? 'failure' : undefined;
}
