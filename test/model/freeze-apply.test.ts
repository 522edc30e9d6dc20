// applyVariant: flags (final, abstract, intermediate, protected),
// attribute-control, roles, nodesets, secrets and playbook nesting.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  change,
  check,
  errorOf,
  freeze,
  jobOf,
  shortReprs,
  simpleLayout,
} from './freeze-helpers.js';

test('final: any later job stanza is refused (it sets roles), context entries are not', async () => {
  let layout = await simpleLayout(
    '',
    `
- job: {name: locked, final: true}
- job: {name: locked, voting: false}
- project: {check: {jobs: [locked]}}
`,
  );
  assert.match(
    shortReprs(errorOf(check(layout))),
    /^Unable to modify final job <Job locked> attribute roles=\[.*\] with variant <Job locked>$/,
  );
  // A child names its parent: refused at freeze as well (the layout also reports it).
  layout = await simpleLayout(
    '',
    `
- job: {name: locked, final: true}
- job: {name: child, parent: locked}
- project: {check: {jobs: [child]}}
`,
    {},
    { allowErrors: true },
  );
  assert.equal(
    shortReprs(errorOf(check(layout))),
    "Unable to modify final job <Job locked> attribute parent='locked' with variant <Job child>",
  );
  // final is sticky: an entry saying `final: false` changes nothing, and
  // may still change context attributes.
  layout = await simpleLayout(
    '',
    `
- job: {name: locked, final: true}
- project: {check: {jobs: [{locked: {final: false, voting: false}}]}}
`,
  );
  const job = jobOf(check(layout), 'locked');
  assert.equal(job.final, true);
  assert.equal(job.voting, false);
});

test('abstract: reset by inheritance, only set by a variant', async () => {
  const layout = await simpleLayout(
    '',
    `
- job: {name: template-job, abstract: true}
- job: {name: concrete, parent: template-job}
- job: {name: still-abstract, abstract: true}
- job: {name: still-abstract, abstract: false}
- job: {name: plain}
- project:
    check:
      jobs:
        - concrete
    gate:
      jobs:
        - still-abstract
    post:
      jobs:
        - plain: {abstract: true}
`,
  );
  assert.equal(jobOf(check(layout), 'concrete').abstract, false);
  const msg =
    'Unable to freeze job graph: Job still-abstract is abstract and may not be directly run';
  const gate = freeze(layout, 'gate', change('org/lib'));
  assert.ok(!gate.ok);
  assert.equal(gate.message, msg);
  assert.equal(
    errorOf(freeze(layout, 'post', change('org/lib'))),
    'Job plain is abstract and may not be directly run',
  );
});

test('intermediate: only an abstract job may inherit, the flag resets below it', async () => {
  const lib = (child: string) => `
- job: {name: inter, abstract: true, intermediate: true}
- job: {name: mid, parent: inter, abstract: true}
- job: {name: leaf, parent: mid}
- job: {name: bad, parent: inter}
- project: {check: {jobs: [${child}]}}
`;
  let layout = await simpleLayout('', lib('leaf'), {}, { allowErrors: true });
  const leaf = jobOf(check(layout), 'leaf');
  assert.equal(leaf.intermediate, false);
  assert.equal(leaf.abstract, false);
  layout = await simpleLayout('', lib('bad'), {}, { allowErrors: true });
  assert.equal(
    shortReprs(errorOf(check(layout))),
    'Intermediate job <Job inter> may only be inherited by another abstract job',
  );
});

test('protected: may not be reset; the same project may keep changing the job', async () => {
  let layout = await simpleLayout(
    '',
    `
- job: {name: guarded, protected: true}
- job: {name: guarded, timeout: 60}
- job: {name: child, parent: guarded, vars: {x: 1}}
- project: {check: {jobs: [child]}}
`,
  );
  const child = jobOf(check(layout), 'child');
  assert.equal(child.protectedOrigin, 'review.example.com/org/lib');
  assert.equal(child.timeout, 60);
  layout = await simpleLayout(
    '',
    `
- job: {name: guarded, protected: true}
- job: {name: guarded, protected: false}
- project: {check: {jobs: [guarded]}}
`,
  );
  assert.equal(
    shortReprs(errorOf(check(layout))),
    'Unable to reset protected attribute of job <Job guarded> by job <Job guarded>',
  );
});

test('attribute-control: finalized attributes may not be set again; context ones included', async () => {
  const config = `
- job:
    name: controlled
    vars: {a: 1}
    files: ['^x/']
    dependencies: []
    attribute-control:
      vars: {final: true}
      files: {final: true}
      dependencies: {final: true}
- job: {name: other}
`;
  const cases: [string, RegExp][] = [
    ['{vars: {a: 2}}', /final attribute variables=\{'a': 2\} with variant/],
    ["{files: ['^y/']}", /final attribute file_matcher=\['\^y\/'\] with variant/],
    ['{dependencies: [other]}', /final attribute dependencies=\['other'\] with variant/],
  ];
  for (const [entry, expected] of cases) {
    const layout = await simpleLayout(
      config,
      `- project: {check: {jobs: [other, {controlled: ${entry}}]}}\n`,
    );
    const error = shortReprs(errorOf(check(layout)));
    assert.match(error, /^Unable to modify job <Job controlled> final attribute /);
    assert.match(error, expected);
  }
  // Other attributes stay free, and so does a child that leaves them alone.
  const layout = await simpleLayout(
    config,
    `
- job: {name: child, parent: controlled, timeout: 5}
- project: {check: {jobs: [{child: {voting: false}}]}}
`,
  );
  const job = jobOf(check(layout), 'child');
  assert.equal(job.timeout, 5);
  assert.deepEqual([...job.finalControl].sort(), ['dependencies', 'files', 'vars']);
});

test('attribute-control takes effect from the stanza that sets the attribute (as in Zuul)', async () => {
  // Zuul carries an attribute's final control forward only where it handles
  // that attribute: a stanza finalizing `tags` without setting any leaves
  // later stanzas free (unless it is the base job, which is copied whole).
  const layout = await simpleLayout(
    '',
    `
- job: {name: quiet, attribute-control: {tags: {final: true}}}
- project: {check: {jobs: [{quiet: {tags: [later]}}]}}
`,
  );
  assert.deepEqual(jobOf(check(layout), 'quiet').tags, ['later']);
});

test('roles: newest first, explicit replaces implicit in place, repository prefixes stripped', async () => {
  const layout = await simpleLayout(
    `
- job:
    name: from-config
    parent: lib-job
    roles: [{zuul: org/lib}, {galaxy: some.role}, {zuul: org/ansible-role-tools, name: tools}]
`,
    `
- job: {name: lib-job, pre-run: lib-pre.yaml}
- project: {check: {jobs: [from-config, role-job]}}
`,
    { 'org/ansible-role-tools': '- job: {name: role-job}\n' },
  );
  const result = check(layout);
  const fromConfig = jobOf(result, 'from-config');
  assert.deepEqual(
    fromConfig.roles.map((r) => `${r.targetName}${r.implicit ? '*' : ''}`),
    // base → [config*]; lib-job → [lib*, config*]; from-config lists
    // config* (implicit), lib (explicit, replaces lib*), tools (new, in front).
    ['tools', 'lib', 'config*'],
  );
  // lib-job's playbook was frozen with the roles of its time.
  assert.deepEqual(
    fromConfig.preRun[0].roles.map((r) => `${r.targetName}${r.implicit ? '*' : ''}`),
    ['lib*', 'config*'],
  );
  const roleJob = jobOf(result, 'role-job');
  assert.equal(roleJob.roles[0].targetName, 'tools');
  assert.equal(roleJob.roles[0].projectCanonicalName, 'review.example.com/org/ansible-role-tools');
});

test('nodesets: names resolve to nodesets, alternatives flatten depth first', async () => {
  const layout = await simpleLayout(
    `
- nodeset: {name: d, nodes: [{name: n, label: ld}]}
- nodeset: {name: e, nodes: [{name: [n, alias], label: le}]}
- nodeset: {name: b, alternatives: [d, e]}
- nodeset: {name: c, nodes: [{name: n, label: lc}], groups: [{name: g, nodes: [n]}]}
- nodeset:
    name: a
    alternatives:
      - b
      - nodes: [{name: n, label: inline}]
      - c
`,
    `
- job: {name: multi, nodeset: a}
- job: {name: single, nodeset: c}
- job: {name: none}
- project: {check: {jobs: [multi, single, none]}}
`,
  );
  const result = check(layout);
  assert.deepEqual(
    jobOf(result, 'multi').nodesetAlternatives.map((n) => `${n.name}:${n.nodes[0].label}`),
    ['d:ld', 'e:le', ':inline', 'c:lc'],
  );
  const single = jobOf(result, 'single');
  assert.equal(typeof single.nodeset, 'object');
  assert.deepEqual(single.nodesetAlternatives, [
    { name: 'c', nodes: [{ names: ['n'], label: 'lc' }], groups: [{ name: 'g', nodes: ['n'] }] },
  ]);
  assert.deepEqual(jobOf(result, 'none').nodesetAlternatives, [
    { name: '', nodes: [], groups: [] },
  ]);
});

test('secrets: only the declaring stanza’s playbooks, pass-to-parent, untrusted hardening', async () => {
  const layout = await simpleLayout(
    `
- secret: {name: trusted_secret, data: {a: b}}
- job:
    name: trusted-parent
    pre-run: tp-pre.yaml
    secrets: [trusted_secret]
`,
    `
- secret: {name: lib_secret, data: {c: d}}
- job: {name: lib-parent, pre-run: lp-pre.yaml}
- job:
    name: uses-secret
    parent: lib-parent
    run: us-run.yaml
    secrets: [{name: creds, secret: lib_secret, pass-to-parent: true}]
- job: {name: inherits, parent: uses-secret, run: own-run.yaml}
- job: {name: plain-secret, secrets: [lib_secret]}
- job:
    name: trusted-child
    parent: trusted-parent
    run: tc-run.yaml
- project:
    post: {jobs: [uses-secret, inherits, trusted-child, plain-secret]}
    check: {jobs: [trusted-child, uses-secret]}
`,
  );
  const post = freeze(layout, 'post', change('org/lib'));
  const uses = jobOf(post, 'uses-secret');
  const aliases = (pbs: { path: string; secrets: { alias: string }[] }[]) =>
    pbs.map((p) => `${p.path}:${p.secrets.map((s) => s.alias).join(',')}`);
  // pass-to-parent reaches the parent's playbooks too.
  assert.deepEqual(aliases([...uses.preRun, ...uses.run]), [
    'lp-pre.yaml:creds',
    'us-run.yaml:creds',
  ]);
  assert.equal(uses.run[0].secrets[0].secretName, 'lib_secret');
  assert.equal(uses.run[0].secrets[0].projectCanonicalName, 'review.example.com/org/lib');
  // Passing a secret into an untrusted playbook makes the job post-review;
  // as in Zuul, that happens first, so the own-project restriction (which
  // applies only to jobs not yet post-review) is not added.
  assert.equal(uses.postReview, true);
  assert.equal(uses.allowedProjects, null);
  // An untrusted job with secrets: post-review, own project only.
  const plain = jobOf(post, 'plain-secret');
  assert.equal(plain.postReview, true);
  assert.deepEqual([...(plain.allowedProjects ?? [])], ['org/lib']);
  // A child's own run playbook does not see the parent's secret.
  const inherits = jobOf(post, 'inherits');
  assert.deepEqual(aliases(inherits.run), ['own-run.yaml:']);
  // A trusted secret in a trusted parent: no hardening.
  const tc = jobOf(post, 'trusted-child');
  assert.equal(tc.postReview, false);
  assert.deepEqual(aliases(tc.preRun), ['tp-pre.yaml:trusted_secret']);
  // In a pre-review pipeline the untrusted secret job is an error.
  assert.equal(
    errorOf(freeze(layout, 'check', change('org/lib'))),
    'Pre-review pipeline check does not allow post-review job uses-secret',
  );
});

test('playbooks: nesting level counts the stanzas applied before', async () => {
  const layout = await simpleLayout(
    '',
    `
- job: {name: mid, pre-run: mid.yaml, post-run: mid-post.yaml}
- job: {name: leaf, parent: mid, pre-run: leaf.yaml}
- project: {check: {jobs: [{leaf: {post-run: entry-post.yaml}}]}}
`,
  );
  const leaf = jobOf(check(layout), 'leaf');
  assert.deepEqual(
    [...leaf.preRun, ...leaf.run, ...leaf.postRun].map((p) => `${p.path}@${p.nestingLevel}`),
    [
      'mid.yaml@1',
      'leaf.yaml@2',
      'playbooks/base-run.yaml@0',
      'entry-post.yaml@3',
      'mid-post.yaml@1',
    ],
  );
  assert.equal(leaf.run[0].trusted, true);
  assert.equal(leaf.preRun[0].trusted, false);
});
