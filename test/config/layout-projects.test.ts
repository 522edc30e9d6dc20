// Project stanzas and templates in a layout: names, permissions, templates
// and project-pipeline jobs, regex stanzas, project metadata, plus the
// remaining tenant-level checks (pipelines, semaphores, launcher objects,
// allowed connections).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  build,
  COMMON,
  expectErrors,
  expectNoErrors,
  lineOf,
  TENANT,
  tenantWith,
  y,
} from './layout-test-helpers.js';

const P = 'review.example.com/org/project';
const LIB = 'review.example.com/org/lib';

describe('project stanzas', () => {
  test('an unknown project name: "Project Not Found"', async () => {
    const text = `${COMMON}- project:\n    name: org/unknown\n    check:\n      jobs: [base]\n`;
    const layout = await build({
      'common-config': text,
      'org/project': '- project:\n    check:\n      jobs: [base]\n',
    });
    expectErrors(layout, [
      {
        name: 'Project Not Found',
        message: /^The project "org\/unknown" was not found\. {2}All projects/,
        project: 'common-config',
        line: lineOf(text, 'name: org/unknown'),
      },
    ]);
    assert.deepEqual([...layout.projectConfigs.keys()], [P]);
  });

  test('an untrusted project may only configure itself: "Project Forbidden"', async () => {
    const text = '- project:\n    name: org/lib\n    check:\n      jobs: [base]\n';
    const layout = await build({ 'org/project': text });
    expectErrors(layout, [
      {
        name: 'Project Forbidden',
        message:
          'Within an untrusted project, the only project definition permitted is that of the project itself.',
        project: 'org/project',
        line: 2,
      },
    ]);
    assert.equal(layout.projectConfigs.size, 0);
  });

  test('configure-projects lets an untrusted project configure others', async () => {
    const tenant = TENANT.replace(
      '- org/project',
      "- org/project:\n              configure-projects: ['org/l.*']",
    );
    const text = '- project:\n    name: org/lib\n    check:\n      jobs: [base]\n';
    const layout = await build({ 'org/project': text }, { tenantYaml: tenant });
    expectNoErrors(layout);
    assert.equal(layout.projectConfigs.get(LIB)?.[0]?.projectCanonicalName, P);
  });

  test('a missing template: "Template Not Found"; the stanza stays', async () => {
    const text = '- project:\n    templates: [nope]\n    check:\n      jobs: [base]\n';
    const layout = await build({ 'org/project': text });
    expectErrors(layout, [
      {
        name: 'Template Not Found',
        message: 'The project template "nope" was not found.',
        project: 'org/project',
        line: 2,
      },
    ]);
    assert.equal(layout.projectConfigs.get(P)?.length, 1);
  });

  test('project-pipeline jobs must exist: "Job X not defined"', async () => {
    const text = y`
      - project:
          check:
            jobs:
              - base
              - ghost:
                  voting: false
    `;
    expectErrors(await build({ 'org/project': text }), [
      { message: 'Job ghost not defined', project: 'org/project', line: lineOf(text, '- ghost') },
    ]);
  });

  test('template job errors are reported once, at the template', async () => {
    const template = '- project-template:\n    name: tmpl\n    check:\n      jobs: [ghost]\n';
    const user = '- project:\n    templates: [tmpl]\n';
    const layout = await build({ 'org/lib': template + user, 'org/project': user });
    expectErrors(layout, [{ message: 'Job ghost not defined', project: 'org/lib', line: 4 }]);
  });

  test('project-pipeline variants are checked and resolved like jobs', async () => {
    const text = y`
      - project:
          check:
            jobs:
              - base:
                  required-projects: [org/lib]
                  dependencies: [ghost]
      - project:
          gate:
            jobs:
              - base:
                  required-projects: [nope/nope]
    `;
    const layout = await build({ 'org/project': text });
    expectErrors(layout, [
      {
        name: 'Project Not Found',
        message: /^The project "nope\/nope" was not found/,
        project: 'org/project',
        line: lineOf(text, 'nope/nope'),
      },
      { message: 'Job ghost not defined', project: 'org/project', line: lineOf(text, 'ghost') },
    ]);
    const entry = layout.projectConfigs.get(P)?.[0]?.stanza.pipelines.get('check')?.jobs[0];
    assert.deepEqual(entry?.variant?.requiredProjects, [{ project: LIB }]);
    assert.equal(entry?.variant?.roles, undefined, 'no implicit role on project-pipeline variants');
  });
});

describe('regex stanzas and project metadata', () => {
  test('regex stanzas are copied for each fully matching project, after explicit ones', async () => {
    const text = y`
      - project:
          name: ^org/.*$
          merge-mode: cherry-pick
          default-branch: develop
          check:
            jobs: [base]
      - project:
          name: org/lib
          merge-mode: rebase
      - project:
          name: ^org/pro
          check:
            jobs: [base]
    `;
    const layout = await build({ 'common-config': COMMON + text });
    expectNoErrors(layout);
    // `^org/pro` does not fully match anything; `^org/.*$` matches both.
    assert.deepEqual(
      layout.projectConfigs.get(LIB)?.map((s) => s.stanza.name),
      ['org/lib', '^org/.*$'],
    );
    assert.deepEqual(layout.projectMetadata.get(LIB), {
      mergeMode: 'rebase',
      defaultBranch: 'develop',
    });
    assert.deepEqual(layout.projectMetadata.get(P), {
      mergeMode: 'cherry-pick',
      defaultBranch: 'develop',
    });
  });

  test('first value wins; unset values come from the source; no stanza, no metadata', async () => {
    const layout = await build(
      {
        'common-config': `${COMMON}- project:\n    name: org/project\n    queue: first\n`,
        'org/project': '- project:\n    queue: second\n    default-branch: main\n',
      },
      { defaultBranches: { 'org/project': 'master' } },
    );
    expectNoErrors(layout);
    assert.deepEqual(layout.projectMetadata.get(P), {
      mergeMode: 'merge-resolve',
      defaultBranch: 'main',
      queue: 'first',
    });
    assert.equal(layout.projectMetadata.get(LIB), undefined);
  });

  test('a merge mode the code review system does not allow', async () => {
    const layout = await build(
      { 'org/project': '- project:\n    merge-mode: squash-merge\n' },
      {
        connections: {
          gerrit: { driver: 'gerrit', mergeModes: { 'org/project': ['merge', 'rebase'] } },
        },
      },
    );
    expectErrors(layout, [
      {
        message: `Merge mode squash-merge not supported by project ${P}. Supported modes: ['merge', 'rebase'].`,
        project: 'org/project',
        branch: '',
      },
    ]);
  });
});

describe('pipelines, semaphores, connections, launcher objects', () => {
  test('supercedes must name a pipeline', async () => {
    const text = `${COMMON}- pipeline:\n    name: post\n    manager: supercedent\n    supercedes: [check, nope]\n    trigger: {}\n`;
    expectErrors(await build({ 'common-config': text }), [
      {
        message: 'The pipeline "post" supercedes an unknown pipeline nope.',
        project: 'common-config',
        line: lineOf(text, 'supercedes'),
      },
    ]);
  });

  test('allowed-triggers and allowed-reporters', async () => {
    const tenant = tenantWith('allowed-triggers: [gerrit]', 'allowed-reporters: []');
    const text = y`
      - pipeline:
          name: periodic
          manager: independent
          trigger:
            timer:
              - time: '0 0 * * *'
      - pipeline:
          name: reporting
          manager: independent
          trigger: {}
          success:
            gerrit: {}
    `;
    const layout = await build({ 'common-config': COMMON + text }, { tenantYaml: tenant });
    expectErrors(layout, [
      {
        name: 'Unknown Connection',
        message: 'Unknown connection named "timer".',
        project: 'common-config',
        line: lineOf(COMMON + text, 'timer:'),
      },
      {
        name: 'Unknown Connection',
        message: 'Unknown connection named "gerrit".',
        project: 'common-config',
        line: lineOf(COMMON + text, 'gerrit: {}'),
      },
    ]);
    assert.deepEqual([...layout.pipelines.keys()], ['check', 'gate']);
  });

  test('an in-repo semaphore may not take a granted global semaphore name', async () => {
    const tenantYaml = `- global-semaphore:\n    name: shared\n    max: 100\n${tenantWith('semaphores: [shared]')}`;
    const layout = await build(
      { 'org/lib': '- semaphore:\n    name: shared\n    max: 2\n- semaphore:\n    name: local\n' },
      { tenantYaml },
    );
    expectErrors(layout, [
      {
        message: 'Semaphore shared shadows a global semaphore and will be ignored',
        project: 'org/lib',
        line: 1,
      },
    ]);
    assert.deepEqual(layout.semaphores.get('shared'), { name: 'shared', max: 100, global: true });
    assert.equal(layout.semaphores.get('local')?.max, 1);
    // Not granted: the global semaphore is invisible and the name is free.
    const other = await build({ 'org/lib': '- semaphore:\n    name: shared\n' });
    expectNoErrors(other);
  });

  test('labels, sections and providers refer to known objects', async () => {
    const text = y`
      - image: {name: debian, type: cloud}
      - flavor: {name: normal}
      - label: {name: l1, image: ubuntu, flavor: normal}
      - label: {name: l2, image: debian, flavor: large}
      - section: {name: s1, parent: nope}
      - provider: {name: p1, section: nope}
      - provider: {name: p2, section: s1}
    `;
    expectErrors(await build({ 'common-config': COMMON + text }), [
      { message: 'The label "l1" references an unknown image "ubuntu"', project: 'common-config' },
      { message: 'The label "l2" references an unknown flavor "large"', project: 'common-config' },
      {
        message: 'The section "s1" references an unknown section "nope"',
        project: 'common-config',
      },
      {
        message: 'The provider "p1" references an unknown section "nope"',
        project: 'common-config',
      },
    ]);
  });

  test('an image-build job is attached by the project that defines the image', async () => {
    const image =
      '- image: {name: debian, type: zuul}\n- job:\n    name: build-debian\n    image-name: debian\n';
    const attach = '- project:\n    name: org/project\n    check:\n      jobs: [build-debian]\n';
    const tenant = TENANT.replace(
      '- org/lib',
      '- org/lib:\n              include-provider-config: true',
    );
    const layout = await build(
      {
        'org/lib': image,
        'common-config': COMMON + attach,
      },
      { tenantYaml: tenant },
    );
    expectErrors(layout, [
      {
        message: `The image build job "build-debian" may not be attached to a pipeline in review.example.com/common-config while referencing the image "debian" defined in ${LIB}`,
        project: 'common-config',
      },
    ]);
  });

  test('base jobs only where allowed (tenant rules)', async () => {
    const tenant = TENANT.replace(
      '- common-config',
      '- common-config\n          - other-config:\n              allow-base-jobs: false',
    );
    const layout = await build(
      {
        'other-config': '- job:\n    name: my-base\n    parent: null\n',
        'org/lib': '- job:\n    name: lib-base\n    parent: null\n',
      },
      { tenantYaml: tenant },
    );
    expectErrors(layout, [
      { message: 'Base jobs must be defined in config projects', project: 'other-config', line: 3 },
      { message: 'Base jobs must be defined in config projects', project: 'org/lib', line: 3 },
    ]);
    assert.ok(!layout.jobs.has('my-base') && !layout.jobs.has('lib-base'));
  });
});
