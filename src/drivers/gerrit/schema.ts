// The gerrit driver's part of a pipeline: trigger filters, require/reject
// conditions and reporter settings (Zuul's gerrittrigger/gerritsource/
// gerritreporter schemas, plus `debug` from Zuul 12.1).

import { Type } from '@sinclair/typebox';
import type { ConfigPath, ConfigProblem } from '../../config/errors.js';
import { Bool, Int, ScalarOrList, Str } from '../../config/schema.js';
import type { DriverPipelineSchemas } from '../schema-checks.js';
import {
  approvalFilterProblems,
  DebugFlag,
  deprecation,
  OneOf,
  OneOrMoreOf,
  Opt,
  OptRegexList,
  OptStrList,
  regexAttrProblems,
  regexProblems,
  Strict,
} from '../schema-common.js';

export const GERRIT_EVENTS = [
  'patchset-created',
  'draft-published',
  'change-abandoned',
  'change-restored',
  'change-merged',
  'comment-added',
  'ref-updated',
  'pending-check',
  'vote-deleted',
  'hashtags-changed',
  'wip-state-changed',
] as const;

/** Values Gerrit's `notify` review option takes. */
export const GERRIT_NOTIFY = ['NONE', 'OWNER', 'OWNER_REVIEWERS', 'ALL'] as const;

/** States of the Gerrit checks plugin. */
export const GERRIT_CHECK_STATES = [
  'NOT_STARTED',
  'SCHEDULED',
  'RUNNING',
  'SUCCESSFUL',
  'FAILED',
  'NOT_RELEVANT',
] as const;

// A vote on an event is compared with int(): `Code-Review: 2` or '+2'.
const EventVote = Type.Union([Int, Type.String({ pattern: '^[+-]?[0-9]+$' })]);
const EventApprovals = ScalarOrList(Type.Record(Type.String(), EventVote));

// `{Verified: [1, 2], username: zuul, newer-than: 48h}`: label keys are any
// name, so they go through additionalProperties.
const RequiredApproval = Type.Object(
  {
    username: Opt(Str),
    email: Opt(Str),
    'older-than': Opt(Str),
    'newer-than': Opt(Str),
  },
  { additionalProperties: Type.Union([Int, Type.Array(Int)]) },
);

const Requirement = Strict({
  approval: Opt(ScalarOrList(RequiredApproval)),
  open: Opt(Bool),
  'current-patchset': Opt(Bool),
  wip: Opt(Bool),
  hashtags: OptRegexList,
  status: OptStrList,
});

const Trigger = Strict({
  event: OneOrMoreOf(GERRIT_EVENTS),
  branch: OptRegexList,
  ref: OptRegexList,
  'ignore-deletes': Opt(Bool),
  approval: Opt(EventApprovals),
  'approval-change': Opt(EventApprovals),
  comment: OptRegexList,
  email: OptRegexList,
  username: OptRegexList,
  // Old spellings of comment/email/username, still accepted by Zuul.
  comment_filter: OptStrList,
  email_filter: OptStrList,
  username_filter: OptStrList,
  added: OptRegexList,
  removed: OptRegexList,
  require: Opt(Requirement),
  reject: Opt(Requirement),
  'require-approval': Opt(ScalarOrList(RequiredApproval)),
  'reject-approval': Opt(ScalarOrList(RequiredApproval)),
  uuid: Opt(Str),
  scheme: Opt(Str),
  debug: DebugFlag,
});

const ChecksApi = Strict({
  uuid: Opt(Str),
  scheme: Opt(Str),
  state: OneOf(GERRIT_CHECK_STATES),
  message: Opt(Str),
});

// Any other key is a label to vote on: `Verified: 1`.
const Reporter = Type.Object(
  {
    submit: Opt(Bool),
    comment: Opt(Bool),
    notify: Opt(OneOf(GERRIT_NOTIFY)),
    'checks-api': Opt(ChecksApi),
  },
  { additionalProperties: Int },
);

const TRIGGER_REGEX_ATTRS = [
  'branch',
  'ref',
  'comment',
  'email',
  'username',
  'comment_filter',
  'email_filter',
  'username_filter',
  'added',
  'removed',
];

/** Checks on a require/reject mapping (also used inside trigger filters). */
export function checkGerritRequirement(
  req: Readonly<Record<string, unknown>>,
  base: ConfigPath = [],
): ConfigProblem[] {
  return [
    ...approvalFilterProblems(req.approval, [...base, 'approval']),
    ...regexProblems(req.hashtags, [...base, 'hashtags']),
  ];
}

/** Checks on one gerrit trigger filter: regexes, ages, deprecated attributes. */
export function checkGerritTrigger(filter: Readonly<Record<string, unknown>>): ConfigProblem[] {
  const problems = regexAttrProblems(filter, TRIGGER_REGEX_ATTRS);
  for (const key of ['require', 'reject'] as const) {
    const req = filter[key];
    if (req) problems.push(...checkGerritRequirement(req as Record<string, unknown>, [key]));
  }
  for (const key of ['require-approval', 'reject-approval'] as const) {
    if (filter[key] === undefined) continue;
    problems.push(...approvalFilterProblems(filter[key], [key]));
    const replacement = key === 'require-approval' ? 'require' : 'reject';
    problems.push(
      deprecation(
        `Gerrit ${key} Deprecation`,
        `The '${key}' trigger attribute is deprecated.  Use '${replacement}' instead.`,
        [key],
      ),
    );
  }
  return problems;
}

export const gerritPipelineSchemas: DriverPipelineSchemas = {
  trigger: Trigger,
  require: Requirement,
  reject: Requirement,
  reporter: Reporter,
  checks: {
    trigger: checkGerritTrigger,
    require: (req) => checkGerritRequirement(req),
    reject: (req) => checkGerritRequirement(req),
  },
};
