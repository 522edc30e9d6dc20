// A cache damaged between two requests (by a crash, a full disk, an
// operator): the second request still gets the right answer, and the
// repositories are whole again afterwards.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { tempDir } from '../helpers/git-repos.js';
import { newMerger, Project } from './merger-helpers.js';

const tmp = tempDir('cache-healing-');
after(() => tmp.cleanup());

/** Every object file (loose objects and packs) under a repository. */
function objectFiles(gitDir: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) {
        if (name !== 'info') walk(p);
      } else out.push(p);
    }
  };
  walk(join(gitDir, 'objects'));
  return out;
}

const damages: Record<string, (mirror: string, work: string) => void> = {
  'every object of the mirror deleted': (mirror) => {
    for (const f of objectFiles(mirror)) rmSync(f);
  },
  'every object file of the mirror emptied': (mirror) => {
    for (const f of objectFiles(mirror)) truncateSync(f, 0);
  },
  'the mirror HEAD overwritten with garbage': (mirror) => {
    writeFileSync(join(mirror, 'HEAD'), 'garbage\n');
  },
  'the mirror config lost': (mirror) => {
    rmSync(join(mirror, 'config'));
  },
  'the mirror replaced by a half-finished clone': (mirror) => {
    rmSync(mirror, { recursive: true, force: true });
    mkdirSync(mirror, { recursive: true });
    execFileSync('git', ['init', '--quiet', '--bare', mirror]);
  },
  'the work repository objects deleted (its commits are remembered)': (_mirror, work) => {
    for (const f of objectFiles(work)) rmSync(f);
  },
  'the work repository alternates pointing elsewhere': (_mirror, work) => {
    writeFileSync(join(work, 'objects/info/alternates'), '/nonexistent/objects\n');
  },
};

describe('a cache damaged between two requests', () => {
  let n = 0;
  for (const [what, damage] of Object.entries(damages)) {
    it(`recovers from ${what}`, async () => {
      const root = join(tmp.path, `t${++n}`);
      const project = new Project(join(root, 'up'), 'org/project');
      project.commit('main', { 'shared.txt': 'one\ntwo\nthree\n' });
      const a = project.change({ 'a.txt': 'a\n' });
      const b = project.change({ 'shared.txt': 'one\ntwo\nthree and b\n' });
      project.commit('main', { 'shared.txt': 'one changed\ntwo\nthree\n' });
      const queue = [project.item(a.ref), project.item(b.ref, 'merge-resolve')];
      const merger = newMerger(root);
      const first = await merger.mergeChanges(queue);
      assert.deepEqual(
        first.items.map((i) => i.status),
        ['MERGED', 'MERGED'],
      );

      const mirror = join(root, 'git', 'gerrit', 'org', 'project');
      const work = join(root, 'work', 'gerrit', 'org', 'project.git');
      damage(mirror, work);
      const second = await merger.mergeChanges(queue);
      assert.deepEqual(second.items, first.items);
      assert.deepEqual(
        second.repoState.gerrit!['org/project']!.merged,
        first.repoState.gerrit!['org/project']!.merged,
      );
      // The same damage, found by a merger started afresh (nothing in memory).
      damage(mirror, work);
      const restarted = newMerger(root);
      assert.deepEqual((await restarted.mergeChanges(queue)).items, first.items);
      execFileSync('git', [`--git-dir=${mirror}`, 'fsck', '--no-dangling'], { stdio: 'pipe' });
    });
  }
});
