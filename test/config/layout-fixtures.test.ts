// Zuul's own test scenarios, loaded from real git repositories (through the
// repository cache and the tenant loader) and built into layouts: the
// objects each scenario defines and the errors Zuul reports for it.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { formatErrorLine } from '../../src/config/errors.js';
import { type Layout, resolveProjectName } from '../../src/model/layout.js';
import { fixtureLayouts } from '../helpers/fixture-layouts.js';
import {
  addBranch,
  type DeployOptions,
  FIXTURES,
  type FixtureDeployment,
} from '../helpers/fixtures.js';
import { checkError, type Expected, variantOrigins } from './layout-test-helpers.js';

function layouts(
  scenario: string,
  opts: DeployOptions = {},
  prepare?: (d: FixtureDeployment) => void,
): Promise<Map<string, Layout>> {
  return fixtureLayouts(scenario, opts, prepare);
}

function only(all: Map<string, Layout>): Layout {
  assert.equal(all.size, 1);
  return [...all.values()][0]!;
}

function expectExactly(layout: Layout, severity: 'error' | 'warning', wanted: Expected[]): void {
  const found = layout.errors.filter((e) => e.severity === severity);
  assert.equal(
    found.length,
    wanted.length,
    found.map((e) => formatErrorLine(e)).join('\n') || '(none)',
  );
  found.forEach((e, i) => {
    checkError(e, wanted[i]!);
  });
}

const keys = (m: ReadonlyMap<string, unknown>) => [...m.keys()];
const fixtureFile = (...parts: string[]) => readFileSync(join(FIXTURES, ...parts), 'utf8');

describe('Zuul fixture scenarios', () => {
  test('duplicate-pipeline: two pipelines on one event, no errors', async () => {
    const layout = only(await layouts('duplicate-pipeline'));
    expectExactly(layout, 'error', []);
    assert.deepEqual(keys(layout.pipelines), ['dup1', 'dup2']);
    const [stanza] = layout.projectConfigs.get('review.example.com/org/project') ?? [];
    assert.deepEqual([...(stanza?.stanza.pipelines.keys() ?? [])], ['dup1', 'dup2']);
    assert.equal(layout.projectMetadata.get('review.example.com/org/project')?.queue, 'integrated');
  });

  test('broken: the broken tenant reports its errors, the good tenant is clean', async () => {
    const all = await layouts('broken');
    const broken = all.get('tenant-broken')!;
    expectExactly(broken, 'error', [
      {
        message: /^Invalid timer time "\*\/30 \* \* \* \* 300"/,
        project: 'common-config',
        line: 38,
      },
      {
        message: "expected a dictionary for dictionary value @ data['error']",
        project: 'org/project2',
        line: 2,
      },
    ]);
    assert.ok(broken.jobs.has('central-test'), 'valid objects still load');
    expectExactly(all.get('tenant-good')!, 'error', []);
  });

  test('shadow: stdlib yields to local-config for base and test2', async () => {
    const layout = only(await layouts('shadow'));
    expectExactly(layout, 'error', []);
    assert.deepEqual(variantOrigins(layout, 'base'), ['local-config@master']);
    assert.deepEqual(variantOrigins(layout, 'test2'), ['local-config@master']);
    assert.deepEqual(variantOrigins(layout, 'test1'), ['stdlib@master']);
  });

  test('ambiguous-names: canonical names configure same-named projects of two gerrits', async () => {
    const layout = only(
      await layouts('ambiguous-names', { conf: 'zuul-connections-multiple-gerrits.conf' }),
    );
    expectExactly(layout, 'error', []);
    assert.deepEqual(keys(layout.projectConfigs), [
      'review.example.com/org/project',
      'another.example.com/org/project',
      'review.example.com/common-config',
    ]);
    assert.throws(() => resolveProjectName(layout, 'org/project'), /is ambiguous/);
  });

  test('regex-project: regex stanzas after explicit ones, full matches only', async () => {
    const layout = only(await layouts('regex-project'));
    expectExactly(layout, 'error', []);
    const names = (p: string) =>
      layout.projectConfigs.get(`review.example.com/${p}`)?.map((s) => s.stanza.name);
    assert.deepEqual(names('org/project'), ['org/project']);
    assert.deepEqual(names('org/project1'), [
      'org/project1',
      '^org/project.+',
      '^review.*.com/org/project.+',
    ]);
    assert.deepEqual(names('org/project2'), [
      'org/project2',
      '^org/project.+',
      '^review.*.com/org/project.+',
    ]);
  });

  test('pragma-multibranch: a second branch implies matchers; a pragma turns them off', async () => {
    const branched = (d: FixtureDeployment) => {
      addBranch(d.repoPath('gerrit', 'org/project1'), 'stable');
      addBranch(d.repoPath('gerrit', 'org/project2'), 'stable');
    };
    const layout = only(await layouts('pragma-multibranch', {}, branched));
    expectExactly(layout, 'error', []);
    const exact = (b: string) => ({ kind: 'exact', branch: b });
    assert.deepEqual(
      layout.jobs.get('test-job1')?.map((v) => v.branchMatcher),
      [exact('master'), exact('stable')],
    );
    assert.deepEqual(
      layout.projectTemplates.get('test-template')?.map((t) => t.branchMatcher),
      [exact('master'), exact('stable')],
    );

    const pragma = `- pragma:\n    implied-branch-matchers: false\n${fixtureFile(
      'pragma-multibranch/git/org_project1/zuul.yaml',
    )}`;
    const withPragma = only(
      await layouts('pragma-multibranch', {}, (d) => {
        const repo = d.repoPath('gerrit', 'org/project1');
        addBranch(repo, 'stable', { 'zuul.yaml': pragma });
        addBranch(repo, 'pragma-master', { 'zuul.yaml': pragma });
      }),
    );
    expectExactly(withPragma, 'error', []);
    // master has no pragma: exact; the other branches' stanzas have none.
    assert.deepEqual(
      withPragma.jobs.get('test-job1')?.map((v) => v.branchMatcher),
      [exact('master'), undefined, undefined],
    );
  });

  test('branch-variants: per-branch variants of a job chain and its template', async () => {
    const stable = fixtureFile('branch-variants/git/puppet-integration/stable.zuul.yaml');
    const layout = only(
      await layouts('branch-variants', {}, (d) =>
        addBranch(d.repoPath('gerrit', 'puppet-integration'), 'stable', { '.zuul.yaml': stable }),
      ),
    );
    expectExactly(layout, 'error', []);
    assert.deepEqual(variantOrigins(layout, 'puppet-lint'), [
      'puppet-integration@master',
      'puppet-integration@stable',
    ]);
    assert.deepEqual(
      layout.jobs.get('puppet-lint')?.map((v) => v.variant.tags),
      [['master'], ['stable']],
    );
    assert.deepEqual(
      layout.projectConfigs
        .get('review.example.com/puppet-integration')
        ?.map((s) => s.branchMatcher),
      [undefined, { kind: 'exact', branch: 'master' }, { kind: 'exact', branch: 'stable' }],
    );
  });

  test('templated-project: templates from an untrusted project, layered', async () => {
    const layout = only(await layouts('templated-project'));
    expectExactly(layout, 'error', []);
    assert.deepEqual(keys(layout.projectTemplates), [
      'test-one-and-two',
      'test-three-and-four',
      'test-five',
    ]);
    const layered = layout.projectConfigs.get('review.example.com/org/layered-project');
    assert.deepEqual(layered?.[0]?.stanza.templates, [
      'test-one-and-two',
      'test-three-and-four',
      'test-five',
    ]);
    assert.ok(layout.jobs.has('project-test7'));
  });

  test('nodesets: a project nodeset used by its job', async () => {
    const layout = only(await layouts('nodesets'));
    expectExactly(layout, 'error', []);
    assert.deepEqual(keys(layout.nodesets), ['project1-nodeset']);
    assert.equal(layout.jobs.get('project1-test')?.[0]?.variant.nodeset, 'project1-nodeset');
  });

  test('global-semaphores-config: granted global semaphores win over in-repo ones', async () => {
    const all = await layouts('global-semaphores-config');
    const one = all.get('tenant-one')!;
    expectExactly(one, 'error', [
      {
        message: 'Semaphore global-semaphore shadows a global semaphore and will be ignored',
        project: 'org/project1',
        line: 2,
      },
    ]);
    assert.deepEqual(one.semaphores.get('global-semaphore'), {
      name: 'global-semaphore',
      max: 100,
      global: true,
    });
    expectExactly(all.get('tenant-two')!, 'error', []);
    const three = all.get('tenant-three')!;
    expectExactly(three, 'error', []);
    assert.equal(three.semaphores.get('global-semaphore')?.max, 999, 'not granted: in-repo one');
  });

  test('base-jobs: several base jobs in the config project', async () => {
    const layout = only(await layouts('base-jobs'));
    expectExactly(layout, 'error', []);
    assert.equal(layout.tenant.defaultParent, 'my-base');
    assert.deepEqual(
      ['my-base', 'other-base'].map((j) => layout.jobs.get(j)?.[0]?.variant.parent),
      [null, null],
    );
  });

  test('allowed-projects: names resolved, untrusted attachments kept', async () => {
    const layout = only(await layouts('allowed-projects'));
    expectExactly(layout, 'error', []);
    assert.deepEqual(layout.jobs.get('restricted-job')?.[0]?.variant.allowedProjects, [
      'org/project1',
    ]);
    assert.deepEqual(layout.jobs.get('test-project2')?.[0]?.variant.allowedProjects, [
      'org/project2',
    ]);
  });

  test('conflict-config: one config root per branch, the others warned about', async () => {
    const layout = only(await layouts('conflict-config'));
    expectExactly(layout, 'error', []);
    const warnings = layout.errors.filter((e) => e.severity === 'warning');
    assert.equal(warnings.length, 4);
    for (const w of warnings) assert.equal(w.name, 'Multiple Project Configurations');
    assert.deepEqual([...layout.jobs.keys()].sort(), [
      'base',
      'noop',
      'trusted-zuul.yaml-job',
      'untrusted-zuul.yaml-job',
    ]);
  });
});
