// The gitlab driver's part of a pipeline (Zuul's gitlabtrigger/gitlabsource/
// gitlabreporter schemas). Zuul 13.0 added `reject` (the mirror of
// `require`), 13.1 made the trigger's `branch` apply to merge requests, and
// 12.1 added `debug`.

import type { ConfigProblem } from '../../config/errors.js';
import { Bool } from '../../config/schema.js';
import type { DriverPipelineSchemas } from '../schema-checks.js';
import {
  DebugFlag,
  OneOrMoreOf,
  Opt,
  OptRegexList,
  OptStrList,
  regexAttrProblems,
  Strict,
} from '../schema-common.js';

export const GITLAB_EVENTS = ['gl_merge_request', 'gl_push'] as const;

const Trigger = Strict({
  event: OneOrMoreOf(GITLAB_EVENTS),
  // Zuul accepts any action string (opened, changed, merged, comment,
  // approved, unapproved, labeled); unknown ones simply never match.
  action: OptStrList,
  branch: OptRegexList,
  comment: OptRegexList,
  ref: OptRegexList,
  labels: OptStrList,
  unlabels: OptStrList,
  debug: DebugFlag,
});

const Requirement = Strict({
  open: Opt(Bool),
  merged: Opt(Bool),
  approved: Opt(Bool),
  labels: OptStrList,
});

const Reporter = Strict({
  comment: Opt(Bool),
  approval: Opt(Bool),
  merge: Opt(Bool),
  label: OptStrList,
  unlabel: OptStrList,
});

/** Checks on one gitlab trigger filter: its regexes compile. */
export function checkGitlabTrigger(filter: Readonly<Record<string, unknown>>): ConfigProblem[] {
  return regexAttrProblems(filter, ['branch', 'comment', 'ref']);
}

export const gitlabPipelineSchemas: DriverPipelineSchemas = {
  trigger: Trigger,
  require: Requirement,
  reject: Requirement,
  reporter: Reporter,
  checks: { trigger: checkGitlabTrigger },
};
