// Checking configured regexes the way Zuul does: RE2 first, Python's
// syntax as a deprecated fallback (a warning), anything else an error.

import { compileZuulRegex, type RegexInput, RegexSyntaxError } from '../../model/regex.js';
import { type ConfigPath, ConfigProblem } from '../errors.js';
import { asList } from '../schema.js';

// Zuul's words, kept on one line (Zuul wraps them), like our other messages.
const REGEX_DEPRECATION =
  'All regular expressions must conform to RE2 syntax, but an expression using the ' +
  'deprecated Perl-style syntax has been detected. Adjust the configuration to conform to RE2 syntax.';

/** Compiles every regex in a scalar-or-list value; errors and RE2 deprecation warnings. */
export function regexProblems(value: unknown, path: ConfigPath): ConfigProblem[] {
  if (value === undefined || value === null) return [];
  const list = asList(value as RegexInput | RegexInput[]);
  const problems: ConfigProblem[] = [];
  list.forEach((item, i) => {
    const at = Array.isArray(value) ? [...path, i] : [...path];
    try {
      const r = compileZuulRegex(item);
      if (r.re2Incompatible) {
        problems.push(
          new ConfigProblem(
            `${REGEX_DEPRECATION}\n\nThe RE2 syntax error is: ${r.re2Error}`,
            'Regex Deprecation',
            at,
            'warning',
          ),
        );
      }
    } catch (err) {
      if (!(err instanceof RegexSyntaxError)) throw err;
      problems.push(new ConfigProblem(err.message, 'Unknown', at));
    }
  });
  return problems;
}
