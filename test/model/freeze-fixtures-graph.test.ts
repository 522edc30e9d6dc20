// Zuul's own test scenarios frozen for one project and branch: nodesets and
// nodeset alternatives, job dependencies, fail-fast and voting, file
// matchers, semaphores and secrets. Expectations come from the Zuul unit
// tests that load each scenario (named per test).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  addBranch,
  commitFiles,
  deps,
  freezeError,
  freezeFor,
  jobIn,
  jobNames,
  nodesOf,
  playbooks,
  scenario,
  secretsByPlaybook,
  stanzas,
  tenantLayout,
} from './freeze-fixtures-helpers.js';

/** Files of a Zuul fake change: /COMMIT_MSG and README plus its own. */
const changed = (...files: string[]) => ['/COMMIT_MSG', 'README', ...files];

describe('fixture scenarios: nodesets and the dependency graph', () => {
  test('nodesets: a project-defined named nodeset, and none by default', async () => {
    // TestNodesets (config/nodesets)
    const layout = await tenantLayout('nodesets');
    const job = jobIn(freezeFor(layout, 'check', 'org/project1'), 'project1-test');
    assert.deepEqual(nodesOf(job), ['controller:ubuntu-xenial']);
    assert.equal(job.nodesetAlternatives[0]?.name, 'project1-nodeset');
    assert.deepEqual(playbooks(job).run, ['playbooks/base.yaml']);
    const plain = jobIn(freezeFor(layout, 'check', 'org/project2'), 'project2-test');
    assert.deepEqual(plain.nodesetAlternatives, [{ name: '', nodes: [], groups: [] }]);
  });

  test('in-repo: nodeset alternatives, a named one then an inline one', async () => {
    // test_web.test_web_find_job_nodeset_alternatives (layouts/nodeset-alternatives.yaml)
    // on the in-repo scenario, as TestInRepoConfig's alternatives tests do.
    const layout = await tenantLayout('in-repo', {
      prepare: (d) =>
        commitFiles(d.repoPath('gerrit', 'org/project'), 'master', {
          '.zuul.yaml': `
- nodeset:
    name: fast-nodeset
    nodes:
      - name: controller
        label: fast-label
- job:
    name: project-test1
    run: playbooks/project-test1.yaml
- job:
    name: test-job
    run: playbooks/test-job.yaml
    nodeset:
      alternatives:
        - fast-nodeset
        - nodes:
            - name: controller
              label: slow-label
- project:
    name: org/project
    check:
      jobs:
        - test-job
`,
        }),
    });
    const job = jobIn(freezeFor(layout, 'check', 'org/project'), 'test-job');
    assert.deepEqual(
      job.nodesetAlternatives.map((n) => [n.name, n.nodes.map((x) => x.label)]),
      [
        ['fast-nodeset', ['fast-label']],
        ['', ['slow-label']],
      ],
    );
  });

  test('dependency-graph: dependencies in any order form the documented DAG', async () => {
    // TestDependencyGraph (config/dependency-graph)
    const layout = await tenantLayout('dependency-graph');
    const result = freezeFor(layout, 'gate', 'org/project');
    assert.deepEqual(jobNames(result), ['E', 'A', 'B', 'C', 'F', 'D', 'G']);
    const depsOf = Object.fromEntries(jobNames(result).map((n) => [n, deps(jobIn(result, n))]));
    assert.deepEqual(depsOf, {
      A: [],
      B: ['A'],
      C: ['A'],
      D: ['B'],
      E: ['C'],
      F: ['B', 'C'],
      G: ['F'],
    });
    if (!result.ok) return;
    const parents = (n: string) =>
      (result.graph.dependencies.get(jobIn(result, n)) ?? []).map((e) => e.job.name).sort();
    assert.deepEqual(parents('F'), ['B', 'C']);
  });

  test('fail-fast: soft and hard dependencies, non-voting jobs, fail-fast that cannot be unset', async () => {
    // TestFailFast (config/fail-fast)
    const layout = await tenantLayout('fail-fast');
    const check = freezeFor(layout, 'check', 'org/project');
    assert.deepEqual(jobNames(check), [
      'project-merge',
      'project-test1',
      'project-test2',
      'project-test3',
      'project-test4',
      'project-test5',
      'project-test6',
    ]);
    assert.ok(check.ok && check.failFast, 'org/project’s fail-fast: false does not unset it');
    assert.deepEqual(deps(jobIn(check, 'project-test3')), ['project-test2 (soft)']);
    assert.deepEqual(deps(jobIn(check, 'project-test4')), ['project-test2']);
    const test6 = jobIn(check, 'project-test6');
    assert.equal(test6.voting, false);
    assert.deepEqual(nodesOf(test6), ['controller:label1']);
    assert.equal(jobIn(check, 'project-test1').voting, true);
    const gate = freezeFor(layout, 'gate', 'org/project');
    assert.deepEqual(jobNames(gate), ['project-test1', 'project-test2']);
    assert.ok(gate.ok && gate.failFast);
  });

  test('job-update: files and irrelevant-files decide which jobs run; hard dependencies do not force', async () => {
    // TestJobUpdateFileMatcher.test_matchers
    const layout = await tenantLayout('job-update');
    assert.deepEqual(
      jobNames(freezeFor(layout, 'check', 'org/project', 'master', changed('README.txt'))),
      ['existing-files'],
    );
    assert.deepEqual(
      jobNames(freezeFor(layout, 'check', 'org/project', 'master', changed('something_else'))),
      ['existing-irr'],
    );
  });

  test('job-update-transitive: a matching job pulls in its hard dependencies, not soft ones', async () => {
    // TestJobUpdateTransitive.test_file_matcher_transitive and the
    // job4/job5/job6 and job7/job8/job9 chains.
    const layout = await tenantLayout('job-update-transitive');
    const run = (...files: string[]) =>
      jobNames(freezeFor(layout, 'check', 'org/project', 'master', changed(...files)));
    assert.deepEqual(run('master-1'), []);
    assert.deepEqual(run('job3.txt'), ['job1', 'job2', 'job3']);
    assert.deepEqual(run('job6.txt'), ['job5', 'job6']);
    assert.deepEqual(run('job9.txt'), ['job9']);
    const job3 = jobIn(
      freezeFor(layout, 'check', 'org/project', 'master', changed('job3.txt')),
      'job3',
    );
    assert.deepEqual(deps(job3), ['job-soft (soft)', 'job2']);
  });
});

describe('fixture scenarios: semaphores', () => {
  test('semaphore: job semaphores, resources-first, an undefined semaphore', async () => {
    // TestSemaphore.test_semaphore_one / test_semaphore_resources_first
    const layout = await tenantLayout('semaphore');
    const one = freezeFor(layout, 'check', 'org/project');
    assert.deepEqual(jobNames(one), [
      'project-test1',
      'semaphore-one-test1',
      'semaphore-one-test2',
    ]);
    assert.deepEqual(jobIn(one, 'semaphore-one-test1').semaphores, [
      { name: 'test-semaphore', resourcesFirst: false },
    ]);
    assert.deepEqual(jobIn(one, 'project-test1').semaphores, []);
    assert.deepEqual(nodesOf(jobIn(one, 'project-test1')), ['controller:label1']);
    const first = jobIn(
      freezeFor(layout, 'check', 'org/project3'),
      'semaphore-one-test1-resources-first',
    );
    assert.deepEqual(first.semaphores, [{ name: 'test-semaphore', resourcesFirst: true }]);
    const two = jobIn(freezeFor(layout, 'check', 'org/project1'), 'semaphore-two-test1');
    assert.deepEqual(two.semaphores, [{ name: 'test-semaphore-two', resourcesFirst: false }]);
  });

  test('playbook-semaphore: a semaphore held by one playbook only', async () => {
    // TestPlaybookSemaphore.test_playbook_semaphore
    const layout = await tenantLayout('playbook-semaphore');
    const job = jobIn(freezeFor(layout, 'check', 'org/project'), 'test-job');
    assert.deepEqual(job.semaphores, []);
    assert.deepEqual(job.run[0]?.semaphores, [
      { name: 'test-semaphore', resourcesFirst: false, max: 1, global: false },
    ]);
    assert.deepEqual(nodesOf(job), ['test_node:test_label']);
  });

  test('semaphore-branches: a semaphore repeated on a new branch is the same semaphore', async () => {
    // TestSemaphoreBranches.test_semaphore_branch_duplicate
    const layout = await tenantLayout('semaphore-branches', {
      prepare: (d) => addBranch(d.repoPath('gerrit', 'org/project1'), 'stable'),
    });
    const job = jobIn(freezeFor(layout, 'check', 'org/project1', 'stable'), 'project1-test');
    assert.deepEqual(stanzas(job).slice(1), [
      'project1-test@org/project1:stable',
      'project1-test@org/project1:stable',
    ]);
    assert.deepEqual(job.semaphores, [{ name: 'project1-semaphore', resourcesFirst: false }]);
    assert.equal(layout.semaphores.get('project1-semaphore')?.max, 2);
  });

  test('multi-tenant-semaphore and global-semaphores: one name, per-tenant or global', async () => {
    // TestSemaphoreMultiTenant.test_semaphore_tenant; TestGlobalSemaphores
    const multi = await scenario('multi-tenant-semaphore');
    const one = multi.get('tenant-one')!;
    const job1 = jobIn(freezeFor(one, 'check', 'org/project1'), 'project1-test1');
    assert.deepEqual(job1.semaphores, [{ name: 'test-semaphore', resourcesFirst: false }]);
    assert.deepEqual(job1.vars, { semaphore: { test: 42 } });
    assert.equal(one.semaphores.get('test-semaphore')?.max, 1);
    const two = multi.get('tenant-two')!;
    assert.deepEqual(jobNames(freezeFor(two, 'check', 'org/project2')), ['project2-test1']);
    assert.equal(two.semaphores.get('test-semaphore')?.max, 2);

    const global = await scenario('global-semaphores');
    for (const [tenant, project] of [
      ['tenant-one', 'org/project1'],
      ['tenant-two', 'org/project2'],
    ] as const) {
      const layout = global.get(tenant)!;
      const job = jobIn(freezeFor(layout, 'check', project), 'test-global-semaphore');
      assert.deepEqual(job.semaphores, [{ name: 'global-semaphore', resourcesFirst: false }]);
      const semaphore = layout.semaphores.get('global-semaphore');
      assert.ok(semaphore && 'global' in semaphore && semaphore.global);
    }
  });
});

describe('fixture scenarios: secrets', () => {
  test('secrets: a secret under its alias, only on the declaring stanza’s playbook; a branch copy', async () => {
    // TestSecrets.test_secret_branch_duplicate (check is post-review here)
    const layout = await tenantLayout('secrets', {
      prepare: (d) => addBranch(d.repoPath('gerrit', 'org/project1'), 'stable'),
    });
    for (const branch of ['master', 'stable']) {
      const job = jobIn(freezeFor(layout, 'check', 'org/project1', branch), 'project1-secret');
      assert.deepEqual(secretsByPlaybook(job), ['run:playbooks/secret.yaml: secret_name']);
      const use = job.run[0]!.secrets[0]!;
      assert.equal(use.secretName, 'project1_secret');
      assert.equal(use.projectCanonicalName, 'review.example.com/org/project1');
      assert.equal(job.postReview, true);
      assert.deepEqual([...(job.allowedProjects ?? [])], ['org/project1']);
      assert.deepEqual(nodesOf(job), ['test_node:test_label']);
    }
    const plain = jobIn(freezeFor(layout, 'check', 'org/project2'), 'project2-secret');
    assert.deepEqual(secretsByPlaybook(plain), ['run:playbooks/secret.yaml: ']);
    assert.equal(plain.postReview, false);
  });

  test('secret-inheritance: secrets never inherit; untrusted secret jobs are post-review', async () => {
    // TestSecretInheritance.test_trusted_secret_inheritance_check /
    // test_untrusted_secret_inheritance_check
    // As in Zuul, the alias-less `untrusted-secret` is an error and its job is kept.
    const layout = await tenantLayout('secret-inheritance', {
      allowErrors: [/^Variable names may only contain letters, numbers, and underscores$/],
    });
    const trusted = freezeFor(layout, 'check', 'common-config');
    assert.deepEqual(jobNames(trusted), [
      'trusted-secrets',
      'trusted-secrets-trusted-child',
      'trusted-secrets-untrusted-child',
    ]);
    assert.deepEqual(secretsByPlaybook(jobIn(trusted, 'trusted-secrets')), [
      'pre:playbooks/base-pre.yaml: base_secret',
      'run:playbooks/trusted-secrets.yaml: trusted_secret',
    ]);
    for (const child of ['trusted-secrets-trusted-child', 'trusted-secrets-untrusted-child']) {
      assert.deepEqual(secretsByPlaybook(jobIn(trusted, child)), [
        'pre:playbooks/base-pre.yaml: base_secret',
        `run:playbooks/${child}.yaml: `,
      ]);
    }
    assert.equal(jobIn(trusted, 'trusted-secrets-untrusted-child').postReview, false);
    assert.equal(
      freezeError(freezeFor(layout, 'check', 'org/project')),
      'Pre-review pipeline check does not allow post-review job untrusted-secrets',
    );
  });

  test('pass-to-parent: secrets passed to parents, overrides, and post-review through untrusted parents', async () => {
    // TestSecretPassToParent (files select the job; gate is post-review)
    const layout = await tenantLayout('pass-to-parent');
    const job = (project: string, pipeline: string, file: string) =>
      freezeFor(layout, pipeline, project, 'master', changed(file));
    const all = ['parent_secret', 'secret1', 'secret2'].join(',');
    const pass = jobIn(job('org/project', 'gate', 'pass.txt'), 'pass');
    assert.deepEqual(jobNames(job('org/project', 'gate', 'pass.txt')), ['pass']);
    assert.deepEqual(secretsByPlaybook(pass), [
      `pre:playbooks/pre.yaml: ${all}`,
      `run:playbooks/run.yaml: ${all}`,
      `post:playbooks/post.yaml: ${all}`,
    ]);
    const noPass = jobIn(job('org/project', 'gate', 'no-pass.txt'), 'no-pass');
    assert.deepEqual(secretsByPlaybook(noPass), [
      'pre:playbooks/pre.yaml: parent_secret',
      'run:playbooks/run.yaml: parent_secret',
      'post:playbooks/post.yaml: parent_secret',
    ]);
    // A pass-to-parent secret does not replace one of the same alias.
    const override = jobIn(job('org/project', 'gate', 'override.txt'), 'override');
    const secret1 = override.run[0]!.secrets.find((s) => s.alias === 'secret1');
    assert.equal(secret1?.secretName, 'secret1');
    assert.equal(
      freezeError(job('org/project', 'check', 'pass.txt')),
      'Pre-review pipeline check does not allow post-review job pass',
    );
    // A trusted job passing its secret into an untrusted parent becomes post-review.
    const underUntrusted = jobIn(
      job('common-config', 'gate', 'trusted-under-untrusted.txt'),
      'trusted-under-untrusted',
    );
    assert.deepEqual(stanzas(underUntrusted).slice(0, 3), [
      'base@common-config:master',
      'parent-job-without-secret@org/project:master',
      'trusted-under-untrusted@common-config:master',
    ]);
    assert.deepEqual(secretsByPlaybook(underUntrusted), [
      'pre:playbooks/pre.yaml: secret',
      'run:playbooks/run.yaml: secret',
      'post:playbooks/post.yaml: secret',
    ]);
    assert.equal(
      freezeError(job('common-config', 'check', 'trusted-under-untrusted.txt')),
      'Pre-review pipeline check does not allow post-review job trusted-under-untrusted',
    );
    // With only trusted parents it stays pre-review.
    const underTrusted = jobIn(
      job('common-config', 'check', 'trusted-under-trusted.txt'),
      'trusted-under-trusted',
    );
    assert.equal(underTrusted.postReview, false);
    assert.ok(underTrusted.run[0]?.trusted);
    assert.deepEqual(
      underTrusted.run[0]?.secrets.map((s) => s.alias),
      ['secret'],
    );
  });

  test('secret-leaks: a trusted job with a secret, attached by an untrusted project', async () => {
    // TestSecretLeaks (config/secret-leaks)
    const layout = await tenantLayout('secret-leaks', {
      prepare: (d) =>
        commitFiles(d.repoPath('gerrit', 'org/project'), 'master', {
          'zuul.yaml':
            '- project:\n    name: org/project\n    check:\n      jobs:\n        - secret-file\n',
        }),
    });
    const job = jobIn(freezeFor(layout, 'check', 'org/project'), 'secret-file');
    assert.deepEqual(secretsByPlaybook(job), ['run:playbooks/secret-file.yaml: test_secret']);
    assert.equal(job.run[0]?.trusted, true);
    assert.equal(job.postReview, false);
    assert.deepEqual(nodesOf(job), ['test_node:test_label']);
  });
});
