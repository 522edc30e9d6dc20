// A pipeline as defined by a `- pipeline:` stanza (semantics §C.1), with
// Zuul's defaults applied. Pure data: the scheduler builds managers and
// queues from it; the driver-specific parts (trigger filters, requirements,
// reporter settings) stay as the validated mappings from the configuration
// so each driver interprets its own.

import type { SourceContext } from './config-error.js';

export const PIPELINE_MANAGERS = ['independent', 'dependent', 'serial', 'supercedent'] as const;
export type PipelineManagerName = (typeof PIPELINE_MANAGERS)[number];

export const PRECEDENCES = ['high', 'normal', 'low'] as const;
export type Precedence = (typeof PRECEDENCES)[number];

export const WINDOW_ADJUST_TYPES = ['linear', 'exponential'] as const;
export type WindowAdjustType = (typeof WINDOW_ADJUST_TYPES)[number];

/** Report actions, in the order Zuul lists them; each is a pipeline attribute. */
export const REPORTER_ACTIONS = [
  'enqueue',
  'start',
  'success',
  'failure',
  'merge-conflict',
  'config-error',
  'no-jobs',
  'disabled',
  'dequeue',
] as const;
export type ReporterAction = (typeof REPORTER_ACTIONS)[number];

/** One event filter: `trigger: {<connection>: [<filter>, ...]}`. */
export interface PipelineTrigger {
  connection: string;
  /** The filter mapping as written (validated by the connection's driver). */
  filter: Readonly<Record<string, unknown>>;
}

/** `require` / `reject` conditions for changes from one connection. */
export interface PipelineRequirement {
  connection: string;
  config: Readonly<Record<string, unknown>>;
}

/** One reporter of an action: `success: {<connection>: <config>}`. */
export interface PipelineReporter {
  connection: string;
  config: Readonly<Record<string, unknown>>;
}

export const DEFAULT_MERGE_CONFLICT_MESSAGE =
  'Merge Failed.\n\nThis change or one of its cross-repo dependencies was unable to be ' +
  'automatically merged with the current state of its repository. Please rebase the ' +
  'change and upload a new patchset.';

export interface Pipeline {
  name: string;
  manager: PipelineManagerName;
  description?: string;
  precedence: Precedence;
  /** Runs reviewed/merged code; jobs marked post-review may run only here. */
  postReview: boolean;
  dequeueOnNewPatchset: boolean;
  ignoreDependencies: boolean;
  /** When false, every change entering must come from a connection in `connections`. */
  allowOtherConnections: boolean;
  /** Pipelines whose items for the same change are removed on enqueue here (existence checked by the layout). */
  supercedes: string[];

  successMessage: string;
  failureMessage: string;
  mergeConflictMessage: string;
  /** Python format template; fields `{pipeline.name}` and `{item_url}`. */
  startMessage: string;
  /** Python format template; fields `{pipeline.name}` and `{item_url}`. */
  enqueueMessage: string;
  /** Python format template; fields `{pipeline.name}` and `{item_url}`. */
  noJobsMessage: string;
  dequeueMessage: string;
  /** Appended to every report. */
  footerMessage: string;

  /** Every trigger filter of every connection; an event matching any one enqueues. */
  triggers: PipelineTrigger[];
  requires: PipelineRequirement[];
  rejects: PipelineRequirement[];
  /**
   * Reporters per action. `merge-conflict` and `config-error` already hold
   * the `failure` reporters when the stanza gave none (Zuul's fallback).
   */
  reporters: Record<ReporterAction, PipelineReporter[]>;
  /** Every connection named in trigger, require, reject, then reporter sections (no repeats). */
  connections: string[];

  /** Disable the pipeline after this many consecutive failed reports; null = never. */
  disableAfterConsecutiveFailures: number | null;
  /** Dependent pipelines: initial window; 0 = unlimited. */
  window: number;
  windowFloor: number;
  /** null = unlimited. */
  windowCeiling: number | null;
  windowIncreaseType: WindowAdjustType;
  windowIncreaseFactor: number;
  windowDecreaseType: WindowAdjustType;
  windowDecreaseFactor: number;

  /** Where the stanza was defined. */
  sourceContext: SourceContext;
}

export type PipelineDefaults = Pick<
  Pipeline,
  | 'precedence'
  | 'postReview'
  | 'dequeueOnNewPatchset'
  | 'ignoreDependencies'
  | 'allowOtherConnections'
  | 'successMessage'
  | 'failureMessage'
  | 'mergeConflictMessage'
  | 'startMessage'
  | 'enqueueMessage'
  | 'noJobsMessage'
  | 'dequeueMessage'
  | 'footerMessage'
  | 'disableAfterConsecutiveFailures'
  | 'window'
  | 'windowFloor'
  | 'windowCeiling'
  | 'windowIncreaseType'
  | 'windowIncreaseFactor'
  | 'windowDecreaseType'
  | 'windowDecreaseFactor'
>;

/** Values a stanza gets for attributes it leaves out. */
export const PIPELINE_DEFAULTS: Readonly<PipelineDefaults> = {
  precedence: 'normal',
  postReview: false,
  dequeueOnNewPatchset: true,
  ignoreDependencies: false,
  allowOtherConnections: true,
  // Zuul's docs say "Build successful."; the code (which users see) says this.
  successMessage: 'Build succeeded.',
  failureMessage: 'Build failed.',
  mergeConflictMessage: DEFAULT_MERGE_CONFLICT_MESSAGE,
  startMessage: 'Starting {pipeline.name} jobs.',
  enqueueMessage: '',
  noJobsMessage: '',
  dequeueMessage: 'Build canceled.',
  footerMessage: '',
  disableAfterConsecutiveFailures: null,
  window: 20,
  windowFloor: 3,
  windowCeiling: null,
  windowIncreaseType: 'linear',
  windowIncreaseFactor: 1,
  windowDecreaseType: 'exponential',
  windowDecreaseFactor: 2,
};

/** An empty reporter set for every action. */
export function emptyReporters(): Record<ReporterAction, PipelineReporter[]> {
  return Object.fromEntries(REPORTER_ACTIONS.map((a) => [a, []])) as unknown as Record<
    ReporterAction,
    PipelineReporter[]
  >;
}
