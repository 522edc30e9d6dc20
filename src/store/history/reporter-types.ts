// What the scheduler tells the SQL reporter (reporter.ts). Plain data, so a
// report can wait in the outbox and be written later, or again.
//
// Times are Unix milliseconds. A time left out is the time of the call, not
// of the (possibly much later) write.

/** A ref or change, as Zuul's zuul_ref row records it. */
export interface RefInfo {
  /** The project's short name (`org/project`), as Zuul stores it. */
  project: string;
  /** `refs/changes/01/1/1`, `refs/heads/main`, `refs/tags/v1`… */
  ref?: string | null;
  refUrl?: string | null;
  /** Change number; null (or 0) for a ref that is not a change. */
  change?: number | null;
  patchset?: string | null;
  oldrev?: string | null;
  newrev?: string | null;
  branch?: string | null;
}

/** A queue item's buildset. Every build report carries it too, so a lost creation is repaired. */
export interface BuildsetInfo {
  uuid: string;
  tenant: string;
  pipeline: string;
  /** The triggering event's zuul_event_id. */
  eventId?: string | null;
  /** The triggering event's time (ms). */
  eventTimestamp?: number | null;
  /** Every change of the item (several for a dependency cycle). */
  refs: RefInfo[];
  /**
   * The `triggered` buildset event's description (Zuul: "Triggered by
   * <change>"); none is recorded when absent. Its time is eventTimestamp.
   */
  triggeredBy?: string | null;
}

export interface BuildStart {
  buildset: BuildsetInfo;
  uuid: string;
  jobName: string;
  /** The change this build ran for: one of the buildset's refs. */
  ref: RefInfo;
  /** Default: the time of the call. */
  startTime?: number;
  voting: boolean;
  nodeset?: string | null;
}

export interface ArtifactInfo {
  name: string;
  url: string;
  /** A mapping, stored as JSON; left out when the artifact has none. */
  metadata?: Record<string, unknown>;
}

export interface EventInfo {
  /** ms. */
  eventTime: number;
  eventType: string;
  description?: string | null;
}

export interface BuildEnd extends BuildStart {
  /** SUCCESS, FAILURE, SKIPPED, … */
  result: string;
  /** Default: the time of the call. */
  endTime?: number;
  logUrl?: string | null;
  errorDetail?: string | null;
  /** False when the build will be retried. */
  final: boolean;
  held: boolean;
  artifacts?: ArtifactInfo[];
  /** The job's `provides` names. */
  provides?: string[];
  events?: EventInfo[];
}

export interface BuildsetEnd {
  buildset: BuildsetInfo;
  /** SUCCESS, FAILURE, DEQUEUED, NO_JOBS, MERGE_CONFLICT, … */
  result: string | null;
  /** The item report (Zuul records it only for a final report). */
  message?: string | null;
  /** When the buildset ended; its `updated` time (default: the time of the call). */
  time?: number;
}

export interface SystemEventInfo {
  tenant: string;
  eventId?: string | null;
  /** Default: the time of the call. */
  eventTime?: number;
  eventType: string;
  description?: string | null;
}

/** One queued report, with every default already filled in. */
export type Report =
  | { kind: 'buildset-created'; buildset: BuildsetInfo; at: number }
  | { kind: 'build-started'; build: BuildStart; startTime: number }
  | { kind: 'build-completed'; build: BuildEnd; startTime: number; endTime: number }
  | { kind: 'buildset-completed'; end: BuildsetEnd; at: number }
  | { kind: 'system-event'; event: SystemEventInfo; eventTime: number };
