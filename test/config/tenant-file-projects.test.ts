// What each project of a tenant loads and how: class sets (defaults, groups,
// include / include-provider-config / exclude order), load order, branch
// options and the defaults that differ between config and untrusted projects.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  applyClassSelection,
  CONFIG_CLASSES,
  defaultLoadClasses,
  PROVIDER_CONFIG_CLASSES,
} from '../../src/model/tenant.js';
import { parse, project, sorted, tenant } from './tenant-test-helpers.js';

const BASE = [
  'job',
  'nodeset',
  'pipeline',
  'project',
  'project-template',
  'queue',
  'secret',
  'semaphore',
];

function tenantWith(untrusted: string, config = '          - config'): string {
  return `- tenant:
    name: t
    source:
      gerrit:
        config-projects:
${config}
        untrusted-projects:
${untrusted}
`;
}

const classesOf = (text: string, name: string) =>
  sorted(project(tenant(parse(text), 't'), name).loadClasses);

describe('default class sets (Zuul 14.x)', () => {
  it('config projects load everything, provider config included', () => {
    assert.deepEqual(classesOf(tenantWith('          - org/a'), 'config'), sorted(CONFIG_CLASSES));
  });

  it('untrusted projects load the base classes, pipeline included, provider config not', () => {
    assert.deepEqual(classesOf(tenantWith('          - org/a'), 'org/a'), sorted(BASE));
    assert.deepEqual(sorted(defaultLoadClasses(false)), sorted(BASE));
  });
});

describe('include / include-provider-config / exclude', () => {
  it('include replaces the set; an empty include loads nothing', () => {
    const text = tenantWith(
      '          - org/a:\n              include: job\n          - org/b:\n              include: []',
    );
    assert.deepEqual(classesOf(text, 'org/a'), ['job']);
    assert.deepEqual(classesOf(text, 'org/b'), []);
  });

  it('include-provider-config adds the launcher classes to an untrusted project', () => {
    const text = tenantWith('          - org/a:\n              include-provider-config: true');
    assert.deepEqual(classesOf(text, 'org/a'), sorted([...BASE, ...PROVIDER_CONFIG_CLASSES]));
  });

  it('applies include, then include-provider-config, then exclude', () => {
    const text = tenantWith(
      '          - org/a:\n              exclude: [image, job]\n              include-provider-config: true\n              include: [job, nodeset]',
    );
    // exclude wins over both the include and the provider classes.
    assert.deepEqual(
      classesOf(text, 'org/a'),
      sorted(['nodeset', 'flavor', 'label', 'section', 'provider']),
    );
  });

  it('excluding a class from a config project keeps the others', () => {
    const text = tenantWith(
      '          - org/a',
      '          - config:\n              exclude: [project, image]',
    );
    assert.deepEqual(
      classesOf(text, 'config'),
      sorted(CONFIG_CLASSES.filter((c) => c !== 'project' && c !== 'image')),
    );
  });
});

describe('project groups', () => {
  it('group include/exclude apply to every member, then each member its own options', () => {
    const text = tenantWith(`          - include: [job, nodeset, secret]
            exclude: secret
            projects:
              - org/a
              - org/b:
                  exclude: nodeset
              - org/c:
                  include: [project]
              - org/d:
                  include-provider-config: true`);
    assert.deepEqual(classesOf(text, 'org/a'), ['job', 'nodeset']);
    assert.deepEqual(classesOf(text, 'org/b'), ['job']);
    // A member include replaces what the group computed.
    assert.deepEqual(classesOf(text, 'org/c'), ['project']);
    assert.deepEqual(
      classesOf(text, 'org/d'),
      sorted(['job', 'nodeset', ...PROVIDER_CONFIG_CLASSES]),
    );
  });

  it('a group without include starts from the list default', () => {
    const text = tenantWith(
      '          - exclude: [pipeline, project]\n            projects: [org/a]',
    );
    assert.deepEqual(
      classesOf(text, 'org/a'),
      sorted(BASE.filter((c) => c !== 'pipeline' && c !== 'project')),
    );
    const config = tenantWith(
      '          - org/z',
      '          - exclude: pipeline\n            projects: config',
    );
    assert.deepEqual(
      classesOf(config, 'config'),
      sorted(CONFIG_CLASSES.filter((c) => c !== 'pipeline')),
    );
  });

  it('`include: []` groups give projects that load nothing, for required-projects', () => {
    const text = tenantWith(
      '          - include: []\n            projects:\n              - org/a\n              - org/b:\n                  include-provider-config: true',
    );
    assert.deepEqual(classesOf(text, 'org/a'), []);
    assert.deepEqual(classesOf(text, 'org/b'), sorted(PROVIDER_CONFIG_CLASSES));
  });

  it('the pure helper composes the same way', () => {
    const group = applyClassSelection(defaultLoadClasses(false), {
      include: ['job', 'secret'],
      exclude: ['secret'],
    });
    assert.deepEqual(
      sorted(applyClassSelection(group, { includeProviderConfig: true, exclude: ['label'] })),
      sorted(['job', 'image', 'flavor', 'section', 'provider']),
    );
  });
});

describe('load order and options', () => {
  const text = `- tenant:
    name: t
    exclude-unprotected-branches: true
    source:
      gerrit:
        config-projects:
          - config:
              load-branch: main
        untrusted-projects:
          - org/a:
              exclude-unprotected-branches: false
              exclude-branches: ['wip/.*']
              always-dynamic-branches: ['feature/.*', 'wip/.*']
              shadow: config
          - org/b:
              include-branches: [master, 'stable/.*']
              allow-reporter-jobs: true
              allow-base-jobs: true
      github:
        config-projects: gh/config
        untrusted-projects:
          - gh/a
`;
  const t = tenant(parse(text), 't');

  it('loads config projects of every connection before untrusted ones', () => {
    assert.deepEqual(
      t.projects.map((p) => `${p.connectionName}:${p.name}:${p.trusted}`),
      [
        'gerrit:config:true',
        'github:gh/config:true',
        'gerrit:org/a:false',
        'gerrit:org/b:false',
        'github:gh/a:false',
      ],
    );
  });

  it('inherits tenant branch-protection settings unless a project overrides them', () => {
    assert.equal(project(t, 'org/a').excludeUnprotectedBranches, false);
    assert.equal(project(t, 'org/b').excludeUnprotectedBranches, true);
    assert.equal(project(t, 'org/b').excludeLockedBranches, false);
  });

  it('never loads always-dynamic branches statically', () => {
    const a = project(t, 'org/a');
    assert.deepEqual(a.alwaysDynamicBranches, ['feature/.*', 'wip/.*']);
    assert.deepEqual(a.excludeBranches, ['wip/.*', 'feature/.*']);
    assert.equal(a.includeBranches, undefined);
    assert.deepEqual(project(t, 'org/b').includeBranches, ['master', 'stable/.*']);
    assert.equal(project(t, 'org/b').excludeBranches, undefined);
  });

  it('keeps load-branch unset unless given', () => {
    assert.equal(project(t, 'config').loadBranch, 'main');
    assert.equal(project(t, 'gh/config').loadBranch, undefined);
  });

  it('defaults allow-base-jobs and allow-reporter-jobs by trust', () => {
    for (const name of ['config', 'gh/config']) {
      assert.equal(project(t, name).allowBaseJobs, true);
      assert.equal(project(t, name).allowReporterJobs, true);
    }
    assert.equal(project(t, 'org/a').allowBaseJobs, false);
    assert.equal(project(t, 'org/a').allowReporterJobs, false);
    assert.equal(project(t, 'org/b').allowBaseJobs, true);
    assert.equal(project(t, 'org/b').allowReporterJobs, true);
  });

  it('reads a scalar shadow', () => {
    assert.deepEqual(project(t, 'org/a').shadow, ['config']);
  });

  it('reads web-root with a trailing slash and numeric ansible versions as strings', () => {
    const tf = parse(
      `- tenant:\n    name: w\n    web-root: https://zuul.example.com/w\n    default-ansible-version: 9\n`,
    );
    assert.equal(tenant(tf, 'w').webRoot, 'https://zuul.example.com/w/');
    assert.equal(tenant(tf, 'w').defaultAnsibleVersion, '9');
    assert.equal(tenant(tf, 'w').projects.length, 0);
  });
});
