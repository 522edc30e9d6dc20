// A job variant: one `- job:` stanza as written, before inheritance.
// Attributes the stanza does not set stay undefined, because inheritance
// (layout building) must tell "not set" from "set to the default".

import type { SourceContext } from './config-error.js';
import type { InlineNodeset } from './nodeset.js';
import type { ZuulRegex } from './regex.js';

export interface PlaybookRef {
  path: string;
  semaphores: string[];
  /** Only on post-run playbooks (and converted cleanup-run ones). */
  cleanup: boolean;
}

export interface JobSecretRef {
  /** Ansible variable name the playbooks see. */
  name: string;
  /** Secret object name. */
  secret: string;
  passToParent: boolean;
}

export interface JobSemaphoreRef {
  name: string;
  resourcesFirst: boolean;
}

export type RoleRef =
  | { type: 'zuul'; project: string; name?: string; implicit?: boolean }
  | { type: 'galaxy'; name: string };

export interface RequiredProjectRef {
  project: string;
  overrideBranch?: string;
  overrideCheckout?: string;
}

export type IncludeVarsRef = {
  name: string;
  /** Project the file comes from; undefined = the defining project. */
  project?: string;
  zuulProject: boolean;
  useRef: boolean;
  required: boolean;
};

export interface JobDependencyRef {
  name: string;
  soft: boolean;
}

export type ProjectFilter = { type: 'name'; name: string } | { type: 'change' } | { type: 'item' };

export type JobType = 'regular' | 'initializer' | 'reporter';

/** Attributes whose combination `!override` / `!inherit` can flip. */
export type OverrideControlled =
  | 'tags'
  | 'provides'
  | 'requires'
  | 'required-projects'
  | 'include-projects'
  | 'exclude-projects'
  | 'vars'
  | 'extra-vars'
  | 'host-vars'
  | 'group-vars'
  | 'include-vars'
  | 'dependencies'
  | 'files'
  | 'irrelevant-files'
  | 'failure-output';

export interface JobVariant {
  name: string;
  sourceContext: SourceContext;
  /** 0-based line of the stanza, for error messages and the API. */
  line?: number;
  /** `null` = a base job; undefined = the tenant's default parent. */
  parent?: string | null;
  description?: string;
  variantDescription?: string;
  abstract?: boolean;
  final?: boolean;
  protected?: boolean;
  intermediate?: boolean;
  /** Attribute name → final. */
  attributeControl?: Record<string, { final: boolean }>;
  successMessage?: string;
  failureMessage?: string;
  holdFollowingChanges?: boolean;
  voting?: boolean;
  semaphores?: JobSemaphoreRef[];
  tags?: string[];
  provides?: string[];
  requires?: string[];
  secrets?: JobSecretRef[];
  /** A named nodeset or an anonymous one. */
  nodeset?: string | InlineNodeset;
  overrideCheckout?: string;
  overrideBranch?: string;
  preTimeout?: number;
  timeout?: number;
  postTimeout?: number;
  attempts?: number;
  preRun?: PlaybookRef[];
  run?: PlaybookRef[];
  postRun?: PlaybookRef[];
  cleanupRun?: PlaybookRef[];
  ansibleSplitStreams?: boolean;
  ansibleVersion?: string;
  roles?: RoleRef[];
  requiredProjects?: RequiredProjectRef[];
  includeProjects?: ProjectFilter[];
  excludeProjects?: ProjectFilter[];
  vars?: Record<string, unknown>;
  extraVars?: Record<string, unknown>;
  hostVars?: Record<string, Record<string, unknown>>;
  groupVars?: Record<string, Record<string, unknown>>;
  includeVars?: IncludeVarsRef[];
  dependencies?: JobDependencyRef[];
  allowedProjects?: string[];
  postReview?: boolean;
  /** Explicit `branches`; undefined means an implied matcher may apply. */
  branches?: ZuulRegex[];
  /** The file's pragma (§C.9), for the layout builder's implied matchers (job stanzas only). */
  pragmaImpliedBranchMatchers?: boolean;
  pragmaImpliedBranches?: ZuulRegex[];
  files?: ZuulRegex[];
  irrelevantFiles?: ZuulRegex[];
  matchOnConfigUpdates?: boolean;
  deduplicate?: 'auto' | boolean;
  failureOutput?: string[];
  workspaceScheme?: 'golang' | 'flat' | 'unique';
  workspaceCheckout?: boolean | 'auto';
  imageName?: string;
  type?: JobType;
  /** `!override` (true) or `!inherit` (false) per attribute, when written. */
  overrideControl: Partial<Record<OverrideControlled, boolean>>;
}

/** Variable names Ansible jobs may not set (semantics §C.0). */
export const RESERVED_VARIABLE_NAMES: ReadonlySet<string> = new Set([
  'zuul',
  'nodepool',
  'unsafe_vars',
  'ansible_connection',
  'ansible_host',
  'ansible_python_interpreter',
  'ansible_shell_executable',
  'ansible_user',
]);

/** Project and template `vars` reject only these. */
export const RESERVED_PROJECT_VARIABLE_NAMES: ReadonlySet<string> = new Set([
  'zuul',
  'nodepool',
  'unsafe_vars',
]);

export const VARIABLE_NAME_PATTERN = /^[a-zA-Z][a-zA-Z0-9_]*$/;
