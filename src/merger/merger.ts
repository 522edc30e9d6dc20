// The merger: speculative repository states for queue items (semantics
// §E.1, §E.3, §F.3). Scheduler-side answers (mergeChanges, getFilesChanges,
// getFiles, getRefs, getRepoState) and the executor-side reproduction of a
// recorded repo state. Inputs and outputs are the plain JSON of types.ts;
// the merger service (service*.ts) carries them through the state store.
//
// Work happens in the repository cache's mirrors (fetched on demand, one
// lock per repository) and, for merges, in a work repository per project
// (work-repo.ts). A damaged mirror or work repository is thrown away and
// the request done again from scratch, once.

import { join } from 'node:path';
import type { ZuulConf } from '../config/zuul-conf.js';
import type { Identity } from './commit-object.js';
import { MergerError } from './errors.js';
import { filesChanged, readConfigFiles } from './files.js';
import { GitError, isCorruption } from './git-command.js';
import { MergeRun } from './merge-run.js';
import { type Mirror, type RepoCache, repoKey } from './repo-cache.js';
import { applyRefUpdate, filterBranches, projectState } from './repo-state.js';
import { reproduceRepoState } from './reproduce.js';
import type {
  FilesChangesRequest,
  FilesRequest,
  MergeItem,
  MergeOptions,
  MergeResult,
  ProjectLocator,
  ProjectRefs,
  RepoState,
  RepoStateItem,
  RepoStateResult,
  ReproducedRepo,
  ReproduceOptions,
} from './types.js';
import { WorkRepo } from './work-repo.js';

export { MergerError };

export interface MergerOptions {
  /** Root of the per-project work repositories. */
  workRoot: string;
  /** Identity of merge commits ([merger] git_user_name / git_user_email). */
  gitUserName?: string;
  gitUserEmail?: string;
  /** Tries of a fetch that fails for a reason that may pass (default 3) … */
  retryAttempts?: number;
  /** … and the pause between them, in seconds (default 2). */
  retryIntervalSeconds?: number;
}

/** A repository found damaged while working on it. */
class DamagedRepo extends Error {
  constructor(
    readonly key: string,
    cause: unknown,
  ) {
    super(`repository ${key} is damaged: ${(cause as Error).message}`, { cause });
  }
}

/** What a function working on one project gets. */
export interface ProjectContext {
  mirror: Mirror;
  work: WorkRepo;
}

export class Merger {
  private readonly workRepos = new Map<string, WorkRepo>();
  readonly identity: Identity;

  constructor(
    readonly cache: RepoCache,
    private readonly options: MergerOptions,
  ) {
    this.identity = {
      name: options.gitUserName || 'Zuul',
      email: options.gitUserEmail || 'zuul@localhost',
    };
  }

  /** A merger over `cache` with zuul.conf's [merger] identity; work repositories under git_dir. */
  static fromConf(conf: ZuulConf, cache: RepoCache): Merger {
    const gitDir = conf.resolvePath('merger', 'git_dir', '/var/lib/zuul/merger-git')!;
    return new Merger(cache, {
      workRoot: join(gitDir, '.merger-work'),
      gitUserName: conf.get('merger', 'git_user_name'),
      gitUserEmail: conf.get('merger', 'git_user_email'),
    });
  }

  /**
   * Builds the speculative state of every item: its branch with it and
   * every item ahead merged. A failure is an item result, not an exception;
   * exceptions (MergerError) mean the request as a whole could not be done
   * (bad input, origin unreachable).
   */
  async mergeChanges(items: readonly MergeItem[], opts: MergeOptions = {}): Promise<MergeResult> {
    for (const item of items) checkLocator(item);
    return this.healing(() => new MergeRun(this, items, opts).run());
  }

  /** Files a change touches (Zuul's getFilesChanges): see files.ts. */
  async getFilesChanges(req: FilesChangesRequest): Promise<string[]> {
    checkLocator(req);
    if (typeof req.ref !== 'string' || !req.ref)
      throw new MergerError('getFilesChanges needs a ref');
    return this.healing(() =>
      this.withProject(req, async ({ mirror, work }) => {
        await mirror.update();
        const head = await this.resolveChange(req, work, req.ref);
        const tosha = req.tosha === undefined ? undefined : await resolveRev(mirror, req.tosha);
        return filesChanged(work, head, tosha);
      }),
    );
  }

  /** Configuration files at a branch tip or commit (Zuul's cat job). */
  async getFiles(req: FilesRequest): Promise<Record<string, string | null>> {
    checkLocator(req);
    return this.healing(() =>
      this.withProject(req, async ({ mirror, work }) => {
        if (req.commit === undefined && req.branch === undefined) {
          throw new MergerError('getFiles needs a branch or a commit');
        }
        await mirror.update();
        const commit = req.commit ?? (await resolveRev(mirror, `refs/heads/${req.branch}`));
        return readConfigFiles(work, commit, { files: req.files ?? [], dirs: req.dirs ?? [] });
      }),
    );
  }

  /** Branches and tags of a project (fetched first) and its default branch. */
  async getRefs(loc: ProjectLocator): Promise<ProjectRefs> {
    checkLocator(loc);
    return this.healing(() =>
      this.withProject(loc, async ({ mirror }) => {
        await mirror.update();
        const refs = await mirror.refs();
        const out: ProjectRefs = { branches: {}, tags: {} };
        for (const [ref, id] of Object.entries(refs)) {
          if (ref.startsWith('refs/heads/')) out.branches[ref.slice(11)] = id;
          else out.tags[ref.slice(10)] = id;
        }
        const head = await mirror.git(['symbolic-ref', '--quiet', 'HEAD'], { okExitCodes: [1] });
        const name = head.stdout
          .toString('utf8')
          .trim()
          .replace(/^refs\/heads\//, '');
        if (name && name in out.branches) out.head = name;
        return out;
      }),
    );
  }

  async getBranches(loc: ProjectLocator): Promise<string[]> {
    return Object.keys((await this.getRefs(loc)).branches);
  }

  async getTags(loc: ProjectLocator): Promise<string[]> {
    return Object.keys((await this.getRefs(loc)).tags);
  }

  /**
   * Zuul's getRepoState: pins every branch and tag of the items' projects
   * as they are now (projects a build uses that no item changes), with the
   * items' ref updates applied.
   */
  async getRepoState(
    items: readonly RepoStateItem[],
    opts: { branches?: string[] } = {},
  ): Promise<RepoStateResult> {
    for (const item of items) checkLocator(item);
    return this.healing(async () => {
      const repoState: RepoState = {};
      const seen = new Set<string>();
      for (const item of items) {
        const key = repoKey(item.connection, item.project);
        if (!seen.has(key)) {
          seen.add(key);
          const refs = await this.withProject(item, async ({ mirror }) => {
            await mirror.update();
            return mirror.refs();
          });
          filterBranches(refs, opts.branches);
          projectState(repoState, item.connection, item.project).refs = refs;
        }
        if (item.newrev && item.ref) {
          const entry = projectState(repoState, item.connection, item.project);
          applyRefUpdate(entry.refs, item.ref, item.newrev);
        }
      }
      const last = items[items.length - 1];
      let itemInBranches: string[] = [];
      if (last?.newrev && /^[0-9a-f]{40,64}$/.test(last.newrev)) {
        itemInBranches = await this.withProject(last, async ({ mirror }) => {
          const out = await mirror.git(
            ['for-each-ref', '--format=%(refname)', '--contains', last.newrev!, 'refs/heads'],
            { okExitCodes: [129] },
          );
          return out.stdout
            .toString('utf8')
            .split('\n')
            .filter(Boolean)
            .map((r) => r.slice('refs/heads/'.length));
        }).catch(() => []);
      }
      return { repoState, itemInBranches };
    });
  }

  /**
   * Executor side: clones the project into `destDir` (which must not exist
   * or be empty) exactly as `repoState` records it — branches at their
   * speculative tips, tags, `origin/<branch>` at the pre-merge state — and
   * checks out `opts.checkout`. Nothing is merged: the objects come from
   * the local mirror and the state's bundle.
   */
  reproduceRepoState(
    repoState: RepoState,
    loc: ProjectLocator,
    destDir: string,
    opts: ReproduceOptions = {},
  ): Promise<ReproducedRepo> {
    checkLocator(loc);
    return reproduceRepoState(this.cache, repoState, loc, destDir, opts);
  }

  /**
   * Runs `fn` on one project under its repository lock. `first`: this is a
   * request's first step on the project (the work repository may start
   * afresh).
   */
  async withProject<T>(
    loc: ProjectLocator,
    fn: (ctx: ProjectContext) => Promise<T>,
    first = true,
  ): Promise<T> {
    const key = repoKey(loc.connection, loc.project);
    try {
      return await this.cache.withMirror(key, loc.url, async (mirror) => {
        const work = this.workRepo(key, mirror.dir);
        await work.prepare(first);
        return fn({ mirror, work });
      });
    } catch (err) {
      if (isCorruption(err)) throw new DamagedRepo(key, err);
      throw err;
    }
  }

  /**
   * The commit a change ref (or commit id) names: the expected `commit` or
   * a full id when present already, a branch or tag of the mirror, else
   * fetched from origin.
   */
  async resolveChange(loc: ProjectLocator, work: WorkRepo, ref: string, commit?: string) {
    const resolved = await this.resolveChanges(loc, work, [{ ref, commit }]);
    const r = resolved.get(ref);
    if (typeof r !== 'string') throw new MergerError(`cannot fetch ${ref}: ${r?.message}`);
    return r;
  }

  /** resolveChange for several refs of one project: one fetch for all that need one. */
  async resolveChanges(
    loc: ProjectLocator,
    work: WorkRepo,
    wanted: readonly { ref: string; commit?: string }[],
  ): Promise<Map<string, string | GitError>> {
    const out = new Map<string, string | GitError>();
    const open = wanted.filter((w) => {
      const known = work.fetchedAs(w.ref);
      if (known && (!w.commit || w.commit === known)) out.set(w.ref, known);
      return !out.has(w.ref);
    });
    const candidates = open.flatMap((w) => [w.commit, w.ref]).filter((x) => x !== undefined);
    const present = await work.presentCommits(candidates);
    const toFetch: string[] = [];
    for (const { ref, commit } of open) {
      if (ref.startsWith('-')) out.set(ref, new GitError(`invalid ref ${JSON.stringify(ref)}`, ''));
      else if (commit && present.has(commit)) out.set(ref, commit);
      else if (present.has(ref)) out.set(ref, ref);
      else toFetch.push(ref);
    }
    if (toFetch.length) {
      for (const [ref, r] of await work.fetchRefs(loc.url, toFetch)) out.set(ref, r);
    }
    return out;
  }

  /** Runs a request; when a repository turns out damaged, heals it and runs it once more. */
  private async healing<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (err) {
      if (!(err instanceof DamagedRepo)) throw wrap(err);
      await this.heal(err.key);
      try {
        return await request();
      } catch (again) {
        throw wrap(again);
      }
    }
  }

  /** Throws away a damaged mirror and its work repository; both are made again on use. */
  private async heal(key: string): Promise<void> {
    await this.cache.discard(key);
    await this.workRepos.get(key)?.reset();
  }

  private workRepo(key: string, mirrorDir: string): WorkRepo {
    let repo = this.workRepos.get(key);
    if (!repo) {
      const dir = join(this.options.workRoot, `${key}.git`);
      repo = new WorkRepo(dir, mirrorDir, {
        git: this.cache.gitOptions(),
        retryAttempts: this.options.retryAttempts ?? 3,
        retryIntervalMs: (this.options.retryIntervalSeconds ?? 2) * 1000,
      });
      this.workRepos.set(key, repo);
    }
    return repo;
  }
}

/** The commit a revision (branch, tag, full ref or id) names in the mirror. */
export async function resolveRev(mirror: Mirror, rev: string): Promise<string> {
  if (rev.startsWith('-')) throw new MergerError(`invalid revision ${JSON.stringify(rev)}`);
  const out = await mirror.git(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], {
    okExitCodes: [1],
  });
  const id = out.stdout.toString('utf8').trim();
  if (out.exitCode !== 0 || !id)
    throw new MergerError(`no commit ${JSON.stringify(rev)} in ${mirror.key}`);
  return id;
}

function wrap(err: unknown): Error {
  if (err instanceof MergerError) return err;
  if (err instanceof DamagedRepo) return new MergerError(err.message, { cause: err });
  if (err instanceof GitError) return new MergerError(err.message, { cause: err });
  return err instanceof Error ? err : new Error(String(err));
}

/** Input travels through a database: check the shape before touching git. */
function checkLocator(loc: ProjectLocator): void {
  for (const field of ['connection', 'project', 'url'] as const) {
    if (typeof loc?.[field] !== 'string' || loc[field] === '') {
      throw new MergerError(`${field} is missing in ${JSON.stringify(loc)}`);
    }
  }
}
