// A cache of bare git mirrors, one per (connection, project), driven through
// the git CLI. Sources use it to list branches; the config loader reads
// files from it; the merger builds speculative states on top of it
// (merger.ts), in work repositories of its own that borrow the mirror's
// objects.
//
// Each repository has its own async lock: everything that touches one
// mirror (clone, fetch, reads, merges) runs one at a time, different
// mirrors run in parallel. The lock is per process; a git_dir must not be
// shared by two processes.
//
// Fetches are retried on transient failures; a mirror that git reports
// damaged (or that is missing files every mirror has) is removed and
// cloned again, so damage is never a permanent failure.

import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ZuulConf } from '../config/zuul-conf.js';
import type { RepoReader, RepoRefs } from '../drivers/driver.js';
import {
  GitError,
  type GitOutput,
  type GitRunOptions,
  isCorruption,
  runGit,
  withRetries,
} from './git-command.js';
import { readPathsDirectly, readRefsDirectly } from './git-objects.js';
import { readRefFiles } from './ref-files.js';

export interface RepoCacheOptions {
  /** Root of the mirrors ([merger] git_dir). */
  gitDir: string;
  /** Limit for one git command, in seconds ([merger] git_timeout). */
  timeoutSeconds?: number;
  /** Abort HTTP transfers slower than this many bytes/s … */
  lowSpeedLimit?: number;
  /** … for this many seconds. */
  lowSpeedTime?: number;
  /** Tries of a clone or fetch that fails for a reason that may pass (default 3). */
  retryAttempts?: number;
  /** Pause between those tries, in seconds (default 2). */
  retryIntervalSeconds?: number;
}

export type { RepoRefs };
export { GitError };

/** The cache key of a project: `<connection>/<project>`. */
export function repoKey(connection: string, project: string): string {
  return `${connection}/${project}`;
}

/** Runs async work one at a time per key. */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const result = prev.then(work, work);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    // Forget the key once nothing is queued behind this call.
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}

const PARTIAL_DIR = '.partial';
const MIRROR_FETCH = '+refs/heads/*:refs/heads/*';

/** A mirror handed to work running under its lock (RepoCache.withMirror). */
export interface Mirror {
  readonly key: string;
  readonly dir: string;
  /** Whether this call cloned the mirror (its refs are as fresh as they get). */
  readonly cloned: boolean;
  /** Brings branches, tags and HEAD up to date with origin (retrying). */
  update(): Promise<void>;
  /** Runs git in the mirror. */
  git(args: readonly string[], opts?: Partial<GitRunOptions>): Promise<GitOutput>;
  /** Every branch and tag (full ref names) → id, in git's order. */
  refs(): Promise<Record<string, string>>;
}

/** Branch and tag refs (full names) → object ids, and HEAD's branch. */
interface RefTable {
  refs: Map<string, string>;
  head?: string;
}

export class RepoCache implements RepoReader {
  private readonly locks = new KeyedLock();
  /** URL each mirror's origin is known to point at. */
  private readonly urls = new Map<string, string>();
  private readonly timeoutMs: number;

  constructor(private readonly options: RepoCacheOptions) {
    this.timeoutMs = (options.timeoutSeconds ?? 300) * 1000;
  }

  /** Options from zuul.conf's [merger] section. */
  static fromConf(conf: ZuulConf): RepoCache {
    return new RepoCache({
      gitDir: conf.resolvePath('merger', 'git_dir', '/var/lib/zuul/merger-git')!,
      timeoutSeconds: conf.getInt('merger', 'git_timeout', 300),
      lowSpeedLimit: conf.getInt('merger', 'git_http_low_speed_limit', 1000),
      lowSpeedTime: conf.getInt('merger', 'git_http_low_speed_time', 30),
    });
  }

  /** Directory of a mirror; rejects keys that would escape git_dir. */
  pathFor(key: string): string {
    const parts = key.split('/');
    // Names starting with a dot are kept for the cache's own directories.
    if (parts.some((p) => p === '' || p === '.' || p === '..') || parts[0]!.startsWith('.')) {
      throw new Error(`invalid repository key ${JSON.stringify(key)}`);
    }
    return join(this.options.gitDir, ...parts);
  }

  /** Clones the mirror if it is not there yet. Returns true when it cloned. */
  ensure(key: string, url: string): Promise<boolean> {
    return this.locked(key, url, (dir, cloned) => this.pointAt(key, dir, url).then(() => cloned));
  }

  /** Brings the mirror up to date with its origin (cloning on first use). */
  fetch(key: string): Promise<void> {
    return this.locked(key, undefined, async (dir, cloned) => {
      if (!cloned) await this.update(dir);
    });
  }

  /** Fetches, then lists branches and tags of the mirror. */
  listRefs(url: string, key: string): Promise<RepoRefs> {
    return this.locked(key, url, async (dir, cloned) => {
      await this.pointAt(key, dir, url);
      if (!cloned) await this.update(dir);
      return this.refs(dir);
    });
  }

  /** Fetches, then maps every branch of the mirror to its tip commit. */
  branchHeads(url: string, key: string): Promise<Map<string, string>> {
    return this.locked(key, url, async (dir, cloned) => {
      await this.pointAt(key, dir, url);
      if (!cloned) await this.update(dir);
      const out = await this.git(
        ['for-each-ref', '--format=%(objectname) %(refname)', 'refs/heads'],
        dir,
      );
      const heads = new Map<string, string>();
      for (const line of out.toString('utf8').split('\n')) {
        const m = /^([0-9a-f]+) refs\/heads\/(.+)$/.exec(line);
        if (m) heads.set(m[2]!, m[1]!);
      }
      return heads;
    });
  }

  /** Refs of the mirror as they are, without fetching. */
  readRefs(key: string): Promise<RepoRefs> {
    return this.locked(key, undefined, (dir) => this.refs(dir));
  }

  /** The mirror's default branch (its HEAD), without fetching. */
  async defaultBranch(key: string): Promise<string | undefined> {
    return (await this.readRefs(key)).head;
  }

  /** Paths of all files at `ref`, optionally filtered. */
  readTree(key: string, ref: string, filter?: (path: string) => boolean): Promise<string[]> {
    return this.locked(key, undefined, async (dir) => {
      const commit = await this.resolve(dir, key, ref);
      const out = await this.git(['ls-tree', '-r', '-z', '--name-only', commit], dir);
      const paths = out.toString('utf8').split('\0');
      paths.pop(); // after the final NUL
      return filter ? paths.filter(filter) : paths;
    });
  }

  /**
   * Contents of files at `ref`, read by one `git cat-file --batch`. Paths
   * that do not exist or are not files are left out of the result.
   */
  async readFiles(
    key: string,
    ref: string,
    paths: readonly string[],
  ): Promise<Map<string, Buffer>> {
    return this.locked(key, undefined, async (dir) => {
      if (!paths.length) return new Map<string, Buffer>();
      return this.catFiles(dir, await this.resolve(dir, key, ref), paths);
    });
  }

  /** Contents of `paths` at `commit`, read by one `git cat-file --batch`. */
  private async catFiles(
    dir: string,
    commit: string,
    paths: readonly string[],
  ): Promise<Map<string, Buffer>> {
    const files = new Map<string, Buffer>();
    if (!paths.length) return files;
    for (const p of paths) {
      // Batch input is line-based, so such a path cannot be asked for.
      if (p.includes('\n')) throw new Error(`cannot read a path containing a newline: ${p}`);
    }
    const input = paths.map((p) => `${commit}:${p}\n`).join('');
    const out = await this.git(['cat-file', '--batch'], dir, input);
    let pos = 0;
    for (const path of paths) {
      const eol = out.indexOf(0x0a, pos);
      if (eol < 0) throw new GitError(`git cat-file output ended early in ${dir}`, '');
      // `<sha> <type> <size>` or `<name> missing` / `<name> ambiguous`.
      const header = /^[0-9a-f]+ (\w+) (\d+)$/.exec(out.toString('utf8', pos, eol));
      pos = eol + 1;
      if (!header) continue;
      const size = Number(header[2]);
      if (header[1] === 'blob') files.set(path, out.subarray(pos, pos + size));
      pos += size + 1;
    }
    return files;
  }

  /**
   * The paths under `roots` (files, or directories written with a trailing
   * `/`) at `ref`, and the contents of those `select` picks: one call reads
   * the configuration of a project branch. The mirror's files are read
   * directly when their format allows (no git process); otherwise git does.
   */
  readPaths(
    key: string,
    ref: string,
    roots: readonly string[],
    select: (paths: readonly string[]) => readonly string[],
  ): Promise<{ paths: string[]; contents: Map<string, Buffer> }> {
    return this.locked(key, undefined, async (dir) => {
      try {
        return readPathsDirectly(dir, key, ref, roots, select);
      } catch {
        // Unsupported or damaged: git knows best, and says what is wrong.
      }
      const commit = await this.resolve(dir, key, ref);
      const pathspecs = roots.map((r) => (r.endsWith('/') ? r.slice(0, -1) : r));
      const args = ['--literal-pathspecs', 'ls-tree', '-r', '-z', '--name-only', commit, '--'];
      const out = await this.git([...args, ...pathspecs], dir);
      const paths = out.toString('utf8').split('\0');
      paths.pop();
      const contents = await this.catFiles(dir, commit, select(paths));
      return { paths, contents };
    });
  }

  /**
   * Runs `work` under the repository's lock with the mirror present
   * (cloned from `url` when missing or visibly broken). Unlike the readers
   * above, nothing is retried when git reports damage: the caller decides,
   * typically by calling discard() and starting over.
   */
  withMirror<T>(key: string, url: string, work: (mirror: Mirror) => Promise<T>): Promise<T> {
    return this.locks.run(key, async () => {
      const dir = this.pathFor(key);
      const cloned = await this.present(key, dir, url);
      await this.pointAt(key, dir, url);
      let fresh = cloned;
      return work({
        key,
        dir,
        cloned,
        update: async () => {
          if (fresh) return;
          await this.update(dir);
          fresh = true;
        },
        git: (args, opts) => runGit(args, { ...this.gitOptions(), ...opts, gitDir: dir }),
        refs: async () => Object.fromEntries((await this.localRefs(dir)).refs),
      });
    });
  }

  /** Removes a mirror (e.g. found damaged); the next use clones it again. */
  discard(key: string): Promise<void> {
    return this.locks.run(key, async () => {
      await rm(this.pathFor(key), { recursive: true, force: true });
    });
  }

  /**
   * Runs `work` under the repository's lock, cloning the mirror first when
   * it is missing or obviously broken. If git then reports the mirror
   * damaged, it is removed, cloned again and `work` retried once.
   */
  private locked<T>(
    key: string,
    url: string | undefined,
    work: (dir: string, cloned: boolean) => Promise<T>,
  ): Promise<T> {
    return this.locks.run(key, async () => {
      const dir = this.pathFor(key);
      const cloned = await this.present(key, dir, url);
      try {
        return await work(dir, cloned);
      } catch (err) {
        if (!isCorruption(err)) throw err;
        const origin = url ?? (await this.knownUrl(key, dir));
        await rm(dir, { recursive: true, force: true });
        await this.present(key, dir, origin);
        return work(dir, true);
      }
    });
  }

  /**
   * Makes sure a usable-looking mirror exists; returns true if it cloned.
   * A directory missing what every mirror has (HEAD, config with our fetch
   * refspec, objects, refs) is a crashed or damaged one: cloned again.
   */
  private async present(key: string, dir: string, url: string | undefined): Promise<boolean> {
    // Readers without a URL take what is there (a cache written by other
    // tools, e.g. the benchmarks): it cannot be cloned again anyway.
    if (url === undefined ? existsSync(join(dir, 'HEAD')) : looksLikeMirror(dir)) return false;
    const origin = url ?? (await this.knownUrl(key, dir));
    if (origin === undefined) {
      throw new Error(`repository ${key} is not in the cache; call ensure(key, url) first`);
    }
    await this.clone(key, dir, origin);
    return true;
  }

  /** The origin URL from memory or, after a restart, from the mirror's config file. */
  private async knownUrl(key: string, dir: string): Promise<string | undefined> {
    const known = this.urls.get(key);
    if (known !== undefined || !existsSync(join(dir, 'config'))) return known;
    try {
      const args = ['config', '--file', join(dir, 'config'), '--get', 'remote.origin.url'];
      return (await this.git(args)).toString().trim() || undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Clones into a scratch directory and renames it into place, so a crash
   * never leaves a half-cloned mirror where a complete one is expected.
   * Only branches and tags are mirrored (not refs/changes or refs/pull).
   */
  private async clone(key: string, dir: string, url: string): Promise<void> {
    const tmp = join(this.options.gitDir, PARTIAL_DIR, ...key.split('/'));
    await rm(tmp, { recursive: true, force: true });
    await mkdir(dirname(tmp), { recursive: true });
    try {
      await this.git(['init', '--bare', '--quiet', tmp]);
      await this.git(['config', 'remote.origin.url', url], tmp);
      await this.git(['config', '--add', 'remote.origin.fetch', MIRROR_FETCH], tmp);
      await this.git(['config', '--add', 'remote.origin.fetch', '+refs/tags/*:refs/tags/*'], tmp);
      await this.retrying(() => this.git(['fetch', '--quiet', '--prune', 'origin'], tmp));
      await this.followHead(tmp, await this.lsRemote(tmp));
      await rm(dir, { recursive: true, force: true });
      await mkdir(dirname(dir), { recursive: true });
      await rename(tmp, dir);
      this.urls.set(key, url);
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw err;
    }
  }

  /** Points origin at `url` if the connection's URL changed since the clone. */
  private async pointAt(key: string, dir: string, url: string): Promise<void> {
    if (this.urls.get(key) === url) return;
    await this.git(['config', 'remote.origin.url', url], dir);
    this.urls.set(key, url);
  }

  /**
   * Brings branches and tags (pruning deleted ones) and the remote HEAD up
   * to date. One ref listing first: when origin has not moved, which is
   * most of the time, that is all it costs.
   */
  private async update(dir: string): Promise<void> {
    const remote = await this.lsRemote(dir);
    const local = await this.localRefs(dir);
    if (!sameRefs(remote.refs, local.refs)) {
      await this.retrying(() => this.git(['fetch', '--quiet', '--prune', 'origin'], dir));
    }
    if (remote.head !== undefined && remote.head !== local.head) await this.followHead(dir, remote);
  }

  /** Branches and tags origin has, and its HEAD branch. */
  private async lsRemote(dir: string): Promise<RefTable> {
    const args = ['ls-remote', '--symref', 'origin', 'HEAD', 'refs/heads/*', 'refs/tags/*'];
    const out = (await this.retrying(() => this.git(args, dir))).toString('utf8');
    const table: RefTable = { refs: new Map() };
    for (const line of out.split('\n')) {
      const sym = /^ref: refs\/heads\/(\S+)\tHEAD$/.exec(line);
      if (sym) table.head = sym[1];
      const m = /^([0-9a-f]{40,64})\t(refs\/(?:heads|tags)\/\S+)$/.exec(line);
      if (m && !m[2]!.endsWith('^{}')) table.refs.set(m[2]!, m[1]!);
    }
    return table;
  }

  /** Branches and tags of the mirror, and its HEAD branch. */
  private async localRefs(dir: string): Promise<RefTable> {
    const head = /^ref: refs\/heads\/(\S+)/.exec(readFileSync(join(dir, 'HEAD'), 'utf8'));
    const files = readRefFiles(dir);
    if (files) {
      const table: RefTable = { refs: new Map(Object.entries(files)) };
      if (head) table.head = head[1];
      return table;
    }
    const args = ['for-each-ref', '--format=%(objectname) %(refname)', 'refs/heads', 'refs/tags'];
    const out = (await this.git(args, dir)).toString('utf8');
    const table: RefTable = { refs: new Map() };
    for (const line of out.split('\n')) {
      const m = /^([0-9a-f]+) (\S+)$/.exec(line);
      if (m) table.refs.set(m[2]!, m[1]!);
    }
    if (head) table.head = head[1];
    return table;
  }

  private async followHead(dir: string, remote: RefTable): Promise<void> {
    if (remote.head === undefined) return;
    await this.git(['symbolic-ref', 'HEAD', `refs/heads/${remote.head}`], dir);
  }

  private retrying<T>(op: () => Promise<T>): Promise<T> {
    return withRetries(
      op,
      this.options.retryAttempts ?? 3,
      (this.options.retryIntervalSeconds ?? 2) * 1000,
    );
  }

  private async refs(dir: string): Promise<RepoRefs> {
    try {
      return readRefsDirectly(dir);
    } catch {
      // Unsupported or damaged: ask git.
    }
    const out = await this.git(
      ['for-each-ref', '--format=%(refname)', 'refs/heads', 'refs/tags'],
      dir,
    );
    const branches: string[] = [];
    const tags: string[] = [];
    for (const ref of out.toString('utf8').split('\n')) {
      if (ref.startsWith('refs/heads/')) branches.push(ref.slice('refs/heads/'.length));
      else if (ref.startsWith('refs/tags/')) tags.push(ref.slice('refs/tags/'.length));
    }
    let head: string | undefined;
    try {
      const sym = (await this.git(['symbolic-ref', '--quiet', 'HEAD'], dir)).toString().trim();
      const name = sym.replace(/^refs\/heads\//, '');
      if (branches.includes(name)) head = name;
    } catch (err) {
      // Exit status 1 = detached HEAD: there is no default branch to report.
      if (!(err instanceof GitError) || isCorruption(err)) throw err;
    }
    return { branches, tags, head };
  }

  /** The commit a branch, tag or sha names (one commit for a whole read). */
  private async resolve(dir: string, key: string, ref: string): Promise<string> {
    if (ref.startsWith('-')) throw new Error(`invalid ref ${JSON.stringify(ref)}`);
    try {
      const out = await this.git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], dir);
      return out.toString().trim();
    } catch (err) {
      if (err instanceof GitError && !isCorruption(err)) {
        throw new GitError(`no commit ${JSON.stringify(ref)} in ${key}`, err.stderr);
      }
      throw err;
    }
  }

  /** Options of every git command of the cache. */
  gitOptions(): GitRunOptions {
    return {
      timeoutMs: this.timeoutMs,
      lowSpeedLimit: this.options.lowSpeedLimit,
      lowSpeedTime: this.options.lowSpeedTime,
    };
  }

  private async git(args: string[], gitDir?: string, input?: string): Promise<Buffer> {
    return (await runGit(args, { ...this.gitOptions(), gitDir, input })).stdout;
  }
}

/** Same branches and tags at the same commits. */
function sameRefs(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [ref, id] of a) if (b.get(ref) !== id) return false;
  return true;
}

/** Whether `dir` has what every complete mirror has. */
function looksLikeMirror(dir: string): boolean {
  if (!existsSync(join(dir, 'HEAD'))) return false;
  if (!existsSync(join(dir, 'objects')) || !existsSync(join(dir, 'refs'))) return false;
  try {
    return readFileSync(join(dir, 'config'), 'utf8').includes(MIRROR_FETCH);
  } catch {
    return false;
  }
}
