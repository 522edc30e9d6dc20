// Adding objects to a layout: Zuul's rules for a name that is already
// present (semantics §D.3), per kind. Each failing stanza is dropped and
// everything else still loads.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  build,
  COMMON,
  expectErrors,
  expectNoErrors,
  lineOf,
  TENANT,
  variantOrigins,
  y,
} from './layout-test-helpers.js';

const NODESET = y`
  - nodeset:
      name: ns
      nodes:
        - name: controller
          label: ubuntu
`;
const OTHER_NODESET = y`
  - nodeset:
      name: ns
      nodes:
        - name: controller
          label: debian
`;
const NEIGHBOUR = y`
  - job:
      name: neighbour
`;

describe('nodesets, secrets, semaphores, queues: same name', () => {
  test('identical definition on another branch of the same project is ignored', async () => {
    const layout = await build({
      'org/project': { master: NODESET, stable: NODESET + NEIGHBOUR },
    });
    expectNoErrors(layout);
    assert.equal(layout.nodesets.get('ns')?.sourceContext.branch, 'master', 'the first is kept');
    assert.ok(layout.jobs.has('neighbour'));
  });

  test('the same name twice on one branch: "already defined"', async () => {
    const text = NODESET + NODESET + NEIGHBOUR;
    const layout = await build({ 'org/project': text });
    expectErrors(layout, [
      {
        message: 'Nodeset ns already defined',
        project: 'org/project',
        branch: 'master',
        path: 'zuul.yaml',
        line: lineOf(text, '- nodeset:', 2),
      },
    ]);
    assert.ok(layout.jobs.has('neighbour'), 'the rest still loads');
  });

  test('different content on another branch: "does not match existing definition"', async () => {
    const layout = await build({ 'org/project': { master: NODESET, stable: OTHER_NODESET } });
    expectErrors(layout, [
      {
        message: 'Nodeset ns does not match existing definition in branch master',
        project: 'org/project',
        branch: 'stable',
        line: 1,
      },
    ]);
    assert.equal(layout.nodesets.get('ns')?.nodes[0]?.label, 'ubuntu');
  });

  test('another project: "already defined in project"', async () => {
    const layout = await build({ 'org/project': NODESET, 'org/lib': NODESET + NEIGHBOUR });
    expectErrors(layout, [
      { message: 'Nodeset ns already defined in project org/project', project: 'org/lib', line: 1 },
    ]);
    assert.ok(layout.jobs.has('neighbour'));
  });

  test('secrets compare their stored form; semaphores and queues their settings', async () => {
    const secret = (value: string) => y`
      - secret:
          name: creds
          data:
            password: ${value}
    `;
    const semaphore = (max: number) => `- semaphore:\n    name: sem\n    max: ${max}\n`;
    const queue = (perBranch: boolean) => `- queue:\n    name: q\n    per-branch: ${perBranch}\n`;
    const layout = await build({
      'org/project': {
        master: secret('a') + semaphore(1) + queue(false),
        stable: secret('b') + semaphore(2) + queue(true),
        'stable-2': secret('a') + semaphore(1) + queue(false),
      },
    });
    expectErrors(layout, [
      {
        message: 'Secret creds does not match existing definition in branch master',
        project: 'org/project',
        branch: 'stable',
      },
      {
        message: 'Semaphore sem does not match existing definition in branch master',
        project: 'org/project',
        branch: 'stable',
      },
      {
        message: 'Queue q does not match existing definition in branch master',
        project: 'org/project',
        branch: 'stable',
      },
    ]);
    assert.equal(layout.semaphores.get('sem')?.max, 1);
  });

  test('launcher objects follow the same rules', async () => {
    const tenant = TENANT.replace(
      '- org/lib',
      '- org/lib:\n              include-provider-config: true',
    );
    const image = '- image:\n    name: debian\n    type: cloud\n';
    const layout = await build(
      { 'common-config': COMMON + image, 'org/lib': image },
      { tenantYaml: tenant },
    );
    expectErrors(layout, [
      { message: 'Image debian already defined in project common-config', project: 'org/lib' },
    ]);
  });
});

describe('pipelines', () => {
  test('a second pipeline of the same name: "Pipeline X is already defined"', async () => {
    const text = `${COMMON}- pipeline:\n    name: check\n    manager: independent\n    trigger: {}\n`;
    const layout = await build({ 'common-config': text });
    expectErrors(layout, [
      {
        message: 'Pipeline check is already defined',
        project: 'common-config',
        line: lineOf(text, '- pipeline:', 3),
      },
    ]);
    assert.equal(layout.pipelines.get('check')?.triggers.length, 1, 'the first one is kept');
  });

  test('untrusted projects may not define pipelines (one error per branch)', async () => {
    const text = `- pipeline:\n    name: p1\n    manager: independent\n    trigger: {}\n- pipeline:\n    name: p2\n    manager: independent\n    trigger: {}\n${NEIGHBOUR}`;
    const layout = await build({ 'org/project': text });
    expectErrors(layout, [
      {
        name: 'Pipeline Forbidden',
        message:
          'Pipelines may not be defined in untrusted repos, they may only be defined in config repos.',
        project: 'org/project',
        line: 1,
      },
    ]);
    assert.ok(!layout.pipelines.has('p1') && !layout.pipelines.has('p2'));
    assert.ok(layout.jobs.has('neighbour'));
  });
});

describe('jobs', () => {
  test('variants from the same project are appended in definition order', async () => {
    const layout = await build({
      'org/project': {
        master: '- job:\n    name: unit\n- job:\n    name: unit\n    voting: false\n',
        stable: '- job:\n    name: unit\n',
      },
    });
    expectNoErrors(layout);
    assert.deepEqual(variantOrigins(layout, 'unit'), [
      'org/project@master',
      'org/project@master',
      'org/project@stable',
    ]);
  });

  test('another project may not add variants: "not permitted to shadow"', async () => {
    const text = `- job:\n    name: base\n${NEIGHBOUR}`;
    const layout = await build({ 'org/project': text });
    expectErrors(layout, [
      {
        message: 'Job base in org/project is not permitted to shadow job base in common-config',
        project: 'org/project',
        line: 1,
      },
    ]);
    assert.deepEqual(variantOrigins(layout, 'base'), ['common-config@master']);
    assert.ok(layout.jobs.has('neighbour'));
  });

  test('a project listing the other in `shadow` silently yields', async () => {
    const tenant = TENANT.replace(
      '- org/project',
      '- org/project:\n              shadow: common-config',
    );
    const layout = await build(
      { 'org/project': `- job:\n    name: base\n${NEIGHBOUR}` },
      { tenantYaml: tenant },
    );
    expectNoErrors(layout);
    assert.deepEqual(variantOrigins(layout, 'base'), ['common-config@master']);
  });

  test('`shadow` naming an unknown project is an error for that project', async () => {
    const tenant = TENANT.replace('- org/project', '- org/project:\n              shadow: nope');
    const layout = await build({}, { tenantYaml: tenant });
    expectErrors(layout, [
      {
        name: 'Project Not Found',
        message: /^The project "nope" was not found\. {2}All projects referenced/,
        project: 'org/project',
        branch: '',
      },
    ]);
  });

  test('the built-in noop job exists and may not be redefined', async () => {
    const layout = await build({ 'org/project': '- job:\n    name: noop\n' });
    expectErrors(layout, [
      {
        message: 'Job noop in org/project is not permitted to shadow the built-in job noop',
        project: 'org/project',
      },
    ]);
    const noop = layout.jobs.get('noop');
    assert.equal(noop?.length, 1);
    assert.equal(noop[0]?.builtin, true);
    assert.equal(noop[0]?.variant.parent, null);
  });
});

describe('project templates', () => {
  const template = '- project-template:\n    name: tmpl\n    check:\n      jobs: [base]\n';

  test('same project on several branches: all definitions kept', async () => {
    const layout = await build({ 'org/project': { master: template, stable: template } });
    expectNoErrors(layout);
    assert.equal(layout.projectTemplates.get('tmpl')?.length, 2);
  });

  test('another project: "Project template X is already defined"', async () => {
    const layout = await build({ 'org/project': template, 'org/lib': template });
    expectErrors(layout, [
      { message: 'Project template tmpl is already defined', project: 'org/lib', line: 1 },
    ]);
    assert.equal(layout.projectTemplates.get('tmpl')?.length, 1);
  });
});
