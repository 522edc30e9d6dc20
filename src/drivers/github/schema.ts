// The github driver's part of a pipeline. The trigger schema is Zuul's
// permissive one (any `action` string); the stricter per-event shape Zuul
// introduced in 10.0 only produces warnings (github-warnings.ts), as in Zuul.
// Zuul 13.0 removed the reporter's `status-url`; 13.1 added check `queued`;
// 14.1 added the trigger's `permission`.

import type { ConfigProblem } from '../../config/errors.js';
import { Bool, ScalarOrList, Str } from '../../config/schema.js';
import type { DriverPipelineSchemas } from '../schema-checks.js';
import {
  approvalFilterProblems,
  DebugFlag,
  OneOf,
  OneOrMoreOf,
  Opt,
  OptRegexList,
  OptStrList,
  regexAttrProblems,
  Strict,
} from '../schema-common.js';
import { githubTriggerWarnings } from './github-warnings.js';

export const GITHUB_EVENTS = ['pull_request', 'pull_request_review', 'push', 'check_run'] as const;
export const GITHUB_PERMISSIONS = ['read', 'write', 'admin'] as const;
export const GITHUB_STATUS_STATES = ['pending', 'success', 'failure'] as const;
export const GITHUB_CHECK_STATES = [
  'queued',
  'in_progress',
  'success',
  'failure',
  'cancelled',
  'skipped',
  'neutral',
] as const;
export const GITHUB_REVIEW_ACTIONS = ['approve', 'request-changes', 'comment'] as const;

const Review = Strict({
  username: Opt(Str),
  email: Opt(Str),
  'older-than': Opt(Str),
  'newer-than': Opt(Str),
  type: Opt(Str),
  permission: Opt(OneOf(GITHUB_PERMISSIONS)),
});

const Requirement = Strict({
  status: OptStrList,
  review: Opt(ScalarOrList(Review)),
  open: Opt(Bool),
  merged: Opt(Bool),
  'current-patchset': Opt(Bool),
  draft: Opt(Bool),
  label: OptStrList,
});

const Trigger = Strict({
  event: OneOrMoreOf(GITHUB_EVENTS),
  action: OptStrList,
  branch: OptRegexList,
  ref: OptRegexList,
  comment: OptRegexList,
  label: OptStrList,
  unlabel: OptStrList,
  state: OptStrList,
  'require-status': OptStrList,
  require: Opt(Requirement),
  reject: Opt(Requirement),
  status: OptStrList,
  check: OptStrList,
  permission: Opt(OneOrMoreOf(GITHUB_PERMISSIONS)),
  debug: DebugFlag,
});

const Reporter = Strict({
  status: Opt(OneOf(GITHUB_STATUS_STATES)),
  comment: Opt(Bool),
  merge: Opt(Bool),
  label: OptStrList,
  unlabel: OptStrList,
  review: Opt(OneOf(GITHUB_REVIEW_ACTIONS)),
  'review-body': Opt(Str),
  check: Opt(OneOf(GITHUB_CHECK_STATES)),
});

export function checkGithubRequirement(
  req: Readonly<Record<string, unknown>>,
  base: (string | number)[] = [],
): ConfigProblem[] {
  return approvalFilterProblems(req.review, [...base, 'review']);
}

/** Checks on one github trigger filter: regexes, nested requirements, deprecations. */
export function checkGithubTrigger(filter: Readonly<Record<string, unknown>>): ConfigProblem[] {
  const problems = regexAttrProblems(filter, ['branch', 'ref', 'comment']);
  for (const key of ['require', 'reject'] as const) {
    const req = filter[key];
    if (req) problems.push(...checkGithubRequirement(req as Record<string, unknown>, [key]));
  }
  problems.push(...githubTriggerWarnings(filter));
  return problems;
}

export const githubPipelineSchemas: DriverPipelineSchemas = {
  trigger: Trigger,
  require: Requirement,
  reject: Requirement,
  reporter: Reporter,
  checks: {
    trigger: checkGithubTrigger,
    require: (req) => checkGithubRequirement(req),
    reject: (req) => checkGithubRequirement(req),
  },
};
