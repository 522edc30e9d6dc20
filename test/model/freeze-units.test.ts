// The pure helpers of freezing: variable merging, Python-style texts,
// branch and file matching.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  changeMatchesFiles,
  deepMerge,
  type FreezeChange,
  matcherMatchesChange,
} from '../../src/model/freeze/index.js';
import { pyRepr } from '../../src/model/freeze/repr.js';
import type { BranchMatcher } from '../../src/model/layout.js';

const re = (pattern: string, negate = false) => ({ pattern, negate });

test('deepMerge: mappings merge recursively, lists and scalars replace, inputs untouched', () => {
  const a = { x: { y: 1, l: [1] }, keep: true, s: 'a' };
  const b = { x: { z: 2, l: [2] }, s: { now: 'map' } };
  assert.deepEqual(deepMerge<Record<string, unknown>>(a, b), {
    keep: true,
    x: { y: 1, z: 2, l: [2] },
    s: { now: 'map' },
  });
  assert.deepEqual(a, { x: { y: 1, l: [1] }, keep: true, s: 'a' });
});

test('pyRepr: Python reprs in error texts', () => {
  assert.equal(
    pyRepr({ a: [1, 'x', null, true], "it's": false }),
    `{'a': [1, 'x', None, True], "it's": False}`,
  );
  assert.equal(pyRepr(new Set(['s'])), "{'s'}");
  assert.equal(pyRepr(new Set()), 'set()');
});

test('branch matching: explicit regexes anchor at the start, implied ones are exact', () => {
  const explicit: BranchMatcher = { kind: 'regex', regexes: [re('stable')], implied: false };
  const implied: BranchMatcher = { kind: 'exact', branch: 'stable/1.0' };
  const onBranch = (branch: string): FreezeChange => ({ project: 'p', branch });
  assert.equal(matcherMatchesChange(explicit, onBranch('stable/2024')), true);
  assert.equal(matcherMatchesChange(explicit, onBranch('old-stable')), false);
  assert.equal(matcherMatchesChange(implied, onBranch('stable/1.0')), true);
  assert.equal(matcherMatchesChange(implied, onBranch('stable/1.0.x')), false);
  assert.equal(matcherMatchesChange(undefined, onBranch('anything')), true);
  // An override branch replaces the change's branch.
  assert.equal(matcherMatchesChange(implied, onBranch('master'), 'stable/1.0'), true);
  // Tags: the full ref, or a branch containing the commit.
  const tag: FreezeChange = {
    project: 'p',
    ref: 'refs/tags/v1',
    containingBranches: ['stable/1.0'],
  };
  assert.equal(matcherMatchesChange(implied, tag), true);
  assert.equal(
    matcherMatchesChange({ kind: 'regex', regexes: [re('refs/tags/')], implied: false }, tag),
    true,
  );
  assert.equal(matcherMatchesChange({ kind: 'exact', branch: 'master' }, tag), false);
  // Negated regexes.
  const notStable: BranchMatcher = { kind: 'regex', regexes: [re('stable', true)], implied: false };
  assert.equal(matcherMatchesChange(notStable, onBranch('master')), true);
  assert.equal(matcherMatchesChange(notStable, onBranch('stable/1')), false);
});

test('file matching: any file for `files`, every file for `irrelevant-files`', () => {
  const c = (files: string[] | null | undefined): FreezeChange => ({ project: 'p', files });
  const src = [re('^src/')];
  assert.equal(changeMatchesFiles(src, null, c(['doc/a', 'src/b'])), true);
  assert.equal(changeMatchesFiles(src, null, c(['doc/a'])), false);
  assert.equal(changeMatchesFiles(src, null, c(undefined)), true);
  assert.equal(changeMatchesFiles(src, null, c(['/COMMIT_MSG'])), true);
  assert.equal(changeMatchesFiles(null, src, c(['src/a', '/COMMIT_MSG'])), false);
  assert.equal(changeMatchesFiles(null, src, c(['src/a', 'x'])), true);
  assert.equal(changeMatchesFiles(null, src, c([])), true);
  // Both: must pass both tests.
  assert.equal(changeMatchesFiles(src, [re('^src/gen/')], c(['src/gen/x'])), false);
  // `files: []` matches nothing once files are known (as Zuul's empty matcher).
  assert.equal(changeMatchesFiles([], null, c(['a'])), false);
});
