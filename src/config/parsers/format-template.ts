// Checks a Python `str.format` template (report messages, the MQTT topic,
// the SMTP subject) against the fields its formatter will be given, so a
// report-time KeyError becomes a configuration error the author sees.

import {
  type FormatField,
  FormatStringError,
  formatStringFields,
} from '../../model/format-string.js';
import { type ConfigPath, ConfigProblem } from '../errors.js';

/**
 * Returns one error for the first problem in `template` (found at `path`):
 * malformed braces, a positional field, or a field `explain` objects to.
 */
export function formatTemplateProblems(
  template: string,
  path: ConfigPath,
  explain: (field: FormatField) => string | undefined,
): ConfigProblem[] {
  let fields: FormatField[];
  try {
    fields = formatStringFields(template);
  } catch (err) {
    if (!(err instanceof FormatStringError)) throw err;
    return [
      new ConfigProblem(`Invalid format string "${template}": ${err.message}`, 'Unknown', path),
    ];
  }
  for (const f of fields) {
    if (f.positional) {
      return [
        new ConfigProblem(
          `The field "{${f.text}}" in "${template}" is positional; only named fields are available`,
          'Unknown',
          path,
        ),
      ];
    }
    const why = explain(f);
    if (why) return [new ConfigProblem(why, 'Unknown', path)];
  }
  return [];
}
