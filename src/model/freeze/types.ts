// The data freezing works on and produces: the change an item tests, frozen
// playbooks and roles, the frozen job, and the error type for problems Zuul
// reports as job configuration errors. Pure data.

import type { SourceContext } from '../config-error.js';
import type {
  JobDependencyRef,
  JobSemaphoreRef,
  JobType,
  JobVariant,
  ProjectFilter,
} from '../job.js';
import type { InlineNodeset, NodeGroup, NodeSpec } from '../nodeset.js';
import type { Secret } from '../objects.js';
import type { ZuulRegex } from '../regex.js';

/**
 * One change (or ref) of a queue item, as freezing needs it. Changes and
 * branch refs have a branch; tags and other refs have none and are matched
 * through their full ref and the branches containing them (semantics §D.6).
 */
export interface FreezeChange {
  /** Canonical name of the change's project. */
  project: string;
  branch?: string;
  /** Full ref (`refs/heads/…`, `refs/tags/…`, `refs/changes/…`); null for a synthetic branch item. */
  ref?: string | null;
  /** Tags: branches whose history contains the tagged commit. */
  containingBranches?: readonly string[];
  /** Changed files; undefined or null when unknown (then file matchers let the job run). */
  files?: readonly string[] | null;
  /** Identifies the change among the item's changes (Zuul's change cache key). */
  key?: string;
  /** Browsable URL of the change, for `zuul.change_url`. */
  url?: string | null;
}

/** What a pipeline contributes to freezing. */
export interface FreezePipeline {
  name: string;
  /** Post-review pipelines may run post-review jobs. */
  postReview: boolean;
}

/**
 * A problem Zuul raises as JobConfigurationError (or a plain exception)
 * while freezing; it becomes the item's "Unable to freeze job graph: …"
 * error, never a crash.
 */
export class FreezeError extends Error {
  override readonly name = 'FreezeError';
}

/** A Zuul role of a frozen job or playbook. */
export interface FrozenRole {
  /** Directory name Ansible sees. */
  targetName: string;
  projectCanonicalName: string;
  /** The defining project's own role, added without being listed. */
  implicit: boolean;
}

/**
 * A secret given to a playbook: its alias and definition, and the project
 * whose key decrypts it. Decryption happens outside model/ (the keystore):
 * see SecretDecryptor.
 */
export interface FrozenSecretUse {
  /** Variable name the playbook sees. */
  alias: string;
  /** Name of the secret object. */
  secretName: string;
  /** The definition, still encrypted. */
  secret: Secret;
  /** Project whose private key decrypts it (the stanza that listed it). */
  projectCanonicalName: string;
  projectName: string;
  connectionName: string;
}

/**
 * Decrypts one secret use (e.g. with the keystore); returns the plain data.
 * Throws when the secret cannot be decrypted; callers turn that into a
 * configuration error without printing the secret.
 */
export type SecretDecryptor = (use: FrozenSecretUse) => unknown;

/** A playbook semaphore, frozen with the semaphore's settings. */
export interface FrozenSemaphore {
  name: string;
  resourcesFirst: boolean;
  max: number;
  global: boolean;
}

export interface FrozenPlaybook {
  path: string;
  /** Where the stanza that listed it was defined. */
  sourceContext: SourceContext;
  /** From a config project: runs trusted. */
  trusted: boolean;
  cleanup: boolean;
  /** Number of stanzas applied before the one that added it (0: the base job). */
  nestingLevel: number;
  /** The job's roles when the playbook was added (never a later child's). */
  roles: readonly FrozenRole[];
  /** The declaring stanza's secrets, plus any passed down by children. */
  secrets: FrozenSecretUse[];
  semaphores: FrozenSemaphore[];
  /** The built-in noop job's playbook: not part of any project, never listed. */
  builtin?: boolean;
}

export interface FrozenIncludeVars {
  name: string;
  /** Null: the item's project (`zuul-project: true`). */
  projectCanonicalName: string | null;
  required: boolean;
  useRef: boolean;
}

export interface FrozenRequiredProject {
  projectCanonicalName: string;
  overrideBranch: string | null;
  overrideCheckout: string | null;
}

/** One alternative of a frozen nodeset: never itself has alternatives. */
export interface FrozenNodeset {
  /** '' for an anonymous (inline) nodeset. */
  name: string;
  nodes: readonly NodeSpec[];
  groups: readonly NodeGroup[];
}

/** Job-level error Zuul records while freezing and raises only if the job runs. */
export type PendingError = string;

/**
 * A job with every variant, parent and project-pipeline entry applied, as
 * Zuul's FrozenJob. Built by freezeJob; the job graph owns it afterwards.
 * Mappings and lists may be shared with the layout (freezing never copies
 * what it does not change): treat them as read-only.
 */
export interface FrozenJob {
  name: string;
  /** Key of the change it was frozen for. */
  ref: string;
  /** Keys of changes it also serves after deduplication (cycles). */
  otherRefs: string[];
  /** Where the first (base) variant was defined. */
  sourceContext: SourceContext;
  /** Parent named by the last stanza that set one (null: a base job). */
  parent: string | null;
  description: string | null;
  abstract: boolean;
  final: boolean;
  intermediate: boolean;
  /** Project of the first stanza that set `protected`. */
  protectedOrigin: string | null;

  // Context attributes (may change even on final jobs).
  voting: boolean;
  holdFollowingChanges: boolean;
  successMessage: string | null;
  failureMessage: string | null;
  /** Null: no matcher. */
  files: ZuulRegex[] | null;
  irrelevantFiles: ZuulRegex[] | null;
  matchOnConfigUpdates: boolean;
  deduplicate: 'auto' | boolean;
  tags: string[];
  provides: string[];
  requires: string[];
  dependencies: JobDependencyRef[];
  /** A config project attached the job: allowed-projects does not apply. */
  ignoreAllowedProjects: boolean;

  // Execution attributes.
  preTimeout: number | null;
  timeout: number | null;
  postTimeout: number | null;
  vars: Record<string, unknown>;
  extraVars: Record<string, unknown>;
  hostVars: Record<string, Record<string, unknown>>;
  groupVars: Record<string, Record<string, unknown>>;
  includeVars: FrozenIncludeVars[];
  /** A name until the first variant resolves it (as in Zuul), then the object. */
  nodeset: string | InlineNodeset;
  preRun: FrozenPlaybook[];
  run: FrozenPlaybook[];
  postRun: FrozenPlaybook[];
  cleanupRun: FrozenPlaybook[];
  ansibleSplitStreams: boolean | null;
  ansibleVersion: string | null;
  /** Sorted by name. */
  semaphores: JobSemaphoreRef[];
  attempts: number;
  roles: FrozenRole[];
  /** Keyed by canonical project name, in insertion order. */
  requiredProjects: Map<string, FrozenRequiredProject>;
  /** Short project names; null: every project. */
  allowedProjects: Set<string> | null;
  overrideBranch: string | null;
  overrideCheckout: string | null;
  postReview: boolean;
  workspaceScheme: 'golang' | 'flat' | 'unique';
  workspaceCheckout: boolean | 'auto';
  /** Sorted. */
  failureOutput: string[];
  imageBuildName: string | null;
  type: JobType;
  /** Null: no filter. */
  includeProjects: ProjectFilter[] | null;
  excludeProjects: ProjectFilter[] | null;

  /** Attributes made final by attribute-control (YAML names). */
  finalControl: Set<string>;
  /** One readable line per stanza applied, base first. */
  inheritancePath: string[];
  /** Flattened nodeset alternatives, depth first; set when freezing ends. */
  nodesetAlternatives: FrozenNodeset[];
  /** The first (base) variant, for Zuul-style `<Job …>` texts in errors. */
  baseVariant: JobVariant;

  // Bookkeeping of the job graph.
  /** The file matchers (or a forcing dependent) say it runs. */
  matchesChange: boolean;
  /** Raised only if the job stays in the graph (§D.8 step 8). */
  pendingError: PendingError | null;
}

/** A variant as freezing applies it: from the layout or from a project-pipeline entry. */
export interface AppliedVariant {
  variant: JobVariant;
  /** Canonical name of the project whose stanza it is. */
  projectCanonicalName: string;
  /** A project-pipeline entry (no implicit role, explicit branch matcher only). */
  projectPipeline: boolean;
  /** Untrusted stanza with secrets (see LayoutJobVariant.untrustedSecrets). */
  untrustedSecrets: boolean;
}
