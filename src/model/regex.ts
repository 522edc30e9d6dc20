// Zuul's regular expressions: a pattern plus `negate`, matched the way Zuul
// matches them. Most attributes use `re.match` semantics (anchored at the
// start only: `stable` matches `stable/2024`); a few use full matches
// (tenant branch filters, regex project names) or searches (comment, email,
// username and hashtag filters). Pure: compiled RegExps are cached by
// pattern, nothing else is kept.
//
// Zuul compiles with RE2 and only falls back to Python's engine (with a
// "Regex Deprecation" warning) when RE2 refuses; re2js tells us which case a
// pattern is in, JavaScript's RegExp does the matching.

import { RE2JS } from 're2js';
import { RegexTranslateError, translatePythonRegex } from './regex-translate.js';

export { RegexTranslateError, translatePythonRegex };

/** A regex as configured: plain data, safe to serialise. */
export interface ZuulRegex {
  readonly pattern: string;
  readonly negate: boolean;
  /**
   * Set by compileZuulRegex when RE2 rejects the pattern but the Python
   * syntax Zuul still honours accepts it (a "Regex Deprecation" warning).
   */
  readonly re2Incompatible?: boolean;
  /** RE2's complaint when re2Incompatible. */
  readonly re2Error?: string;
}

/** What configuration may contain where a regex is expected. */
export type RegexInput = string | { readonly regex: string; readonly negate?: boolean };

/** A pattern neither RE2 nor Python would accept (or JavaScript cannot express). */
export class RegexSyntaxError extends Error {
  constructor(
    readonly pattern: string,
    readonly reason: string,
  ) {
    super(`Invalid regular expression "${pattern}": ${reason}`);
  }
}

interface Compiled {
  match: (s: string) => boolean;
  full: (s: string) => boolean;
  search: (s: string) => boolean;
  /** RE2's error, when RE2 rejects the pattern. */
  re2Error?: string;
}

// Patterns come from configuration, so the set is small and stable; the cap
// only guards against unbounded growth from ad-hoc callers (e.g. API filters).
const CACHE_LIMIT = 10_000;
const cache = new Map<string, Compiled>();

function build(pattern: string): Compiled {
  const re2Error = re2Problem(pattern);
  let source: string;
  try {
    source = translatePythonRegex(pattern);
  } catch (err) {
    if (!(err instanceof RegexTranslateError)) throw err;
    if (re2Error === undefined) return withRe2(pattern);
    throw new RegexSyntaxError(pattern, err.message);
  }
  // The wrappers are non-capturing, so group numbers and back-references in
  // the user's pattern are unchanged. Translated patterns never rely on
  // JavaScript's `m` flag, so `^` and `$` here mean start and end of input.
  const match = `^(?:${source})`;
  try {
    const m = new RegExp(match, 'u');
    const f = new RegExp(`^(?:${source})$`, 'u');
    const r = new RegExp(source, 'u');
    return { match: (s) => m.test(s), full: (s) => f.test(s), search: (s) => r.test(s), re2Error };
  } catch (err) {
    // Some patterns only RE2 reads (e.g. `^*`, which OpenDev uses): Zuul
    // compiles with RE2 first, so they are valid and RE2 matches them.
    if (re2Error === undefined) return withRe2(pattern);
    // "Invalid regular expression: /<our source>/u: Nothing to repeat" → the reason only.
    const message = err instanceof Error ? err.message : String(err);
    const reason = message.replace(`Invalid regular expression: /${match}/u: `, '');
    throw new RegexSyntaxError(pattern, reason);
  }
}

/** Matching with RE2 itself, for patterns JavaScript cannot express. */
function withRe2(pattern: string): Compiled {
  const re = RE2JS.compile(pattern);
  return {
    match: (s) => re.matcher(s).lookingAt(),
    full: (s) => re.matcher(s).matches(),
    search: (s) => re.matcher(s).find(),
  };
}

function compiled(pattern: string): Compiled {
  let c = cache.get(pattern);
  if (!c) {
    c = build(pattern);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(pattern, c);
  }
  return c;
}

/**
 * Turns a configured regex (a string or `{regex, negate}`) into a ZuulRegex,
 * checking that it compiles. Throws RegexSyntaxError otherwise.
 */
export function compileZuulRegex(item: RegexInput): ZuulRegex {
  const pattern = typeof item === 'string' ? item : item.regex;
  const negate = typeof item === 'string' ? false : (item.negate ?? false);
  const { re2Error } = compiled(pattern);
  return re2Error === undefined
    ? { pattern, negate, re2Incompatible: false }
    : { pattern, negate, re2Incompatible: true, re2Error };
}

/** RE2's error for a pattern, or undefined when RE2 accepts it. */
function re2Problem(pattern: string): string | undefined {
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** The reason a pattern is unusable, or undefined when it compiles. */
export function regexError(pattern: string): string | undefined {
  try {
    compiled(pattern);
    return undefined;
  } catch (err) {
    if (err instanceof RegexSyntaxError) return err.reason;
    throw err;
  }
}

/** Python `re.match`: anchored at the start only (`negate` inverts). */
export function regexMatches(r: ZuulRegex, s: string): boolean {
  return compiled(r.pattern).match(s) !== r.negate;
}

/** Python `re.fullmatch`: the whole string must match (`negate` inverts). */
export function regexFullMatches(r: ZuulRegex, s: string): boolean {
  return compiled(r.pattern).full(s) !== r.negate;
}

/** Python `re.search`: a match anywhere in the string (`negate` inverts). */
export function regexSearches(r: ZuulRegex, s: string): boolean {
  return compiled(r.pattern).search(s) !== r.negate;
}
