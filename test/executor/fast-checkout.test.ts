// Build checkouts written without git processes (prepare/git-template.ts,
// prepare/work-tree.ts): the repository must be the one `git init` and
// `git checkout` make — same files, index, HEAD, branches, remotes, what
// `git status` says — and git must do the work whenever the tree has
// something only git knows how to write.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gitTemplate, writeTemplate } from '../../src/executor/prepare/git-template.js';
import { checkoutShortcuts, Limiter } from '../../src/executor/prepare/repos.js';
import { RepoCache } from '../../src/merger/repo-cache.js';
import { type ReproduceShortcuts, reproduceRepoState } from '../../src/merger/reproduce.js';
import type { MergedItem, RepoState } from '../../src/merger/types.js';
import { git, tempDir } from '../helpers/git-repos.js';
import { newMerger, Project } from '../merger/merger-helpers.js';

const tmp = tempDir('fast-checkout-');
after(() => tmp.cleanup());

/** git as the executor runs it (the process's own configuration), for looking at results. */
function look(dir: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: 'C' },
  });
}

/** Every file below `dir` (or `.git` only): type, mode, and bytes or link target. */
function listing(dir: string, root = dir, skipGit = true, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    if (skipGit && dir === root && name === '.git') continue;
    const p = join(dir, name);
    const st = lstatSync(p);
    const rel = p.slice(root.length + 1);
    if (st.isSymbolicLink()) out.push(`${rel} -> ${readlinkSync(p)}`);
    else if (st.isDirectory()) {
      out.push(`${rel}/ ${(st.mode & 0o777).toString(8)}`);
      listing(p, root, skipGit, out);
    } else
      out.push(`${rel} ${(st.mode & 0o777).toString(8)} ${readFileSync(p).toString('base64')}`);
  }
  return out;
}

/** What a job can see of a checkout with git and ls. */
function snapshot(dir: string): Record<string, unknown> {
  look(dir, 'fsck', '--strict', '--no-progress');
  return {
    files: listing(dir),
    refs: look(dir, 'for-each-ref', '--format=%(objectname) %(refname) %(symref)'),
    head: readFileSync(join(dir, '.git', 'HEAD'), 'utf8'),
    config: look(dir, 'config', '--list', '--local'),
    status: look(dir, 'status', '--porcelain=v2', '--branch', '--untracked-files=all'),
    statusText: look(dir, 'status'),
    index: look(dir, 'ls-files', '--stage'),
    branches: look(dir, 'branch', '--all', '-vv'),
    // The reflog tells `git status` what a detached HEAD was detached at.
    reflog: readFileSync(join(dir, '.git', 'logs', 'HEAD'), 'utf8').replace(
      /> \d+ [-+]\d{4}\t/g,
      '>\t',
    ),
    gitDir: readdirSync(join(dir, '.git')).sort(),
  };
}

/** The executor's shortcuts, counting the checkouts they wrote themselves. */
function counted(cache: RepoCache): { shortcuts: ReproduceShortcuts; written: () => number } {
  const real = checkoutShortcuts(cache);
  let n = 0;
  return {
    shortcuts: {
      init: (d) => real.init(d),
      checkout: async (d, c) => {
        const commit = await real.checkout(d, c);
        if (commit) n++;
        return commit;
      },
    },
    written: () => n,
  };
}

let n = 0;
/** The same state reproduced by git alone and with the shortcuts, each from its own cache. */
async function both(
  project: Project,
  state: RepoState,
  checkout?: string,
): Promise<{ byGit: string; fast: string; written: number; commits: [string, string] }> {
  const root = join(tmp.path, `run${++n}`);
  const item = project.item('');
  const opts = { originUrl: 'file:///dev/null', ...(checkout ? { checkout } : {}) };
  const byGit = join(root, 'git', project.name);
  const a = await reproduceRepoState(
    new RepoCache({ gitDir: join(root, 'cache-a') }),
    state,
    item,
    byGit,
    opts,
  );
  const cacheB = new RepoCache({ gitDir: join(root, 'cache-b') });
  const c = counted(cacheB);
  const fast = join(root, 'fast', project.name);
  const b = await reproduceRepoState(cacheB, state, item, fast, {
    ...opts,
    shortcuts: c.shortcuts,
  });
  return { byGit, fast, written: c.written(), commits: [a.commit, b.commit] };
}

describe('checkouts without git processes', () => {
  it('makes a new repository as git init does', async () => {
    const root = join(tmp.path, 'init');
    mkdirSync(root, { recursive: true });
    const cache = new RepoCache({ gitDir: join(root, 'cache') });
    const template = await gitTemplate(root, cache.gitOptions());
    assert.ok(template, 'this machine has a plain git configuration');
    writeTemplate(template, join(root, 'ours'));
    execFileSync('git', ['init', '--quiet', join(root, 'theirs')]);
    assert.deepEqual(
      listing(join(root, 'ours', '.git'), join(root, 'ours', '.git'), false),
      listing(join(root, 'theirs', '.git'), join(root, 'theirs', '.git'), false),
    );
    assert.deepEqual(readdirSync(root).sort(), ['ours', 'theirs'], 'no scratch left');
  });

  it('writes the checkout git would: files, modes, links, index, HEAD, branches and status', async () => {
    const p = new Project(join(tmp.path, 'up1'), 'org/p');
    p.commit('main', {
      'bin/run.sh': '#!/bin/sh\necho hi\n',
      'a.txt': 'a\n',
      'a/b/c.txt': 'c\n',
      'a-b': 'x',
      'sp ace.txt': 'space\n',
      empty: '',
      '.gitignore': '*.log\n',
    });
    git(p.path, 'update-index', '--chmod=+x', 'bin/run.sh');
    symlinkSync('a/b/c.txt', join(p.path, 'link'));
    symlinkSync('a', join(p.path, 'dir-link'));
    git(p.path, 'add', 'link', 'dir-link');
    git(p.path, 'commit', '--quiet', '-m', 'Links and modes');
    git(p.path, 'checkout', '--quiet', '--', '.');
    p.tag('1.0');
    git(p.path, 'tag', '--annotate', '--message', 'Release', '2.0');
    p.commit('stable', { 'stable.txt': 's\n' });
    p.setHead('main');
    const change = p.change({ 'a.txt': 'a changed\n', 'new/file.txt': 'new\n' });
    const merger = newMerger(join(tmp.path, 'merger1'));
    const merged = await merger.mergeChanges([p.item(change.ref)]);
    const state = JSON.parse(JSON.stringify(merged.repoState)) as RepoState;
    assert.ok(state.gerrit?.['org/p']?.bundle, 'the speculative commit travels in a bundle');

    for (const checkout of [undefined, 'stable', '1.0', '2.0', p.rev('stable')]) {
      const r = await both(p, state, checkout);
      assert.equal(r.written, 1, `${checkout}: written without git`);
      assert.equal(r.commits[1], r.commits[0], `${checkout}: same commit`);
      assert.deepEqual(snapshot(r.fast), snapshot(r.byGit), `${checkout}: same repository`);
      assert.match(look(r.fast, 'status', '--porcelain'), /^$/, `${checkout}: clean`);
    }
    const r = await both(p, state);
    assert.equal(r.commits[1], (merged.items[0] as MergedItem).commit);
    assert.equal(readFileSync(join(r.fast, 'a.txt'), 'utf8'), 'a changed\n');
    assert.equal(lstatSync(join(r.fast, 'bin/run.sh')).mode & 0o100, 0o100);
    assert.equal(readlinkSync(join(r.fast, 'link')), 'a/b/c.txt');
    assert.equal(look(r.fast, 'rev-parse', 'origin/main').trim(), p.rev('main'));
    assert.equal(look(r.fast, 'remote', 'get-url', 'origin').trim(), 'file:///dev/null');
  });

  it('leaves to git what only git writes right: attributes, submodules, unusual names', async () => {
    const cases: [string, (p: Project) => void][] = [
      [
        'attributes',
        (p) => p.commit('main', { '.gitattributes': '*.txt eol=crlf\n', 'x.txt': 'a\nb\n' }),
      ],
      ['non-ASCII name', (p) => p.commit('main', { 'caf\u00e9.txt': 'x\n' })],
      ['colon in a name', (p) => p.commit('main', { 'a:b': 'x\n' })],
      [
        'submodule',
        (p) => {
          const sub = p.rev('main');
          git(p.path, 'update-index', '--add', '--cacheinfo', `160000,${sub},sub`);
          git(p.path, 'commit', '--quiet', '-m', 'Submodule');
        },
      ],
    ];
    const fast = new Map<string, string>();
    for (const [what, make] of cases) {
      const p = new Project(join(tmp.path, `up-${what.replace(/\W/g, '')}`), 'org/q');
      make(p);
      const merger = newMerger(join(tmp.path, `merger-${what.replace(/\W/g, '')}`));
      const pinned = await merger.getRepoState([
        { ...p.item(''), ref: 'refs/heads/main', newrev: p.rev('main') },
      ]);
      const r = await both(p, pinned.repoState);
      assert.equal(r.written, 0, `${what}: git checked it out`);
      assert.deepEqual(snapshot(r.fast), snapshot(r.byGit), `${what}: same repository`);
      fast.set(what, r.fast);
    }
    // git applied the attributes: what a job sees is git's checkout, not the blob.
    assert.equal(readFileSync(join(fast.get('attributes')!, 'x.txt'), 'utf8'), 'a\r\nb\r\n');
  });

  it('refuses a repo state with a malformed ref name, as git would', async () => {
    const p = new Project(join(tmp.path, 'up-bad'), 'org/r');
    const cache = new RepoCache({ gitDir: join(tmp.path, 'cache-bad') });
    const state: RepoState = {
      gerrit: { 'org/r': { refs: { 'refs/heads/a..b': p.rev('main') } } },
    };
    await assert.rejects(
      reproduceRepoState(cache, state, p.item(''), join(tmp.path, 'bad', 'r'), {
        shortcuts: checkoutShortcuts(cache),
      }),
      /invalid ref name "refs\/heads\/a\.\.b"/,
    );
  });

  it('runs at most the given number of checkouts at once', async () => {
    const limiter = new Limiter(3);
    let running = 0;
    let most = 0;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        limiter.run(async () => {
          most = Math.max(most, ++running);
          await new Promise((r) => setTimeout(r, 5));
          running--;
          return i;
        }),
      ),
    );
    assert.equal(most, 3);
    assert.deepEqual(results, [...Array(10).keys()]);
  });
});
