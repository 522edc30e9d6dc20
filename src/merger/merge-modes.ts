// One change merged onto one branch state, in each merge mode Zuul knows,
// with the results git's porcelain would give (what Zuul's merger runs:
// `git merge -m "Merge '<ref>'" [-s resolve|recursive|ort] FETCH_HEAD`,
// `git cherry-pick --keep-redundant-commits`, `git merge --squash` plus a
// commit, `git rebase`) but without a work tree:
//
// - merge, merge-ort, merge-recursive: `git merge-tree --write-tree` (ort;
//   git ≥ 2.34 runs recursive through ort as well);
// - merge-resolve: the resolve strategy on a temporary index;
// - cherry-pick and each rebase step: ort with the picked commit's parent
//   as merge base. git 2.39's merge-tree cannot be given a base, so the
//   current tip's tree is first committed on top of that parent: the merge
//   base of that commit and the picked one is then exactly the parent.
//
// Fast-forwards, "already up to date", already-applied cherry-picks and
// commits a rebase drops behave as with the porcelain. Merge and squash
// commits are authored and committed by the merger's identity; picked and
// rebased commits keep their author. Every date is the item's timestamp.

import type { MergeMode } from '../drivers/driver.js';
import { type CommitObject, type Identity, identLine, parseCommit } from './commit-object.js';
import { GitError } from './git-command.js';
import { resolveTree, type TreeOutcome } from './resolve-strategy.js';
import type { StepOutcome, WorkRepo } from './work-repo.js';

export interface StepInput {
  mode: MergeMode;
  /** The branch state to merge onto. */
  base: string;
  /** The change's commit. */
  change: string;
  /** The change ref, for merge commit messages. */
  ref: string;
  identity: Identity;
  /** Seconds since the epoch, for every commit written. */
  timestamp: number;
}

/** Merges one change onto `base`; the same inputs give the same result (memoised). */
export async function mergeStep(repo: WorkRepo, input: StepInput): Promise<StepOutcome> {
  const key = JSON.stringify([
    input.mode,
    input.base,
    input.change,
    input.ref,
    input.identity.name,
    input.identity.email,
    Math.floor(input.timestamp),
  ]);
  const known = repo.memo.get(key);
  if (known) return known;
  const outcome = await runStep(repo, input);
  repo.memo.set(key, outcome);
  repo.countMerge();
  return outcome;
}

function runStep(repo: WorkRepo, input: StepInput): Promise<StepOutcome> {
  switch (input.mode) {
    case 'merge':
    case 'merge-ort':
    case 'merge-recursive':
      return mergeCommit(repo, input, 'ort');
    case 'merge-resolve':
      return mergeCommit(repo, input, 'resolve');
    case 'cherry-pick':
      return cherryPick(repo, input);
    case 'squash-merge':
      return squashMerge(repo, input);
    case 'rebase':
      return rebase(repo, input);
    default:
      throw new Error(`unsupported merge mode ${JSON.stringify(input.mode)}`);
  }
}

const ok = (commit: string): StepOutcome => ({ ok: true, commit });

function conflict(paths: string[], what: string): StepOutcome {
  const list = paths.length ? `: ${paths.join(', ')}` : '';
  return { ok: false, reason: 'conflict', message: `${what} failed with conflicts${list}`, paths };
}

const UNRELATED: StepOutcome = {
  ok: false,
  reason: 'unrelated-histories',
  message: 'refusing to merge unrelated histories',
};

function mergeMessage(input: StepInput): string {
  return `Merge '${input.ref}'\n`;
}

function zuulIdent(input: StepInput): string {
  return identLine(input.identity, input.timestamp);
}

async function mergeBases(repo: WorkRepo, a: string, b: string): Promise<string[]> {
  const out = await repo.git(['merge-base', '--all', a, b], { okExitCodes: [1] });
  return out.stdout.toString('utf8').split('\n').filter(Boolean);
}

/** ort merge of two commits' trees (their merge base from history). */
async function ortTree(
  repo: WorkRepo,
  ours: string,
  theirs: string,
  unrelated = false,
): Promise<TreeOutcome> {
  const args = ['merge-tree', '--write-tree', '--no-messages', '--name-only', '-z'];
  if (unrelated) args.push('--allow-unrelated-histories');
  const out = await repo.git([...args, ours, theirs], { okExitCodes: [1] });
  const [tree, ...paths] = out.stdout.toString('utf8').split('\0');
  if (out.exitCode === 0) return { ok: true, tree: tree! };
  return { ok: false, paths: [...new Set(paths.filter(Boolean))].sort() };
}

async function readCommits(
  repo: WorkRepo,
  ids: readonly string[],
): Promise<Map<string, CommitObject>> {
  const objects = await repo.readObjects(ids);
  const commits = new Map<string, CommitObject>();
  for (const id of ids) {
    const o = objects.get(id);
    if (o?.type !== 'commit') {
      // Gone although git found it before: the repository is damaged.
      throw new GitError(`commit ${id} is missing from ${repo.dir}`, `missing commit object ${id}`);
    }
    commits.set(id, parseCommit(o.id, o.body));
  }
  return commits;
}

async function mergeCommit(
  repo: WorkRepo,
  input: StepInput,
  strategy: 'ort' | 'resolve',
): Promise<StepOutcome> {
  const { base, change } = input;
  if (base === change) return ok(base);
  const bases = await mergeBases(repo, base, change);
  if (bases.includes(change)) return ok(base); // already up to date
  if (bases.includes(base)) return ok(change); // fast-forward
  if (!bases.length) return UNRELATED;
  const merged =
    strategy === 'resolve'
      ? await resolveTree(repo, bases, base, change)
      : await ortTree(repo, base, change);
  if (!merged.ok) return conflict(merged.paths, `merging ${input.ref}`);
  const ident = zuulIdent(input);
  return ok(
    await repo.writeCommit({
      tree: merged.tree,
      parents: [base, change],
      author: ident,
      committer: ident,
      message: mergeMessage(input),
    }),
  );
}

/**
 * The tree of applying `pick` (a non-merge commit) onto `onto`: ort with
 * pick's parent as the merge base.
 */
async function pickTree(
  repo: WorkRepo,
  onto: CommitObject,
  pick: CommitObject,
): Promise<TreeOutcome> {
  const parent = pick.parents[0];
  if (parent === onto.id) return { ok: true, tree: pick.tree };
  // A stand-in for `onto` whose only parent is pick's parent (see the top).
  const standIn = await repo.writeCommit({
    tree: onto.tree,
    parents: parent ? [parent] : [],
    author: onto.author,
    committer: onto.committer,
    message: 'merge base helper\n',
  });
  if (parent) return ortTree(repo, standIn, pick.id);
  // A root commit is applied over the empty tree, as cherry-pick does.
  const rootPick = await repo.writeCommit({ ...pick, parents: [] });
  return ortTree(repo, standIn, rootPick, true);
}

/** The tree of a commit's first parent (the empty tree for a root commit). */
async function parentTree(repo: WorkRepo, commit: CommitObject): Promise<string> {
  const parent = commit.parents[0];
  if (!parent) {
    const out = await repo.git(['hash-object', '-t', 'tree', '--stdin'], { input: '' });
    return out.stdout.toString('utf8').trim();
  }
  return (await readCommits(repo, [parent])).get(parent)!.tree;
}

async function cherryPick(repo: WorkRepo, input: StepInput): Promise<StepOutcome> {
  const commits = await readCommits(repo, [input.base, input.change]);
  const onto = commits.get(input.base)!;
  const pick = commits.get(input.change)!;
  // Zuul merges (resolve) a merge commit instead of picking it.
  if (pick.parents.length > 1) return mergeCommit(repo, input, 'resolve');
  const applied = await pickTree(repo, onto, pick);
  if (!applied.ok) return conflict(applied.paths, `cherry-picking ${input.ref}`);
  // Nothing changed although the commit changes something: it is already
  // on the branch, and Zuul drops the empty pick.
  if (applied.tree === onto.tree && pick.tree !== (await parentTree(repo, pick))) {
    return ok(onto.id);
  }
  return ok(
    await repo.writeCommit({
      tree: applied.tree,
      parents: [onto.id],
      author: pick.author,
      committer: zuulIdent(input),
      message: pick.message,
    }),
  );
}

async function squashMerge(repo: WorkRepo, input: StepInput): Promise<StepOutcome> {
  const { base, change } = input;
  const commits = await readCommits(repo, [base, change]);
  const bases = await mergeBases(repo, base, change);
  let tree: string;
  if (bases.includes(change)) tree = commits.get(base)!.tree;
  else if (bases.includes(base)) tree = commits.get(change)!.tree;
  else if (!bases.length) return UNRELATED;
  else {
    const merged = await ortTree(repo, base, change);
    if (!merged.ok) return conflict(merged.paths, `squash-merging ${input.ref}`);
    tree = merged.tree;
  }
  // Always a new commit, empty or not (Zuul commits with --allow-empty).
  const ident = zuulIdent(input);
  return ok(
    await repo.writeCommit({
      tree,
      parents: [base],
      author: ident,
      committer: ident,
      message: mergeMessage(input),
    }),
  );
}

/** `git checkout <change>; git rebase <base>`. */
async function rebase(repo: WorkRepo, input: StepInput): Promise<StepOutcome> {
  const { base, change } = input;
  const bases = await mergeBases(repo, base, change);
  if (bases.includes(base)) return ok(change); // up to date: nothing is rewritten
  if (bases.includes(change)) return ok(base);
  if (!bases.length) return UNRELATED;
  // What rebase replays: commits of the change not on the branch, oldest
  // first, without merges and without those already applied upstream.
  const list = await repo.git([
    'rev-list',
    '--reverse',
    '--topo-order',
    '--right-only',
    '--cherry-pick',
    '--no-merges',
    `${base}...${change}`,
  ]);
  const ids = list.stdout.toString('utf8').split('\n').filter(Boolean);
  const commits = await readCommits(repo, [base, ...ids]);
  const parents = [...new Set(ids.map((id) => commits.get(id)!.parents[0]!))].filter(
    (p) => p && !commits.has(p),
  );
  for (const [id, c] of await readCommits(repo, parents)) commits.set(id, c);
  let tip = commits.get(base)!;
  for (const id of ids) {
    const pick = commits.get(id)!;
    const parent = pick.parents[0];
    // A commit already on top of the current tip is kept as it is.
    if (parent === tip.id) {
      tip = pick;
      continue;
    }
    const applied = await pickTree(repo, tip, pick);
    if (!applied.ok) return conflict(applied.paths, `rebasing ${input.ref} (at ${id})`);
    const startedEmpty = pick.tree === (parent ? commits.get(parent)?.tree : undefined);
    // Commits that become empty are dropped; commits that were empty stay.
    if (applied.tree === tip.tree && !startedEmpty) continue;
    const next = {
      tree: applied.tree,
      parents: [tip.id],
      author: pick.author,
      committer: zuulIdent(input),
      message: pick.message,
    };
    tip = { id: await repo.writeCommit(next), ...next };
  }
  return ok(tip.id);
}
