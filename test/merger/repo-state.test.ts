// Repo states: recorded by the merger, carried as JSON, reproduced by an
// executor with its own cache — byte-identical trees, without merging.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { combineRepoStates } from '../../src/merger/repo-state.js';
import type { MergedItem, RepoState } from '../../src/merger/types.js';
import { git, tempDir } from '../helpers/git-repos.js';
import { lsTree, newMerger, Project, treeFiles } from './merger-helpers.js';

const tmp = tempDir('repo-state-');
after(() => tmp.cleanup());

let n = 0;
function setup() {
  const root = join(tmp.path, `t${++n}`);
  const a = new Project(join(root, 'up'), 'org/a');
  const b = new Project(join(root, 'up'), 'org/b');
  const merger = newMerger(join(root, 'merger'));
  // An executor elsewhere: a cache of its own, nothing shared with the merger.
  const executor = newMerger(join(root, 'executor'));
  const workDir = (name: string) => join(root, 'merger', 'work', 'gerrit', `${name}.git`);
  return { root, a, b, merger, executor, workDir };
}

const roundTrip = (state: RepoState): RepoState => JSON.parse(JSON.stringify(state));

/** Blob contents of every file of `commit`, read from `gitDir`. */
function blobs(gitDir: string, commit: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const line of lsTree(gitDir, commit).split('\n').filter(Boolean)) {
    const [, , id, path] = /^(\d+) blob ([0-9a-f]+)\t(.*)$/.exec(line) ?? [];
    if (!id) continue;
    out.set(path!, execFileSync('git', [`--git-dir=${gitDir}`, 'cat-file', 'blob', id]));
  }
  return out;
}

describe('repo states', () => {
  it('an executor with its own cache reproduces byte-identical trees without merging', async () => {
    const { root, a, b, merger, executor, workDir } = setup();
    a.commit('main', {
      'shared.txt': '1\n2\n3\n4\n5\n',
      'bin/logo.png': Buffer.from([0, 1, 2, 255]),
    });
    a.tag('1.0');
    a.commit('stable', { 'stable.txt': 's\n' });
    a.setHead('main');
    const a1 = a.change({ 'shared.txt': '1 a1\n2\n3\n4\n5\n' });
    const a2 = a.change({ 'shared.txt': '1\n2\n3\n4\n5 a2\n', 'bin/new.bin': '\u0000\u00ff' });
    const b1 = b.change({ 'dir/b.txt': 'b\n' });
    a.commit('main', { 'moved.txt': 'main moved\n' });
    const result = await merger.mergeChanges([
      a.item(a1.ref, 'merge-resolve'),
      b.item(b1.ref, 'cherry-pick'),
      a.item(a2.ref, 'rebase'),
    ]);
    const [ra1, rb1, ra2] = result.items as MergedItem[];
    const state = roundTrip(result.repoState);

    for (const [project, item] of [
      [a, ra2!],
      [b, rb1!],
    ] as const) {
      const dest = join(root, 'build', project.name);
      const done = await executor.reproduceRepoState(state, project.item(''), dest);
      assert.equal(done.commit, item.commit);
      assert.equal(done.checkout, 'main');
      assert.equal(
        lsTree(join(dest, '.git'), 'HEAD'),
        lsTree(workDir(project.name), item.commit),
        `${project.name}: same tree`,
      );
      const expected = blobs(workDir(project.name), item.commit);
      assert.deepEqual(treeFiles(dest), expected, `${project.name}: same bytes on disk`);
    }

    const destA = join(root, 'build', 'org/a');
    // origin/main shows what the last item on main changed.
    assert.equal(git(destA, 'rev-parse', 'origin/main'), ra1!.commit);
    assert.equal(git(destA, 'diff', '--name-only', 'origin/main..main'), 'bin/new.bin\nshared.txt');
    // Other branches and tags as they were when the merger looked.
    assert.equal(git(destA, 'rev-parse', 'stable'), a.rev('stable'));
    assert.equal(git(destA, 'rev-parse', 'origin/stable'), a.rev('stable'));
    assert.equal(git(destA, 'rev-parse', '1.0^{commit}'), a.rev('1.0'));
    assert.equal(git(destA, 'remote', 'get-url', 'origin'), a.url);
  });

  it('still reproduces after the branch moved on and the change refs are gone', async () => {
    const { root, a, merger, executor } = setup();
    const c = a.change({ 'c.txt': 'c\n' });
    a.commit('main', { 'x.txt': 'x\n' });
    const result = await merger.mergeChanges([a.item(c.ref)]);
    const commit = (result.items[0] as MergedItem).commit;
    a.commit('main', { 'later.txt': 'later\n' });
    git(a.path, 'update-ref', '-d', c.ref);
    const dest = join(root, 'build');
    const done = await executor.reproduceRepoState(roundTrip(result.repoState), a.item(''), dest, {
      originUrl: 'file:///dev/null',
    });
    assert.equal(done.commit, commit);
    assert.deepEqual([...treeFiles(dest).keys()].sort(), ['README.md', 'c.txt', 'x.txt']);
    assert.equal(git(dest, 'remote', 'get-url', 'origin'), 'file:///dev/null');
  });

  it('pins projects no item touches; ref updates and containing branches as Zuul reports them', async () => {
    const { root, a, b, merger, executor } = setup();
    const c = a.change({ 'c.txt': 'c\n' });
    const merge = await merger.mergeChanges([a.item(c.ref)]);
    b.commit('main', { 'b.txt': 'pinned\n' });
    const pinnedB = b.rev('main');
    b.tag('2.0');
    const pinned = await merger.getRepoState([
      { ...b.item(''), ref: 'refs/tags/2.0', newrev: pinnedB },
    ]);
    assert.deepEqual(pinned.itemInBranches, ['main']);
    assert.equal(pinned.repoState.gerrit!['org/b']!.refs['refs/heads/main'], pinnedB);

    const state = roundTrip(combineRepoStates(merge.repoState, pinned.repoState));
    assert.deepEqual(Object.keys(state.gerrit!).sort(), ['org/a', 'org/b']);
    b.commit('main', { 'b.txt': 'moved on\n' });
    const dest = join(root, 'build-b');
    const done = await executor.reproduceRepoState(state, b.item(''), dest, { checkout: '2.0' });
    assert.equal(done.commit, pinnedB);
    assert.equal(treeFiles(dest).get('b.txt')?.toString(), 'pinned\n');
  });

  it('says clearly what is wrong with a reproduction request', async () => {
    const { root, a, b, merger, executor } = setup();
    const result = await merger.mergeChanges([a.item(a.change({ 'c.txt': 'c\n' }).ref)]);
    await assert.rejects(
      executor.reproduceRepoState(result.repoState, b.item(''), join(root, 'x')),
      /the repo state has no entry for gerrit\/org\/b/,
    );
    const busy = join(root, 'busy');
    mkdirSync(busy);
    writeFileSync(join(busy, 'file'), 'x');
    await assert.rejects(
      executor.reproduceRepoState(result.repoState, a.item(''), busy),
      /exists and is not empty/,
    );
  });
});
