// Renderings used inside error texts and inheritance paths. Zuul's messages
// embed Python reprs (`{'a': 1}`, `<Job build …>`); we produce the same
// look so users (and tests ported from Zuul) see familiar texts.

import type { JobVariant } from '../job.js';
import type { ZuulRegex } from '../regex.js';

/** Python's repr of plain data (dicts, lists, strings, numbers, booleans, None). */
export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'string') return pyString(value);
  if (value instanceof Set) return value.size ? `{${[...value].map(pyRepr).join(', ')}}` : 'set()';
  if (value instanceof Map) {
    return `{${[...value].map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`).join(', ')}}`;
  }
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return `{${entries.map(([k, v]) => `${pyString(k)}: ${pyRepr(v)}`).join(', ')}}`;
  }
  return String(value);
}

function pyString(s: string): string {
  // Python prefers single quotes unless the string contains one and no double quote.
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  const body = s
    .replace(/\\/g, '\\\\')
    .replace(/\n/g, '\\n')
    .replace(/\t/g, '\\t')
    .replace(new RegExp(quote, 'g'), `\\${quote}`);
  return `${quote}${body}${quote}`;
}

/** Zuul's `str()` of a job's branch matcher: `{MatchAny:{BranchMatcher:re},…}`. */
function matcherStr(kind: string, regexes: readonly ZuulRegex[]): string {
  return `{MatchAny:${regexes.map((r) => `{${kind}:${r.pattern}}`).join(',')}}`;
}

/**
 * A job stanza as Zuul 14's `repr(job)` shows it:
 * `<Job NAME explicit: … implied: … source: PROJECT/PATH@BRANCH#LINE>`.
 * As in Zuul, a top-level stanza without `branches` always shows the
 * matcher it would imply (the pragma's implied-branches, else its own
 * branch), whether or not the heuristic uses it; project-pipeline entries
 * have none.
 */
export function variantRepr(v: JobVariant, projectPipeline = false): string {
  const sc = v.sourceContext;
  const builtin = sc.projectCanonical === '';
  const explicit = v.branches !== undefined ? matcherStr('BranchMatcher', v.branches) : 'None';
  let implied = 'None';
  if (v.branches === undefined && !projectPipeline && !builtin) {
    implied = v.pragmaImpliedBranches
      ? matcherStr('BranchMatcher', v.pragmaImpliedBranches)
      : `{MatchAny:{ImpliedBranchMatcher:${sc.branch}}}`;
  }
  const line = v.line === undefined ? 0 : v.line + 1;
  const source = builtin ? 'None' : `${sc.project}/${sc.path}@${sc.branch}`;
  return `<Job ${v.name} explicit: ${explicit} implied: ${implied} source: ${source}#${line}>`;
}
