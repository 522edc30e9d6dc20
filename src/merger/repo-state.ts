// Repo states: what a build needs of each repository, recorded so an
// executor reproduces exactly the trees the merger built (semantics §E.1,
// §F.3). The `refs` part is Zuul's repo state (every branch and tag before
// merging); `merged` names the speculative tips and `bundle` carries the
// objects behind them, so reproducing needs no merge and no access to the
// merger's disk.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { GitError } from './git-command.js';
import type { ProjectRepoState, RepoState } from './types.js';
import { NULL_SHA } from './types.js';
import type { WorkRepo } from './work-repo.js';

/** The project's entry of a state, created empty when missing. */
export function projectState(
  state: RepoState,
  connection: string,
  project: string,
): ProjectRepoState {
  state[connection] ??= {};
  state[connection][project] ??= { refs: {} };
  return state[connection][project];
}

/** Zuul's ref update: `ref` at `newrev`, or removed when newrev is all zeros. */
export function applyRefUpdate(refs: Record<string, string>, ref: string, newrev: string): void {
  if (newrev === NULL_SHA) delete refs[ref];
  else refs[ref] = newrev;
}

/** Keeps only the named branches (tags stay), as Zuul's `branches` filter does. */
export function filterBranches(refs: Record<string, string>, branches?: readonly string[]): void {
  if (!branches) return;
  const keep = new Set(branches.map((b) => `refs/heads/${b}`));
  for (const ref of Object.keys(refs)) {
    if (ref.startsWith('refs/heads/') && !keep.has(ref)) delete refs[ref];
  }
}

const BUNDLES_KEPT = 500;

/**
 * A bundle (base64) of everything reachable from `tips` but not from
 * `known` — the commits an executor lacks. Undefined when there is none.
 * Remembered per work repository: a queue asks for the same states again
 * and again as items are added behind.
 */
export async function bundleObjects(
  repo: WorkRepo,
  tips: readonly string[],
  known: readonly string[],
): Promise<string | undefined> {
  if (!tips.length) return undefined;
  const key = `${[...tips].sort().join(' ')}|${[...known].sort().join(' ')}`;
  if (repo.bundles.has(key)) return repo.bundles.get(key);
  // A bundle lists refs, so the tips get names (which also keep them from
  // ever being pruned while the work repository lives).
  const names = tips.map((tip) => `refs/zuul/tips/${tip}`);
  const missing = tips.filter((tip) => !existsSync(join(repo.dir, 'refs/zuul/tips', tip)));
  if (missing.length) {
    await repo.git(['update-ref', '--stdin'], {
      input: missing.map((tip) => `update refs/zuul/tips/${tip} ${tip}\n`).join(''),
    });
  }
  const out = await repo.git(['bundle', 'create', '--quiet', '-', ...names, '--not', ...known], {
    okExitCodes: [128],
  });
  let bundle: string | undefined;
  if (out.exitCode !== 0) {
    if (!/empty bundle/.test(out.stderr)) {
      throw new GitError(`git bundle create failed in ${repo.dir}: ${out.stderr}`, out.stderr);
    }
  } else {
    bundle = out.stdout.toString('base64');
  }
  if (repo.bundles.size >= BUNDLES_KEPT) repo.bundles.delete(repo.bundles.keys().next().value!);
  repo.bundles.set(key, bundle);
  return bundle;
}

/**
 * Checks that every object reachable from `tips` but not from `known` is
 * there (what a bundle would hold); throws git's complaint otherwise. For
 * results whose commits came from the memo without git seeing them.
 */
export async function checkObjects(
  repo: WorkRepo,
  tips: readonly string[],
  known: readonly string[],
): Promise<void> {
  if (!tips.length) return;
  await repo.git(['rev-list', '--objects', '--quiet', ...tips, '--not', ...known]);
}

/**
 * Joins repo states (e.g. a merge result's and the pinned state of
 * projects no item touched): for a project in several, the first wins.
 */
export function combineRepoStates(...states: readonly RepoState[]): RepoState {
  const out: RepoState = {};
  for (const state of states) {
    for (const [connection, projects] of Object.entries(state)) {
      for (const [project, entry] of Object.entries(projects)) {
        out[connection] ??= {};
        const target = out[connection];
        if (!(project in target)) target[project] = structuredClone(entry);
      }
    }
  }
  return out;
}

/**
 * The branches and tags a workspace gets from a project's state: branch
 * and tag refs, and `refs/remotes/origin/<branch>` (the pre-merge view).
 */
export function workspaceRefs(entry: ProjectRepoState): Record<string, string> {
  const refs: Record<string, string> = {};
  for (const [ref, id] of Object.entries(entry.refs)) {
    if (ref.startsWith('refs/heads/')) {
      const branch = ref.slice('refs/heads/'.length);
      refs[ref] = entry.merged?.[branch]?.commit ?? id;
      refs[`refs/remotes/origin/${branch}`] = entry.merged?.[branch]?.previous ?? id;
    } else if (ref.startsWith('refs/tags/')) {
      refs[ref] = id;
    }
  }
  // A branch that only exists through merges (not possible today) still shows.
  for (const [branch, tip] of Object.entries(entry.merged ?? {})) {
    refs[`refs/heads/${branch}`] ??= tip.commit;
    refs[`refs/remotes/origin/${branch}`] ??= tip.previous;
  }
  return refs;
}
