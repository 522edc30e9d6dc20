// What the build-history readers take and give: filters already parsed
// from the query string (src/web/routes/history-params.ts does that), and
// the JSON shapes of Zuul's history endpoints (API reference §10-15, §49).

/** Filters of /builds (reference §13). Lists are OR'ed; absent means no filter. */
export interface BuildFilters {
  /** `*` wildcards allowed (fuzzy). */
  project?: string[];
  pipeline?: string[];
  branch?: string[];
  job_name?: string[];
  /** Exact. */
  change?: number[];
  patchset?: string[];
  ref?: string[];
  newrev?: string[];
  uuid?: string[];
  nodeset?: string[];
  result?: string[];
  voting?: boolean[];
  held?: boolean[];
  exclude_result?: string[];
  /** true: final builds only; false: non-final only. */
  final?: boolean;
  /** true: builds with a result; false: builds still running. */
  complete?: boolean;
  /** Inclusive bounds on the build id. */
  idx_min?: number;
  idx_max?: number;
}

/** Filters of /buildsets (reference §15): a buildset matches if any of its refs does. */
export interface BuildsetFilters {
  project?: string[];
  pipeline?: string[];
  branch?: string[];
  change?: number[];
  patchset?: string[];
  ref?: string[];
  newrev?: string[];
  uuid?: string[];
  result?: string[];
  exclude_result?: string[];
  complete?: boolean;
  idx_min?: number;
  idx_max?: number;
}

/** Filters of /build-times (reference §11): all exact. */
export interface BuildTimeFilters {
  project?: string[];
  pipeline?: string[];
  branch?: string[];
  ref?: string[];
  job_name?: string[];
  final?: boolean;
  exclude_result?: string[];
  /** Unix ms bounds on the build's end time (both inclusive). */
  start_time?: number;
  end_time?: number;
}

/** Filters of /badge (reference §10): fuzzy, like /buildsets. */
export interface BadgeFilters {
  project?: string[];
  pipeline?: string[];
  branch?: string[];
}

export interface SystemEventFilters {
  event_type?: string[];
}

export interface Page {
  limit: number;
  skip: number;
}

export interface RefJson {
  project: string;
  branch: string | null;
  change: number | null;
  patchset: string | null;
  ref: string | null;
  oldrev: string | null;
  newrev: string | null;
  ref_url: string | null;
}

export interface ArtifactJson {
  name: string;
  url: string;
  metadata?: Record<string, unknown>;
}

/** A build inside a buildset: no pipeline, event or buildset keys. */
export interface BuildJson {
  _id: number;
  uuid: string;
  job_name: string;
  result: string | null;
  held: boolean | null;
  start_time: string | null;
  end_time: string | null;
  duration: number | null;
  voting: boolean | null;
  log_url: string | null;
  nodeset: string | null;
  error_detail: string | null;
  final: boolean | null;
  artifacts: ArtifactJson[];
  provides: { name: string }[];
  ref: RefJson;
}

/** A build on its own (/builds, /build/{uuid}). */
export interface TopBuildJson extends BuildJson {
  pipeline: string;
  event_id: string | null;
  event_timestamp: string | null;
  /** `refs` only in /build/{uuid}. */
  buildset: { uuid: string; refs?: RefJson[] };
}

export interface BuildsetEventJson {
  event_time: string | null;
  event_type: string;
  description: string | null;
}

export interface BuildsetJson {
  _id: number;
  uuid: string;
  result: string | null;
  message: string | null;
  pipeline: string;
  event_id: string | null;
  event_timestamp: string | null;
  first_build_start_time: string | null;
  last_build_end_time: string | null;
  refs: RefJson[];
  /** Only in /buildset/{uuid}, and only when not empty. */
  builds?: BuildJson[];
  events?: BuildsetEventJson[];
}

export interface BuildTimeJson {
  _id: number;
  uuid: string;
  job_name: string;
  result: string | null;
  start_time: string | null;
  end_time: string | null;
  duration: number | null;
  final: boolean | null;
  project: string;
  branch: string | null;
  pipeline: string;
  ref: string | null;
}

export interface SystemEventJson {
  event_id: string | null;
  event_time: string | null;
  event_type: string;
  description: string | null;
}
