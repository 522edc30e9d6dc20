// Checks of the pipeline messages Zuul formats with Python's str.format:
// start-message, enqueue-message and no-jobs-message get `pipeline` (with
// only `.name`) and `item_url`. The other messages are used verbatim.
//
// Decision: the fields Zuul 12.0 removed — `{change}`, `{changes}` and
// `{status_url}` — are a configuration *error*, not a warning. Zuul 12+
// raises KeyError on every report using them, so the pipeline could never
// report; failing the stanza shows the author the problem (with the line)
// when the change is proposed instead of losing every report later.

import type { FormatField } from '../../model/format-string.js';
import type { ConfigProblem } from '../errors.js';
import { formatTemplateProblems } from './format-template.js';

export const FORMATTED_MESSAGES = ['start-message', 'enqueue-message', 'no-jobs-message'] as const;

export const REMOVED_MESSAGE_FIELDS = ['change', 'changes', 'status_url'] as const;

function explain(attr: string, field: FormatField): string | undefined {
  if ((REMOVED_MESSAGE_FIELDS as readonly string[]).includes(field.argName)) {
    return (
      `The field "{${field.argName}}" in ${attr} was removed in Zuul 12.0; ` +
      'use {pipeline.name} or {item_url}'
    );
  }
  if (field.argName === 'item_url') {
    return field.steps.length
      ? `The field "{${field.text}}" in ${attr} is not available; use {item_url}`
      : undefined;
  }
  if (field.argName === 'pipeline') {
    const ok =
      field.steps.length === 0 ||
      (field.steps.length === 1 && 'attr' in field.steps[0] && field.steps[0].attr === 'name');
    return ok
      ? undefined
      : `The field "{${field.text}}" in ${attr} is not available; only {pipeline.name} is`;
  }
  return `Unknown field "{${field.argName}}" in ${attr}; available fields: {pipeline.name}, {item_url}`;
}

/** Problems in the formatted messages of a (schema-valid) stanza. */
export function messageProblems(stanza: Readonly<Record<string, unknown>>): ConfigProblem[] {
  return FORMATTED_MESSAGES.flatMap((attr) => {
    const text = stanza[attr];
    if (typeof text !== 'string') return [];
    return formatTemplateProblems(text, [attr], (f) => explain(attr, f));
  });
}
