// Speculative layouts (semantics §D.11): which layout an item runs with,
// which configuration errors it gets, and which errors are relevant to it.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CONFIG_PROJECT_DEPENDENCY_MESSAGE,
  INVALID_AHEAD_MESSAGE,
  itemConfigError,
} from '../../src/config/speculative.js';
import { COMMON, y } from './layout-test-helpers.js';
import { jobsFor, LIB, PROJECT, runningTenant } from './speculative-helpers.js';

const PROJECT_CONF = y`
  - job:
      name: project-test
  - project:
      check:
        jobs: [project-test]
`;

const LIB_CONF = y`
  - job:
      name: lib-test
  - project:
      check:
        jobs: [lib-test]
`;

/** org/project's config with one more job in its check pipeline. */
function projectWith(job: string, extra = ''): string {
  return y`
    - job:
        name: project-test
    - job:
        name: ${job}
    ${extra}
    - project:
        check:
          jobs: [project-test, ${job}]
  `;
}

const change = (project: string, files: string[] = ['zuul.yaml'], branch = 'master') => ({
  project,
  branch,
  files,
});

describe('untrusted changes', () => {
  test('a change adding a job runs with its own configuration', async () => {
    const spec = await runningTenant({ 'org/project': PROJECT_CONF, 'org/lib': LIB_CONF });
    const result = spec.layoutFor({
      changes: [change('org/project')],
      files: { 'org/project': { master: { 'zuul.yaml': projectWith('new-job') } } },
    });
    assert.equal(result.use, 'speculative');
    assert.ok(result.use === 'speculative');
    assert.deepEqual(result.errors, []);
    assert.equal(result.phase1, undefined, 'no config project changed: no phase 1');
    assert.deepEqual(jobsFor(result.layout, PROJECT), ['project-test', 'new-job']);
    // Untouched projects keep their configuration; the running layout is unchanged.
    assert.deepEqual(jobsFor(result.layout, LIB), ['lib-test']);
    assert.deepEqual(jobsFor(spec.running.layout, PROJECT), ['project-test']);
    // Pipelines are the running layout's own objects.
    assert.equal(result.layout.pipelines.get('check'), spec.running.layout.pipelines.get('check'));
  });

  test('a broken change gets a config error with the error it introduces', async () => {
    const spec = await runningTenant({ 'org/project': PROJECT_CONF, 'org/lib': LIB_CONF });
    const text = projectWith('new-job').replace('name: new-job', 'name: new-job\n    parent: nope');
    const result = spec.layoutFor({
      changes: [change('org/project')],
      files: { 'org/project': { master: { 'zuul.yaml': text } } },
    });
    assert.equal(result.use, 'config-error');
    assert.equal(result.errors.length, 1);
    const [e] = result.errors;
    assert.equal(e!.severity, 'error');
    assert.equal(e!.shortError, 'Job nope not defined');
    assert.equal(e!.sourceContext?.project, 'org/project');
    assert.equal(e!.sourceContext?.path, 'zuul.yaml');
    assert.equal(e!.mark!.line + 1, text.split('\n').indexOf('    parent: nope') + 1);
  });

  test('a YAML syntax error is the item config error', async () => {
    const spec = await runningTenant({ 'org/project': PROJECT_CONF });
    const result = spec.layoutFor({
      changes: [change('org/project')],
      files: { 'org/project': { master: { 'zuul.yaml': '- job:\n    name: [\n' } } },
    });
    assert.equal(result.use, 'config-error');
    assert.equal(result.errors.length, 1);
    assert.equal(result.errors[0]!.sourceContext?.path, 'zuul.yaml');
  });

  test('pre-existing errors in other projects are not relevant', async () => {
    const broken = `${LIB_CONF}- project:\n    gate:\n      jobs: [missing-job]\n`;
    const spec = await runningTenant({ 'org/project': PROJECT_CONF, 'org/lib': broken });
    assert.ok(
      spec.running.layout.errors.some((e) => e.shortError === 'Job missing-job not defined'),
    );
    const result = spec.layoutFor({
      changes: [change('org/project')],
      files: { 'org/project': { master: { 'zuul.yaml': projectWith('new-job') } } },
    });
    assert.equal(result.use, 'speculative');
    assert.ok(result.use === 'speculative');
    assert.deepEqual(result.errors, []);
    assert.deepEqual(jobsFor(result.layout, PROJECT), ['project-test', 'new-job']);
  });

  test('pre-existing errors in the project branch a change touches are relevant again', async () => {
    const gate = '- project:\n    gate:\n      jobs: [missing-job]\n';
    const spec = await runningTenant({ 'org/project': `${PROJECT_CONF}${gate}` });
    const result = spec.layoutFor({
      changes: [change('org/project')],
      files: { 'org/project': { master: { 'zuul.yaml': `${projectWith('new-job')}${gate}` } } },
    });
    assert.equal(result.use, 'config-error');
    assert.deepEqual(
      result.errors.map((e) => e.shortError),
      ['Job missing-job not defined'],
    );
    // Known errors are relevant only to changes of their own project branch.
    const layout = spec.running.layout;
    assert.deepEqual(spec.relevantErrors(layout, [change('org/project', [], 'stable')]), []);
    assert.deepEqual(spec.relevantErrors(layout, [change('org/lib')]), []);
    assert.equal(spec.relevantErrors(layout, [change('org/project')]).length, 1);
  });

  test('an item changing no configuration uses the layout of the item ahead', async () => {
    const spec = await runningTenant({ 'org/project': PROJECT_CONF });
    const result = spec.layoutFor({ changes: [change('org/project', ['README'])], files: {} });
    assert.equal(result.use, 'fallback');
    assert.equal(result.use === 'fallback' && result.layout, spec.running.layout);
  });

  test('untrusted changes cannot change semaphores or pipelines', async () => {
    const spec = await runningTenant({ 'org/project': PROJECT_CONF });
    const text = `${projectWith('new-job')}- semaphore:\n    name: lock\n    max: 2\n`;
    const result = spec.layoutFor({
      changes: [change('org/project')],
      files: { 'org/project': { master: { 'zuul.yaml': text } } },
    });
    assert.equal(result.use, 'speculative');
    assert.ok(result.use === 'speculative');
    assert.equal(result.layout.semaphores.size, 0);
    assert.deepEqual([...result.layout.pipelines.keys()], ['check', 'gate']);
  });
});

describe('config-project changes', () => {
  const withJob = `${COMMON}- job:\n    name: config-job\n`;

  test('are validated, but the item runs with the running layout', async () => {
    const spec = await runningTenant({ 'org/project': PROJECT_CONF });
    const result = spec.layoutFor({
      changes: [change('common-config')],
      files: { 'common-config': { master: { 'zuul.yaml': withJob } } },
    });
    assert.equal(result.use, 'running');
    assert.ok(result.use === 'running');
    assert.equal(result.layout, spec.running.layout);
    assert.ok(result.phase1.jobs.has('config-job'), 'phase 1 saw the new job');
    assert.ok(!spec.running.layout.jobs.has('config-job'));
  });

  test('a broken config-project change gets its errors', async () => {
    const spec = await runningTenant({ 'org/project': PROJECT_CONF });
    const text = `${withJob}    parent: nope\n`;
    const result = spec.layoutFor({
      changes: [change('common-config')],
      files: { 'common-config': { master: { 'zuul.yaml': text } } },
    });
    assert.equal(result.use, 'config-error');
    assert.deepEqual(
      result.errors.map((e) => [e.shortError, e.sourceContext?.project]),
      [['Job nope not defined', 'common-config']],
    );
  });

  test('errors elsewhere do not block a config-project change', async () => {
    const broken = `${LIB_CONF}- project:\n    gate:\n      jobs: [missing-job]\n`;
    const spec = await runningTenant({ 'org/project': PROJECT_CONF, 'org/lib': broken });
    const result = spec.layoutFor({
      changes: [change('common-config')],
      files: { 'common-config': { master: { 'zuul.yaml': withJob } } },
    });
    assert.equal(result.use, 'running');
    assert.deepEqual(result.errors, []);
  });

  test('an untrusted change depending on a config-project change waits for it to merge', async () => {
    const spec = await runningTenant({ 'org/project': PROJECT_CONF });
    const uses = `${PROJECT_CONF}- project:\n    gate:\n      jobs: [config-job]\n`;
    const result = spec.layoutFor({
      changes: [change('org/project')],
      itemsAhead: [{ changes: [change('common-config')] }],
      files: {
        'common-config': { master: { 'zuul.yaml': withJob } },
        'org/project': { master: { 'zuul.yaml': uses } },
      },
    });
    assert.equal(result.use, 'config-error');
    assert.deepEqual(
      result.errors.map((e) => e.error),
      [CONFIG_PROJECT_DEPENDENCY_MESSAGE],
    );
    assert.ok(
      CONFIG_PROJECT_DEPENDENCY_MESSAGE.startsWith(
        'This change depends on a change to a config project.\n\n',
      ),
    );
  });
});

describe('items ahead', () => {
  test("an item behind one with a blocking config error gets Zuul's error", async () => {
    const spec = await runningTenant({ 'org/project': PROJECT_CONF });
    const result = spec.layoutFor({
      changes: [change('org/project', ['README'])],
      itemsAhead: [{ changes: [change('org/lib')], errors: [itemConfigError('broken')] }],
      files: {},
    });
    assert.equal(result.use, 'config-error');
    assert.deepEqual(
      result.errors.map((e) => e.error),
      ['This change depends on a change with an invalid configuration.\n'],
    );
    assert.equal(result.errors[0]!.error, INVALID_AHEAD_MESSAGE);
  });

  test('a change behind an untrusted change is tested with its configuration', async () => {
    const spec = await runningTenant({ 'org/project': PROJECT_CONF, 'org/lib': LIB_CONF });
    const lib = `${LIB_CONF}- job:\n    name: lib-new\n`;
    const project = `${PROJECT_CONF}- project:\n    gate:\n      jobs: [lib-new]\n`;
    const result = spec.layoutFor({
      changes: [change('org/project')],
      itemsAhead: [{ changes: [change('org/lib')] }],
      files: {
        'org/lib': { master: { 'zuul.yaml': lib } },
        'org/project': { master: { 'zuul.yaml': project } },
      },
    });
    assert.equal(result.use, 'speculative');
    assert.ok(result.use === 'speculative');
    assert.deepEqual(jobsFor(result.layout, PROJECT, { pipeline: 'gate' }), ['lib-new']);
    // Without the change ahead the job does not exist.
    const alone = spec.layoutFor({
      changes: [change('org/project')],
      files: { 'org/project': { master: { 'zuul.yaml': project } } },
    });
    assert.equal(alone.use, 'config-error');
  });

  test('warnings introduced by an item ahead are not reported again', async () => {
    // A pre-existing error elsewhere makes the layouts have errors, so
    // relevant warnings are reported (Zuul reports nothing for a layout
    // without errors).
    const broken = `${COMMON}- project:\n    name: org/lib\n    gate:\n      jobs: [missing-job]\n`;
    const spec = await runningTenant({
      'common-config': broken,
      'org/project': PROJECT_CONF,
      'org/lib': LIB_CONF,
    });
    const lib = `${LIB_CONF}- job:\n    name: lib-new\n    branches: '^(?!stable)'\n`;
    const files = {
      'org/lib': { master: { 'zuul.yaml': lib } },
      'org/project': { master: { 'zuul.yaml': projectWith('new-job') } },
    };
    // What the item ahead was told: the warning its own change introduces.
    const ahead = spec.layoutFor({
      changes: [change('org/lib')],
      files: { 'org/lib': files['org/lib'] },
    });
    assert.equal(ahead.use, 'speculative');
    assert.deepEqual(
      ahead.errors.map((e) => [e.severity, e.name]),
      [['warning', 'Regex Deprecation']],
    );
    const behind = spec.layoutFor({
      changes: [change('org/project')],
      itemsAhead: [{ changes: [change('org/lib')], errors: ahead.errors }],
      files,
    });
    assert.equal(behind.use, 'speculative');
    assert.deepEqual(behind.errors, []);
    // Had the item ahead not reported it, it would be new to this item.
    const unaware = spec.layoutFor({
      changes: [change('org/project')],
      itemsAhead: [{ changes: [change('org/lib')] }],
      files,
    });
    assert.equal(unaware.use, 'speculative');
    assert.deepEqual(
      unaware.errors.map((e) => e.name),
      ['Regex Deprecation'],
    );
  });

  test('warnings alone are never reported', async () => {
    const spec = await runningTenant({ 'org/lib': LIB_CONF });
    const lib = `${LIB_CONF}- job:\n    name: lib-new\n    branches: '^(?!stable)'\n`;
    const result = spec.layoutFor({
      changes: [change('org/lib')],
      files: { 'org/lib': { master: { 'zuul.yaml': lib } } },
    });
    assert.equal(result.use, 'speculative');
    assert.deepEqual(result.errors, []);
    assert.ok(
      result.use === 'speculative' &&
        result.layout.errors.some((e) => e.name === 'Regex Deprecation'),
    );
  });
});
