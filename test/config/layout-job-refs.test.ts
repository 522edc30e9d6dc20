// Job references checked by the layout builder (semantics §D.3, Zuul's
// Job.validateReferences and _checkAddJob): parents, nodesets and labels,
// dependencies, secrets, projects named by the job, images.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  build,
  COMMON,
  expectErrors,
  expectNoErrors,
  lineOf,
  tenantWith,
  y,
} from './layout-test-helpers.js';

const NOT_FOUND_TAIL =
  'All projects referenced within a Zuul configuration must first be added to the main configuration file by the Zuul administrator.';

describe('parents', () => {
  test('an unknown parent: "Job X not defined"; the variant is reported and kept', async () => {
    const text = '- job:\n    name: child\n    parent: nope\n- job:\n    name: other\n';
    const layout = await build({ 'org/lib': text });
    expectErrors(layout, [
      { message: 'Job nope not defined', project: 'org/lib', line: lineOf(text, 'parent: nope') },
    ]);
    assert.ok(layout.jobs.has('child') && layout.jobs.has('other'));
  });

  test('a parent whose every variant is final', async () => {
    const text = y`
      - job:
          name: sealed
          final: true
      - job:
          name: child
          parent: sealed
    `;
    expectErrors(await build({ 'org/lib': text }), [
      {
        message: 'The parent of job "child", "sealed" is final and can not act as a parent',
        project: 'org/lib',
        line: lineOf(text, 'parent: sealed'),
      },
    ]);
    // One non-final variant leaves the decision to freezing.
    const relaxed = `${text}- job:\n    name: sealed\n    branches: stable\n`;
    expectNoErrors(await build({ 'org/lib': relaxed }));
  });

  test('an intermediate parent needs an abstract child', async () => {
    const parent = '- job:\n    name: mid\n    abstract: true\n    intermediate: true\n';
    const child = '- job:\n    name: child\n    parent: mid\n';
    expectErrors(await build({ 'org/lib': parent + child }), [
      {
        message: 'The parent of job "child", "mid" is intermediate but "child" is not abstract',
        project: 'org/lib',
      },
    ]);
    expectNoErrors(await build({ 'org/lib': `${parent + child}    abstract: true\n` }));
  });

  test('a protected parent in another project', async () => {
    const layout = await build({
      'common-config': `${COMMON}- job:\n    name: guarded\n    protected: true\n`,
      'org/lib': '- job:\n    name: mine\n    parent: guarded\n',
      'org/project': '- job:\n    name: guarded-child\n    parent: guarded\n    branches: master\n',
    });
    // Reported in layout order: jobs by first definition, org/project before org/lib.
    expectErrors(layout, [
      {
        message:
          'The parent of job "guarded-child", "guarded" is a protected job in a different project',
        project: 'org/project',
      },
      {
        message: 'The parent of job "mine", "guarded" is a protected job in a different project',
        project: 'org/lib',
      },
    ]);
    const same = await build({
      'common-config': `${COMMON}- job:\n    name: guarded\n    protected: true\n- job:\n    name: child\n    parent: guarded\n`,
    });
    expectNoErrors(same);
  });
});

describe('nodesets and labels', () => {
  test('an unknown named nodeset, directly or as an alternative', async () => {
    const text = y`
      - nodeset:
          name: either
          alternatives: [missing-a]
      - job:
          name: direct
          nodeset: missing-b
      - job:
          name: fine
    `;
    const layout = await build({ 'org/lib': text });
    expectErrors(layout, [
      {
        name: 'Nodeset Not Found',
        message: 'The nodeset "missing-a" was not found.',
        project: 'org/lib',
        line: 3,
      },
      {
        name: 'Nodeset Not Found',
        message: 'The nodeset "missing-b" was not found.',
        project: 'org/lib',
        line: lineOf(text, 'nodeset: missing-b'),
      },
    ]);
    assert.ok(layout.jobs.has('fine'));
  });

  test('alternatives that refer to each other form a cycle', async () => {
    const text = y`
      - nodeset:
          name: a
          alternatives: [b]
      - nodeset:
          name: b
          alternatives: [a]
    `;
    expectErrors(await build({ 'org/lib': text }), [
      { message: 'Nodeset cycle detected on "a"', project: 'org/lib', line: 3 },
      { message: 'Nodeset cycle detected on "b"', project: 'org/lib', line: 6 },
    ]);
  });

  test('every alternative must respect max-nodes-per-job', async () => {
    const tenant = tenantWith('max-nodes-per-job: 1');
    const text = y`
      - nodeset:
          name: big
          nodes:
            - {name: a, label: l}
            - {name: b, label: l}
      - job:
          name: greedy
          nodeset:
            alternatives:
              - nodes: [{name: x, label: l}]
              - big
      - job:
          name: aliases
          nodeset:
            nodes:
              - name: [one, two]
                label: l
    `;
    const layout = await build({ 'org/lib': text }, { tenantYaml: tenant });
    expectErrors(layout, [
      {
        message: 'The job "greedy" exceeds tenant max-nodes-per-job 1.',
        project: 'org/lib',
        line: lineOf(text, '    nodeset:'),
      },
    ]);
  });

  test('allowed-labels / disallowed-labels (start-anchored regexes)', async () => {
    const tenant = tenantWith("allowed-labels: ['ubuntu']", "disallowed-labels: ['ubuntu-old']");
    const text = y`
      - nodeset:
          name: good
          nodes: [{name: n, label: ubuntu-noble}]
      - nodeset:
          name: old
          nodes: [{name: n, label: ubuntu-old-1}]
      - job:
          name: inline
          nodeset:
            nodes: [{name: n, label: debian}]
    `;
    const layout = await build({ 'org/lib': text }, { tenantYaml: tenant });
    const rules = '(ubuntu and not ubuntu-old)';
    expectErrors(layout, [
      {
        name: 'Label Forbidden',
        message: `Label named "ubuntu-old-1" is not part of the allowed labels ${rules} for this tenant.`,
        project: 'org/lib',
        line: 4,
      },
      {
        name: 'Label Forbidden',
        message: `Label named "debian" is not part of the allowed labels ${rules} for this tenant.`,
        project: 'org/lib',
        line: lineOf(text, '    nodeset:'),
      },
    ]);
    assert.deepEqual([...layout.nodesets.keys()], ['good'], 'the forbidden nodeset is dropped');
    assert.ok(!layout.jobs.has('inline'), 'so is the job');
  });

  test('use-nodepool: false — every label must be a label object ("Label Not Found")', async () => {
    const tenant = tenantWith('use-nodepool: false', "allowed-labels: ['nothing']");
    const launcher = y`
      - image: {name: debian, type: cloud}
      - flavor: {name: normal}
      - label: {name: debian-normal, image: debian, flavor: normal}
    `;
    const text = y`
      - nodeset:
          name: known
          nodes: [{name: n, label: debian-normal}]
      - nodeset:
          name: unknown
          alternatives:
            - known
            - nodes: [{name: n, label: ubuntu}]
      - job:
          name: inline
          nodeset:
            nodes: [{name: n, label: centos}]
    `;
    const layout = await build(
      { 'common-config': COMMON + launcher, 'org/lib': text },
      { tenantYaml: tenant },
    );
    expectErrors(layout, [
      {
        name: 'Label Not Found',
        message: 'The label "ubuntu" was not found.',
        project: 'org/lib',
        line: 4,
      },
      {
        name: 'Label Not Found',
        message: 'The label "centos" was not found.',
        project: 'org/lib',
        line: lineOf(text, '    nodeset:'),
      },
    ]);
    assert.ok(layout.labels.has('debian-normal'));
  });
});

describe('dependencies', () => {
  test('every dependency (soft or not) must name a job', async () => {
    const text =
      '- job:\n    name: a\n    dependencies:\n      - name: ghost\n        soft: true\n';
    expectErrors(await build({ 'org/lib': text }), [
      { message: 'Job ghost not defined', project: 'org/lib', line: lineOf(text, 'dependencies') },
    ]);
  });
});

describe('secrets', () => {
  const secret = '- secret:\n    name: creds\n    data:\n      user: bot\n';
  const user = (name: string) =>
    `- job:\n    name: ${name}\n    secrets: [creds]\n    run: playbooks/x.yaml\n`;

  test('an unknown secret', async () => {
    const text = user('pub');
    expectErrors(await build({ 'org/lib': text }), [
      { message: 'The secret "creds" was not found.', project: 'org/lib', line: 3 },
    ]);
  });

  test('a secret of another project', async () => {
    const layout = await build({ 'org/project': secret, 'org/lib': user('pub') });
    expectErrors(layout, [
      {
        message:
          'Unable to use secret creds.  Secrets must be defined in the same project in which they are used',
        project: 'org/lib',
      },
    ]);
  });

  test('untrusted jobs using secrets are flagged for post-review hardening', async () => {
    const layout = await build({
      'org/lib': secret + user('pub'),
      'common-config':
        COMMON + secret.replace('creds', 'tc') + user('trusted').replace('creds', 'tc'),
    });
    expectNoErrors(layout);
    const pub = layout.jobs.get('pub')?.[0];
    assert.equal(pub?.untrustedSecrets, true);
    assert.equal(pub?.variant.postReview, undefined, 'the variant itself is not rewritten');
    assert.equal(layout.jobs.get('trusted')?.[0]?.untrustedSecrets, undefined);
  });

  test('a stanza without playbooks has its secrets checked by no one (as in Zuul)', async () => {
    const text = '- job:\n    name: quiet\n    secrets: [nothing]\n';
    expectNoErrors(await build({ 'org/lib': text }));
  });

  test('the decryption hook reports undecryptable secrets', async () => {
    const layout = await build(
      { 'org/lib': secret + user('pub') },
      {
        build: {
          checkSecretDecrypts: (s, p) =>
            s.name === 'creds' && p.name === 'org/lib' ? 'Unable to decrypt' : undefined,
        },
      },
    );
    expectErrors(layout, [{ message: 'Unable to decrypt', project: 'org/lib' }]);
  });
});

describe('projects named by jobs', () => {
  test('unknown required-projects are listed together; the job is dropped', async () => {
    const text = '- job:\n    name: integ\n    required-projects: [org/project, a/x, b/y]\n';
    const layout = await build({ 'org/lib': text });
    expectErrors(layout, [
      {
        name: 'Project Not Found',
        message: `The projects "a/x", "b/y" were not found.  ${NOT_FOUND_TAIL}`,
        project: 'org/lib',
        line: 3,
      },
    ]);
    assert.ok(!layout.jobs.has('integ'));
  });

  test('include-vars and allowed-projects name known projects', async () => {
    const text = y`
      - job:
          name: iv
          include-vars:
            - name: vars.yaml
              project: nope/one
      - job:
          name: ap
          allowed-projects: [nope/two]
    `;
    expectErrors(await build({ 'org/lib': text }), [
      {
        name: 'Project Not Found',
        message: `The project "nope/one" was not found.  ${NOT_FOUND_TAIL}`,
        project: 'org/lib',
        line: 3,
      },
      {
        name: 'Project Not Found',
        message: `The project "nope/two" was not found.  ${NOT_FOUND_TAIL}`,
        project: 'org/lib',
        line: 8,
      },
    ]);
  });

  test('names are resolved in the layout copy; unknown role projects are dropped', async () => {
    const text = y`
      - job:
          name: resolved
          required-projects: [org/project]
          include-vars: [local.yaml, {name: z.yaml, zuul-project: true}]
          allowed-projects: [review.example.com/org/project]
          roles:
            - zuul: org/project
            - zuul: unknown/roles
    `;
    const layout = await build({ 'org/lib': text });
    expectNoErrors(layout);
    const v = layout.jobs.get('resolved')?.[0]?.variant;
    assert.deepEqual(v?.requiredProjects, [{ project: 'review.example.com/org/project' }]);
    assert.deepEqual(
      v?.includeVars?.map((i) => i.project),
      ['review.example.com/org/lib', undefined],
    );
    assert.deepEqual(v?.allowedProjects, ['org/project']);
    assert.deepEqual(v?.roles, [
      { type: 'zuul', project: 'review.example.com/org/lib', name: 'lib', implicit: true },
      { type: 'zuul', project: 'review.example.com/org/project', name: 'project' },
    ]);
  });
});

describe('images (Zuul 14)', () => {
  test('an image-build job names a known image', async () => {
    const text = '- job:\n    name: build-image\n    image-name: debian\n';
    expectErrors(await build({ 'common-config': COMMON + text }), [
      {
        message: 'The job "build-image" references an unknown image "debian"',
        project: 'common-config',
        line: lineOf(COMMON + text, 'image-name'),
      },
    ]);
  });
});
