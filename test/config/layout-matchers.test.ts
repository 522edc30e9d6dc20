// Implied branch matchers (semantics §D.5, rule 4 of §H; Zuul 14: the
// tenant's per-project setting applies to job stanzas only).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type BranchMatcher, branchMatches, type Layout } from '../../src/model/layout.js';
import { build, COMMON, expectNoErrors, TENANT, y } from './layout-test-helpers.js';

const JOB = '- job:\n    name: unit\n';

function jobMatchers(layout: Layout, name: string): (BranchMatcher | undefined)[] {
  return (layout.jobs.get(name) ?? []).map((v) => v.branchMatcher);
}

const EXACT = (branch: string): BranchMatcher => ({ kind: 'exact', branch });

describe('job stanzas', () => {
  test('untrusted project with several branches: exact match on the file branch', async () => {
    const layout = await build({ 'org/project': { master: JOB, 'stable/1.0': JOB } });
    expectNoErrors(layout);
    const [m1, m2] = jobMatchers(layout, 'unit');
    assert.deepEqual(m1, EXACT('master'));
    assert.deepEqual(m2, EXACT('stable/1.0'));
    // Exact, not a regex: metacharacters are literal and there is no prefix match.
    assert.equal(branchMatches(m2, 'stable/1.0.x'), false);
    assert.equal(branchMatches(m2, 'stable/1a0'), false);
  });

  test('untrusted project with a single branch: no matcher (a job library)', async () => {
    const layout = await build({ 'org/lib': JOB });
    assert.deepEqual(jobMatchers(layout, 'unit'), [undefined]);
  });

  test('config project: no matcher even with several branches', async () => {
    const tenant = TENANT.replace(
      '- common-config',
      '- common-config:\n              load-branch: stable',
    );
    const layout = await build(
      { 'common-config': { master: COMMON, stable: COMMON + JOB } },
      { tenantYaml: tenant },
    );
    expectNoErrors(layout);
    assert.deepEqual(jobMatchers(layout, 'unit'), [undefined]);
    assert.equal(layout.jobs.get('unit')?.[0]?.variant.sourceContext.branch, 'stable');
  });

  test('explicit branches always win (start-anchored regexes)', async () => {
    const layout = await build({ 'org/lib': `${JOB}    branches: stable\n` });
    const [m] = jobMatchers(layout, 'unit');
    assert.equal(m?.kind, 'regex');
    assert.equal(branchMatches(m, 'stable/2024'), true);
    assert.equal(branchMatches(m, 'master'), false);
  });

  test('pragma implied-branch-matchers: true / false override the heuristic', async () => {
    const on = `- pragma:\n    implied-branch-matchers: true\n${JOB}`;
    const off = `- pragma:\n    implied-branch-matchers: false\n${JOB}`;
    const layout = await build({
      'org/lib': on,
      'org/project': { master: off.replace('unit', 'other'), stable: JOB.replace('unit', 'x') },
      'common-config': COMMON + on.replace('unit', 'trusted'),
    });
    expectNoErrors(layout);
    assert.deepEqual(jobMatchers(layout, 'unit'), [EXACT('master')]);
    assert.deepEqual(jobMatchers(layout, 'other'), [undefined]);
    assert.deepEqual(jobMatchers(layout, 'trusted'), [EXACT('master')]);
  });

  test('pragma implied-branches gives the matcher when one is implied', async () => {
    const text = `- pragma:\n    implied-branches: [master, '^feature/']\n${JOB}`;
    const layout = await build({ 'org/project': { master: text, stable: '' } });
    const [m] = jobMatchers(layout, 'unit');
    assert.deepEqual(m && m.kind === 'regex' ? m.regexes.map((r) => r.pattern) : m, [
      'master',
      '^feature/',
    ]);
    assert.equal(branchMatches(m, 'feature/x'), true);
    // implied-branches alone does not switch matchers on.
    const single = await build({ 'org/lib': text });
    assert.deepEqual(jobMatchers(single, 'unit'), [undefined]);
  });

  test('the tenant per-project setting applies to jobs but not to templates', async () => {
    const tenant = TENANT.replace(
      '- org/lib',
      '- org/lib:\n              implied-branch-matchers: true',
    );
    const text = `${JOB}- project-template:\n    name: tmpl\n    check:\n      jobs: [unit]\n`;
    const layout = await build({ 'org/lib': text }, { tenantYaml: tenant });
    expectNoErrors(layout);
    assert.deepEqual(jobMatchers(layout, 'unit'), [EXACT('master')]);
    assert.equal(layout.projectTemplates.get('tmpl')?.[0]?.branchMatcher, undefined);
  });

  test('the pragma wins over the tenant setting', async () => {
    const tenant = TENANT.replace(
      '- org/lib',
      '- org/lib:\n              implied-branch-matchers: true',
    );
    const layout = await build(
      { 'org/lib': `- pragma:\n    implied-branch-matchers: false\n${JOB}` },
      { tenantYaml: tenant },
    );
    assert.deepEqual(jobMatchers(layout, 'unit'), [undefined]);
  });
});

describe('project and template stanzas', () => {
  const own = '- project:\n    check:\n      jobs: [base]\n';

  test("an untrusted project's own stanza is always exact, even with one branch", async () => {
    const layout = await build({
      'org/lib': `- pragma:\n    implied-branch-matchers: false\n${own}`,
    });
    expectNoErrors(layout);
    const stanzas = layout.projectConfigs.get('review.example.com/org/lib') ?? [];
    assert.deepEqual(
      stanzas.map((s) => s.branchMatcher),
      [EXACT('master')],
    );
  });

  test("a config project's own stanza has no matcher", async () => {
    const layout = await build({ 'common-config': COMMON + own });
    const stanzas = layout.projectConfigs.get('review.example.com/common-config') ?? [];
    assert.deepEqual(
      stanzas.map((s) => s.branchMatcher),
      [undefined],
    );
  });

  test('config-project stanzas for other projects and regex stanzas use the heuristic', async () => {
    const text = y`
      - pragma:
          implied-branch-matchers: true
      - project:
          name: org/project
          check:
            jobs: [base]
      - project:
          name: ^org/.*$
          check:
            jobs: [base]
    `;
    const layout = await build({ 'common-config': COMMON + text.replace(/^- pragma:\n.*\n/, '') });
    const plain = layout.projectConfigs.get('review.example.com/org/project') ?? [];
    assert.deepEqual(
      plain.map((s) => s.branchMatcher),
      [undefined, undefined],
    );
    // With the pragma in their file, both become implied.
    const split = await build({
      'common-config': { master: { 'zuul.d/a.yaml': COMMON, 'zuul.d/projects.yaml': text } },
    });
    assert.deepEqual(
      (split.projectConfigs.get('review.example.com/org/project') ?? []).map(
        (s) => s.branchMatcher,
      ),
      [EXACT('master'), EXACT('master')],
    );
  });

  test('templates in a multi-branch untrusted project get exact matchers', async () => {
    const template = '- project-template:\n    name: tmpl\n    check:\n      jobs: [base]\n';
    const layout = await build({ 'org/project': { master: template, stable: template } });
    assert.deepEqual(
      (layout.projectTemplates.get('tmpl') ?? []).map((t) => t.branchMatcher),
      [EXACT('master'), EXACT('stable')],
    );
  });

  test('explicit branches on a project stanza; an empty list counts as none', async () => {
    const layout = await build({
      'org/project': {
        master: `- project:\n    branches: ^stable/\n    check:\n      jobs: [base]\n- project:\n    branches: []\n    check:\n      jobs: [base]\n`,
        stable: '',
      },
    });
    const [explicit, empty] = layout.projectConfigs.get('review.example.com/org/project') ?? [];
    assert.equal(explicit?.branchMatcher?.kind, 'regex');
    assert.deepEqual(empty?.branchMatcher, EXACT('master'));
  });
});
