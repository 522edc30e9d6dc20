// The smtp driver only reports: an email per report, with optional overrides
// of the connection's default addresses and the subject.

import type { ConfigProblem } from '../../config/errors.js';
import { formatTemplateProblems } from '../../config/parsers/format-template.js';
import { Str } from '../../config/schema.js';
import type { DriverPipelineSchemas } from '../schema-checks.js';
import { Opt, Strict } from '../schema-common.js';

const Reporter = Strict({
  to: Opt(Str),
  from: Opt(Str),
  subject: Opt(Str),
});

/** Fields the subject template is formatted with (`{change.project}` …). */
export const SMTP_SUBJECT_FIELDS = ['change', 'changes', 'pipeline'] as const;

/** The subject is a Python format template; unknown fields would fail every report. */
export function checkSmtpReporter(config: Readonly<Record<string, unknown>>): ConfigProblem[] {
  const subject = config.subject;
  if (typeof subject !== 'string') return [];
  return formatTemplateProblems(subject, ['subject'], (field) => {
    if (!(SMTP_SUBJECT_FIELDS as readonly string[]).includes(field.argName)) {
      return `Unknown field "{${field.argName}}" in subject "${subject}"; available fields: {change}, {changes}, {pipeline.name}`;
    }
    const first = field.steps[0];
    if (field.argName === 'pipeline' && first && (!('attr' in first) || first.attr !== 'name')) {
      return `Only {pipeline.name} is available in subject "${subject}"`;
    }
    return undefined;
  });
}

export const smtpPipelineSchemas: DriverPipelineSchemas = {
  reporter: Reporter,
  checks: { reporter: checkSmtpReporter },
};
