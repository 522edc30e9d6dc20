// THE CONTRACT BETWEEN THE EXECUTOR SERVICE AND BUILD EXECUTION.
//
// A scheduler (or `zuul-ts run-job`) puts a BuildRequest on the store's
// queue; the executor service claims it and calls `runBuild(request, ctx)`
// (run-build.ts), which reports `started`/`paused`/`early_failure` events
// through `ctx.onEvent` and resolves to a BuildResultPayload. Everything
// here is plain JSON: requests and results travel through the state store
// between processes. Change it only together with both sides.
//
// A request holds everything a build needs except git objects (fetched
// into the executor's repository cache) and keys (read from the keystore):
// secrets travel still encrypted, as in the layout (`{"__encrypted__":
// [base64 chunks]}` leaves), and are decrypted by the executor with the
// project's secrets key, as Zuul's executor does (semantics §F.1, §G).

import type { RepoState } from '../merger/types.js';
import type { NodeInfo } from './vars/inventory.js';
import type { RefInfo } from './vars/refs.js';
import type { ArtifactVar } from './vars/zuul-vars.js';

/** Request kind on the store's request queue. */
export const EXECUTOR_BUILD_KIND = 'executor:build';

/** A project a build touches: workspace, playbook, role or include-vars project. */
export interface BuildProject {
  /** `[connection NAME]` of zuul.conf. */
  connection: string;
  /** Name within the connection, e.g. `org/project`. */
  name: string;
  /** `<canonical hostname>/<name>`. */
  canonicalName: string;
  canonicalHostname: string;
  /** URL the repository cache fetches from (the connection source's git URL). */
  url: string;
  /** From project metadata, else `master`. */
  defaultBranch: string;
}

/** A project to prepare in work/src (semantics §F.3), after include/exclude-projects. */
export interface WorkspaceProjectRequest {
  /** Canonical name; the project is in BuildRequest.projects. */
  project: string;
  /** Listed in the job's required-projects. */
  required: boolean;
  /** required-projects `override-branch` / `override-checkout` of this project. */
  overrideBranch?: string | null;
  overrideCheckout?: string | null;
}

/** A Zuul role of a playbook (semantics §F.4). */
export interface BuildRole {
  /** Directory name Ansible sees the role under. */
  targetName: string;
  /** Canonical name of the role's repository (in BuildRequest.projects). */
  project: string;
  /** The job's own repository's role: silently skipped when the repository has no roles. */
  implicit: boolean;
}

/** One secret a playbook receives, still encrypted. */
export interface BuildSecret {
  /** Variable name the playbook sees. */
  alias: string;
  /** Name of the secret object (for messages). */
  secretName: string;
  /** Project whose secrets key decrypts it. */
  connection: string;
  project: string;
  /** The secret's `data`: YAML values with `{"__encrypted__": [chunk, …]}` leaves. Absent for OIDC secrets. */
  data?: unknown;
}

export interface BuildPlaybook {
  /** Canonical name of the project the playbook is read from. */
  project: string;
  /** Branch of the stanza that listed it. */
  branch: string;
  /** Path in the repository (no implied extension). */
  path: string;
  trusted: boolean;
  /** Post playbooks only: from cleanup-run. */
  cleanup: boolean;
  /** Inheritance depth of the stanza that added it (0 = the base job). */
  nestingLevel: number;
  /** Earlier roles take precedence. */
  roles: BuildRole[];
  secrets: BuildSecret[];
}

export interface BuildIncludeVars {
  /** File path in the project. */
  name: string;
  /** Canonical name (in BuildRequest.projects). */
  project: string;
  required: boolean;
  /** Read the item's ref for the item's own project. */
  useRef: boolean;
}

/** The frozen job as an executor needs it (a JSON subset of model/freeze FrozenJob). */
export interface BuildJob {
  name: string;
  voting: boolean;
  /** Seconds for pre-run + run (one clock); null: no limit. */
  timeout: number | null;
  preTimeout: number | null;
  postTimeout: number | null;
  tags: string[];
  /** The job's `attempts` (max tries). */
  attempts: number;
  overrideBranch: string | null;
  overrideCheckout: string | null;
  inheritancePath: string[];
  workspaceScheme: 'golang' | 'flat' | 'unique';
  workspaceCheckout: boolean | 'auto';
  imageBuildName: string | null;
  failureOutput: string[];
  /** Zuul's Ansible version name (`9`, `11`); null: the executor's default. */
  ansibleVersion: string | null;
  vars: Record<string, unknown>;
  extraVars: Record<string, unknown>;
  hostVars: Record<string, Record<string, unknown>>;
  groupVars: Record<string, Record<string, unknown>>;
  includeVars: BuildIncludeVars[];
  preRun: BuildPlaybook[];
  run: BuildPlaybook[];
  /** Post-run playbooks as listed (cleanup-run ones are in cleanupRun). */
  postRun: BuildPlaybook[];
  cleanupRun: BuildPlaybook[];
}

/** Data passed down from ancestor builds (semantics §F.5 step 1, step 6). */
export interface ParentData {
  /** Merged returned `data` of the ancestors, in job-graph order (later wins). */
  data: Record<string, unknown>;
  /** Merged returned `secret_data` (never written to disk by the executor). */
  secretData: Record<string, unknown>;
}

export interface BuildRequest {
  /** Build UUID: new for every try. Letters, digits, `_` and `-` only. */
  uuid: string;
  buildsetUuid: string;
  tenant: string;
  pipeline: { name: string; postReview: boolean };
  /** Executor zone; null: any unzoned executor. */
  zone: string | null;
  eventId: string | null;
  /** This try, 1-based (job.attempts is the maximum). */
  attempt: number;
  job: BuildJob;
  /** Every project the build touches, by canonical name. */
  projects: Record<string, BuildProject>;
  /** What goes into work/src, in Zuul's order (required projects, include-vars projects, item projects). */
  workspace: WorkspaceProjectRequest[];
  /** The repo state the merger recorded for the buildset (connection → project → state). */
  repoState: RepoState;
  /** The change this build is for (`zuul.project`, `zuul.change`, …). */
  change: RefInfo;
  /** Every change of every item ahead plus this item, head first. */
  items: RefInfo[];
  /** Every change of this item (cycle members). */
  buildsetRefs: RefInfo[];
  /** The changes this build runs for (several when deduplicated). */
  buildRefs: RefInfo[];
  /** The allocated nodes; empty for an empty nodeset (runs on the executor's localhost). */
  nodes: NodeInfo[];
  groups: { name: string; nodes: string[] }[];
  /** Names of the job's direct dependents (`zuul.child_jobs`). */
  childJobs: string[];
  parent: ParentData;
  /** Artifacts of ancestor builds and requirement providers (`zuul.artifacts`). */
  artifacts: ArtifactVar[];
}

/** Results a build can end with (semantics §F.7); RETRY means "no result, try again". */
export type BuildResultName =
  | 'SUCCESS'
  | 'FAILURE'
  | 'POST_FAILURE'
  | 'TIMED_OUT'
  | 'RETRY'
  | 'RETRY_LIMIT'
  | 'ABORTED'
  | 'ERROR'
  | 'MERGE_CONFLICT'
  | 'NODE_FAILURE'
  | 'DISK_FULL';

export interface BuildArtifact {
  name: string;
  /** Absolute (relative URLs were joined to the log URL). */
  url: string;
  metadata?: Record<string, unknown>;
}

export interface BuildFileComment {
  line?: number;
  message: string;
  level?: 'info' | 'warning' | 'error';
  range?: { start_line: number; start_character: number; end_line: number; end_character: number };
}

export interface BuildPlaybookResult {
  phase: 'pre' | 'run' | 'post';
  index: number;
  /** `<canonical project>/<path>`. */
  playbook: string;
  trusted: boolean;
  /** NORMAL, TIMED_OUT, ABORTED, UNREACHABLE, … */
  outcome: string;
  exitCode: number | null;
  elapsedMs: number;
}

export interface BuildResultPayload {
  uuid: string;
  result: BuildResultName;
  /** Why the result is ERROR (or another failure the user should read about). */
  errorDetail: string | null;
  /** The build's logs: zuul_return's `zuul.log_url`, else the executor's own log URL. */
  logUrl: string | null;
  /** Returned `data` (including its `zuul` key): children's parent data. */
  data: Record<string, unknown>;
  /** Returned `secret_data`: children's secret parent data. Never stored in build history. */
  secretData: Record<string, unknown>;
  artifacts: BuildArtifact[];
  warnings: string[];
  fileComments: Record<string, BuildFileComment[]> | null;
  /** zuul_return `zuul.child_jobs` when a playbook set it ([] skips every child). */
  childJobs: string[] | null;
  /** A host was unreachable: the scheduler moves to the next nodeset alternative. */
  unreachable: boolean;
  /** A failure was seen while playbooks were still running. */
  earlyFailure: boolean;
  /** ISO 8601 times; startTime is when the first playbook began (null if none ran). */
  startTime: string | null;
  endTime: string;
  executorHostname: string;
  playbooks: BuildPlaybookResult[];
}

/** What runBuild reports while the build runs. */
export type BuildEvent =
  | {
      type: 'started';
      uuid: string;
      /** `finger://<hostname>/<uuid>` until the build returns a log URL. */
      url: string;
      executorHostname: string;
      /** The live console file (followable with log-stream.ts on this host). */
      consoleLog: string;
    }
  | {
      type: 'paused';
      uuid: string;
      /** Returned data so far: dependents may start with it as parent data. */
      data: Record<string, unknown>;
      secretData: Record<string, unknown>;
      artifacts: BuildArtifact[];
    }
  | { type: 'early_failure'; uuid: string }
  | { type: 'playbook'; uuid: string; state: 'start' | 'end'; playbook: BuildPlaybookResult };
