// Query parameters of the history endpoints (reference §10-15, §49),
// parsed into the store's filter objects. Repeated parameters are lists
// (OR'ed); a comma is never a separator. Zuul's odd cases are kept:
// `final`/`complete` mean "only the others" for any value but `true`, an
// idx bound of 0 is applied. Where Zuul would fail with a 500 (a
// non-integer limit, skip or change, a repeated single-valued parameter,
// an unparsable time), the answer here is a 400 saying what is wrong.

import { parseTimeParam } from '../../store/history/time.js';
import type {
  BadgeFilters,
  BuildFilters,
  BuildsetFilters,
  BuildTimeFilters,
  Page,
  SystemEventFilters,
} from '../../store/history/types.js';
import { HttpError } from '../http.js';

export type Query = Record<string, string | string[] | undefined>;

const INT_RE = /^\s*[-+]?\d+\s*$/;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function bad(message: string): never {
  throw new HttpError(400, message);
}

/** Every value of a parameter (absent → undefined). */
export function listOf(q: Query, name: string): string[] | undefined {
  const v = q[name];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v : [v];
}

function single(q: Query, name: string): string | undefined {
  const v = q[name];
  if (Array.isArray(v)) bad(`${name} must be given at most once`);
  return v;
}

function toInt(value: string): number | undefined {
  if (!INT_RE.test(value)) return undefined;
  const big = BigInt(value.trim());
  if (big > MAX_SAFE || big < -MAX_SAFE) return undefined;
  return Number(big);
}

function nonNegative(q: Query, name: string, dflt: number): number {
  const v = single(q, name);
  if (v === undefined) return dflt;
  const n = toInt(v);
  if (n === undefined || n < 0) bad(`${name} must be a non-negative integer`);
  return n;
}

/** `limit` (default 50, no maximum, as in Zuul) and `skip` (default 0). */
export function pageOf(q: Query): Page {
  return { limit: nonNegative(q, 'limit', 50), skip: nonNegative(q, 'skip', 0) };
}

/** `idx_min`/`idx_max`: integers or 400 with Zuul's message; 0 is a bound too. */
function idxBounds(q: Query): { idx_min?: number; idx_max?: number } {
  const out: { idx_min?: number; idx_max?: number } = {};
  for (const name of ['idx_min', 'idx_max'] as const) {
    const values = listOf(q, name);
    if (values === undefined) continue;
    const n = values.length === 1 ? toInt(values[0]!) : undefined;
    if (n === undefined) bad('idx_min, idx_max must be integers');
    out[name] = n;
  }
  return out;
}

/** `true` in any case → true; any other value → false; absent → undefined. */
function trueOrOthers(q: Query, name: string): boolean | undefined {
  const v = single(q, name);
  if (v === undefined) return undefined;
  return v.toLowerCase() === 'true';
}

function changes(q: Query): number[] | undefined {
  const values = listOf(q, 'change');
  if (!values) return undefined;
  return values.map((v) => toInt(v) ?? bad(`change must be an integer: "${v.slice(0, 100)}"`));
}

const TRUE = new Set(['1', 'true', 't', 'yes', 'y', 'on']);
const FALSE = new Set(['0', 'false', 'f', 'no', 'n', 'off']);

/** Boolean columns compared with the given strings, as the database would read them. */
function booleans(q: Query, name: string): boolean[] | undefined {
  const values = listOf(q, name);
  if (!values) return undefined;
  return values.map((v) => {
    const s = v.trim().toLowerCase();
    if (TRUE.has(s)) return true;
    if (FALSE.has(s)) return false;
    return bad(`${name} must be true or false (or 1 or 0): "${v.slice(0, 100)}"`);
  });
}

function strings<K extends string>(q: Query, names: readonly K[]): Partial<Record<K, string[]>> {
  const out: Partial<Record<K, string[]>> = {};
  for (const name of names) {
    const values = listOf(q, name);
    if (values) out[name] = values;
  }
  return out;
}

export function buildFiltersOf(q: Query): BuildFilters {
  return {
    ...strings(q, [
      'project',
      'pipeline',
      'branch',
      'job_name',
      'patchset',
      'ref',
      'newrev',
      'uuid',
      'nodeset',
      'result',
      'exclude_result',
    ] as const),
    change: changes(q),
    voting: booleans(q, 'voting'),
    held: booleans(q, 'held'),
    final: trueOrOthers(q, 'final'),
    complete: trueOrOthers(q, 'complete'),
    ...idxBounds(q),
  };
}

export function buildsetFiltersOf(q: Query): BuildsetFilters {
  // Unlike /builds, an empty `complete` is no filter at all.
  const complete = single(q, 'complete');
  return {
    ...strings(q, [
      'project',
      'pipeline',
      'branch',
      'patchset',
      'ref',
      'newrev',
      'uuid',
      'result',
      'exclude_result',
    ] as const),
    change: changes(q),
    complete: complete ? complete.toLowerCase() === 'true' : undefined,
    ...idxBounds(q),
  };
}

function timeParam(q: Query, name: string): number | undefined {
  const v = single(q, name);
  if (v === undefined || v === '') return undefined;
  const ms = parseTimeParam(v);
  if (ms === undefined) {
    bad(`${name} must be a date and time like 2025-01-31T00:00:00: "${v.slice(0, 100)}"`);
  }
  return ms;
}

export function buildTimeFiltersOf(q: Query): BuildTimeFilters {
  return {
    ...strings(q, ['project', 'pipeline', 'branch', 'ref', 'job_name', 'exclude_result'] as const),
    final: trueOrOthers(q, 'final'),
    start_time: timeParam(q, 'start_time'),
    end_time: timeParam(q, 'end_time'),
  };
}

export function badgeFiltersOf(q: Query): BadgeFilters {
  return strings(q, ['project', 'pipeline', 'branch'] as const);
}

export function systemEventFiltersOf(q: Query): SystemEventFilters {
  return strings(q, ['event_type'] as const);
}

/** Documentation of one query parameter, for the route schemas. */
export function queryParam(description: string) {
  return {
    description,
    anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
  } as const;
}

const FUZZY = 'Exact match, or with `*` wildcards; repeat for several values';
const EXACT = 'Exact match; repeat for several values';

export const PAGE_PARAMS = {
  limit: queryParam('Most results to return (default 50)'),
  skip: queryParam('Results to skip (default 0)'),
} as const;

export const BUILD_QUERY = {
  type: 'object',
  properties: {
    project: queryParam(`Project short name. ${FUZZY}`),
    pipeline: queryParam(`Pipeline. ${FUZZY}`),
    branch: queryParam(`Branch. ${FUZZY}`),
    job_name: queryParam(`Job name. ${FUZZY}`),
    change: queryParam(`Change number. ${EXACT}`),
    patchset: queryParam(`Patchset. ${EXACT}`),
    ref: queryParam(`Git ref. ${EXACT}`),
    newrev: queryParam(`New revision. ${EXACT}`),
    uuid: queryParam(`Build UUID. ${EXACT}`),
    voting: queryParam('Voting builds (true/1) or non-voting (false/0)'),
    nodeset: queryParam(`Nodeset. ${EXACT}`),
    result: queryParam(`Result. ${EXACT}`),
    exclude_result: queryParam('Leave out builds with this result (and running ones); repeatable'),
    final: queryParam('`true`: final builds only; any other value: non-final only'),
    held: queryParam('Held builds (true/1) or not (false/0)'),
    complete: queryParam('`true`: finished builds only; any other value: running only'),
    idx_min: queryParam('Smallest build `_id` (inclusive)'),
    idx_max: queryParam('Largest build `_id` (inclusive)'),
    ...PAGE_PARAMS,
  },
} as const;

export const BUILDSET_QUERY = {
  type: 'object',
  properties: {
    project: queryParam(`Project short name of any of the refs. ${FUZZY}`),
    pipeline: queryParam(`Pipeline. ${FUZZY}`),
    branch: queryParam(`Branch. ${FUZZY}`),
    change: queryParam(`Change number. ${EXACT}`),
    patchset: queryParam(`Patchset. ${EXACT}`),
    ref: queryParam(`Git ref. ${EXACT}`),
    newrev: queryParam(`New revision. ${EXACT}`),
    uuid: queryParam(`Buildset UUID. ${EXACT}`),
    result: queryParam(`Result. ${EXACT}`),
    exclude_result: queryParam('Leave out buildsets with this result (and running ones)'),
    complete: queryParam(
      '`true`: finished buildsets only; another non-empty value: running only; empty: both',
    ),
    idx_min: queryParam('Smallest buildset `_id` (inclusive)'),
    idx_max: queryParam('Largest buildset `_id` (inclusive)'),
    ...PAGE_PARAMS,
  },
} as const;

export const BUILD_TIMES_QUERY = {
  type: 'object',
  properties: {
    project: queryParam(`Project short name. ${EXACT}`),
    pipeline: queryParam(`Pipeline. ${EXACT}`),
    branch: queryParam(`Branch. ${EXACT}`),
    ref: queryParam(`Git ref. ${EXACT}`),
    job_name: queryParam(`Job name. ${EXACT}`),
    final: queryParam('`true`: final builds only; any other value: non-final only'),
    start_time: queryParam('Builds that ended at or after this UTC time (2025-01-31T00:00:00)'),
    end_time: queryParam('Builds that ended at or before this UTC time'),
    exclude_result: queryParam('Leave out builds with this result; repeatable'),
    ...PAGE_PARAMS,
  },
} as const;
