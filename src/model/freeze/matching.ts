// Branch and file matching against an item's change (semantics §D.6).

import type { BranchMatcher } from '../layout.js';
import { regexMatches, type ZuulRegex } from '../regex.js';
import type { FreezeChange, FrozenJob } from './types.js';

/** Gerrit's pseudo-file for the commit message: never a changed file. */
export const COMMIT_MSG = '/COMMIT_MSG';

/**
 * Whether a branch matcher accepts a change. With `overrideBranch` the
 * matcher is evaluated against that branch instead (override-checkout).
 * A change without a branch (tag, ref) matches when the regex matches its
 * full ref, or when the matcher accepts a branch containing the commit.
 */
export function matcherMatchesChange(
  matcher: BranchMatcher | undefined,
  change: FreezeChange,
  overrideBranch?: string | null,
): boolean {
  if (!matcher) return true;
  const branch = overrideBranch ?? change.branch;
  if (branch !== undefined) return acceptsBranch(matcher, branch);
  const ref = change.ref ?? '';
  if (matcher.kind === 'regex') {
    if (matcher.regexes.some((r) => regexMatches(r, ref))) return true;
  } else if (literalAsRegexMatches(matcher.branch, ref)) {
    return true;
  }
  return (change.containingBranches ?? []).some((b) => acceptsBranch(matcher, b));
}

function acceptsBranch(matcher: BranchMatcher, branch: string): boolean {
  if (matcher.kind === 'exact') return matcher.branch === branch;
  return matcher.regexes.some((r) => regexMatches(r, branch));
}

// Zuul tests an implied matcher's branch name as a regex against a ref; a
// branch name that is not a valid regex simply does not match.
function literalAsRegexMatches(branch: string, ref: string): boolean {
  try {
    return regexMatches({ pattern: branch, negate: false }, ref);
  } catch {
    return false;
  }
}

/** The change's files without Gerrit's commit-message pseudo-file (undefined: unknown). */
function changedFiles(change: FreezeChange): string[] | undefined {
  if (change.files === undefined || change.files === null) return undefined;
  return change.files.filter((f) => f !== COMMIT_MSG);
}

/**
 * `files` and `irrelevant-files` of a frozen job against a change: run when
 * some file matches `files` (or nothing is known), skip when every file
 * matches `irrelevant-files` (never when nothing is known).
 */
export function changeMatchesFiles(
  files: readonly ZuulRegex[] | null,
  irrelevantFiles: readonly ZuulRegex[] | null,
  change: FreezeChange,
): boolean {
  const list = changedFiles(change);
  if (files && list && list.length > 0) {
    if (!list.some((f) => files.some((r) => regexMatches(r, f)))) return false;
  }
  if (irrelevantFiles && list && list.length > 0) {
    if (list.every((f) => irrelevantFiles.some((r) => regexMatches(r, f)))) return false;
  }
  return true;
}

/**
 * Zuul 13+: a change to one of the job's playbooks or include-vars files in
 * the change's own project counts as changing the job, so its file matchers
 * are ignored (match-on-config-updates).
 */
export function changeTouchesJobFiles(job: FrozenJob, change: FreezeChange): boolean {
  const files = changedFiles(change);
  if (!files?.length) return false;
  const touched = new Set(files);
  for (const pb of [...job.preRun, ...job.run, ...job.postRun, ...job.cleanupRun]) {
    if (pb.sourceContext.projectCanonical === change.project && touched.has(pb.path)) return true;
  }
  for (const iv of job.includeVars) {
    const project = iv.projectCanonicalName ?? change.project;
    if (project === change.project && touched.has(iv.name)) return true;
  }
  return false;
}
