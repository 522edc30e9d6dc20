// Every merge mode on real repositories, each compared with what Zuul's
// merger gets from the git porcelain for the same change (same identity
// and timestamp): the merger must produce the very same commit ids.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { MergedItem, MergeMode } from '../../src/merger/types.js';
import { git, tempDir } from '../helpers/git-repos.js';
import { IDENTITY, newMerger, Project, porcelainMerges, showFile, TS } from './merger-helpers.js';

const tmp = tempDir('merge-modes-');
after(() => tmp.cleanup());

let n = 0;
function setup() {
  const root = join(tmp.path, `t${++n}`);
  const project = new Project(join(root, 'up'), 'org/project');
  const merger = newMerger(root);
  const workDir = join(root, 'work', 'gerrit', 'org/project.git');
  return { root, project, merger, workDir };
}

function merged(r: unknown): MergedItem {
  const item = r as MergedItem;
  assert.equal(item.status, 'MERGED', JSON.stringify(r));
  return item;
}

/** Commit header fields of a commit (the message without its final newline). */
function header(gitDir: string, commit: string) {
  const raw = git(gitDir, 'cat-file', 'commit', commit);
  const field = (k: string) => new RegExp(`^${k} (.*)$`, 'm').exec(raw)?.[1];
  return {
    parents: [...raw.matchAll(/^parent (\S+)$/gm)].map((m) => m[1]),
    author: field('author'),
    committer: field('committer'),
    message: raw.slice(raw.indexOf('\n\n') + 2),
  };
}

const ZUUL = `${IDENTITY.name} <${IDENTITY.email}> ${TS} +0000`;

describe('merge modes', () => {
  const allModes: MergeMode[] = [
    'merge',
    'merge-ort',
    'merge-recursive',
    'merge-resolve',
    'cherry-pick',
    'squash-merge',
    'rebase',
  ];

  for (const mode of allModes) {
    it(`${mode}: same commits as Zuul's git commands, for a diverged branch and two changes`, async () => {
      const { root, project, merger } = setup();
      const a = project.change({ 'a.txt': 'a\n' });
      const b = project.change({ 'b.txt': 'b\n' }, { author: 'Ann Author <ann@example.org>' });
      project.commit('main', { 'main.txt': 'moved on\n' });
      const result = await merger.mergeChanges([
        project.item(a.ref, mode),
        project.item(b.ref, mode),
      ]);
      const expected = porcelainMerges(project, root, [
        { ref: a.ref, mode },
        { ref: b.ref, mode },
      ]);
      assert.deepEqual(
        result.items.map((r) => merged(r).commit),
        expected,
      );
    });
  }

  for (const mode of allModes) {
    it(`${mode}: edge cases give Zuul's commits too (already merged, empty, partly upstream)`, async () => {
      const { root, project, merger } = setup();
      const merged1 = project.change({ 'm.txt': 'merged\n' });
      git(project.path, 'merge', '--quiet', '--ff-only', merged1.sha);
      const empty = project.change({}, { parent: 'main~1' });
      // A series whose first commit reached main by another way (a cherry-pick).
      const first = project.change({ 'p.txt': 'p\n' }, { parent: 'main~1' });
      const second = project.change({ 'q.txt': 'q\n' }, { parent: first.sha });
      project.commit('main', { 'p.txt': 'p\n' }, 'Same as the first of the series');
      const queue = [merged1, empty, second].map((c) => project.item(c.ref, mode));
      const result = await merger.mergeChanges(queue);
      const expected = porcelainMerges(
        project,
        root,
        [merged1, empty, second].map((c) => ({ ref: c.ref, mode })),
      );
      assert.deepEqual(
        result.items.map((r) => merged(r).commit),
        expected,
      );
    });
  }

  it('merge: a change based on the tip fast-forwards (the change commit itself)', async () => {
    const { project, merger } = setup();
    const a = project.change({ 'a.txt': 'a\n' });
    const r = merged((await merger.mergeChanges([project.item(a.ref, 'merge')])).items[0]);
    assert.equal(r.commit, a.sha);
    assert.equal(r.originalCommit, a.sha);
    assert.equal(r.base, project.rev('main'));
  });

  it('merge: a merge commit by the merger identity, parents branch and change, message "Merge \'<ref>\'"', async () => {
    const { project, merger, workDir } = setup();
    const a = project.change({ 'a.txt': 'a\n' });
    project.commit('main', { 'main.txt': 'x\n' });
    const r = merged((await merger.mergeChanges([project.item(a.ref, 'merge')])).items[0]);
    const h = header(workDir, r.commit);
    assert.deepEqual(h.parents, [project.rev('main'), a.sha]);
    assert.equal(h.author, ZUUL);
    assert.equal(h.committer, ZUUL);
    assert.equal(h.message, `Merge '${a.ref}'`);
    assert.equal(showFile(workDir, r.commit, 'a.txt'), 'a\n');
    assert.equal(showFile(workDir, r.commit, 'main.txt'), 'x\n');
  });

  it('merge-resolve does not follow renames where ort does (Gerrit strictness)', async () => {
    const { root, project, merger } = setup();
    project.commit('main', { 'old.txt': 'line 1\nline 2\nline 3\nline 4\nline 5\n' });
    const edit = project.change({ 'old.txt': 'line 1\nline 2 edited\nline 3\nline 4\nline 5\n' });
    git(project.path, 'mv', 'old.txt', 'new.txt');
    git(project.path, 'commit', '--quiet', '-m', 'Rename');
    const ort = merged((await merger.mergeChanges([project.item(edit.ref, 'merge')])).items[0]);
    assert.equal(ort.commit, porcelainMerges(project, root, [{ ref: edit.ref, mode: 'merge' }])[0]);
    const resolve = (await merger.mergeChanges([project.item(edit.ref, 'merge-resolve')]))
      .items[0]!;
    assert.equal(resolve.status, 'MERGE_CONFLICT');
    assert.equal(resolve.status === 'MERGE_CONFLICT' && resolve.reason, 'conflict');
    assert.throws(() => porcelainMerges(project, root, [{ ref: edit.ref, mode: 'merge-resolve' }]));
  });

  it('merge-resolve merges file contents changed on both sides, like git merge -s resolve', async () => {
    const { root, project, merger } = setup();
    project.commit('main', { 'f.txt': '1\n2\n3\n4\n5\n6\n7\n8\n', 'gone.txt': 'g\n' });
    const c = project.change({ 'f.txt': '1\n2 change\n3\n4\n5\n6\n7\n8\n', 'new.txt': 'n\n' });
    project.commit('main', { 'f.txt': '1\n2\n3\n4\n5\n6\n7 main\n8\n', 'gone.txt': null });
    const r = merged((await merger.mergeChanges([project.item(c.ref, 'merge-resolve')])).items[0]);
    assert.equal(
      r.commit,
      porcelainMerges(project, root, [{ ref: c.ref, mode: 'merge-resolve' }])[0],
    );
  });

  it('cherry-pick: keeps the author, commits as the merger, drops a change already applied', async () => {
    const { project, merger, workDir } = setup();
    const c = project.change({ 'c.txt': 'c\n' }, { author: 'Ann Author <ann@example.org>' });
    project.commit('main', { 'x.txt': 'x\n' });
    const r = merged((await merger.mergeChanges([project.item(c.ref, 'cherry-pick')])).items[0]);
    const h = header(workDir, r.commit);
    assert.deepEqual(h.parents, [project.rev('main')]);
    assert.match(h.author!, /^Ann Author <ann@example.org> \d+ \+0000$/);
    assert.equal(h.committer, ZUUL);
    assert.equal(h.message, 'Change 1');
    // The same content landed on main meanwhile: nothing left to pick.
    project.commit('main', { 'c.txt': 'c\n' });
    const again = merged(
      (await merger.mergeChanges([project.item(c.ref, 'cherry-pick')])).items[0],
    );
    assert.equal(again.commit, project.rev('main'));
  });

  it('cherry-pick of a merge commit merges it (resolve), as Zuul does', async () => {
    const { root, project, merger } = setup();
    const side = project.change({ 's.txt': 's\n' });
    git(project.path, 'checkout', '--quiet', '--detach', 'main');
    project.commit('main', { 'm.txt': 'm\n' });
    git(project.path, 'checkout', '--quiet', '--detach', 'main');
    git(project.path, 'merge', '--quiet', '--no-ff', '-m', 'Merge side', side.sha);
    git(project.path, 'update-ref', 'refs/changes/99/99/1', 'HEAD');
    git(project.path, 'checkout', '--quiet', 'main');
    project.commit('main', { 'later.txt': 'l\n' });
    const r = merged(
      (await merger.mergeChanges([project.item('refs/changes/99/99/1', 'cherry-pick')])).items[0],
    );
    const expected = porcelainMerges(project, root, [
      { ref: 'refs/changes/99/99/1', mode: 'merge-resolve' },
    ]);
    assert.deepEqual([r.commit], expected);
  });

  it('squash-merge: one commit on the branch with the whole change, by the merger', async () => {
    const { project, merger, workDir } = setup();
    const first = project.change({ 'one.txt': '1\n' });
    const second = project.change({ 'two.txt': '2\n' }, { parent: first.sha });
    project.commit('main', { 'x.txt': 'x\n' });
    const r = merged(
      (await merger.mergeChanges([project.item(second.ref, 'squash-merge')])).items[0],
    );
    const h = header(workDir, r.commit);
    assert.deepEqual(h.parents, [project.rev('main')]);
    assert.equal(h.author, ZUUL);
    assert.equal(h.message, `Merge '${second.ref}'`);
    assert.equal(showFile(workDir, r.commit, 'one.txt'), '1\n');
    assert.equal(showFile(workDir, r.commit, 'two.txt'), '2\n');
  });

  it('rebase: replays a series onto the new tip, in order, keeping authors', async () => {
    const { root, project, merger, workDir } = setup();
    const first = project.change({ 'one.txt': '1\n' }, { author: 'Ann <ann@example.org>' });
    const second = project.change({ 'two.txt': '2\n' }, { parent: first.sha });
    // main moves after the series was written: the rebase puts the series
    // (older commits) on top of the newer main commit.
    project.commit('main', { 'x.txt': 'x\n' });
    const r = merged((await merger.mergeChanges([project.item(second.ref, 'rebase')])).items[0]);
    assert.equal(
      r.commit,
      porcelainMerges(project, root, [{ ref: second.ref, mode: 'rebase' }])[0],
    );
    const log = git(workDir, 'log', '--format=%s|%an', `${project.rev('main')}~1..${r.commit}`);
    assert.deepEqual(log.split('\n'), ['Change 2|Test', 'Change 1|Ann', 'Update|Test']);
    assert.equal(header(workDir, r.commit).committer, ZUUL);
  });

  it('rebase: a change already on the tip is not rewritten', async () => {
    const { project, merger } = setup();
    const c = project.change({ 'c.txt': 'c\n' });
    const r = merged((await merger.mergeChanges([project.item(c.ref, 'rebase')])).items[0]);
    assert.equal(r.commit, c.sha);
  });

  it('every mode reports a conflict as MERGE_CONFLICT with the paths', async () => {
    for (const mode of allModes) {
      const { project, merger } = setup();
      project.commit('main', { 'f.txt': 'base\n' });
      const c = project.change({ 'f.txt': 'change\n' });
      project.commit('main', { 'f.txt': 'main\n' });
      const r = (await merger.mergeChanges([project.item(c.ref, mode)])).items[0]!;
      assert.equal(r.status, 'MERGE_CONFLICT', mode);
      if (r.status !== 'MERGE_CONFLICT') continue;
      assert.equal(r.reason, 'conflict', mode);
      assert.equal(r.conflictIndex, 0);
      assert.deepEqual(r.paths, ['f.txt'], mode);
    }
  });

  it('gives the same commit for the same inputs, and another for another timestamp', async () => {
    const { project, merger, root } = setup();
    const c = project.change({ 'c.txt': 'c\n' });
    project.commit('main', { 'x.txt': 'x\n' });
    const one = merged((await merger.mergeChanges([project.item(c.ref)])).items[0]).commit;
    const other = newMerger(join(root, 'second'));
    const two = merged((await other.mergeChanges([project.item(c.ref)])).items[0]).commit;
    assert.equal(one, two, 'two mergers agree');
    const later = { ...project.item(c.ref), timestamp: TS + 60 };
    const three = merged((await merger.mergeChanges([later])).items[0]).commit;
    assert.notEqual(three, one);
  });
});
