// Zuul's own test scenarios frozen for one project and branch: inheritance,
// base jobs, central jobs, shadowing, playbook lists, final, protected and
// allowed-projects. Expectations come from the Zuul unit tests that load
// each scenario (tests/unit/test_v3.py, test_scheduler.py; named per test)
// and from Zuul's documented inheritance rules. Where a Zuul test proposes
// in-repo configuration, the test commits the same file first (freezing
// sees the same layout either way).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  addBranch,
  chain,
  commitFiles,
  freezeError,
  freezeFor,
  jobIn,
  jobNames,
  nodesOf,
  playbooks,
  stanzas,
  tenantLayout,
} from './freeze-fixtures-helpers.js';

const projectJobs = (name: string, ...jobs: string[]) =>
  `- project:\n    name: ${name}\n    check:\n      jobs:\n${jobs.map((j) => `        - ${j}\n`).join('')}`;

describe('fixture scenarios: inheritance', () => {
  test('abstract: a child of an abstract job runs; the abstract job itself may not', async () => {
    // TestAbstract.test_child_of_abstract / test_abstract_fail
    const child = await tenantLayout('abstract', {
      prepare: (d) =>
        commitFiles(d.repoPath('gerrit', 'org/project'), 'master', {
          'zuul.yaml': projectJobs('org/project', 'job-child'),
        }),
    });
    const job = jobIn(freezeFor(child, 'check', 'org/project'), 'job-child');
    assert.deepEqual(chain(job), ['base', 'job-abstract', 'job-child', 'job-child']);
    assert.equal(job.parent, 'job-abstract');
    assert.equal(job.abstract, false);
    assert.deepEqual(playbooks(job).run, ['playbooks/base.yaml']);

    const fail = await tenantLayout('abstract', {
      prepare: (d) =>
        commitFiles(d.repoPath('gerrit', 'org/project'), 'master', {
          'zuul.yaml': projectJobs('org/project', 'job-abstract'),
        }),
    });
    assert.equal(
      freezeError(freezeFor(fail, 'check', 'org/project')),
      'Job job-abstract is abstract and may not be directly run',
    );
  });

  test('intermediate: several intermediate/abstract levels, then a concrete job', async () => {
    // TestIntermediate.test_intermediate_several / test_intermediate_fail
    const layout = await tenantLayout('intermediate', {
      prepare: (d) =>
        commitFiles(d.repoPath('gerrit', 'org/project'), 'master', {
          '.zuul.yaml': projectJobs('org/project', 'job-actual'),
        }),
    });
    const job = jobIn(freezeFor(layout, 'check', 'org/project'), 'job-actual');
    assert.deepEqual(chain(job), [
      'base',
      'job-abstract-intermediate',
      'job-another-intermediate',
      'job-another-abstract',
      'job-actual',
      'job-actual',
    ]);
    assert.equal(job.abstract, false);
    assert.equal(job.intermediate, false, 'intermediate is not inherited');

    const fail = await tenantLayout('intermediate', {
      allowErrors: [/is intermediate but "job-instantiate-intermediate" is not abstract/],
      prepare: (d) =>
        commitFiles(d.repoPath('gerrit', 'org/project'), 'master', {
          'zuul.yaml': `- job:\n    name: job-instantiate-intermediate\n    parent: job-abstract-intermediate\n${projectJobs('org/project', 'job-instantiate-intermediate')}`,
        }),
    });
    assert.match(
      freezeError(freezeFor(fail, 'check', 'org/project')),
      /^Intermediate job <Job job-abstract-intermediate .*> may only be inherited by another abstract job$/,
    );
  });

  test('base-jobs: the tenant default-parent, or a job’s own base', async () => {
    // TestBaseJobs.test_multiple_base_jobs: jobtags mybase / otherbase.
    const layout = await tenantLayout('base-jobs');
    const result = freezeFor(layout, 'check', 'org/project');
    assert.deepEqual(jobNames(result), ['my-job', 'other-job']);
    const my = jobIn(result, 'my-job');
    assert.deepEqual(stanzas(my), [
      'my-base@common-config:master',
      'my-job@org/project:master',
      'my-job@org/project:master',
    ]);
    assert.deepEqual(my.tags, ['mybase']);
    assert.deepEqual(playbooks(my).run, ['playbooks/my-job.yaml']);
    const other = jobIn(result, 'other-job');
    assert.deepEqual(chain(other), ['other-base', 'other-job', 'other-job']);
    assert.equal(other.parent, 'other-base');
    assert.deepEqual(other.tags, ['otherbase']);
  });

  test('central-jobs: a job or template from a branchless repo applies on the branch that uses it', async () => {
    // TestCentralJobs._test_central_job_on_branch / _test_central_template_on_branch
    const onMaster = await tenantLayout('central-jobs', {
      prepare: (d) => {
        const repo = d.repoPath('gerrit', 'org/project');
        addBranch(repo, 'stable');
        commitFiles(repo, 'master', { '.zuul.yaml': projectJobs('org/project', 'central-job') });
      },
    });
    const job = jobIn(freezeFor(onMaster, 'check', 'org/project'), 'central-job');
    assert.deepEqual(stanzas(job), [
      'base@common-config:master',
      'central-job@central-jobs:master',
      'central-job@org/project:master',
    ]);
    assert.equal(job.run[0]?.trusted, false);
    assert.deepEqual(jobNames(freezeFor(onMaster, 'check', 'org/project', 'stable')), []);

    const template = await tenantLayout('central-jobs', {
      prepare: (d) => {
        const repo = d.repoPath('gerrit', 'org/project');
        addBranch(repo, 'stable');
        commitFiles(repo, 'stable', {
          '.zuul.yaml': '- project:\n    name: org/project\n    templates: [central-jobs]\n',
        });
      },
    });
    assert.deepEqual(jobNames(freezeFor(template, 'check', 'org/project', 'stable')), [
      'central-job',
    ]);
    assert.deepEqual(jobNames(freezeFor(template, 'check', 'org/project')), []);
  });

  test('implicit-project: project stanzas without a name configure their own project', async () => {
    // TestEmptyConfigFile.test_implicit_project
    const layout = await tenantLayout('implicit-project');
    assert.deepEqual(jobNames(freezeFor(layout, 'check', 'common-config')), ['test-common']);
    const check = freezeFor(layout, 'check', 'org/project');
    assert.deepEqual(jobNames(check), ['test-common', 'test-project']);
    assert.deepEqual(jobNames(freezeFor(layout, 'gate', 'org/project')), [
      'test-common',
      'test-project',
    ]);
    assert.equal(jobIn(check, 'test-common').run[0]?.trusted, true);
    assert.equal(jobIn(check, 'test-project').run[0]?.trusted, false);
  });

  test('shadow: the shadowing config project’s base and test2 win over stdlib’s', async () => {
    // TestShadow.test_shadow
    const layout = await tenantLayout('shadow');
    const result = freezeFor(layout, 'check', 'org/project');
    assert.deepEqual(jobNames(result), ['test1', 'test2']);
    assert.deepEqual(stanzas(jobIn(result, 'test1')), [
      'base@local-config:master',
      'test1@stdlib:master',
      'test1@local-config:master',
    ]);
    const test2 = jobIn(result, 'test2');
    assert.deepEqual(stanzas(test2), [
      'base@local-config:master',
      'test2@local-config:master',
      'test2@local-config:master',
    ]);
    assert.equal(test2.run[0]?.trusted, true, 'stdlib’s test2 playbook is not used');
  });

  test('one-project: a new branch runs the branch copy of the project stanza', async () => {
    // TestBranchCreation.test_missed_branch_create (after the full reconfiguration)
    const layout = await tenantLayout('one-project', {
      prepare: (d) => addBranch(d.repoPath('gerrit', 'org/project'), 'stable/yoga'),
    });
    const job = jobIn(freezeFor(layout, 'check', 'org/project', 'stable/yoga'), 'test-job');
    assert.deepEqual(stanzas(job), [
      'base@common-config:master',
      'test-job@common-config:master',
      'test-job@org/project:stable/yoga',
    ]);
    assert.deepEqual(playbooks(job).run, ['playbooks/base.yaml']);
  });

  test('cleanup-playbook: post-run lists child first, cleanup playbooks in place', async () => {
    // TestCleanupPlaybooks: base-cleanup and cleanup run after the others.
    const layout = await tenantLayout('cleanup-playbook', {
      prepare: (d) =>
        commitFiles(d.repoPath('gerrit', 'org/project'), 'master', {
          '.zuul.yaml': projectJobs(
            'org/project',
            'python27',
            'python27-cleanup-timeout',
            'child-cleanup-failure',
          ),
        }),
    });
    const result = freezeFor(layout, 'check', 'org/project');
    const py = jobIn(result, 'python27');
    assert.deepEqual(playbooks(py), {
      pre: ['playbooks/base-pre.yaml', 'playbooks/pre.yaml'],
      run: ['playbooks/python27.yaml'],
      post: [
        'playbooks/post.yaml',
        'playbooks/cleanup.yaml',
        'playbooks/base-post.yaml',
        'playbooks/base-cleanup.yaml',
      ],
    });
    assert.deepEqual(
      py.postRun.map((p) => p.cleanup),
      [false, true, false, true],
    );
    assert.deepEqual(nodesOf(py), ['test_node:test_label']);
    const timeout = jobIn(result, 'python27-cleanup-timeout');
    assert.equal(timeout.postTimeout, 5);
    assert.deepEqual(playbooks(timeout).post, [
      'playbooks/cleanup-timeout.yaml',
      'playbooks/base-post.yaml',
      'playbooks/base-cleanup.yaml',
    ]);
    const child = jobIn(result, 'child-cleanup-failure');
    assert.deepEqual(chain(child), [
      'base',
      'python27-failure',
      'child-cleanup-failure',
      'child-cleanup-failure',
    ]);
    assert.deepEqual(playbooks(child), {
      pre: ['playbooks/base-pre.yaml', 'playbooks/child-pre.yaml'],
      run: ['playbooks/failure.yaml'],
      post: [
        'playbooks/child-post.yaml',
        'playbooks/child-cleanup.yaml',
        'playbooks/cleanup.yaml',
        'playbooks/base-post.yaml',
        'playbooks/base-cleanup.yaml',
      ],
    });
  });

  test('include-vars: project vars under job vars, dependencies, include-vars kept per job', async () => {
    // TestIncludeVars: parent-job feeds same-project, which also includes vars.
    const layout = await tenantLayout('include-vars');
    const result = freezeFor(layout, 'check', 'org/project1');
    assert.deepEqual(jobNames(result), ['parent-job', 'same-project', 'other-project']);
    const same = jobIn(result, 'same-project');
    assert.deepEqual(same.vars, {
      project_var_precedence: 'project-vars',
      job_var_precedence: 'job-vars',
    });
    assert.deepEqual(same.dependencies, [{ name: 'parent-job', soft: false }]);
    assert.deepEqual(
      same.includeVars.map((iv) => [iv.name, iv.projectCanonicalName, iv.useRef]),
      [['project1-vars.yaml', 'review.example.com/org/project1', true]],
    );
    assert.deepEqual(nodesOf(same), ['controller:label1']);
    const other = jobIn(result, 'other-project');
    assert.deepEqual(
      other.includeVars.map((iv) => iv.projectCanonicalName),
      ['review.example.com/org/project2'],
    );
    const two = freezeFor(layout, 'check', 'org/project2');
    assert.deepEqual(jobNames(two), [
      'zuul-project',
      'zuul-project-required',
      'zuul-project-missing-ok',
    ]);
    assert.deepEqual(
      jobIn(two, 'zuul-project-missing-ok').includeVars.map((iv) => [
        iv.projectCanonicalName,
        iv.required,
      ]),
      [[null, false]],
    );
  });
});

describe('fixture scenarios: final, protected, allowed-projects', () => {
  const withProject = (stanza: string) => ({
    prepare: (d: { repoPath(c: string, p: string): string }) =>
      commitFiles(d.repoPath('gerrit', 'org/project'), 'master', { '.zuul.yaml': stanza }),
  });

  test('final: a final job runs as defined; changing its vars is an error, context attributes are not', async () => {
    // TestFinal.test_final_variant_ok / test_final_variant_error
    const ok = await tenantLayout('final', withProject(projectJobs('org/project', 'job-final')));
    const job = jobIn(freezeFor(ok, 'check', 'org/project'), 'job-final');
    assert.equal(job.final, true);
    assert.deepEqual(job.vars, { dont_override_this: 'dummy' });
    assert.deepEqual(playbooks(job).run, ['playbooks/job-final.yaml']);

    const bad = await tenantLayout(
      'final',
      withProject(
        '- project:\n    name: org/project\n    check:\n      jobs:\n        - job-final:\n            vars:\n              dont_override_this: bar\n',
      ),
    );
    assert.equal(
      freezeError(freezeFor(bad, 'check', 'org/project')),
      "Unable to modify final job <Job job-final explicit: None implied: {MatchAny:{ImpliedBranchMatcher:master}} source: common-config/zuul.yaml@master#14> attribute variables={'dont_override_this': 'bar'} with variant <Job job-final explicit: None implied: None source: org/project/.zuul.yaml@master#1>",
    );

    // semantics §H rule 8: voting and tags are context attributes.
    const context = await tenantLayout(
      'final',
      withProject(
        '- project:\n    name: org/project\n    check:\n      jobs:\n        - job-final:\n            voting: false\n            tags: [from-project]\n',
      ),
    );
    const changed = jobIn(freezeFor(context, 'check', 'org/project'), 'job-final');
    assert.equal(changed.voting, false);
    assert.deepEqual(changed.tags, ['from-project']);
    assert.deepEqual(changed.vars, { dont_override_this: 'dummy' });
  });

  test('protected: children in the same project only', async () => {
    // TestProtected.test_protected_ok / test_protected_inherit_not_ok
    const ok = await tenantLayout('protected', {
      prepare: (d) =>
        commitFiles(d.repoPath('gerrit', 'org/project'), 'master', {
          'zuul.yaml': `- job:\n    name: job-protected\n    protected: true\n    run: playbooks/job-protected.yaml\n- job:\n    name: job-child-ok\n    parent: job-protected\n${projectJobs('org/project', 'job-child-ok')}`,
        }),
    });
    const job = jobIn(freezeFor(ok, 'check', 'org/project'), 'job-child-ok');
    assert.deepEqual(chain(job), ['base', 'job-protected', 'job-child-ok', 'job-child-ok']);
    assert.equal(job.protectedOrigin, 'review.example.com/org/project');
    assert.deepEqual(playbooks(job).run, ['playbooks/job-protected.yaml']);

    const notOk = await tenantLayout('protected', {
      allowErrors: [/is a protected job in a different project/],
      prepare: (d) =>
        commitFiles(d.repoPath('gerrit', 'org/project1'), 'master', {
          'zuul.yaml': `- job:\n    name: job-child-notok\n    run: playbooks/job-child-notok.yaml\n    parent: job-protected\n${projectJobs('org/project1', 'job-child-notok')}`,
        }),
    });
    assert.match(
      freezeError(freezeFor(notOk, 'check', 'org/project1')),
      /^Job <Job job-protected .*> which is defined in review\.example\.com\/org\/project is protected and cannot be inherited from other projects\.$/,
    );
  });

  test('allowed-projects: restricted jobs run only for the listed projects', async () => {
    // TestAllowedProjects.test_allowed_projects
    const layout = await tenantLayout('allowed-projects');
    const one = freezeFor(layout, 'check', 'org/project1');
    assert.deepEqual(jobNames(one), ['test-project1', 'restricted-job']);
    assert.deepEqual(chain(jobIn(one, 'test-project1')), [
      'base',
      'restricted-job',
      'test-project1',
      'test-project1',
    ]);
    assert.deepEqual([...(jobIn(one, 'restricted-job').allowedProjects ?? [])], ['org/project1']);
    // test-project2 narrows org/project1 ∩ org/project2 to nothing.
    assert.equal(
      freezeError(freezeFor(layout, 'check', 'org/project2')),
      'Project org/project2 is not allowed to run job test-project2',
    );
    assert.equal(
      freezeError(freezeFor(layout, 'check', 'org/project3')),
      'Project org/project3 is not allowed to run job restricted-job',
    );
  });

  test('allowed-projects-trusted: a config project may attach another project’s secret job', async () => {
    // TestAllowedProjectsTrusted.test_allowed_projects_secret_trusted
    const layout = await tenantLayout('allowed-projects-trusted');
    const job = jobIn(freezeFor(layout, 'check', 'org/project2'), 'test-project1');
    assert.deepEqual(stanzas(job), [
      'base@common-config:master',
      'test-project1@org/project1:master',
      'test-project1@common-config:master',
    ]);
    assert.equal(job.postReview, true);
    assert.deepEqual([...(job.allowedProjects ?? [])], ['org/project1']);
    assert.equal(job.ignoreAllowedProjects, true);
    assert.deepEqual(jobNames(freezeFor(layout, 'check', 'org/project1')), ['test-project1']);
  });
});
