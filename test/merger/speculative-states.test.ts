// Queues of items on real repositories: chains, several projects,
// conflicts in the middle, deleted branches, changes whose parents are not
// on the branch, ref updates, file lists and configuration files.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { FailedItem, ItemResult, MergedItem } from '../../src/merger/types.js';
import { NULL_SHA } from '../../src/merger/types.js';
import { git, tempDir } from '../helpers/git-repos.js';
import { newMerger, Project, porcelainMerges, showFile } from './merger-helpers.js';

const tmp = tempDir('speculative-');
after(() => tmp.cleanup());

let n = 0;
function setup(...names: string[]) {
  const root = join(tmp.path, `t${++n}`);
  const projects = (names.length ? names : ['org/project']).map(
    (name) => new Project(join(root, 'up'), name),
  );
  const merger = newMerger(root);
  const workDir = (name: string) => join(root, 'work', 'gerrit', `${name}.git`);
  return { root, projects, project: projects[0]!, merger, workDir };
}

function merged(r: ItemResult | undefined): MergedItem {
  assert.equal(r?.status, 'MERGED', JSON.stringify(r));
  return r as MergedItem;
}

function failed(r: ItemResult | undefined): FailedItem {
  assert.equal(r?.status, 'MERGE_CONFLICT', JSON.stringify(r));
  return r as FailedItem;
}

describe('speculative states of a queue', () => {
  it('a clean chain of 5 items on one branch: each on top of the ones ahead', async () => {
    const { root, project, merger, workDir } = setup();
    const changes = [1, 2, 3, 4, 5].map((i) => project.change({ [`f${i}.txt`]: `${i}\n` }));
    project.commit('main', { 'moved.txt': 'm\n' });
    const tip = project.rev('main');
    const result = await merger.mergeChanges(changes.map((c) => project.item(c.ref)));
    const items = result.items.map(merged);
    items.forEach((item, i) => {
      assert.equal(item.base, i === 0 ? tip : items[i - 1]!.commit);
      for (let j = 0; j <= 5 - 1; j++) {
        const has = git(
          workDir('org/project'),
          'ls-tree',
          '--name-only',
          item.commit,
          `f${j + 1}.txt`,
        );
        assert.equal(has !== '', j <= i, `item ${i} has f${j + 1}.txt: ${j <= i}`);
      }
    });
    const porcelain = porcelainMerges(
      project,
      root,
      changes.map((c) => ({ ref: c.ref, mode: 'merge' as const })),
    );
    assert.deepEqual(
      items.map((i) => i.commit),
      porcelain,
    );
    const state = result.repoState.gerrit!['org/project']!;
    assert.equal(state.refs['refs/heads/main'], tip);
    assert.deepEqual(state.merged, {
      main: { commit: items[4]!.commit, previous: items[3]!.commit },
    });
    assert.ok(state.bundle && state.bundle.length > 0);
  });

  it('items across 3 projects: each project and branch has its own line of commits', async () => {
    const { projects, merger, workDir } = setup('org/a', 'org/b', 'org/c');
    const [a, b, c] = projects as [Project, Project, Project];
    b.commit('stable', { 'stable.txt': 's\n' });
    const queue = [
      a.item(a.change({ 'a1.txt': '1\n' }).ref),
      b.item(b.change({ 'b1.txt': '1\n' }).ref),
      c.item(c.change({ 'c1.txt': '1\n' }).ref, 'cherry-pick'),
      a.item(a.change({ 'a2.txt': '2\n' }).ref, 'squash-merge'),
      b.item(b.change({ 'bs.txt': 's\n' }, { parent: 'stable' }).ref, 'merge', 'stable'),
      b.item(b.change({ 'b2.txt': '2\n' }).ref, 'rebase'),
    ];
    const result = await merger.mergeChanges(queue);
    const r = result.items.map(merged);
    assert.equal(r[3]!.base, r[0]!.commit, 'org/a item 2 builds on org/a item 1');
    assert.equal(r[5]!.base, r[1]!.commit, 'org/b main item 2 builds on org/b main item 1');
    assert.equal(r[4]!.base, b.rev('stable'), 'org/b stable is a line of its own');
    assert.equal(showFile(workDir('org/a'), r[3]!.commit, 'a1.txt'), '1\n');
    assert.equal(showFile(workDir('org/b'), r[5]!.commit, 'b1.txt'), '1\n');
    assert.throws(() => showFile(workDir('org/b'), r[5]!.commit, 'bs.txt'));
    assert.deepEqual(Object.keys(result.repoState.gerrit!).sort(), ['org/a', 'org/b', 'org/c']);
    assert.deepEqual(Object.keys(result.repoState.gerrit!['org/b']!.merged!).sort(), [
      'main',
      'stable',
    ]);
  });

  it('a conflict in the middle: items ahead unaffected, the item and those behind reported', async () => {
    const { project, merger } = setup();
    project.commit('main', { 'shared.txt': 'base\n' });
    const c1 = project.change({ 'one.txt': '1\n' });
    const c2 = project.change({ 'shared.txt': 'two\n' });
    const c3 = project.change({ 'shared.txt': 'three\n' });
    const c4 = project.change({ 'four.txt': '4\n' });
    const c5 = project.change({ 'five.txt': '5\n' });
    const queue = [c1, c2, c3, c4, c5].map((c) => ({
      ...project.item(c.ref),
      label: `${c.number},1`,
    }));
    const ahead = await merger.mergeChanges(queue.slice(0, 2));
    const result = await merger.mergeChanges(queue);
    assert.deepEqual(result.items.slice(0, 2), ahead.items, 'items ahead unaffected');
    const conflict = failed(result.items[2]);
    assert.equal(conflict.reason, 'conflict');
    assert.equal(conflict.conflictIndex, 2);
    assert.deepEqual(conflict.paths, ['shared.txt']);
    assert.match(conflict.message, /org\/project 3,1: merging refs\/changes\/03\/3\/1 failed/);
    for (const behind of result.items.slice(3)) {
      const f = failed(behind);
      assert.equal(f.reason, 'item-ahead');
      assert.equal(f.conflictIndex, 2);
      assert.match(f.message, /3,1 ahead could not be merged/);
    }
    // The tip recorded is that of the last merged item.
    assert.equal(
      result.repoState.gerrit!['org/project']!.merged!.main!.commit,
      merged(result.items[1]).commit,
    );

    // onConflict: skip merges the items behind as if the failed one were gone.
    const skipping = await merger.mergeChanges(queue, { onConflict: 'skip' });
    const without = await merger.mergeChanges([queue[0]!, queue[1]!, queue[3]!, queue[4]!]);
    assert.equal(failed(skipping.items[2]).conflictIndex, 2);
    assert.equal(merged(skipping.items[3]).commit, merged(without.items[2]).commit);
    assert.equal(merged(skipping.items[4]).commit, merged(without.items[3]).commit);
    assert.deepEqual(merged(skipping.items[4]).skipped, [2]);
  });

  it('a deleted branch: its items fail as missing-branch, and it leaves the repo state', async () => {
    const { project, merger } = setup();
    project.commit('feature', { 'feat.txt': 'f\n' });
    project.setHead('main');
    const first = project.change({ 'x.txt': 'x\n' }, { parent: 'feature' });
    const ok = await merger.mergeChanges([project.item(first.ref, 'merge', 'feature')]);
    merged(ok.items[0]);
    assert.ok(ok.repoState.gerrit!['org/project']!.refs['refs/heads/feature']);

    project.deleteBranch('feature');
    const second = project.change({ 'y.txt': 'y\n' });
    const result = await merger.mergeChanges([
      project.item(first.ref, 'merge', 'feature'),
      project.item(second.ref),
    ]);
    const gone = failed(result.items[0]);
    assert.equal(gone.reason, 'missing-branch');
    assert.match(gone.message, /org\/project has no branch "feature"/);
    assert.equal(failed(result.items[1]).reason, 'item-ahead');
    assert.equal(result.repoState.gerrit!['org/project']!.refs['refs/heads/feature'], undefined);
    assert.deepEqual(await merger.getBranches(project.item('x')), ['main']);
  });

  it('a change whose parent is not on the branch brings that parent along (except cherry-pick)', async () => {
    const { project, merger, workDir } = setup();
    project.commit('other', { 'other.txt': 'o\n' });
    project.setHead('main');
    const c = project.change({ 'change.txt': 'c\n' }, { parent: 'other' });
    project.commit('main', { 'main.txt': 'm\n' });
    const req = { ...project.item(c.ref), ref: c.ref, tosha: 'main' };
    assert.deepEqual(await merger.getFilesChanges(req), ['change.txt', 'other.txt']);
    const viaMerge = merged((await merger.mergeChanges([project.item(c.ref)])).items[0]);
    assert.equal(showFile(workDir('org/project'), viaMerge.commit, 'other.txt'), 'o\n');
    const picked = merged(
      (await merger.mergeChanges([project.item(c.ref, 'cherry-pick')])).items[0],
    );
    assert.equal(showFile(workDir('org/project'), picked.commit, 'change.txt'), 'c\n');
    assert.throws(() => showFile(workDir('org/project'), picked.commit, 'other.txt'));
  });

  it('requests running at the same time get the answers they would get one by one', async () => {
    const { projects, merger, root } = setup('org/a', 'org/b');
    const [a, b] = projects as [Project, Project];
    const queue = [1, 2, 3].flatMap((i) => [
      a.item(a.change({ [`a${i}.txt`]: `${i}\n` }).ref, i === 2 ? 'rebase' : 'merge-resolve'),
      b.item(b.change({ [`b${i}.txt`]: `${i}\n` }).ref, 'cherry-pick'),
    ]);
    a.commit('main', { 'x.txt': 'x\n' });
    b.commit('main', { 'y.txt': 'y\n' });
    const alone = newMerger(join(root, 'alone'));
    const expected = [];
    for (let i = 1; i <= queue.length; i++)
      expected.push(await alone.mergeChanges(queue.slice(0, i)));
    const together = await Promise.all(
      queue.map((_, i) => merger.mergeChanges(queue.slice(0, i + 1))),
    );
    assert.deepEqual(
      together.map((r) => r.items),
      expected.map((r) => r.items),
    );
    for (const dir of ['org/a', 'org/b']) {
      git(join(root, 'git', 'gerrit', dir), 'fsck', '--no-dangling');
    }
  });

  it('a change ref that does not exist fails as missing-ref', async () => {
    const { project, merger } = setup();
    const result = await merger.mergeChanges([project.item('refs/changes/77/77/1')]);
    const f = failed(result.items[0]);
    assert.equal(f.reason, 'missing-ref');
    assert.match(f.message, /cannot fetch refs\/changes\/77\/77\/1 of org\/project/);
  });

  it('ref updates pin a ref at newrev (or delete it) for themselves and the items behind', async () => {
    const { project, merger } = setup();
    const old = project.rev('main');
    project.commit('main', { 'new.txt': 'n\n' });
    project.tag('v1');
    const c = project.change({ 'c.txt': 'c\n' }, { parent: old });
    const update = {
      ...project.item(''),
      ref: 'refs/heads/main',
      oldrev: project.rev('main'),
      newrev: old,
    };
    const delTag = { ...project.item(''), ref: 'refs/tags/v1', newrev: NULL_SHA };
    const result = await merger.mergeChanges([update, delTag, project.item(c.ref)]);
    assert.equal(merged(result.items[0]).commit, old);
    assert.equal(merged(result.items[2]).commit, c.sha, 'fast-forward from the pinned main');
    const refs = result.repoState.gerrit!['org/project']!.refs;
    assert.equal(refs['refs/heads/main'], old);
    assert.equal(refs['refs/tags/v1'], undefined);
  });

  it('starting from an earlier repo state ignores branches that moved since', async () => {
    const { project, merger } = setup();
    const a = project.change({ 'a.txt': 'a\n' });
    const first = await merger.mergeChanges([project.item(a.ref)]);
    project.commit('main', { 'later.txt': 'l\n' });
    const b = project.change({ 'b.txt': 'b\n' }, { parent: a.sha });
    const again = await merger.mergeChanges([project.item(a.ref), project.item(b.ref)], {
      repoState: first.repoState,
    });
    assert.equal(merged(again.items[0]).commit, merged(first.items[0]).commit);
    assert.equal(merged(again.items[1]).commit, b.sha, 'fast-forward: main did not move');
    const fresh = await merger.mergeChanges([project.item(a.ref), project.item(b.ref)]);
    assert.notEqual(merged(fresh.items[1]).commit, b.sha);
  });
});

describe('files', () => {
  it('files changed: relative to the target branch, combined with unmerged parents, reverts cancel', async () => {
    const { project, merger } = setup();
    project.commit('main', { 'keep.txt': 'k\n', 'old.txt': 'o\n' });
    const parent = project.change({ 'parent.txt': 'p\n', 'temp.txt': 't\n' });
    const child = project.change(
      { 'child.txt': 'c\n', 'temp.txt': null, 'old.txt': null },
      {
        parent: parent.sha,
      },
    );
    project.commit('main', { 'unrelated.txt': 'u\n' });
    const loc = project.item('');
    assert.deepEqual(await merger.getFilesChanges({ ...loc, ref: child.ref, tosha: 'main' }), [
      'child.txt',
      'old.txt',
      'parent.txt',
    ]);
    // Without a base: the change's own commit.
    assert.deepEqual(await merger.getFilesChanges({ ...loc, ref: child.ref }), [
      'child.txt',
      'old.txt',
      'temp.txt',
    ]);
    const result = await merger.mergeChanges([project.item(child.ref)], { filesChanges: true });
    assert.deepEqual(merged(result.items[0]).filesChanged, ['child.txt', 'old.txt', 'parent.txt']);
  });

  it('configuration files at each speculative state, and per branch at the end', async () => {
    const { project, merger } = setup();
    project.commit('main', {
      'zuul.yaml': '- job: {name: root}\n',
      'zuul.d/jobs.yaml': '- job: {name: a}\n',
      'zuul.d/notes.txt': 'not yaml\n',
      'zuul.d/playbooks/.zuul.ignore': '',
      'zuul.d/playbooks/run.yaml': '- hosts: all\n',
      'extra/one.yaml': '- job: {name: extra}\n',
    });
    const c1 = project.change({ 'zuul.d/more.yaml': '- job: {name: b}\n' });
    const c2 = project.change({ 'zuul.yaml': '- job: {name: changed}\n' });
    const request = { files: ['zuul.yaml', '.zuul.yaml'], dirs: ['zuul.d', '.zuul.d', 'extra/'] };
    const atTip = await merger.getFiles({ ...project.item(''), branch: 'main', ...request });
    assert.deepEqual(atTip, {
      'zuul.yaml': '- job: {name: root}\n',
      '.zuul.yaml': null,
      'zuul.d/jobs.yaml': '- job: {name: a}\n',
      'extra/one.yaml': '- job: {name: extra}\n',
    });
    const result = await merger.mergeChanges([project.item(c1.ref), project.item(c2.ref)], {
      configFiles: request,
    });
    assert.equal(merged(result.items[0]).files!['zuul.yaml'], '- job: {name: root}\n');
    assert.equal(merged(result.items[0]).files!['zuul.d/more.yaml'], '- job: {name: b}\n');
    const last = merged(result.items[1]).files!;
    assert.equal(last['zuul.yaml'], '- job: {name: changed}\n');
    assert.equal(last['zuul.d/more.yaml'], '- job: {name: b}\n');
    assert.deepEqual(result.files, [
      { connection: 'gerrit', project: 'org/project', branch: 'main', files: last },
    ]);
  });

  it('lists branches and tags, with the default branch', async () => {
    const { project, merger } = setup();
    project.commit('stable/1', { 's.txt': 's\n' });
    project.tag('1.0');
    project.setHead('main');
    const refs = await merger.getRefs(project.item(''));
    assert.deepEqual(Object.keys(refs.branches).sort(), ['main', 'stable/1']);
    assert.deepEqual(Object.keys(refs.tags), ['1.0']);
    assert.equal(refs.head, 'main');
    assert.equal(refs.branches['stable/1'], project.rev('stable/1'));
  });
});

describe('bad requests', () => {
  it('rejects items without a project URL, and reports invalid items per item', async () => {
    const { project, merger } = setup();
    await assert.rejects(
      merger.mergeChanges([{ ...project.item('x'), url: '' }]),
      /url is missing/,
    );
    const result = await merger.mergeChanges([
      { ...project.item('refs/changes/01/1/1'), branch: undefined },
      { ...project.item('refs/changes/01/1/1'), mergeMode: 'octopus' as 'merge' },
    ]);
    assert.equal(failed(result.items[0]).reason, 'invalid');
    assert.match(failed(result.items[1]).message, /item-ahead|ahead/);
    const alone = await merger.mergeChanges([
      { ...project.item('refs/changes/01/1/1'), mergeMode: 'octopus' as 'merge' },
    ]);
    assert.match(failed(alone.items[0]).message, /unknown merge mode "octopus"/);
  });

  it('fails a request whose origin cannot be reached with a MergerError naming it', async () => {
    const { project, merger } = setup();
    const item = { ...project.item('refs/changes/01/1/1'), url: `file://${tmp.path}/nowhere` };
    await assert.rejects(merger.mergeChanges([item]), (err: Error) => {
      assert.equal(err.name, 'MergerError');
      assert.match(err.message, /does not appear to be a git repository/);
      return true;
    });
  });
});
