// What every in-repo object parser receives, and checks they share.

import type { SourceContext } from '../../model/config-error.js';
import { RESERVED_VARIABLE_NAMES, VARIABLE_NAME_PATTERN } from '../../model/job.js';
import type { Pragma } from '../../model/objects.js';
import { compileZuulRegex, type ZuulRegex } from '../../model/regex.js';
import { type ConfigPath, ConfigProblem } from '../errors.js';
import { asList } from '../schema.js';

export interface StanzaContext {
  source: SourceContext;
  /** The pragma of the file the stanza is in. */
  pragma: Pragma;
  /** 0-based line of the stanza. */
  line?: number;
  /** Records a warning without dropping the stanza. */
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

/** Compiles a scalar-or-list of regexes, naming the attribute on failure. */
export function compileRegexList(
  value: unknown,
  path: ConfigPath,
  ctx: StanzaContext,
): ZuulRegex[] | undefined {
  if (value === undefined || value === null) return undefined;
  return asList(value as (string | { regex: string; negate?: boolean })[]).map((item, i) => {
    try {
      const r = compileZuulRegex(item);
      if (r.re2Incompatible) {
        ctx.warn(
          new ConfigProblem(
            `The regex "${r.pattern}" is not compatible with RE2 and will stop working in a future release`,
            'Regex Deprecation',
            [...path, i],
          ),
        );
      }
      return r;
    } catch (err) {
      throw new ConfigProblem((err as Error).message, 'Unknown', [...path, i]);
    }
  });
}

/** `{regex: x, negate: true}` shows as `x (negated)` in variant descriptions. */
export function describeRegexes(list: readonly ZuulRegex[]): string {
  return list.map((r) => (r.negate ? `${r.pattern} (negated)` : r.pattern)).join(' ');
}
