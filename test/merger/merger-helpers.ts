// Shared by the merger tests: upstream projects with Gerrit-style change
// refs, a merger over a fresh cache, and Zuul's own merge commands run with
// the git porcelain, to compare the merger's commits with.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Merger } from '../../src/merger/merger.js';
import { RepoCache } from '../../src/merger/repo-cache.js';
import type { MergeItem, MergeMode } from '../../src/merger/types.js';
import { git, Upstream } from '../helpers/git-repos.js';

export const IDENTITY = { name: 'Zuul Merger', email: 'merger@example.org' };
export const TS = 1_700_000_000;

/** An upstream project whose changes live under refs/changes, as on Gerrit. */
export class Project extends Upstream {
  private nextChange = 1;

  constructor(
    root: string,
    readonly name: string,
    branch = 'main',
  ) {
    super(root, name, branch);
  }

  /** The commit a ref or branch points at. */
  rev(ref: string): string {
    return git(this.path, 'rev-parse', ref);
  }

  /**
   * A change: a commit on `parent` (a commit or branch, default main) with
   * `files` (null deletes), published as refs/changes/NN/N/1. Branches do
   * not move.
   */
  change(
    files: Record<string, string | null>,
    opts: { parent?: string; message?: string; author?: string } = {},
  ): { ref: string; sha: string; number: number } {
    const number = this.nextChange++;
    const current = git(this.path, 'symbolic-ref', '--short', 'HEAD');
    git(this.path, 'checkout', '--quiet', '--detach', opts.parent ?? 'main');
    for (const [path, content] of Object.entries(files)) {
      if (content === null) {
        git(this.path, 'rm', '--quiet', path);
        continue;
      }
      mkdirSync(dirname(join(this.path, path)), { recursive: true });
      writeFileSync(join(this.path, path), content);
      git(this.path, 'add', path);
    }
    const args = ['commit', '--quiet', '--allow-empty', '-m', opts.message ?? `Change ${number}`];
    if (opts.author) args.push(`--author=${opts.author}`);
    git(this.path, ...args);
    const sha = this.rev('HEAD');
    const ref = `refs/changes/${String(number % 100).padStart(2, '0')}/${number}/1`;
    git(this.path, 'update-ref', ref, sha);
    git(this.path, 'checkout', '--quiet', current);
    return { ref, sha, number };
  }

  /** A merge item for a change of this project. */
  item(ref: string, mergeMode: MergeMode = 'merge', branch = 'main'): MergeItem {
    return {
      connection: 'gerrit',
      project: this.name,
      url: this.url,
      branch,
      ref,
      mergeMode,
      timestamp: TS,
    };
  }
}

/** A merger with its own cache under `root`. */
export function newMerger(root: string): Merger {
  const cache = new RepoCache({ gitDir: join(root, 'git'), retryIntervalSeconds: 0.05 });
  return new Merger(cache, {
    workRoot: join(root, 'work'),
    gitUserName: IDENTITY.name,
    gitUserEmail: IDENTITY.email,
    retryIntervalSeconds: 0.05,
  });
}

/**
 * What Zuul's merger gets for `items` (one project and branch): its git
 * commands, run with the porcelain in a clone of `upstream`. Returns the
 * commit after each item.
 */
export function porcelainMerges(
  upstream: Project,
  scratch: string,
  items: { ref: string; mode: MergeMode }[],
  branch = 'main',
): string[] {
  const dir = join(scratch, `porcelain-${Math.random().toString(36).slice(2)}`);
  execFileSync('git', ['clone', '--quiet', upstream.path, dir]);
  const env = {
    ...process.env,
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_COMMITTER_DATE: `${TS}+0000`,
    GIT_AUTHOR_DATE: `${TS}+0000`,
  };
  const run = (...args: string[]) =>
    execFileSync('git', args, { cwd: dir, env, encoding: 'utf8', stdio: 'pipe' }).trim();
  run('config', 'user.name', IDENTITY.name);
  run('config', 'user.email', IDENTITY.email);
  run('checkout', '--quiet', '--detach', `origin/${branch}`);
  const out: string[] = [];
  for (const { ref, mode } of items) {
    run('fetch', '--quiet', 'origin', ref);
    const msg = `Merge '${ref}'`;
    const base = run('rev-parse', 'HEAD');
    switch (mode) {
      case 'merge':
      case 'merge-ort':
        run('merge', '--quiet', '-m', msg, 'FETCH_HEAD');
        break;
      case 'merge-recursive':
        run('merge', '--quiet', '-s', 'recursive', '-m', msg, 'FETCH_HEAD');
        break;
      case 'merge-resolve':
        run('merge', '--quiet', '-s', 'resolve', '-m', msg, 'FETCH_HEAD');
        break;
      case 'squash-merge':
        run('merge', '--quiet', '--squash', 'FETCH_HEAD');
        run('commit', '--quiet', '--allow-empty', '-m', msg);
        break;
      case 'cherry-pick': {
        run('cherry-pick', '--keep-redundant-commits', 'FETCH_HEAD');
        const tree = run('rev-parse', 'HEAD^{tree}');
        const changed =
          run('rev-parse', 'FETCH_HEAD^{tree}') !== run('rev-parse', 'FETCH_HEAD^^{tree}');
        if (tree === run('rev-parse', 'HEAD^^{tree}') && changed)
          run('reset', '--quiet', '--hard', base);
        break;
      }
      case 'rebase':
        run('checkout', '--quiet', 'FETCH_HEAD');
        run('rebase', '--quiet', base);
        break;
    }
    out.push(run('rev-parse', 'HEAD'));
  }
  return out;
}

/** Every file of a work tree (without .git): path → bytes. */
export function treeFiles(dir: string, prefix = ''): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const name of readdirSync(join(dir, prefix))) {
    if (!prefix && name === '.git') continue;
    const rel = prefix ? `${prefix}/${name}` : name;
    if (statSync(join(dir, rel)).isDirectory()) {
      for (const [p, b] of treeFiles(dir, rel)) out.set(p, b);
    } else out.set(rel, readFileSync(join(dir, rel)));
  }
  return out;
}

/** `git ls-tree -r` of a commit in some repository. */
export function lsTree(gitDir: string, commit: string): string {
  return execFileSync('git', [`--git-dir=${gitDir}`, 'ls-tree', '-r', '--full-tree', commit], {
    encoding: 'utf8',
  });
}

/** Files of a commit in `gitDir` (a work repository sees the mirror's objects too). */
export function showFile(gitDir: string, commit: string, path: string): string {
  return execFileSync('git', [`--git-dir=${gitDir}`, 'show', `${commit}:${path}`], {
    encoding: 'utf8',
  });
}
