// Schema validation that points into scalar-or-list values. TypeBox reports a
// failed union (`X or [X]`) at the union itself, so a typo deep inside a list
// item would read "not a valid value @ data['approval']". Driver schemas are
// full of such unions; this descends into the union's alternatives and
// reports the deepest problem instead, in schema.ts's voluptuous wording.

import type { TSchema } from '@sinclair/typebox';
import type { ValueError } from '@sinclair/typebox/errors';
import { type ConfigPath, ConfigProblem } from '../errors.js';
import { compile, pointerToPath, validateAt, voluptuousMessage } from '../schema.js';

interface Found {
  path: (string | number)[];
  error: ValueError;
}

/** The deepest error, looking inside union alternatives. */
function deepest(errors: Iterable<ValueError>): Found | undefined {
  let best: Found | undefined;
  for (const error of errors) {
    let here: Found = { path: pointerToPath(error.path), error };
    for (const alternative of error.errors ?? []) {
      const inner = deepest(alternative);
      // Only a strictly deeper problem is more useful than "not a valid value".
      if (inner && inner.path.length > here.path.length) here = inner;
    }
    if (!best || here.path.length > best.path.length) best = here;
  }
  return best;
}

/**
 * Validates `value`, found at `path` inside a stanza; throws a ConfigProblem
 * whose message and path name the most specific failing place.
 */
export function validateDetailed(schema: TSchema, value: unknown, path: ConfigPath): void {
  try {
    validateAt(schema, value, path);
  } catch (err) {
    if (!(err instanceof ConfigProblem)) throw err;
    const found = deepest(compile(schema).Errors(value));
    if (!found || path.length + found.path.length <= err.path.length) throw err;
    const full = [...path, ...found.path];
    throw new ConfigProblem(voluptuousMessage(found.error, full), 'Unknown', full);
  }
}
