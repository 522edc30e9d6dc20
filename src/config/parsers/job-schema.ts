// The schema of a `- job:` stanza (and of project-pipeline job entries,
// which take the same attributes except `name`).

import { Type } from '@sinclair/typebox';
import { AnyMap, RegexList, ScalarOrList } from '../schema.js';

const Str = Type.String();
const Bool = Type.Boolean();
const Int = Type.Integer();
const opt = Type.Optional;

const SemaphoreItem = Type.Union([
  Str,
  Type.Object({ name: Str, 'resources-first': opt(Bool) }, { additionalProperties: false }),
]);

const PlaybookItem = Type.Union([
  Str,
  Type.Object({ name: Str, semaphores: opt(ScalarOrList(Str)) }, { additionalProperties: false }),
]);
const PostPlaybookItem = Type.Union([
  Str,
  Type.Object(
    { name: Str, semaphores: opt(ScalarOrList(Str)), cleanup: opt(Bool) },
    { additionalProperties: false },
  ),
]);

const SecretItem = Type.Union([
  Str,
  Type.Object(
    { name: Str, secret: Str, 'pass-to-parent': opt(Bool) },
    { additionalProperties: false },
  ),
]);

const RoleItem = Type.Union([
  Type.Object({ zuul: Str, name: opt(Str) }, { additionalProperties: false }),
  Type.Object({ galaxy: Str, name: opt(Str) }, { additionalProperties: false }),
]);

const RequiredProjectItem = Type.Union([
  Str,
  Type.Object(
    { name: Str, 'override-branch': opt(Str), 'override-checkout': opt(Str) },
    { additionalProperties: false },
  ),
]);

const ProjectFilterItem = Type.Union([
  Str,
  Type.Object({ type: Type.Literal('name'), name: Str }, { additionalProperties: false }),
  Type.Object(
    { type: Type.Union([Type.Literal('change'), Type.Literal('item')]) },
    { additionalProperties: false },
  ),
]);

const IncludeVarsItem = Type.Union([
  Str,
  Type.Object({ name: Str, project: Str, required: opt(Bool) }, { additionalProperties: false }),
  Type.Object(
    { name: Str, 'zuul-project': opt(Bool), 'use-ref': opt(Bool), required: opt(Bool) },
    { additionalProperties: false },
  ),
]);

const DependencyItem = Type.Union([
  Str,
  Type.Object({ name: Str, soft: opt(Bool) }, { additionalProperties: false }),
]);

const NestedVars = Type.Record(Str, AnyMap);

/** Attributes shared by job stanzas and project-pipeline job entries. */
export const jobAttributes = {
  parent: opt(Type.Union([Str, Type.Null()])),
  description: opt(Str),
  'variant-description': opt(Str),
  abstract: opt(Bool),
  final: opt(Bool),
  protected: opt(Bool),
  intermediate: opt(Bool),
  'attribute-control': opt(
    Type.Record(Str, Type.Object({ final: opt(Bool) }, { additionalProperties: false })),
  ),
  'success-message': opt(Str),
  'failure-message': opt(Str),
  'hold-following-changes': opt(Bool),
  voting: opt(Bool),
  semaphore: opt(SemaphoreItem),
  semaphores: opt(ScalarOrList(SemaphoreItem)),
  tags: opt(ScalarOrList(Str)),
  provides: opt(ScalarOrList(Str)),
  requires: opt(ScalarOrList(Str)),
  secrets: opt(ScalarOrList(SecretItem)),
  nodeset: opt(Type.Union([Str, AnyMap])),
  'override-checkout': opt(Str),
  'override-branch': opt(Str),
  'pre-timeout': opt(Int),
  timeout: opt(Int),
  'post-timeout': opt(Int),
  attempts: opt(Int),
  'pre-run': opt(ScalarOrList(PlaybookItem)),
  run: opt(ScalarOrList(PlaybookItem)),
  'post-run': opt(ScalarOrList(PostPlaybookItem)),
  'cleanup-run': opt(ScalarOrList(PlaybookItem)),
  'ansible-split-streams': opt(Bool),
  'ansible-version': opt(Type.Union([Str, Type.Number()])),
  roles: opt(Type.Array(RoleItem)),
  'required-projects': opt(ScalarOrList(RequiredProjectItem)),
  'include-projects': opt(ScalarOrList(ProjectFilterItem)),
  'exclude-projects': opt(ScalarOrList(ProjectFilterItem)),
  vars: opt(AnyMap),
  'extra-vars': opt(AnyMap),
  'host-vars': opt(NestedVars),
  'group-vars': opt(NestedVars),
  'include-vars': opt(ScalarOrList(IncludeVarsItem)),
  dependencies: opt(ScalarOrList(DependencyItem)),
  'allowed-projects': opt(ScalarOrList(Str)),
  'post-review': opt(Bool),
  branches: opt(RegexList),
  files: opt(RegexList),
  'irrelevant-files': opt(RegexList),
  'match-on-config-updates': opt(Bool),
  deduplicate: opt(Type.Union([Bool, Type.Literal('auto')])),
  'failure-output': opt(ScalarOrList(Str)),
  'workspace-scheme': opt(
    Type.Union([Type.Literal('golang'), Type.Literal('flat'), Type.Literal('unique')]),
  ),
  'workspace-checkout': opt(Type.Union([Bool, Type.Literal('auto')])),
  'image-build-name': opt(Str),
  'image-name': opt(Str),
  type: opt(
    Type.Union([Type.Literal('regular'), Type.Literal('initializer'), Type.Literal('reporter')]),
  ),
  // Accepted and ignored, as in Zuul.
  'failure-url': opt(Str),
  'success-url': opt(Str),
};

export const JobSchema = Type.Object(
  { name: Str, ...jobAttributes },
  { additionalProperties: false },
);

export const ProjectPipelineJobSchema = Type.Object(jobAttributes, {
  additionalProperties: false,
});

/** Attributes `attribute-control` may finalise (Zuul 14). */
export const ATTRIBUTE_CONTROL_ALLOWED: ReadonlySet<string> = new Set([
  'requires',
  'provides',
  'tags',
  'files',
  'irrelevant-files',
  'required-projects',
  'include-projects',
  'exclude-projects',
  'vars',
  'extra-vars',
  'host-vars',
  'group-vars',
  'include-vars',
  'dependencies',
  'failure-output',
  'type',
]);

/** Attributes that accept `!override` / `!inherit`. */
export const OVERRIDE_CONTROLLED: ReadonlySet<string> = new Set([
  'tags',
  'provides',
  'requires',
  'required-projects',
  'include-projects',
  'exclude-projects',
  'vars',
  'extra-vars',
  'host-vars',
  'group-vars',
  'include-vars',
  'dependencies',
  'files',
  'irrelevant-files',
  'failure-output',
]);

/** Ansible versions this release supports (Zuul 14: 8 was removed). */
export const SUPPORTED_ANSIBLE_VERSIONS: readonly string[] = ['9', '11'];
