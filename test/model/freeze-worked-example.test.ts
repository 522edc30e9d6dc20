// The worked example of semantics §D.8, reproduced exactly.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  change,
  freeze,
  jobOf,
  jobsOf,
  layoutOf,
  PIPELINES,
  playbookOrder,
} from './freeze-helpers.js';

const CONFIG = `${PIPELINES}
- job: {name: base, parent: null, pre-run: pb/base-pre.yaml,
        post-run: pb/base-post.yaml, timeout: 3600, vars: {a: {x: 1}}}
`;
const LIBS_A = `
- job: {name: build, pre-run: pb/build-pre.yaml, run: pb/build.yaml,
        post-run: pb/build-post.yaml, vars: {a: {y: 2}}}
- project:
    check:
      jobs:
        - build: {vars: {a: {x: 9}}, voting: false}
`;

async function exampleLayout(stableFiles: Record<string, string>) {
  return layoutOf(['libs/a'], {
    'ci/config': { master: { 'zuul.yaml': CONFIG } },
    'libs/a': { master: { '.zuul.yaml': LIBS_A }, stable: stableFiles },
  });
}

test('§D.8 worked example: a change on master of libs/a', async () => {
  const layout = await exampleLayout({});
  const result = freeze(layout, 'check', change('libs/a', 'master'));
  const build = jobOf(result, 'build');
  assert.deepEqual([...jobsOf(result).keys()], ['build']);
  assert.deepEqual(playbookOrder(build), [
    'pb/base-pre.yaml',
    'pb/build-pre.yaml',
    'pb/build.yaml',
    'pb/build-post.yaml',
    'pb/base-post.yaml',
  ]);
  assert.equal(build.timeout, 3600);
  assert.deepEqual(build.vars, { a: { x: 9, y: 2 } });
  assert.equal(build.voting, false);
  // Variants collected: base, build@master.
  assert.equal(build.inheritancePath.length, 3, 'base, build@master, the project-pipeline entry');
  assert.match(build.inheritancePath[0], /^<Job base /);
  assert.match(
    build.inheritancePath[1],
    /^<Job build .*implied: {MatchAny:{ImpliedBranchMatcher:master}}/,
  );
});

test('§D.8 worked example: nothing runs on stable without its own copy of the file', async () => {
  const layout = await exampleLayout({});
  const result = freeze(layout, 'check', change('libs/a', 'stable'));
  assert.ok(result.ok);
  assert.equal(result.participates, false);
  assert.deepEqual(result.graph.jobs, []);
});

test('§D.8 worked example: after branching, stable runs its own copy', async () => {
  const layout = await exampleLayout({ '.zuul.yaml': LIBS_A });
  const result = freeze(layout, 'check', change('libs/a', 'stable'));
  const build = jobOf(result, 'build');
  assert.deepEqual(build.vars, { a: { x: 9, y: 2 } });
  assert.match(build.inheritancePath[1], /implied: {MatchAny:{ImpliedBranchMatcher:stable}}/);
  assert.equal(build.run[0].sourceContext.branch, 'stable');
});
