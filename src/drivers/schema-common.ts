// Building blocks shared by the drivers' pipeline schemas and checks.

import { type TProperties, type TSchema, Type } from '@sinclair/typebox';
import { type ConfigPath, ConfigProblem } from '../config/errors.js';
import { regexProblems } from '../config/parsers/regex-problems.js';
import { asList, Bool, RegexList, ScalarOrList, Str } from '../config/schema.js';

export { regexProblems };

/** A mapping that rejects keys it does not list (voluptuous' default). */
export function Strict<T extends TProperties>(properties: T) {
  return Type.Object(properties, { additionalProperties: false });
}

export const Opt = Type.Optional;

/** `debug: true` on any trigger entry reports why items were (not) enqueued (Zuul 12.1). */
export const DebugFlag = Type.Optional(Bool);

export const OptRegexList = Type.Optional(RegexList);
export const OptStrList = Type.Optional(ScalarOrList(Str));

/** One of a fixed set of strings. */
export function OneOf<T extends string>(values: readonly T[]) {
  return Type.Union(values.map((v) => Type.Literal(v)));
}

/** One of a fixed set of strings, alone or in a list. */
export function OneOrMoreOf<T extends string>(values: readonly T[]): TSchema {
  return ScalarOrList(OneOf(values));
}

/** regexProblems for several attributes of one mapping. */
export function regexAttrProblems(
  obj: Readonly<Record<string, unknown>>,
  attrs: readonly string[],
  base: ConfigPath = [],
): ConfigProblem[] {
  return attrs.flatMap((a) => regexProblems(obj[a], [...base, a]));
}

/** `48h`-style ages, as Zuul's time_to_seconds reads them. */
const AGE = /^[0-9]+[smhdw]$/;

/**
 * Checks approval (gerrit) or review (github) conditions: their `username`
 * and `email` are regexes and `older-than`/`newer-than` are ages.
 */
export function approvalFilterProblems(value: unknown, path: ConfigPath): ConfigProblem[] {
  if (value === undefined || value === null) return [];
  const problems: ConfigProblem[] = [];
  asList(value as Record<string, unknown>[]).forEach((approval, i) => {
    const at = Array.isArray(value) ? [...path, i] : [...path];
    problems.push(...regexAttrProblems(approval, ['username', 'email'], at));
    for (const key of ['older-than', 'newer-than']) {
      const age = approval[key];
      if (typeof age === 'string' && !AGE.test(age)) {
        // An error, not a warning: Zuul fails while building the filter.
        problems.push(
          new ConfigProblem(`Unable to parse time value: ${age}`, 'Unknown', [...at, key]),
        );
      }
    }
  });
  return problems;
}

/** A deprecation warning in Zuul's words, pointing at `path`. */
export function deprecation(errorName: string, message: string, path: ConfigPath): ConfigProblem {
  return new ConfigProblem(message, errorName, path, 'warning');
}
