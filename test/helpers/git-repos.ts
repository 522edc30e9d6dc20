// Real upstream git repositories for tests, made with the git CLI.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  // Keep the tests independent of the user's and system git config.
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
};

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: ENV, encoding: 'utf8' }).trim();
}

/** A scratch directory, removed by `cleanup()`. */
export function tempDir(prefix: string): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** A non-bare upstream repository under `root/<name>`, starting with one commit on `branch`. */
export class Upstream {
  readonly path: string;

  constructor(root: string, name: string, branch = 'main') {
    this.path = join(root, name);
    mkdirSync(this.path, { recursive: true });
    git(this.path, 'init', '--quiet', `--initial-branch=${branch}`);
    this.commit(branch, { 'README.md': `# ${name}\n` }, 'Initial commit');
  }

  get url(): string {
    return `file://${this.path}`;
  }

  /** Commits files (string or bytes; null deletes) on a branch, creating it from HEAD if new. */
  commit(
    branch: string,
    files: Record<string, string | Buffer | null>,
    message = 'Update',
  ): string {
    const branches = git(this.path, 'branch', '--list', '--format=%(refname:short)').split('\n');
    git(
      this.path,
      'checkout',
      '--quiet',
      ...(branches.includes(branch) ? [branch] : ['-b', branch]),
    );
    for (const [path, content] of Object.entries(files)) {
      const full = join(this.path, path);
      if (content === null) {
        git(this.path, 'rm', '--quiet', path);
        continue;
      }
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, content);
      git(this.path, 'add', path);
    }
    git(this.path, 'commit', '--quiet', '-m', message);
    return git(this.path, 'rev-parse', 'HEAD');
  }

  tag(name: string, ref = 'HEAD'): void {
    git(this.path, 'tag', name, ref);
  }

  deleteBranch(name: string): void {
    git(this.path, 'branch', '--quiet', '-D', name);
  }

  /** Makes `branch` the default branch (what a clone checks out). */
  setHead(branch: string): void {
    git(this.path, 'checkout', '--quiet', branch);
  }
}
