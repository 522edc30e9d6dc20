// Zuul's own test scenarios frozen for one project and branch: branch
// variants, implied and explicit branch matchers, tags and refs, pragmas,
// override-checkout, templates and regex project stanzas. Expectations come
// from the Zuul unit tests that load each scenario (named per test).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { freezeJobGraph } from '../../src/model/freeze/index.js';
import type { Layout } from '../../src/model/layout.js';
import { FIXTURES } from '../helpers/fixtures.js';
import {
  addBranch,
  chain,
  changeOf,
  commitFiles,
  type FixtureDeployment,
  freezeFor,
  jobIn,
  jobNames,
  playbooks,
  stanzas,
  tenantLayout,
} from './freeze-fixtures-helpers.js';

const fixtureFile = (...parts: string[]) => readFileSync(join(FIXTURES, ...parts), 'utf8');

/** Names of the jobs a tag item runs (`containing`: the branches holding the tagged commit). */
function tagJobs(layout: Layout, project: string, tag: string, containing: string[]): string[] {
  const change = changeOf(layout, project, 'master', undefined, {
    branch: undefined,
    ref: `refs/tags/${tag}`,
    containingBranches: containing,
  });
  const pipeline = layout.pipelines.get('tag')!;
  return jobNames(
    freezeJobGraph(
      layout,
      { name: pipeline.name, postReview: pipeline.postReview },
      {
        changes: [change],
      },
    ),
  );
}

const branches =
  (project: string, ...names: string[]) =>
  (d: FixtureDeployment) => {
    for (const b of names) addBranch(d.repoPath('gerrit', project), b);
  };

describe('fixture scenarios: branches', () => {
  test('branch-variants: each branch’s copy of the chain applies on that branch', async () => {
    // TestBranchVariants.test_branch_variants: three pre-run playbooks on stable.
    const layout = await tenantLayout('branch-variants', {
      prepare: branches('puppet-integration', 'stable'),
    });
    const job = jobIn(freezeFor(layout, 'check', 'puppet-integration', 'stable'), 'puppet-lint');
    assert.deepEqual(stanzas(job), [
      'base@project-config:master',
      'puppet-base@puppet-integration:stable',
      'puppet-module-base@puppet-integration:stable',
      'puppet-lint@puppet-integration:stable',
      'puppet-lint@puppet-integration:stable',
    ]);
    assert.deepEqual(playbooks(job), {
      pre: [
        'playbooks/base/pre.yaml',
        'playbooks/prepare-node-common.yaml',
        'playbooks/prepare-node-unit.yaml',
      ],
      run: ['playbooks/run-lint.yaml'],
      post: ['playbooks/base/post-ssh.yaml', 'playbooks/base/post-logs.yaml'],
    });
    assert.equal(job.parent, 'puppet-module-base');
  });

  test('branch-variants: divergent branches keep their own variants', async () => {
    // TestBranchVariants.test_branch_variants_divergent: jobtags master / stable.
    const stable = fixtureFile('branch-variants/git/puppet-integration/stable.zuul.yaml');
    const layout = await tenantLayout('branch-variants', {
      prepare: (d) => {
        const repo = d.repoPath('gerrit', 'puppet-integration');
        addBranch(repo, 'stable');
        commitFiles(repo, 'stable', { '.zuul.yaml': stable });
      },
    });
    assert.deepEqual(jobIn(freezeFor(layout, 'check', 'puppet-integration'), 'puppet-lint').tags, [
      'master',
    ]);
    const onStable = jobIn(
      freezeFor(layout, 'check', 'puppet-integration', 'stable'),
      'puppet-lint',
    );
    assert.deepEqual(onStable.tags, ['stable']);
    assert.equal(onStable.preRun.length, 3);
  });

  test('branch-templates: a template job with an explicit branch regex, and its removal on one branch', async () => {
    // TestBranchTemplates.test_template_removal_from_branch
    const layout = await tenantLayout('branch-templates', {
      prepare: (d) => {
        for (const p of ['puppet-integration', 'puppet-tripleo']) {
          branches(p, 'stable/newton', 'stable/ocata')(d);
        }
        commitFiles(d.repoPath('gerrit', 'puppet-tripleo'), 'stable/newton', {
          '.zuul.yaml':
            '- project:\n    name: puppet-tripleo\n    check:\n      jobs:\n        - puppet-something\n',
        });
      },
    });
    const unit = jobIn(
      freezeFor(layout, 'check', 'puppet-integration', 'stable/newton'),
      'puppet-unit-3.8',
    );
    // Every branch's copy of the explicitly matched job applies (the regex
    // overrides the implied matcher); the parent comes from the branch.
    assert.deepEqual(stanzas(unit), [
      'base@project-config:master',
      'puppet-unit-base@puppet-integration:stable/newton',
      'puppet-unit-3.8@puppet-integration:master',
      'puppet-unit-3.8@puppet-integration:stable/newton',
      'puppet-unit-3.8@puppet-integration:stable/ocata',
      'puppet-unit-3.8@puppet-integration:stable/newton',
    ]);
    assert.deepEqual(unit.vars, { puppet_gem_version: 3.8 });
    // Zuul 14's inheritance path texts (as the freeze-job API shows them):
    // a stanza without `branches` shows the matcher it would imply.
    assert.deepEqual(unit.inheritancePath, [
      '<Job base explicit: None implied: {MatchAny:{ImpliedBranchMatcher:master}} source: project-config/zuul.yaml@master#14>',
      '<Job puppet-unit-base explicit: None implied: {MatchAny:{ImpliedBranchMatcher:stable/newton}} source: puppet-integration/.zuul.yaml@stable/newton#1>',
      '<Job puppet-unit-3.8 explicit: {MatchAny:{BranchMatcher:^(stable/(newton|ocata)).*$}} implied: None source: puppet-integration/.zuul.yaml@master#5>',
      '<Job puppet-unit-3.8 explicit: {MatchAny:{BranchMatcher:^(stable/(newton|ocata)).*$}} implied: None source: puppet-integration/.zuul.yaml@stable/newton#5>',
      '<Job puppet-unit-3.8 explicit: {MatchAny:{BranchMatcher:^(stable/(newton|ocata)).*$}} implied: None source: puppet-integration/.zuul.yaml@stable/ocata#5>',
      '<Job puppet-unit-3.8 explicit: None implied: None source: puppet-integration/.zuul.yaml@stable/newton#16>',
    ]);
    assert.deepEqual(jobNames(freezeFor(layout, 'check', 'puppet-integration')), []);
    assert.deepEqual(jobNames(freezeFor(layout, 'check', 'puppet-tripleo', 'stable/ocata')), [
      'puppet-unit-3.8',
    ]);
    assert.deepEqual(jobNames(freezeFor(layout, 'check', 'puppet-tripleo', 'stable/newton')), [
      'puppet-something',
    ]);
  });

  test('branch-negative: negative lookahead and negate: true in project-pipeline branches', async () => {
    // TestBranchNegative.test_negative_branch_match(_regex)
    const layout = await tenantLayout('branch-negative', {
      prepare: (d) => {
        branches('org/project', 'stable/pike')(d);
        branches('org/project2', 'stable/pike')(d);
      },
    });
    assert.deepEqual(jobNames(freezeFor(layout, 'check', 'org/project')), ['test-job']);
    assert.deepEqual(jobNames(freezeFor(layout, 'check', 'org/project', 'stable/pike')), []);
    assert.deepEqual(jobNames(freezeFor(layout, 'check', 'org/project2')), ['test-job2']);
    assert.deepEqual(jobNames(freezeFor(layout, 'check', 'org/project2', 'stable/pike')), []);
  });

  test('branch-mismatch: override-checkout selects the parent’s variants; implied matchers are not regexes', async () => {
    // TestBranchMismatch.test_job_override_branch / test_implied_branch_matcher_regex
    const layout = await tenantLayout('branch-mismatch', {
      prepare: (d) => {
        branches('org/project1', 'stable', 'feature/foo-0.1.12+bar')(d);
        branches('org/project2', 'devel')(d);
      },
    });
    const devel = freezeFor(layout, 'check', 'org/project2', 'devel');
    assert.deepEqual(jobNames(devel), ['project-test1', 'project-test2']);
    assert.deepEqual(stanzas(jobIn(devel, 'project-test1')), [
      'base@common-config:master',
      'project-test1@org/project1:stable',
      'project-test1@org/project2:devel',
    ]);
    const test2 = jobIn(devel, 'project-test2');
    assert.deepEqual(stanzas(test2), [
      'base@common-config:master',
      'project-test1@org/project1:stable',
      'project-test2@org/project2:devel',
      'project-test2@org/project2:devel',
    ]);
    assert.equal(test2.overrideCheckout, 'stable');
    const plus = freezeFor(layout, 'check', 'org/project1', 'feature/foo-0.1.12+bar');
    assert.deepEqual(stanzas(jobIn(plus, 'project-test1')), [
      'base@common-config:master',
      'project-test1@org/project1:feature/foo-0.1.12+bar',
      'project-test1@org/project1:feature/foo-0.1.12+bar',
    ]);
  });

  test('branch-ref: branch matchers on refs select tag jobs; a tag on both branches gets both stanzas', async () => {
    // TestBranchRef.test_ref_match
    const layout = await tenantLayout('branch-ref', {
      prepare: (d) => {
        const repo = d.repoPath('gerrit', 'org/project');
        addBranch(repo, 'stable');
        commitFiles(repo, 'stable', {
          'zuul.yaml':
            '- project:\n    tag:\n      jobs:\n        - other-job:\n            branches: "^refs/tags/tag1-.*$"\n',
        });
      },
    });
    assert.deepEqual(tagJobs(layout, 'org/project', 'tag1-a', ['master', 'stable']), [
      'test-job-1',
      'other-job',
    ]);
    assert.deepEqual(tagJobs(layout, 'org/project', 'tag1-b', ['master']), ['test-job-1']);
    assert.deepEqual(tagJobs(layout, 'org/project', 'tag2-a', ['master']), ['test-job-2']);
  });

  test('branch-tag: tags run jobs through the branches containing the tagged commit', async () => {
    // TestBranchTag.test_no_branch_match / test_no_branch_match_divergent_multi_branch
    const single = await tenantLayout('branch-tag');
    assert.deepEqual(tagJobs(single, 'org/project', 'foo', ['master']), [
      'central-job',
      'test-job',
    ]);

    const divergent = await tenantLayout('branch-tag', {
      prepare: (d) => {
        const repo = d.repoPath('gerrit', 'org/project');
        addBranch(repo, 'stable/pike');
        commitFiles(repo, 'master', {
          '.zuul.yaml': `- job:\n    name: test2-job\n    run: playbooks/test-job.yaml\n- project:\n    name: org/project\n    tag:\n      jobs:\n        - central-job\n        - test2-job\n`,
        });
      },
    });
    assert.deepEqual(tagJobs(divergent, 'org/project', 'foo', ['stable/pike']), [
      'central-job',
      'test-job',
    ]);
    assert.deepEqual(tagJobs(divergent, 'org/project', 'bar', ['master']), [
      'central-job',
      'test2-job',
    ]);
    // The detached-tag case: no containing branch, no jobs.
    assert.deepEqual(tagJobs(divergent, 'org/project', 'detached', []), []);
  });
});

describe('fixture scenarios: branch matchers of project stanzas', () => {
  const projects = ['org/project1', 'org/project2', 'org/reproject3', 'org/reproject4'];
  // Per project: the branch it runs testjob on (implied via pragma, or explicit).
  const expected: Record<string, string> = {
    'org/project1': 'stable/implied',
    'org/project2': 'stable/explicit',
    'org/reproject3': 'stable/implied',
    'org/reproject4': 'stable/explicit',
  };
  const branchAll = (extra: string[]) => (d: FixtureDeployment) => {
    for (const p of [...projects, ...extra]) branches(p, 'stable/implied', 'stable/explicit')(d);
  };
  const check = (layout: Layout) => {
    for (const p of projects) {
      for (const b of ['stable/implied', 'stable/explicit']) {
        assert.deepEqual(
          jobNames(freezeFor(layout, 'check', p, b)),
          b === expected[p] ? ['testjob'] : [],
          `${p}@${b}`,
        );
      }
    }
  };

  test('config-project-branch-matcher: a pragma’s implied-branches apply to config-project stanzas', async () => {
    // TestConfigProjectBranchMatcher.test_config_project_branch_matcher
    const layout = await tenantLayout('config-project-branch-matcher', {
      prepare: branchAll([]),
    });
    check(layout);
  });

  test('untrusted-project-branch-matcher: configure-projects stanzas of a superproject', async () => {
    // TestUntrustedProjectBranchMatcher.test_untrusted_project_branch_matcher
    const layout = await tenantLayout('untrusted-project-branch-matcher', {
      prepare: branchAll(['superproject']),
    });
    check(layout);
    // Each of the superproject's three branches holds a copy of the stanza;
    // with implied-branches all three apply to stable/implied.
    assert.deepEqual(
      stanzas(jobIn(freezeFor(layout, 'check', 'org/project1', 'stable/implied'), 'testjob')),
      [
        'base@common-config:master',
        'testjob@common-config:master',
        'testjob@superproject:master',
        'testjob@superproject:stable/explicit',
        'testjob@superproject:stable/implied',
      ],
    );
    // Its own project stanza is forced to its own branch.
    assert.deepEqual(jobNames(freezeFor(layout, 'check', 'superproject')), ['testjob']);
  });

  test('pragma-multibranch: implied matchers keep pike jobs off jewel until a pragma changes them', async () => {
    // TestPragmaMultibranch.test_no_branch_matchers / test_supplied_branch_matchers
    const base = (d: FixtureDeployment) => {
      branches('org/project1', 'stable/pike')(d);
      branches('org/project2', 'stable/jewel')(d);
    };
    const original = fixtureFile('pragma-multibranch/git/org_project1/zuul.yaml');
    const without = await tenantLayout('pragma-multibranch', { prepare: base });
    assert.deepEqual(jobNames(freezeFor(without, 'check', 'org/project2', 'stable/jewel')), []);
    assert.deepEqual(jobNames(freezeFor(without, 'check', 'org/project2')), [
      'test-job1',
      'test-job2',
    ]);

    for (const pragma of [
      '- pragma:\n    implied-branch-matchers: False\n',
      '- pragma:\n    implied-branches:\n      - stable/pike\n      - stable/jewel\n',
    ]) {
      const layout = await tenantLayout('pragma-multibranch', {
        prepare: (d) => {
          base(d);
          commitFiles(d.repoPath('gerrit', 'org/project1'), 'stable/pike', {
            'zuul.yaml': `${pragma}${original}`,
          });
        },
      });
      const jewel = freezeFor(layout, 'check', 'org/project2', 'stable/jewel');
      assert.deepEqual(jobNames(jewel), ['test-job1', 'test-job2'], pragma);
      assert.deepEqual(stanzas(jobIn(jewel, 'test-job2')), [
        'base@common-config:master',
        'test-job2@org/project1:stable/pike',
        'test-job2@org/project2:stable/jewel',
      ]);
      if (pragma.includes('implied-branches')) {
        assert.match(
          jobIn(jewel, 'test-job1').inheritancePath[1]!,
          /^<Job test-job1 explicit: None implied: \{MatchAny:\{BranchMatcher:stable\/pike\},\{BranchMatcher:stable\/jewel\}\} source: org\/project1\/zuul\.yaml@stable\/pike#\d+>$/,
        );
      }
    }
  });

  test('role-branches: override-checkout (job or required project) picks the parent’s stable variant', async () => {
    // TestRoleBranches.test_playbook_role_branches
    const layout = await tenantLayout('role-branches', { prepare: branches('project1', 'stable') });
    const result = freezeFor(layout, 'check', 'project2');
    assert.deepEqual(jobNames(result), [
      'child-job',
      'child-job-override',
      'child-job-project-override',
    ]);
    const parentOf = (name: string) => stanzas(jobIn(result, name))[1];
    assert.equal(parentOf('child-job'), 'parent-job@project1:master');
    assert.equal(parentOf('child-job-override'), 'parent-job@project1:stable');
    assert.equal(parentOf('child-job-project-override'), 'parent-job@project1:stable');
    const override = jobIn(result, 'child-job-override');
    assert.equal(override.overrideCheckout, 'stable');
    assert.deepEqual(playbooks(override), {
      pre: ['playbooks/pre-base.yaml', 'playbooks/parent-job-pre.yaml'],
      run: ['playbooks/child-job.yaml'],
      post: [],
    });
    assert.equal(override.preRun[1]?.sourceContext.branch, 'stable');
    assert.deepEqual(
      [...jobIn(result, 'child-job-project-override').requiredProjects.values()].map((rp) => [
        rp.projectCanonicalName,
        rp.overrideCheckout,
      ]),
      [['review.example.com/project1', 'stable']],
    );
  });
});

describe('fixture scenarios: templates and regex project stanzas', () => {
  test('templated-project: templates from an untrusted project, layered, on branches too', async () => {
    // TestSchedulerTemplatedProject.test_job_from_templates_executed,
    // test_layered_templates, test_unimplied_branch_matchers, test_implied_branch_matchers
    const layout = await tenantLayout('templated-project', {
      prepare: (d) => {
        branches('org/layered-project', 'stable')(d);
        branches('untrusted-config', 'stable')(d);
      },
    });
    assert.deepEqual(jobNames(freezeFor(layout, 'check', 'org/templated-project')), [
      'project-test1',
      'project-test2',
    ]);
    const layered = freezeFor(layout, 'check', 'org/layered-project');
    assert.deepEqual(jobNames(layered), [
      'project-test1',
      'project-test2',
      'layered-project-test3',
      'layered-project-test4',
      'layered-project-foo-test5',
      'project-test6',
    ]);
    assert.deepEqual(stanzas(jobIn(layered, 'project-test1')), [
      'base@common-config:master',
      'project-test1@common-config:master',
      'project-test1@untrusted-config:master',
    ]);
    // The config project's stanza has no branch matcher: it applies on
    // stable; untrusted-config's own stanza applies on its own stable copy.
    assert.deepEqual(jobNames(freezeFor(layout, 'check', 'org/layered-project', 'stable')), [
      'project-test1',
      'project-test2',
      'layered-project-test3',
      'layered-project-test4',
      'layered-project-foo-test5',
      'project-test6',
    ]);
    const own = jobIn(freezeFor(layout, 'check', 'untrusted-config', 'stable'), 'project-test1');
    assert.deepEqual(stanzas(own).at(-1), 'project-test1@untrusted-config:stable');
  });

  test('regex-project: regex stanzas by name and by canonical name', async () => {
    // TestSchedulerRegexProject.test_regex_project: 1 + 3 + 3 builds.
    const layout = await tenantLayout('regex-project');
    assert.deepEqual(jobNames(freezeFor(layout, 'check', 'org/project')), ['project-test']);
    for (const [project, own] of [
      ['org/project1', 'project-test1'],
      ['org/project2', 'project-test2'],
    ] as const) {
      const result = freezeFor(layout, 'check', project);
      assert.deepEqual(jobNames(result), [
        own,
        'project-common-test',
        'project-common-test-canonical',
      ]);
      const canonical = jobIn(result, 'project-common-test-canonical');
      assert.deepEqual(chain(canonical), [
        'base',
        'project-common-test',
        'project-common-test-canonical',
        'project-common-test-canonical',
      ]);
      assert.deepEqual(canonical.nodesetAlternatives[0]?.nodes, [
        { names: ['controller'], label: 'label1' },
      ]);
    }
    // org/project1 is a config project: its playbook is trusted.
    assert.equal(
      jobIn(freezeFor(layout, 'check', 'org/project1'), 'project-test1').run[0]?.trusted,
      true,
    );
    assert.equal(
      jobIn(freezeFor(layout, 'check', 'org/project2'), 'project-test2').run[0]?.trusted,
      false,
    );
  });
});
