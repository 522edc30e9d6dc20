// The merger's inputs and outputs. Everything here is plain JSON (strings,
// numbers, arrays, records): requests and results travel through the state
// store's request queue between scheduler, merger and executor processes.
//
// Vocabulary (semantics §E.1, §E.3, §F.3):
// - an *item* is one change (or ref update) of a pipeline queue, in queue
//   order, head first; `mergeChanges` builds, for each item, the commit its
//   branch would have if that item and every item ahead of it had merged;
// - the *repo state* records every branch and tag a build needs, so an
//   executor reproduces exactly the trees the merger built.

import type { MergeMode } from '../drivers/driver.js';

export type { MergeMode };

/** The all-zero id: as `newrev` a deleted ref, as `oldrev` a created one. */
export const NULL_SHA = '0000000000000000000000000000000000000000';

/** Every merge mode the merger accepts (project.merge-mode values and driver defaults). */
export const MERGE_MODES: readonly MergeMode[] = [
  'merge',
  'merge-resolve',
  'merge-recursive',
  'merge-ort',
  'cherry-pick',
  'squash-merge',
  'rebase',
];

/** Where a project's repository is: the mirror is keyed by connection and project. */
export interface ProjectLocator {
  /** Connection name (a `[connection NAME]` of zuul.conf). */
  connection: string;
  /** Project name as the connection knows it (`org/repo`, not canonical). */
  project: string;
  /** URL git fetches the project from (the connection source's gitUrl). */
  url: string;
}

/**
 * One queue item to merge, in queue order. Two kinds:
 *
 * - a **change** (`ref` set, `newrev` unset): the commit `ref` points at on
 *   origin (e.g. `refs/changes/45/12345/3`, `refs/pull/7/head`, or a
 *   commit id) is merged into `branch` with `mergeMode`, on top of the
 *   branch tip plus every item ahead on the same project and branch;
 * - a **ref update** (`newrev` set, as for ref-updated/push events): nothing
 *   is merged; `ref` (default `refs/heads/<branch>`) is taken to be at
 *   `newrev` — or deleted when `newrev` is all zeros — in the state of this
 *   item and every item behind it.
 */
export interface MergeItem extends ProjectLocator {
  /** Target branch (without `refs/heads/`). Required for changes. */
  branch?: string;
  /** Change ref (or commit id) to fetch; for ref updates, the updated ref's full name. */
  ref?: string;
  /**
   * Commit id `ref` is expected to point at (Gerrit patchset revision, pull
   * request head). Only a hint: when the mirror already holds it, nothing is
   * fetched; otherwise `ref` is fetched and what it points at is merged.
   */
  commit?: string;
  /** For ref updates: the new value (all zeros: deleted). */
  newrev?: string;
  /** For ref updates: the previous value (informational). */
  oldrev?: string;
  /** How the change is merged: the project's merge-mode or its driver's default. */
  mergeMode: MergeMode;
  /**
   * Commit date for every commit the merger creates for this item, in
   * seconds since the epoch (Zuul's `configured_time`). The same inputs and
   * timestamp always give the same commit ids. Default: the request's start
   * time.
   */
  timestamp?: number;
  /** How messages name the item (e.g. `12345,3`); default: the ref. */
  label?: string;
}

/** Files to read at speculative states: Zuul's configuration roots by default. */
export interface ConfigFileRequest {
  /** Exact paths (e.g. `zuul.yaml`, `.zuul.yaml`, extra-config-paths files). */
  files: string[];
  /**
   * Directories (e.g. `zuul.d`, `.zuul.d`, extra-config-paths directories,
   * with or without a trailing `/`): every `*.yaml` below, except under a
   * directory holding a `.zuul.ignore` file.
   */
  dirs: string[];
}

export interface MergeOptions {
  /**
   * What to do with the items behind a failed item. `stop` (Zuul's
   * behaviour, default): they fail too, naming the failed item. `skip`:
   * they are merged as if the failed item were not in the queue (what the
   * queue looks like once it is dequeued).
   */
  onConflict?: 'stop' | 'skip';
  /**
   * A repo state from an earlier result: the branches of its projects start
   * from its `refs` instead of the current tips, and origin is not asked
   * again when the mirror has every commit it names.
   */
  repoState?: RepoState;
  /** Record only these branches in the repo state (default: all). */
  branches?: string[];
  /** Read these files at each merged item's state (ItemResult.files). */
  configFiles?: ConfigFileRequest;
  /** Compute each change's files (ItemResult.filesChanged), as getFilesChanges does. */
  filesChanges?: boolean;
  /**
   * Put a git bundle of the commits the merger created into the repo state
   * so executors on other machines can reproduce it (default true).
   */
  bundle?: boolean;
}

/** Why an item could not be merged. */
export type MergeFailureReason =
  /** git could not merge the change without a conflict. */
  | 'conflict'
  /** The target branch does not exist (any more). */
  | 'missing-branch'
  /** The change ref could not be fetched. */
  | 'missing-ref'
  /** The change has no history in common with the branch. */
  | 'unrelated-histories'
  /** An item ahead failed (onConflict: stop). */
  | 'item-ahead'
  /** The item itself is invalid (e.g. a change without a branch). */
  | 'invalid';

export interface MergedItem {
  status: 'MERGED';
  /** The speculative commit: the item's branch with it and every item ahead merged. */
  commit: string;
  /** The branch's state before this item (the previous item's commit, or the tip). */
  base: string;
  /** For changes: the commit the ref pointed at (Zuul's "orig commit"). */
  originalCommit?: string;
  /** Items ahead that were left out because they failed (onConflict: skip). */
  skipped?: number[];
  /** Files the change touches, relative to its target branch (when asked). */
  filesChanged?: string[];
  /** The requested files at `commit`: path → content, null for an absent listed file. */
  files?: Record<string, string | null>;
}

export interface FailedItem {
  /** The item could not be merged: Zuul reports this as a merge conflict. */
  status: 'MERGE_CONFLICT';
  reason: MergeFailureReason;
  /** Index (in the request's items) of the item that failed: this one, or one ahead. */
  conflictIndex: number;
  /** What went wrong, for the report and the logs. */
  message: string;
  /** Paths git could not merge (reason `conflict`). */
  paths?: string[];
}

export type ItemResult = MergedItem | FailedItem;

/**
 * A branch that received merges: what the build checks out, and where
 * `origin/<branch>` points in the workspace (the state before the last
 * item merged into it, so `git diff origin/<b>..<b>` shows that item).
 */
export interface SpeculativeBranch {
  commit: string;
  previous: string;
}

/** One project's part of a repo state. */
export interface ProjectRepoState {
  /**
   * Zuul's repo state for the project: every branch and tag (full ref
   * names) → object id, as the merger found them before merging (with
   * ref updates of the items applied).
   */
  refs: Record<string, string>;
  /** Branch name → its speculative tip, for branches items were merged into. */
  merged?: Record<string, SpeculativeBranch>;
  /**
   * A git bundle (base64) with every object the speculative tips need
   * beyond `refs`: the changes and the commits the merger made. Absent
   * when nothing was merged or bundles were not asked for.
   */
  bundle?: string;
}

/** connection → project → state. */
export type RepoState = Record<string, Record<string, ProjectRepoState>>;

export interface MergeResult {
  /** One per item, in request order. */
  items: ItemResult[];
  /** The state after the last item: every involved project, pre-merge refs plus merges. */
  repoState: RepoState;
  /**
   * Zuul's `files` answer: per project branch that received items, the
   * requested files at its last merged state (when configFiles was asked).
   */
  files?: BranchFiles[];
}

export interface BranchFiles {
  connection: string;
  project: string;
  branch: string;
  files: Record<string, string | null>;
}

/** A project to pin in a repo state (Zuul's getRepoState items). */
export interface RepoStateItem extends ProjectLocator {
  /** A ref update to apply (full ref name), with `newrev`. */
  ref?: string;
  newrev?: string;
}

export interface RepoStateResult {
  repoState: RepoState;
  /** Branches that contain the last item's `newrev` (for tag and ref items). */
  itemInBranches: string[];
}

export interface FilesChangesRequest extends ProjectLocator {
  /** The change ref (or commit id) whose files are wanted. */
  ref: string;
  /**
   * What to compare with: a branch name or commit id (Zuul's `tosha`, the
   * target branch or the change's base sha). Absent: the files of the
   * change's own commit only.
   */
  tosha?: string;
}

export interface FilesRequest extends ProjectLocator, ConfigFileRequest {
  /** Branch to read (its tip), unless `commit` is given. */
  branch?: string;
  commit?: string;
}

export interface ProjectRefs {
  /** Branch name → commit id. */
  branches: Record<string, string>;
  /** Tag name → object id. */
  tags: Record<string, string>;
  /** The default branch (origin's HEAD), when known. */
  head?: string;
}

export interface ReproduceOptions {
  /** Branch, tag or commit to check out (default: HEAD's branch, else the first branch). */
  checkout?: string;
  /** Set origin's URL in the workspace to this (Zuul executors use file:///dev/null). */
  originUrl?: string;
}

export interface ReproducedRepo {
  /** The commit checked out. */
  commit: string;
  /** What was checked out (branch, tag or commit id). */
  checkout: string;
}
