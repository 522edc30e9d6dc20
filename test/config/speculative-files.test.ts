// Speculative layouts and files: which changes touch configuration, which
// proposed files are read (config roots added or deleted, extra config
// paths), reuse of untouched project branches, always-dynamic branches.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InMemoryFileReader } from '../../src/config/file-reader.js';
import {
  changeUpdatesConfig,
  includesConfigUpdates,
  ProjectIndex,
  proposedBranchFiles,
} from '../../src/config/speculative.js';
import { files, TENANT, y } from './layout-test-helpers.js';
import { jobsFor, LIB, PROJECT, runningTenant } from './speculative-helpers.js';

const jobConf = (...jobs: string[]) =>
  `${jobs.map((j) => `- job:\n    name: ${j}\n`).join('')}- project:\n    check:\n      jobs: [${jobs.join(', ')}]\n`;

const EXTRA_TENANT = TENANT.replace(
  '- org/project',
  '- org/project:\n              extra-config-paths: [extra.yaml, extra.d/]',
);
const DYNAMIC_TENANT = TENANT.replace(
  '- org/project',
  "- org/project:\n              always-dynamic-branches: ['feature/.*']",
);

describe('which changes touch configuration', () => {
  test("Zuul's config roots, extra config paths, always-dynamic branches, unknown file lists", async () => {
    const spec = await runningTenant({}, { tenantYaml: EXTRA_TENANT });
    const project = spec.projects.get('org/project')!.config;
    const touches = (files: string[] | null, branch = 'master') =>
      changeUpdatesConfig(project, { branch, files });
    assert.equal(touches(['zuul.yaml']), true);
    assert.equal(touches(['.zuul.yaml']), true);
    assert.equal(touches(['zuul.d/jobs.yaml']), true);
    assert.equal(touches(['.zuul.d/deep/jobs.yaml']), true);
    assert.equal(touches(['extra.yaml']), true);
    assert.equal(touches(['extra.d/a.yaml']), true);
    assert.equal(touches(['README', 'src/zuul.yaml', 'zuul.d', 'extra.yaml.orig']), false);
    assert.equal(touches([]), false);
    assert.equal(touches(null), true, 'unknown file list: assume it does');
    assert.equal(changeUpdatesConfig(project, { branch: 'master' }), true);
    // Extra paths belong to the project that lists them.
    const lib = spec.projects.get('org/lib')!.config;
    assert.equal(changeUpdatesConfig(lib, { branch: 'master', files: ['extra.yaml'] }), false);
    // A project outside the tenant never does.
    assert.equal(changeUpdatesConfig(undefined, { branch: 'master', files: ['zuul.yaml'] }), false);

    const dynamic = await runningTenant({}, { tenantYaml: DYNAMIC_TENANT });
    const dyn = dynamic.projects.get(PROJECT)!.config;
    assert.equal(changeUpdatesConfig(dyn, { branch: 'feature/x', files: ['README'] }), true);
    assert.equal(changeUpdatesConfig(dyn, { branch: 'master', files: ['README'] }), false);
  });

  test('includesConfigUpdates tells config projects from untrusted ones', async () => {
    const spec = await runningTenant({});
    const index = new ProjectIndex(spec.running.loaded.projects);
    const c = (project: string, files: string[]) => ({ project, branch: 'master', files });
    assert.deepEqual(includesConfigUpdates(index, [c('org/project', ['zuul.yaml'])]), {
      trusted: false,
      untrusted: true,
    });
    assert.deepEqual(
      includesConfigUpdates(index, [c('common-config', ['zuul.d/x.yaml']), c(LIB, ['README'])]),
      { trusted: true, untrusted: false },
    );
  });
});

describe('proposed files', () => {
  test('unchanged files give the running layout back; untouched branches are reused', async () => {
    const spec = await runningTenant({
      'org/project': jobConf('a', 'b'),
      'org/lib': { master: jobConf('lib'), stable: jobConf('lib-stable') },
    });
    const result = spec.layoutFor({
      changes: [{ project: 'org/project', branch: 'master', files: ['zuul.yaml'] }],
      files: { 'org/project': { master: { 'zuul.yaml': jobConf('a', 'b') } } },
    });
    assert.equal(result.use, 'speculative');
    assert.ok(result.use === 'speculative');
    const running = spec.running.layout;
    assert.deepEqual([...result.layout.jobs.keys()], [...running.jobs.keys()]);
    assert.deepEqual(result.layout.errors, running.errors);
    // org/lib's stanzas are the very objects the running layout was built from.
    const lib = (l: typeof running) => l.jobs.get('lib-stable')![0]!.variant.sourceContext;
    assert.equal(lib(result.layout), lib(running));
    assert.deepEqual(jobsFor(result.layout, LIB, { branch: 'stable' }), ['lib-stable']);
  });

  test('a change adding a config root that takes precedence', async () => {
    const spec = await runningTenant({ 'org/project': { master: { '.zuul.yaml': jobConf('a') } } });
    assert.deepEqual(jobsFor(spec.running.layout, PROJECT), ['a']);
    const result = spec.layoutFor({
      changes: [{ project: 'org/project', branch: 'master', files: ['zuul.yaml'] }],
      files: {
        'org/project': { master: { 'zuul.yaml': jobConf('b'), '.zuul.yaml': jobConf('a') } },
      },
    });
    assert.equal(result.use, 'speculative');
    assert.ok(result.use === 'speculative');
    assert.deepEqual(jobsFor(result.layout, PROJECT), ['b']);
    assert.ok(!result.layout.jobs.has('a'), 'the ignored root is not read');
  });

  test('a change adding zuul.d/ to a project without configuration', async () => {
    const spec = await runningTenant({});
    const result = spec.layoutFor({
      changes: [{ project: 'org/lib', branch: 'master', files: ['zuul.d/jobs.yaml'] }],
      files: {
        'org/lib': {
          master: { 'zuul.d/jobs.yaml': jobConf('one'), 'zuul.d/README.md': 'not config' },
        },
      },
    });
    assert.ok(result.use === 'speculative');
    assert.deepEqual(jobsFor(result.layout, LIB), ['one']);
  });

  test('a change deleting the config root removes the configuration', async () => {
    const spec = await runningTenant({ 'org/project': jobConf('a') });
    const reader = new InMemoryFileReader(files({ 'org/project': jobConf('a') }));
    const project = spec.projects.get('org/project')!;
    const entry = await proposedBranchFiles(reader, project, 'master', { 'zuul.yaml': null });
    assert.deepEqual(entry, {});
    const result = spec.layoutFor({
      changes: [{ project: 'org/project', branch: 'master', files: ['zuul.yaml'] }],
      files: { 'org/project': { master: entry } },
    });
    assert.ok(result.use === 'speculative');
    assert.ok(!result.layout.jobs.has('a'));
    assert.equal(result.layout.projectConfigs.get(PROJECT), undefined);
  });

  test('proposedBranchFiles applies edits to the current files and keeps only config', async () => {
    const current = { master: { 'zuul.yaml': jobConf('a'), README: 'x' } };
    const reader = new InMemoryFileReader(files({ 'org/project': current }));
    const spec = await runningTenant({}, { tenantYaml: EXTRA_TENANT });
    const project = spec.projects.get('org/project')!;
    const entry = await proposedBranchFiles(reader, project, 'master', {
      'extra.d/x.yaml': jobConf('x'),
      'docs/y.yaml': 'ignored',
    });
    assert.deepEqual(Object.keys(entry).sort(), ['extra.d/x.yaml', 'zuul.yaml']);
    const fresh = await proposedBranchFiles(reader, project, 'new-branch', { '.zuul.yaml': '' });
    assert.deepEqual(Object.keys(fresh), ['.zuul.yaml']);
  });

  test('extra config paths are read after the config root', async () => {
    const spec = await runningTenant({ 'org/project': jobConf('a') }, { tenantYaml: EXTRA_TENANT });
    const extra = y`
      - job:
          name: extra-job
      - project:
          check:
            jobs: [extra-job]
    `;
    const result = spec.layoutFor({
      changes: [{ project: 'org/project', branch: 'master', files: ['extra.d/jobs.yaml'] }],
      files: {
        'org/project': { master: { 'zuul.yaml': jobConf('a'), 'extra.d/jobs.yaml': extra } },
      },
    });
    assert.ok(result.use === 'speculative');
    assert.deepEqual(jobsFor(result.layout, PROJECT), ['a', 'extra-job']);
  });
});

describe('always-dynamic branches', () => {
  const spec = () =>
    runningTenant(
      {
        'org/project': {
          master: jobConf('project-test'),
          'feature/x': jobConf('feature-x-test'),
        },
      },
      { tenantYaml: DYNAMIC_TENANT },
    );

  test('are not in the running layout', async () => {
    const s = await spec();
    const project = s.projects.get(PROJECT)!;
    assert.deepEqual(project.branches, ['master']);
    assert.deepEqual(project.dynamicBranches, ['feature/x']);
    assert.ok(!s.running.layout.jobs.has('feature-x-test'));
  });

  test('a change on one uses its configuration, whatever files it touches', async () => {
    const s = await spec();
    const result = s.layoutFor({
      changes: [{ project: 'org/project', branch: 'feature/x', files: ['README'] }],
      files: { 'org/project': { 'feature/x': { 'zuul.yaml': jobConf('feature-x-test') } } },
    });
    assert.ok(result.use === 'speculative');
    assert.deepEqual(jobsFor(result.layout, PROJECT, { branch: 'feature/x' }), ['feature-x-test']);
    assert.deepEqual(jobsFor(result.layout, PROJECT), ['project-test']);
  });

  test('other always-dynamic branches are never taken from a cache', async () => {
    const s = await spec();
    // A branch created after the running layout was built, in the queue.
    const result = s.layoutFor({
      changes: [{ project: 'org/project', branch: 'feature/new', files: ['README'] }],
      files: { 'org/project': { 'feature/new': { 'zuul.yaml': jobConf('feature-new-test') } } },
    });
    assert.ok(result.use === 'speculative');
    assert.deepEqual(jobsFor(result.layout, PROJECT, { branch: 'feature/new' }), [
      'feature-new-test',
    ]);
    assert.ok(!result.layout.jobs.has('feature-x-test'), 'feature/x has no files in the queue');
  });

  test('a branch that is excluded, not dynamic, is not loaded even when proposed', async () => {
    const tenant = TENANT.replace(
      '- org/project',
      "- org/project:\n              exclude-branches: ['old/.*']",
    );
    const s = await runningTenant({ 'org/project': jobConf('a') }, { tenantYaml: tenant });
    const result = s.layoutFor({
      changes: [{ project: 'org/project', branch: 'old/1', files: ['zuul.yaml'] }],
      files: { 'org/project': { 'old/1': { 'zuul.yaml': jobConf('old-test') } } },
    });
    assert.ok(result.use === 'speculative');
    assert.ok(!result.layout.jobs.has('old-test'));
  });
});
