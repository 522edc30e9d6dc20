// The built-in `zuul` connection's part of a pipeline: triggers on Zuul's own
// events and, for image pipelines (Zuul 14), a reporter that marks image
// builds as built / validated.

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

export const ZUUL_EVENTS = [
  'parent-change-enqueued',
  'project-change-merged',
  'image-build',
  'image-validate',
] as const;

const Trigger = Strict({
  event: OneOrMoreOf(ZUUL_EVENTS),
  // Pipelines (regexes) the parent was enqueued in; parent-change-enqueued only.
  pipeline: OptRegexList,
  debug: DebugFlag,
});

const Reporter = Strict({
  'image-built': Opt(Bool),
  'image-validated': Opt(Bool),
});

/** Checks on one zuul trigger filter: its pipeline regexes compile. */
export function checkZuulTrigger(filter: Readonly<Record<string, unknown>>): ConfigProblem[] {
  return regexAttrProblems(filter, ['pipeline']);
}

export const zuulPipelineSchemas: DriverPipelineSchemas = {
  trigger: Trigger,
  reporter: Reporter,
  checks: { trigger: checkZuulTrigger },
};
