// What every in-repo object parser receives, and checks they share.

import type { SourceContext } from '../../model/config-error.js';
import { RESERVED_VARIABLE_NAMES, VARIABLE_NAME_PATTERN } from '../../model/job.js';
import type { Pragma } from '../../model/objects.js';
import { compileZuulRegex, type RegexInput, type ZuulRegex } from '../../model/regex.js';
import { type ConfigPath, ConfigProblem } from '../errors.js';
import { asList } from '../schema.js';
import { regexProblems } from './regex-problems.js';

export interface StanzaContext {
  source: SourceContext;
  /** The pragma of the file the stanza is in. */
  pragma: Pragma;
  /** 0-based line of the stanza. */
  line?: number;
  /**
   * Records a problem without dropping the stanza: warnings, and errors that
   * Zuul reports while still keeping the object.
   */
  warn(problem: ConfigProblem): void;
}

/** Checks keys of a vars-like mapping: Ansible-valid and not reserved. */
export function checkVariableNames(
  vars: Record<string, unknown> | undefined,
  path: ConfigPath,
  reserved: ReadonlySet<string> = RESERVED_VARIABLE_NAMES,
): void {
  if (!vars) return;
  for (const key of Object.keys(vars)) {
    if (!VARIABLE_NAME_PATTERN.test(key)) {
      throw new ConfigProblem(
        'Variable names may only contain letters, numbers, and underscores',
        'Unknown',
        [...path, key],
      );
    }
    if (reserved.has(key)) {
      throw new ConfigProblem(
        reserved === RESERVED_VARIABLE_NAMES
          ? `Defining a variable named '${key}' is not allowed`
          : "Variables named 'zuul', 'nodepool', or 'unsafe_vars' are not allowed.",
        'Unknown',
        [...path, key],
      );
    }
  }
}

/**
 * Compiles a scalar-or-list of regexes: an invalid one throws (dropping the
 * stanza), an RE2-incompatible one is reported as a "Regex Deprecation"
 * warning and kept.
 */
export function compileRegexList(
  value: unknown,
  path: ConfigPath,
  ctx: StanzaContext,
): ZuulRegex[] | undefined {
  if (value === undefined || value === null) return undefined;
  for (const problem of regexProblems(value, path)) {
    if (problem.severity === 'error') throw problem;
    ctx.warn(problem);
  }
  return asList(value as RegexInput | RegexInput[]).map((item) => compileZuulRegex(item));
}

/** `{regex: x, negate: true}` shows as `x (negated)` in variant descriptions. */
export function describeRegexes(list: readonly ZuulRegex[]): string {
  return list.map((r) => (r.negate ? `${r.pattern} (negated)` : r.pattern)).join(' ');
}
