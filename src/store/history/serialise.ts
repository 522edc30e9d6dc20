// Database rows to Zuul's JSON shapes. Zuul stores an absent change as 0
// and absent patchset/revisions as '' (its columns are NOT NULL); both
// read back as null, so rows written either way look the same.

import { durationOf, type StoredMs, zuulTime } from './time.js';
import type {
  ArtifactJson,
  BuildJson,
  BuildsetEventJson,
  BuildsetJson,
  BuildTimeJson,
  RefJson,
  SystemEventJson,
  TopBuildJson,
} from './types.js';

export interface RefRow {
  project: string;
  branch: string | null;
  change: number | string | null;
  patchset: string | null;
  ref: string | null;
  oldrev: string | null;
  newrev: string | null;
  ref_url: string | null;
}

/** A build joined with its ref (columns prefixed `r_`) and buildset (`bs_`). */
export interface BuildRow {
  id: number | string;
  uuid: string;
  job_name: string;
  result: string | null;
  held: number | null;
  start_time: StoredMs;
  end_time: StoredMs;
  voting: number | null;
  log_url: string | null;
  nodeset: string | null;
  error_detail: string | null;
  final: number | null;
  buildset_id: number | string;
  bs_uuid: string;
  bs_pipeline: string;
  bs_event_id: string | null;
  bs_event_timestamp: StoredMs;
  r_project: string;
  r_branch: string | null;
  r_change: number | string | null;
  r_patchset: string | null;
  r_ref: string | null;
  r_oldrev: string | null;
  r_newrev: string | null;
  r_ref_url: string | null;
}

export interface BuildsetRow {
  id: number | string;
  uuid: string;
  result: string | null;
  message: string | null;
  pipeline: string;
  event_id: string | null;
  event_timestamp: StoredMs;
  first_build_start_time: StoredMs;
  last_build_end_time: StoredMs;
}

export interface ArtifactRow {
  build_id: number | string;
  name: string;
  url: string;
  meta: string | null;
}

export interface EventRow {
  event_id?: string | null;
  event_time: StoredMs;
  event_type: string;
  description: string | null;
}

function blankToNull(v: string | null): string | null {
  return v === '' ? null : v;
}

function flag(v: number | string | boolean | null): boolean | null {
  if (v === null || v === undefined) return null;
  return Number(v) !== 0;
}

export function refJson(r: RefRow): RefJson {
  return {
    project: r.project,
    branch: r.branch,
    change: changeNumber(r.change),
    patchset: blankToNull(r.patchset),
    ref: r.ref,
    oldrev: blankToNull(r.oldrev),
    newrev: blankToNull(r.newrev),
    ref_url: r.ref_url,
  };
}

function changeNumber(v: number | string | null): number | null {
  if (v === null) return null;
  const change = Number(v);
  return change === 0 || Number.isNaN(change) ? null : change;
}

// Built field by field rather than through refJson: a page has one per row.
function buildRef(b: BuildRow): RefJson {
  return {
    project: b.r_project,
    branch: b.r_branch,
    change: changeNumber(b.r_change),
    patchset: blankToNull(b.r_patchset),
    ref: b.r_ref,
    oldrev: blankToNull(b.r_oldrev),
    newrev: blankToNull(b.r_newrev),
    ref_url: b.r_ref_url,
  };
}

/**
 * Artifact metadata is a JSON object when present; text that does not
 * parse (written by something else) is shown as it is rather than lost.
 */
export function artifactJson(a: ArtifactRow): ArtifactJson {
  const out: ArtifactJson = { name: a.name, url: a.url };
  if (a.meta) {
    try {
      out.metadata = JSON.parse(a.meta) as Record<string, unknown>;
    } catch {
      out.metadata = { value: a.meta };
    }
  }
  return out;
}

export interface BuildChildren {
  artifacts: ArtifactJson[];
  provides: { name: string }[];
}

/** A build as it appears inside a buildset. */
export function buildJson(b: BuildRow, children?: BuildChildren): BuildJson {
  return {
    _id: Number(b.id),
    uuid: b.uuid,
    job_name: b.job_name,
    result: b.result,
    held: flag(b.held),
    start_time: zuulTime(b.start_time),
    end_time: zuulTime(b.end_time),
    duration: durationOf(b.start_time, b.end_time),
    voting: flag(b.voting),
    log_url: b.log_url,
    nodeset: b.nodeset,
    error_detail: b.error_detail,
    final: flag(b.final),
    artifacts: children?.artifacts ?? [],
    provides: children?.provides ?? [],
    ref: buildRef(b),
  };
}

/** A build on its own, with its buildset's pipeline, event and uuid (and refs). */
export function topBuildJson(
  b: BuildRow,
  children?: BuildChildren,
  buildsetRefs?: RefJson[],
): TopBuildJson {
  const buildset: TopBuildJson['buildset'] = { uuid: b.bs_uuid };
  if (buildsetRefs) buildset.refs = buildsetRefs;
  // Extended in place: spreading buildJson's result copied every build of a
  // page once more.
  const json = buildJson(b, children) as TopBuildJson;
  json.pipeline = b.bs_pipeline;
  json.event_id = b.bs_event_id;
  json.event_timestamp = zuulTime(b.bs_event_timestamp);
  json.buildset = buildset;
  return json;
}

export function buildsetJson(
  bs: BuildsetRow,
  refs: RefJson[],
  builds?: BuildJson[],
  events?: BuildsetEventJson[],
): BuildsetJson {
  const out: BuildsetJson = {
    _id: Number(bs.id),
    uuid: bs.uuid,
    result: bs.result,
    message: bs.message,
    pipeline: bs.pipeline,
    event_id: bs.event_id,
    event_timestamp: zuulTime(bs.event_timestamp),
    first_build_start_time: zuulTime(bs.first_build_start_time),
    last_build_end_time: zuulTime(bs.last_build_end_time),
    refs,
  };
  // Zuul leaves both keys out rather than sending an empty list.
  if (builds?.length) out.builds = builds;
  if (events?.length) out.events = events;
  return out;
}

export function buildsetEventJson(e: EventRow): BuildsetEventJson {
  return {
    event_time: zuulTime(e.event_time),
    event_type: e.event_type,
    description: e.description,
  };
}

export function buildTimeJson(b: BuildRow): BuildTimeJson {
  return {
    _id: Number(b.id),
    uuid: b.uuid,
    job_name: b.job_name,
    result: b.result,
    start_time: zuulTime(b.start_time),
    end_time: zuulTime(b.end_time),
    duration: durationOf(b.start_time, b.end_time),
    final: flag(b.final),
    project: b.r_project,
    branch: b.r_branch,
    pipeline: b.bs_pipeline,
    ref: b.r_ref,
  };
}

export function systemEventJson(e: EventRow): SystemEventJson {
  return {
    event_id: e.event_id ?? null,
    event_time: zuulTime(e.event_time),
    event_type: e.event_type,
    description: e.description,
  };
}
