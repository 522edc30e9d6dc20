// Repositories of a build (semantics §F.3, §F.4): the repo state completed
// for every project the build touches, the workspace under work/src, and
// the trusted/untrusted checkouts playbooks and roles are read from.
//
// Everything is cloned from the executor's repository cache at a recorded
// state (reproduceRepoState), so the trees are the merger's, byte for byte.

import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { runGit } from '../../merger/git-command.js';
import { type RepoCache, repoKey } from '../../merger/repo-cache.js';
import { type ReproduceShortcuts, reproduceRepoState } from '../../merger/reproduce.js';
import type { ProjectRepoState, RepoState } from '../../merger/types.js';
import type { BuildPaths } from '../build-dir.js';
import type { BuildProject, BuildRequest } from '../protocol.js';
import { workspaceProjectPath } from '../vars/workspace.js';
import type { WorkspaceProject } from '../vars/zuul-vars.js';
import { chooseCheckout, PrepareError, refNames } from './checkout.js';
import { gitTemplate, writeTemplate } from './git-template.js';
import { checkoutFresh } from './work-tree.js';

/** Written into the job's output as preparation goes (Zuul's step messages). */
export type Progress = (message: string) => void;

function locator(p: BuildProject) {
  return { connection: p.connection, project: p.name, url: p.url };
}

/** Repositories and checkouts written without git processes where git's result is certain. */
export function checkoutShortcuts(cache: RepoCache): ReproduceShortcuts {
  const template = (destDir: string) => gitTemplate(dirname(destDir), cache.gitOptions());
  return {
    async init(destDir) {
      const t = await template(destDir);
      if (t) writeTemplate(t, destDir);
      return t !== undefined;
    },
    async checkout(destDir, c) {
      const t = await template(destDir);
      return t?.plainCheckout && t.ident
        ? checkoutFresh(destDir, { ...c, ident: t.ident })
        : undefined;
    },
  };
}

/**
 * Runs at most `n` tasks at a time: a build's checkouts share the disk and
 * CPU with other builds, and a job may name dozens of projects.
 */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly n: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active < this.n) this.active++;
    else await new Promise<void>((r) => this.waiting.push(r)); // a finished task hands over its slot
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

/** Checkouts of one build made at once. */
export const CHECKOUTS_AT_ONCE = 4;

/** Clone options of every checkout of a build. */
function cloneOptions(cache: RepoCache, checkout: string) {
  return { checkout, originUrl: 'file:///dev/null', shortcuts: checkoutShortcuts(cache) };
}

export function projectOf(req: BuildRequest, canonical: string): BuildProject {
  const p = req.projects[canonical];
  if (!p) throw new PrepareError(`Project ${canonical} is used by the job but not described`);
  return p;
}

function stateOf(state: RepoState, p: BuildProject): ProjectRepoState | undefined {
  return state[p.connection]?.[p.name];
}

/**
 * The request's repo state plus, for every described project it lacks
 * (playbook, role or include-vars repositories no item touched), the
 * branches and tags as the cache finds them after an update.
 */
export async function completeRepoState(req: BuildRequest, cache: RepoCache): Promise<RepoState> {
  const state: RepoState = structuredClone(req.repoState);
  const missing = Object.values(req.projects).filter((p) => !stateOf(state, p));
  // Different repositories have separate locks: update them side by side.
  const pinned = await settleAll(
    missing.map((p) =>
      cache.withMirror(repoKey(p.connection, p.name), p.url, async (m) => {
        await m.update();
        return m.refs();
      }),
    ),
  );
  for (const [i, p] of missing.entries()) {
    state[p.connection] ??= {};
    state[p.connection]![p.name] = { refs: pinned[i]! };
  }
  return state;
}

/** Promise.all that lets every task finish (nothing keeps writing once the caller moves on). */
async function settleAll<T>(tasks: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(tasks);
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
}

function canonicalOf(p: { name: string; canonicalHostname: string }): string {
  return `${p.canonicalHostname}/${p.name}`;
}

/** The state without the item's merges: what trusted code is read from. */
function withoutMerges(entry: ProjectRepoState): ProjectRepoState {
  return { refs: entry.refs };
}

export interface Workspace {
  /** For `zuul.projects`, in request order. */
  projects: WorkspaceProject[];
  /** Canonical name → its directory under work/src. */
  dirs: Map<string, string>;
}

/** Clones every workspace project into work/src and checks out what §F.3 chooses. */
export async function prepareWorkspace(
  req: BuildRequest,
  state: RepoState,
  cache: RepoCache,
  paths: BuildPaths,
  checkoutTree: boolean,
  limiter = new Limiter(CHECKOUTS_AT_ONCE),
): Promise<Workspace> {
  const out: Workspace = { projects: [], dirs: new Map() };
  const ops: { cmd: string[]; path: string }[] = [];
  const recorded: Record<string, ProjectRepoState> = {};
  const itemHasBranch = req.change.kind === 'change' || req.change.kind === 'branch';
  const plans = req.workspace.map((wp) => {
    const p = projectOf(req, wp.project);
    const entry = stateOf(state, p);
    if (!entry) throw new PrepareError(`Project ${p.canonicalName} is not in the repo state`);
    const choice = chooseCheckout({
      names: refNames(entry),
      projectOverrideCheckout: wp.overrideCheckout,
      projectOverrideBranch: wp.overrideBranch,
      jobOverrideCheckout: req.job.overrideCheckout,
      jobOverrideBranch: req.job.overrideBranch,
      itemRef:
        !itemHasBranch && canonicalOf(req.change.project) === p.canonicalName
          ? req.change.ref
          : undefined,
      itemBranch: req.change.branch,
      defaultBranch: p.defaultBranch,
      project: p.canonicalName,
    });
    const rel = workspaceProjectPath(req.job.workspaceScheme, p.canonicalHostname, p.name);
    return { wp, p, entry, choice, rel, dir: join(paths.src, rel) };
  });
  // Clones wait on disk and mirror locks more than on CPU: side by side.
  const commits = await settleAll(
    plans.map(({ p, choice, dir }) =>
      limiter.run(async () => {
        const opts = cloneOptions(cache, choice.ref);
        const done = await reproduceRepoState(cache, state, locator(p), dir, opts);
        if (!checkoutTree) await emptyWorkTree(dir, cache);
        return done.commit;
      }),
    ),
  );
  for (const [i, { wp, p, entry, choice, rel, dir }] of plans.entries()) {
    out.dirs.set(p.canonicalName, dir);
    out.projects.push({
      project: { name: p.name, canonicalHostname: p.canonicalHostname },
      required: wp.required,
      checkout: choice.ref,
      checkoutDescription: choice.description,
      commit: commits[i],
    });
    ops.push({ cmd: ['git', 'checkout', choice.ref], path: `src/${rel}` });
    recorded[`src/${rel}`] = entry;
  }
  await writeFile(
    join(paths.logs, 'workspace-repos.json'),
    `${JSON.stringify({ repo_state: recorded, merge_ops: ops }, null, 2)}\n`,
  );
  return out;
}

/** workspace-checkout false: refs and HEAD stay, the files go (a sparse checkout of nothing). */
async function emptyWorkTree(dir: string, cache: RepoCache): Promise<void> {
  const opts = { ...cache.gitOptions(), cwd: dir };
  await runGit(['sparse-checkout', 'set', '--no-cone', '/.zuul-empty-work-tree'], opts);
}

/**
 * Checkouts of playbook and role repositories, one per trust context,
 * project and branch (`trusted/project_N/<canonical name>`): trusted ones at
 * the recorded state without the item's changes, untrusted ones of
 * workspace projects with them (proposed playbooks run speculatively).
 */
export class CodeCheckouts {
  private readonly made = new Map<string, Promise<string>>();
  private count = 0;

  constructor(
    private readonly req: BuildRequest,
    private readonly state: RepoState,
    private readonly cache: RepoCache,
    private readonly paths: BuildPaths,
    private readonly limiter = new Limiter(CHECKOUTS_AT_ONCE),
  ) {}

  /** Once every checkout asked for has ended (nothing writes in the build directory then). */
  async settled(): Promise<void> {
    await Promise.allSettled(this.made.values());
  }

  /** The project's branch names, for choosing a role's branch. */
  refNames(canonical: string) {
    const p = projectOf(this.req, canonical);
    const entry = stateOf(this.state, p);
    if (!entry) throw new PrepareError(`Project ${canonical} is not in the repo state`);
    return refNames(entry);
  }

  /** Directory of the checkout of `canonical` at `branch` in a trust context. */
  checkout(canonical: string, branch: string, trusted: boolean): Promise<string> {
    const key = `${trusted ? 't' : 'u'}\0${canonical}\0${branch}`;
    let made = this.made.get(key);
    if (!made) {
      // Numbered in the order asked for, not the order finished.
      const n = this.count++;
      made = this.limiter.run(() => this.make(canonical, branch, trusted, n));
      this.made.set(key, made);
    }
    return made;
  }

  private async make(
    canonical: string,
    branch: string,
    trusted: boolean,
    n: number,
  ): Promise<string> {
    const p = projectOf(this.req, canonical);
    const entry = stateOf(this.state, p);
    if (!entry) throw new PrepareError(`Project ${canonical} is not in the repo state`);
    const names = refNames(entry);
    if (!names.refs.has(branch)) {
      throw new PrepareError(`Project ${canonical} has no branch or tag ${branch}`);
    }
    const speculative = !trusted && this.req.workspace.some((wp) => wp.project === canonical);
    const used = speculative ? entry : withoutMerges(entry);
    const base = trusted ? this.paths.trusted : this.paths.untrusted;
    const dir = join(base, `project_${n}`, canonical);
    const view: RepoState = { [p.connection]: { [p.name]: used } };
    await reproduceRepoState(this.cache, view, locator(p), dir, cloneOptions(this.cache, branch));
    return dir;
  }
}

/** A file inside a checkout, refusing paths that leave it. */
export function fileIn(checkout: string, path: string, what: string): string {
  const parts = path.split('/');
  if (path.startsWith('/') || parts.includes('..')) {
    throw new PrepareError(`Invalid ${what} path ${path}`);
  }
  const full = join(checkout, path);
  return existsSync(full) ? full : '';
}
