// The job graph (semantics §D.9): forcing, dependency errors, pending
// errors, initializer jobs, deduplication across a cycle, refs without a
// branch, the built-in noop job.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jobGraphJson } from '../../src/model/freeze/index.js';
import { change, check, errorOf, freeze, jobOf, jobsOf, simpleLayout } from './freeze-helpers.js';

test('graph: dependency cycles are an item error naming the first job in the cycle', async () => {
  const layout = await simpleLayout(
    '',
    `
- job: {name: free}
- job: {name: a, dependencies: [b]}
- job: {name: b, dependencies: [a]}
- project: {check: {jobs: [free, a, b]}}
`,
  );
  const r = check(layout);
  assert.ok(!r.ok);
  assert.equal(r.message, 'Unable to freeze job graph: Dependency cycle detected in job a');
  assert.equal(r.internal, false);
});

test('graph: hard dependency chains are forced in, soft ones are not', async () => {
  const layout = await simpleLayout(
    '',
    `
- job: {name: top, files: ['^src/'], dependencies: [mid, {name: soft-dep, soft: true}]}
- job: {name: mid, files: ['^never/'], dependencies: [low]}
- job: {name: low, files: ['^never/']}
- job: {name: soft-dep, files: ['^never/']}
- job: {name: unrelated, files: ['^never/']}
- project: {check: {jobs: [low, mid, soft-dep, top, unrelated]}}
`,
  );
  const r = freeze(layout, 'check', change('org/lib', 'master', ['src/a.c']));
  assert.deepEqual([...jobsOf(r).keys()], ['low', 'mid', 'top']);
  assert.ok(r.ok);
  assert.deepEqual(
    r.graph.dependencies.get(jobOf(r, 'top'))!.map((e) => e.job.name),
    ['mid'],
    'the soft dependency that did not run is dropped',
  );
});

test('graph: a missing hard dependency fails even when file matchers drop the dependent', async () => {
  const layout = await simpleLayout(
    '',
    `
- job: {name: needs, files: ['^never/'], dependencies: [absent]}
- job: {name: absent}
- project: {check: {jobs: [needs]}}
`,
  );
  assert.equal(
    errorOf(freeze(layout, 'check', change('org/lib', 'master', ['x']))),
    'Job needs depends on absent which was not run.',
  );
});

test('graph: pending errors count only for jobs that stay', async () => {
  const layout = await simpleLayout(
    '',
    `
- job: {name: abstract-docs, abstract: true, files: ['^doc/']}
- job: {name: fine}
- project:
    check: {jobs: [abstract-docs, fine]}
`,
  );
  assert.deepEqual(
    [...jobsOf(freeze(layout, 'check', change('org/lib', 'master', ['src/x']))).keys()],
    ['fine'],
  );
  assert.equal(
    errorOf(freeze(layout, 'check', change('org/lib', 'master', ['doc/x']))),
    'Job abstract-docs is abstract and may not be directly run',
  );
});

test('graph: a job without a run playbook is an error', async () => {
  const layout = await simpleLayout(
    '- job: {name: no-run-base, parent: null}\n',
    `
- job: {name: empty, parent: no-run-base}
- project: {check: {jobs: [empty]}}
`,
  );
  assert.equal(errorOf(check(layout)), 'Job empty does not specify a run playbook');
});

test('graph: initializer jobs become hard dependencies of every other job', async () => {
  const layout = await simpleLayout(
    '',
    `
- job: {name: init, type: initializer, files: ['^never/']}
- job: {name: a}
- job: {name: b, dependencies: [{name: init, soft: true}]}
- project: {check: {jobs: [a, init, b]}}
`,
  );
  const r = freeze(layout, 'check', change('org/lib', 'master', ['src/x']));
  assert.ok(r.ok);
  // Forced in by its dependents despite its file matcher.
  assert.deepEqual(jobGraphJson(r.graph.jobs), [
    { name: 'a', dependencies: [{ name: 'init', soft: false }] },
    { name: 'init', dependencies: [] },
    { name: 'b', dependencies: [{ name: 'init', soft: false }] },
  ]);
});

test('graph: identical jobs of a cycle are deduplicated as Zuul decides', async () => {
  const lib = `
- job: {name: shared}
- job: {name: separate, deduplicate: false}
- job: {name: with-projects, required-projects: [org/lib, org/two]}
- project: {check: {jobs: [shared, separate, with-projects]}}
`;
  const layout = await simpleLayout('', lib, {
    'org/two': '- project: {check: {jobs: [shared, separate, with-projects]}}\n',
  });
  const c1 = change('org/lib', 'master', null, { key: 'c1' });
  const c2 = change('org/lib', 'master', null, { key: 'c2' });
  const c3 = change('org/two', 'master', null, { key: 'c3' });
  // Same project: `shared` and `with-projects` merge (the event's change
  // keeps them), `separate` does not.
  let r = freeze(layout, 'check', { changes: [c1, c2], eventRef: c2.key });
  assert.ok(r.ok);
  assert.deepEqual(
    r.graph.jobs.map((j) => `${j.name}:${j.ref}:${j.otherRefs.join(',')}`),
    ['separate:c1:', 'shared:c2:c1', 'separate:c2:', 'with-projects:c2:c1'],
  );
  // Different projects: only the job with required-projects merges (`auto`).
  r = freeze(layout, 'check', { changes: [c1, c3] });
  assert.ok(r.ok);
  assert.deepEqual(
    r.graph.jobs.map((j) => j.name),
    ['shared', 'separate', 'with-projects', 'shared', 'separate'],
  );
});

test('graph: refs without a branch match by full ref or containing branches', async () => {
  // The config project's stanza has no branch matcher (an untrusted
  // project's own stanza matches only refs on its branch).
  const layout = await simpleLayout(
    `
- job: {name: release, branches: ['^refs/tags/']}
- job: {name: on-master, branches: master}
- project:
    name: org/lib
    post: {jobs: [release, on-master]}
`,
    '',
  );
  const tag = change('org/lib', undefined, null, {
    branch: undefined,
    ref: 'refs/tags/1.0',
    containingBranches: [],
  });
  assert.deepEqual([...jobsOf(freeze(layout, 'post', tag)).keys()], ['release']);
  const onMaster = { ...tag, containingBranches: ['master'] };
  assert.deepEqual([...jobsOf(freeze(layout, 'post', onMaster)).keys()], ['release', 'on-master']);
});

test('graph: the built-in noop job runs without a playbook of its own', async () => {
  const layout = await simpleLayout('', '- project: {check: {jobs: [noop]}}\n');
  const noop = jobOf(check(layout), 'noop');
  assert.equal(noop.run.length, 1);
  assert.equal(noop.run[0].builtin, true);
  assert.equal(noop.deduplicate, true);
  assert.equal(noop.pendingError, null);
});

test('graph: changing a job’s playbook or include-vars file ignores its file matchers', async () => {
  const layout = await simpleLayout(
    '',
    `
- job: {name: pb, run: playbooks/pb.yaml, files: ['^src/']}
- job: {name: iv, include-vars: [vars/iv.yaml], files: ['^src/']}
- job: {name: strict, run: playbooks/strict.yaml, files: ['^src/'], match-on-config-updates: false}
- project: {check: {jobs: [pb, iv, strict]}}
`,
  );
  const names = (files: string[]) => [
    ...jobsOf(freeze(layout, 'check', change('org/lib', 'master', files))).keys(),
  ];
  assert.deepEqual(names(['playbooks/pb.yaml']), ['pb']);
  assert.deepEqual(names(['vars/iv.yaml']), ['iv']);
  assert.deepEqual(names(['playbooks/strict.yaml']), []);
  // The caller's answer for job definitions counts too, unless disabled.
  const r = freeze(layout, 'check', change('org/lib', 'master', ['x']), {
    updatesJobConfig: () => true,
  });
  assert.deepEqual([...jobsOf(r).keys()], ['pb', 'iv']);
});
