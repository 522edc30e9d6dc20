// The git driver's part of a pipeline: it can only trigger, on ref-updated
// events it finds by polling; it has no change requirements and cannot report.

import type { ConfigProblem } from '../../config/errors.js';
import { Bool } from '../../config/schema.js';
import type { DriverPipelineSchemas } from '../schema-checks.js';
import {
  DebugFlag,
  OneOrMoreOf,
  Opt,
  OptRegexList,
  regexAttrProblems,
  Strict,
} from '../schema-common.js';

const Trigger = Strict({
  event: OneOrMoreOf(['ref-updated']),
  ref: OptRegexList,
  // Default true: a deleted ref (new sha all zeros) triggers nothing.
  'ignore-deletes': Opt(Bool),
  debug: DebugFlag,
});

/** Checks on one git trigger filter: its ref regexes compile. */
export function checkGitTrigger(filter: Readonly<Record<string, unknown>>): ConfigProblem[] {
  return regexAttrProblems(filter, ['ref']);
}

export const gitPipelineSchemas: DriverPipelineSchemas = {
  trigger: Trigger,
  checks: { trigger: checkGitTrigger },
};
