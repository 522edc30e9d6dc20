// applyVariant: list- and mapping-valued attributes and their override
// control, simple execution attributes, Zuul 14 additions, override-checkout
// variant selection and image-build jobs.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { change, check, errorOf, freeze, jobOf, simpleLayout } from './freeze-helpers.js';

const H = 'review.example.com';

test('include-vars: appended without duplicates, !override replaces, zuul-project means the item', async () => {
  const layout = await simpleLayout(
    '',
    `
- job: {name: p, include-vars: [a.yaml, {name: z.yaml, zuul-project: true}]}
- job: {name: c1, parent: p, include-vars: [a.yaml, b.yaml]}
- job: {name: c2, parent: p, include-vars: !override [{name: o.yaml, project: org/other, required: false}]}
- project: {check: {jobs: [c1, c2]}}
`,
    { 'org/other': '' },
  );
  const r = check(layout);
  assert.deepEqual(jobOf(r, 'c1').includeVars, [
    { name: 'a.yaml', projectCanonicalName: `${H}/org/lib`, required: true, useRef: true },
    { name: 'z.yaml', projectCanonicalName: null, required: true, useRef: true },
    { name: 'b.yaml', projectCanonicalName: `${H}/org/lib`, required: true, useRef: true },
  ]);
  assert.deepEqual(jobOf(r, 'c2').includeVars, [
    { name: 'o.yaml', projectCanonicalName: `${H}/org/other`, required: false, useRef: true },
  ]);
});

test('required-projects: keyed by project; !override starts from empty', async () => {
  const layout = await simpleLayout(
    '',
    `
- job: {name: p, required-projects: [org/a, {name: org/b, override-branch: stable}]}
- job: {name: c1, parent: p, required-projects: [{name: org/b, override-checkout: v1}, org/c]}
- job: {name: c2, parent: p, required-projects: !override [org/c]}
- project: {check: {jobs: [c1, c2]}}
`,
    { 'org/a': '', 'org/b': '', 'org/c': '' },
  );
  const r = check(layout);
  const rp = (name: string) =>
    [...jobOf(r, name).requiredProjects.values()].map(
      (p) =>
        `${p.projectCanonicalName.slice(H.length + 1)}:${p.overrideBranch}:${p.overrideCheckout}`,
    );
  assert.deepEqual(rp('c1'), ['org/a:null:null', 'org/b:null:v1', 'org/c:null:null']);
  assert.deepEqual(rp('c2'), ['org/c:null:null']);
});

test('allowed-projects: intersection; a config project attaching the job ignores it', async () => {
  const config = `
- job: {name: narrow, allowed-projects: [org/lib, org/other]}
- project:
    name: org/other
    check: {jobs: [narrow]}
`;
  const layout = await simpleLayout(
    config,
    `
- job: {name: narrower, parent: narrow, allowed-projects: [org/other]}
- project: {check: {jobs: [narrower]}, gate: {jobs: [narrow]}}
`,
    { 'org/other': '- project: {gate: {jobs: [narrow]}}\n' },
  );
  assert.equal(errorOf(check(layout)), 'Project org/lib is not allowed to run job narrower');
  assert.deepEqual(
    [...(jobOf(freeze(layout, 'gate', change('org/lib')), 'narrow').allowedProjects ?? [])].sort(),
    ['org/lib', 'org/other'],
  );
  // Attached by the config project for org/other: ignored there.
  const other = jobOf(freeze(layout, 'check', change('org/other')), 'narrow');
  assert.equal(other.ignoreAllowedProjects, true);
});

test('semaphores: union sorted by name; job and playbook semaphore conflict', async () => {
  let layout = await simpleLayout(
    '- semaphore: {name: zeta, max: 2}\n',
    `
- job: {name: p, semaphores: [zeta, mid]}
- job: {name: c, parent: p, semaphore: alpha, run: {name: c.yaml, semaphores: [pb]}}
- project: {check: {jobs: [c]}}
`,
  );
  const c = jobOf(check(layout), 'c');
  assert.deepEqual(
    c.semaphores.map((s) => s.name),
    ['alpha', 'mid', 'zeta'],
  );
  assert.deepEqual(c.run[0].semaphores, [
    { name: 'pb', resourcesFirst: false, max: 1, global: false },
  ]);
  layout = await simpleLayout(
    '',
    `
- job: {name: p, semaphores: [shared]}
- job: {name: c, parent: p, run: {name: c.yaml, semaphores: [shared]}}
- project: {check: {jobs: [c]}}
`,
  );
  assert.equal(
    errorOf(check(layout)),
    "Semaphores {'shared'} specified as both job and playbook semaphores but may only be used for one",
  );
});

test('failure-output: union sorted, !override replaces', async () => {
  const layout = await simpleLayout(
    '',
    `
- job: {name: p, failure-output: [zz, aa]}
- job: {name: c1, parent: p, failure-output: mm}
- job: {name: c2, parent: p, failure-output: !override [mm]}
- project: {check: {jobs: [c1, c2]}}
`,
  );
  const r = check(layout);
  assert.deepEqual(jobOf(r, 'c1').failureOutput, ['aa', 'mm', 'zz']);
  assert.deepEqual(jobOf(r, 'c2').failureOutput, ['mm']);
});

test('tags/provides/requires union, !override replaces; files replace, !inherit unions', async () => {
  const layout = await simpleLayout(
    '',
    `
- job:
    name: p
    tags: [a]
    provides: [art]
    requires: [dep]
    files: ['^src/']
    irrelevant-files: ['^doc/']
- job:
    name: c
    parent: p
    tags: [b]
    provides: !override [new-art]
    files: !inherit ['^lib/']
    irrelevant-files: ['^README']
- project: {check: {jobs: [c]}}
`,
  );
  const c = jobOf(check(layout), 'c');
  assert.deepEqual(c.tags, ['a', 'b']);
  assert.deepEqual(c.provides, ['new-art']);
  assert.deepEqual(c.requires, ['dep']);
  assert.deepEqual(
    c.files?.map((r) => r.pattern),
    ['^lib/', '^src/'],
  );
  assert.deepEqual(
    c.irrelevantFiles?.map((r) => r.pattern),
    ['^README'],
  );
});

test('dependencies: replaced by default, !inherit unions, [] clears', async () => {
  const layout = await simpleLayout(
    '',
    `
- job: {name: d1}
- job: {name: d2}
- job: {name: p, dependencies: [d1]}
- job: {name: replaced, parent: p, dependencies: [{name: d2, soft: true}]}
- job: {name: unioned, parent: p, dependencies: !inherit [d2]}
- project:
    check:
      jobs:
        - d1
        - d2
        - replaced
        - unioned
        - p: {dependencies: []}
`,
  );
  const r = check(layout);
  const deps = (n: string) => jobOf(r, n).dependencies.map((d) => `${d.name}${d.soft ? '?' : ''}`);
  assert.deepEqual(deps('replaced'), ['d2?']);
  assert.deepEqual(deps('unioned'), ['d1', 'd2']);
  assert.deepEqual(deps('p'), []);
});

test('vars family: deep merge, !override (even empty) replaces; host-vars and group-vars too', async () => {
  const layout = await simpleLayout(
    '',
    `
- job:
    name: p
    vars: {a: {x: 1}}
    extra-vars: {e: 1}
    host-vars: {node: {h: 1}}
    group-vars: {g: {v: 1}}
- job:
    name: c
    parent: p
    vars: !override {}
    extra-vars: {f: 2}
    host-vars: {node: {i: 2}}
    group-vars: !override {g: {w: 2}}
- project: {check: {jobs: [c]}}
`,
  );
  const c = jobOf(check(layout), 'c');
  assert.deepEqual(c.vars, {});
  assert.deepEqual(c.extraVars, { e: 1, f: 2 });
  assert.deepEqual(c.hostVars, { node: { h: 1, i: 2 } });
  assert.deepEqual(c.groupVars, { g: { w: 2 } });
});

test('simple execution attributes replace; post-review is sticky; defaults', async () => {
  const layout = await simpleLayout(
    '',
    `
- job:
    name: p
    pre-timeout: 10
    timeout: 100
    post-timeout: 20
    attempts: 5
    post-review: true
    workspace-scheme: flat
    ansible-version: 11
    override-checkout: old
- job: {name: c, parent: p, timeout: 200, attempts: 1, workspace-checkout: auto}
- job: {name: plain}
- project: {post: {jobs: [c, plain]}}
`,
  );
  const r = freeze(layout, 'post', change('org/lib'));
  const c = jobOf(r, 'c');
  assert.deepEqual(
    [c.preTimeout, c.timeout, c.postTimeout, c.attempts, c.postReview],
    [10, 200, 20, 1, true],
  );
  assert.deepEqual(
    [c.workspaceScheme, c.workspaceCheckout, c.ansibleVersion],
    ['flat', 'auto', '11'],
  );
  assert.equal(c.overrideCheckout, 'old');
  const plain = jobOf(r, 'plain');
  assert.deepEqual(
    [plain.timeout, plain.attempts, plain.postReview, plain.ansibleVersion, plain.voting],
    [null, 3, false, '9', true],
  );
});

test('Zuul 14: type, include-projects and exclude-projects', async () => {
  const layout = await simpleLayout(
    '',
    `
- job:
    name: p
    type: initializer
    include-projects: [org/a]
    exclude-projects: [{type: change}]
- job:
    name: c1
    parent: p
    type: regular
    include-projects: [org/b, org/a]
- job:
    name: c2
    parent: p
    exclude-projects: !override [org/z]
- project: {check: {jobs: [c1, c2]}}
`,
  );
  const r = check(layout);
  const c1 = jobOf(r, 'c1');
  assert.equal(c1.type, 'regular');
  assert.deepEqual(c1.includeProjects, [
    { type: 'name', name: 'org/a' },
    { type: 'name', name: 'org/b' },
  ]);
  const c2 = jobOf(r, 'c2');
  assert.equal(c2.type, 'initializer');
  assert.deepEqual(c2.excludeProjects, [{ type: 'name', name: 'org/z' }]);
});

test('override-checkout selects the variants of the overridden project’s branch', async () => {
  const dep = (v: string) => `- job: {name: dep-job, vars: {branch: ${v}}}\n`;
  const layout = await simpleLayout(
    '',
    `
- project:
    check:
      jobs:
        - dep-job
    gate:
      jobs:
        - dep-job: {override-checkout: stable}
    post:
      jobs:
        - dep-job: {required-projects: [{name: org/dep, override-checkout: stable}]}
`,
    { 'org/dep': { master: dep('master'), stable: dep('stable') } },
  );
  assert.equal(jobOf(check(layout), 'dep-job').vars.branch, 'master');
  assert.equal(jobOf(freeze(layout, 'gate', change('org/lib')), 'dep-job').vars.branch, 'stable');
  const post = jobOf(freeze(layout, 'post', change('org/lib')), 'dep-job');
  assert.equal(post.vars.branch, 'stable');
  // An override naming a branch the project lacks is ignored.
  const layout2 = await simpleLayout(
    '',
    '- project: {check: {jobs: [{dep-job: {override-checkout: nope}}]}}\n',
    { 'org/dep': { master: dep('master'), stable: dep('stable') } },
  );
  assert.equal(jobOf(check(layout2), 'dep-job').vars.branch, 'master');
});

test('image builds: attached in the image’s project only; image events filter jobs', async () => {
  const config = `
- image: {name: img, type: zuul}
- job: {name: build-img, image-name: img}
- job: {name: other}
- project:
    name: ci/config
    check: {jobs: [build-img, other]}
`;
  let layout = await simpleLayout(
    config,
    '- project: {gate: {jobs: [build-img]}}\n',
    {},
    {
      allowErrors: true,
    },
  );
  const r = freeze(layout, 'check', change('ci/config'));
  assert.equal(jobOf(r, 'build-img').imageBuildName, 'img');
  const filtered = freeze(layout, 'check', change('ci/config'), { imageNames: ['else'] });
  assert.deepEqual(filtered.ok && filtered.graph.jobs.map((j) => j.name), ['other']);
  assert.equal(
    errorOf(freeze(layout, 'gate', change('org/lib'))),
    `The image build job "build-img" may not be attached to a pipeline in ${H}/org/lib while referencing the image "img" defined in ${H}/ci/config`,
  );
  layout = await simpleLayout(config, '- project: {check: {jobs: []}}\n');
  assert.ok(freeze(layout, 'check', change('ci/config')).ok);
});
