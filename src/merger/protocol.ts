// What other components may ask a merger, through the store's request
// queue (src/store/requests.ts): one request kind per question, each with
// a JSON payload and a JSON result. The requester side is client.ts, the
// merger side service.ts; both see the questions as the MergeWorker
// interface, so neither depends on how the other runs.
//
// Kinds follow Zuul's merger job names where Zuul has one (merge, cat,
// refstate, fileschanges); `refs` (branches and tags) is Zuul's source
// query, answered from the merger's mirror here.

import type {
  FilesChangesRequest,
  FilesRequest,
  MergeItem,
  MergeOptions,
  MergeResult,
  ProjectLocator,
  ProjectRefs,
  RepoStateItem,
  RepoStateResult,
} from './types.js';

/** Request kinds a merger serves, by operation. */
export const MERGER_KINDS = {
  merge: 'merger:merge',
  cat: 'merger:cat',
  filesChanges: 'merger:fileschanges',
  repoState: 'merger:refstate',
  refs: 'merger:refs',
} as const;

export type MergerOperation = keyof typeof MERGER_KINDS;

export interface MergeRequest {
  /** Queue items, head first. */
  items: MergeItem[];
  options?: MergeOptions;
}

export interface RepoStateRequest {
  items: RepoStateItem[];
  /** Record only these branches (default: all). */
  branches?: string[];
}

export interface FilesChangesResult {
  files: string[];
}

export interface CatResult {
  /** Path → content; null for a listed file that does not exist. */
  files: Record<string, string | null>;
}

/** Payload and result of each operation. */
export interface MergerOperations {
  /** Builds the speculative state of every item (each on top of those ahead). */
  merge: { payload: MergeRequest; result: MergeResult };
  /** Zuul configuration files at a speculative state (for speculative layouts). */
  cat: { payload: FilesRequest; result: CatResult };
  /** The files an item changes relative to its target branch. */
  filesChanges: { payload: FilesChangesRequest; result: FilesChangesResult };
  /** The repo state (every ref and commit) a build must reproduce. */
  repoState: { payload: RepoStateRequest; result: RepoStateResult };
  /** Branches and tags of a project, freshly fetched. */
  refs: { payload: ProjectLocator; result: ProjectRefs };
}

/** The merger's work, as the service calls it and the client requests it. */
export type MergeWorker = {
  [Op in MergerOperation]: (
    payload: MergerOperations[Op]['payload'],
    signal: AbortSignal,
  ) => Promise<MergerOperations[Op]['result']>;
};

const BY_KIND = new Map<string, MergerOperation>(
  Object.entries(MERGER_KINDS).map(([op, kind]) => [kind, op as MergerOperation]),
);

/** The operation a request kind asks for, if it is a merger kind. */
export function operationOfKind(kind: string): MergerOperation | undefined {
  return BY_KIND.get(kind);
}
