// Renderings used inside error texts and inheritance paths. Zuul's messages
// embed Python reprs (`{'a': 1}`, `<Job build …>`); we produce the same
// look so users (and tests ported from Zuul) see familiar texts.

import type { JobVariant } from '../job.js';
import type { BranchMatcher } from '../layout.js';
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

function matcherRepr(m: BranchMatcher | undefined): string {
  if (!m) return 'None';
  if (m.kind === 'exact') return `<ImpliedBranchMatcher ${m.branch}>`;
  return regexesRepr('BranchMatcher', m.regexes);
}

function regexesRepr(kind: string, regexes: readonly ZuulRegex[]): string {
  const parts = regexes.map((r) => `<${kind} ${r.pattern}>`);
  return parts.length === 1 ? parts[0] : `<MatchAny [${parts.join(', ')}]>`;
}

/**
 * A job stanza as Zuul's `repr(job)` shows it:
 * `<Job NAME explicit: … implied: … source: PROJECT/PATH@BRANCH#LINE>`.
 */
export function variantRepr(v: JobVariant, matcher?: BranchMatcher): string {
  const explicit = v.branches?.length ? regexesRepr('BranchMatcher', v.branches) : 'None';
  const implied = v.branches?.length ? 'None' : matcherRepr(matcher);
  const sc = v.sourceContext;
  const line = v.line === undefined ? 0 : v.line + 1;
  return `<Job ${v.name} explicit: ${explicit} implied: ${implied} source: ${sc.project}/${sc.path}@${sc.branch}#${line}>`;
}
