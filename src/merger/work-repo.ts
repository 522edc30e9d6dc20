// Where the merger works on one project: a bare repository of its own that
// borrows every object of the project's mirror (objects/info/alternates).
// Fetched changes and the commits and trees merges create land here, so the
// mirror only ever holds what origin has, and this repository can be thrown
// away at any time (damage, or simply grown old) at the cost of redoing
// the merges the memo below remembered.
//
// No merge here needs a work tree: merges go through `git merge-tree` or a
// temporary index (resolve-strategy.ts), commits are written as objects.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatCommit, type NewCommit } from './commit-object.js';
import {
  GitError,
  type GitOutput,
  type GitRunOptions,
  PERMANENT,
  runGit,
  withRetries,
} from './git-command.js';

/** After this many merges or this age, a work repository starts afresh. */
const RECYCLE_AFTER_MERGES = 5000;
const RECYCLE_AFTER_MS = 24 * 3600 * 1000;
const FETCH_NS = 'refs/zuul/fetch/';

/** What a merge step produced, remembered by its inputs. */
export type StepOutcome =
  | { ok: true; commit: string }
  | {
      ok: false;
      reason: 'conflict' | 'unrelated-histories';
      message: string;
      paths?: string[];
    };

export interface GitObject {
  id: string;
  type: string;
  body: Buffer;
}

export interface WorkRepoOptions {
  git: GitRunOptions;
  retryAttempts: number;
  retryIntervalMs: number;
}

export class WorkRepo {
  /** Merge steps already done: inputs → outcome (valid while the repository lives). */
  readonly memo = new Map<string, StepOutcome>();
  /** Immutable change refs (Gerrit patchsets) already fetched → commit. */
  private readonly fetched = new Map<string, string>();
  /** Bundles already made: tips and known commits → bundle (see repo-state.ts). */
  readonly bundles = new Map<string, string | undefined>();
  private merges = 0;
  private createdAt = 0;

  constructor(
    readonly dir: string,
    private readonly mirrorDir: string,
    private readonly options: WorkRepoOptions,
  ) {}

  /** Scratch space for temporary index and merge files. */
  get tmpDir(): string {
    return join(this.dir, 'merger-tmp');
  }

  /**
   * Makes sure the repository exists and borrows from the mirror. With
   * `mayRecycle` (only at the start of a request: its later steps build on
   * the commits of earlier ones), an old repository starts afresh.
   */
  async prepare(mayRecycle: boolean): Promise<void> {
    const stale =
      this.merges > RECYCLE_AFTER_MERGES || Date.now() - this.createdAt > RECYCLE_AFTER_MS;
    if ((mayRecycle && stale) || !this.looksValid()) await this.reset();
    if (existsSync(join(this.dir, 'HEAD'))) return;
    await mkdir(this.dir, { recursive: true });
    await this.git(['init', '--bare', '--quiet', this.dir], { gitDir: undefined });
    // Objects here are only reachable through the memo and refs/zuul; no
    // automatic gc may prune them behind the merger's back.
    await this.git(['config', 'gc.auto', '0']);
    await this.git(['config', 'maintenance.auto', 'false']);
    await writeFile(join(this.dir, 'objects/info/alternates'), `${this.mirrorDir}/objects\n`);
    await mkdir(this.tmpDir, { recursive: true });
    this.createdAt = Date.now();
  }

  private looksValid(): boolean {
    try {
      const alternates = readFileSync(join(this.dir, 'objects/info/alternates'), 'utf8');
      return (
        alternates.trim() === `${this.mirrorDir}/objects` && existsSync(join(this.dir, 'HEAD'))
      );
    } catch {
      return false;
    }
  }

  /** Throws the repository away (damaged or old); the next prepare() makes a new one. */
  async reset(): Promise<void> {
    this.memo.clear();
    this.fetched.clear();
    this.bundles.clear();
    this.merges = 0;
    await rm(this.dir, { recursive: true, force: true });
  }

  /** The commit an immutable change ref was fetched as, if it was. */
  fetchedAs(ref: string): string | undefined {
    return this.fetched.get(ref);
  }

  /** Counts merges toward recycling. */
  countMerge(): void {
    this.merges++;
  }

  git(args: readonly string[], opts: Partial<GitRunOptions> = {}): Promise<GitOutput> {
    return runGit(args, { ...this.options.git, gitDir: this.dir, ...opts });
  }

  /** Objects by name (ids or revision expressions); missing ones are left out. */
  async readObjects(names: readonly string[]): Promise<Map<string, GitObject>> {
    const found = new Map<string, GitObject>();
    if (!names.length) return found;
    const { stdout } = await this.git(['cat-file', '--batch'], {
      input: names.map((n) => `${n}\n`).join(''),
    });
    let pos = 0;
    for (const name of names) {
      const eol = stdout.indexOf(0x0a, pos);
      if (eol < 0) throw new GitError(`git cat-file output ended early in ${this.dir}`, '');
      const header = /^([0-9a-f]{40,64}) (\w+) (\d+)$/.exec(stdout.toString('utf8', pos, eol));
      pos = eol + 1;
      if (!header) continue;
      const size = Number(header[3]);
      found.set(name, { id: header[1]!, type: header[2]!, body: stdout.subarray(pos, pos + size) });
      pos += size + 1;
    }
    return found;
  }

  /** Which of `ids` are commits present here (or in the mirror). */
  presentCommits(ids: readonly string[]): Promise<Set<string>> {
    return this.present(ids, 'commit');
  }

  /** Which of `ids` are objects (of `type`, if given) present here or in the mirror. */
  async present(ids: readonly string[], type?: string): Promise<Set<string>> {
    const out = new Set<string>();
    const wanted = ids.filter((id) => /^[0-9a-f]{40,64}$/.test(id));
    if (!wanted.length) return out;
    const { stdout } = await this.git(['cat-file', '--batch-check'], {
      input: wanted.map((id) => `${id}\n`).join(''),
    });
    for (const line of stdout.toString('utf8').split('\n')) {
      const m = /^([0-9a-f]{40,64}) (\w+) \d+$/.exec(line);
      if (m && (type === undefined || m[2] === type)) out.add(m[1]!);
    }
    return out;
  }

  /** Writes a commit object; returns its id. */
  async writeCommit(commit: NewCommit): Promise<string> {
    const { stdout } = await this.git(['hash-object', '-t', 'commit', '-w', '--stdin'], {
      input: formatCommit(commit),
    });
    return stdout.toString('utf8').trim();
  }

  /**
   * Fetches `refs` from `url` and returns what each points at, or the
   * error for those that cannot be fetched. Gerrit patchset refs never
   * change, so each is fetched once.
   */
  async fetchRefs(url: string, refs: readonly string[]): Promise<Map<string, string | GitError>> {
    const result = new Map<string, string | GitError>();
    const todo: string[] = [];
    for (const ref of new Set(refs)) {
      const known = this.fetched.get(ref);
      if (known) result.set(ref, known);
      else todo.push(ref);
    }
    if (!todo.length) return result;
    try {
      await this.fetch(url, todo);
    } catch (err) {
      if (!(err instanceof GitError) || todo.length === 1) {
        if (todo.length === 1 && err instanceof GitError && PERMANENT.test(err.stderr)) {
          result.set(todo[0]!, err);
          return result;
        }
        throw err;
      }
      // One missing ref fails the whole fetch: find out which, one by one.
      for (const ref of todo) {
        try {
          await this.fetch(url, [ref]);
        } catch (one) {
          if (!(one instanceof GitError) || !PERMANENT.test(one.stderr)) throw one;
          result.set(ref, one);
        }
      }
    }
    const { stdout } = await this.git([
      'for-each-ref',
      '--format=%(objectname) %(refname)',
      FETCH_NS,
    ]);
    const byDest = new Map<string, string>();
    for (const line of stdout.toString('utf8').split('\n')) {
      const m = /^([0-9a-f]+) (\S+)$/.exec(line);
      if (m) byDest.set(m[2]!, m[1]!);
    }
    for (const ref of todo) {
      if (result.has(ref)) continue;
      const id = byDest.get(fetchDest(ref));
      if (!id) {
        result.set(ref, new GitError(`fetching ${ref} from ${url} gave no commit`, ''));
        continue;
      }
      result.set(ref, id);
      if (ref.startsWith('refs/changes/')) this.fetched.set(ref, id);
    }
    return result;
  }

  private fetch(url: string, refs: readonly string[]): Promise<GitOutput> {
    // The destination refs also keep the fetched objects from being pruned.
    const specs = refs.map((ref) => `+${ref}:${fetchDest(ref)}`);
    return withRetries(
      () => this.git(['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', url, ...specs]),
      this.options.retryAttempts,
      this.options.retryIntervalMs,
    );
  }
}

/** Where a fetched ref is kept: one ref per source ref name. */
function fetchDest(ref: string): string {
  return `${FETCH_NS}${createHash('sha1').update(ref).digest('hex')}`;
}
