// JSON of the freeze-jobs and freeze-job endpoints (api-reference §33–34).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  freezeBranch,
  freezeJobJson,
  freezeJobsJson,
  jobConfigKey,
  playbookSecretVars,
} from '../../src/model/freeze/index.js';
import { layoutOf, PIPELINES } from './freeze-helpers.js';

const H = 'review.example.com';

const COMMON = `${PIPELINES}
- job:
    name: base
    parent: null
    pre-run: playbooks/base-pre.yaml
    run: playbooks/base.yaml
- secret:
    name: project1_secret
    data: {username: u}
- semaphore: {name: sem, max: 3}
- job:
    name: project-merge
- job:
    name: project-test1
    run: playbooks/project-test1.yaml
    secrets: [{name: secret_name, secret: project1_secret}]
    nodeset:
      nodes:
        - {name: [controller, alias], label: label1}
      groups:
        - {name: g, nodes: [controller]}
    required-projects: [{name: org/project2, override-checkout: stable}]
    include-vars: [{name: vars.yaml, project: org/project2}]
    tags: [zz, aa]
    failure-output: ['^ERROR']
    timeout: 30
    post-run: {name: playbooks/post.yaml, semaphores: sem}
    files: ['^src/']
    dependencies: [project-merge]
- project:
    name: org/project1
    check:
      jobs:
        - project-merge
        - project-test1
        - noop
    post:
      jobs: [project-merge, project-test1]
`;

async function layout() {
  return layoutOf(
    ['org/project1', 'org/project2'],
    {
      'common-config': { master: { 'zuul.yaml': COMMON } },
    },
    { tenantExtra: '', configProject: 'common-config' },
  );
}

test('freeze-jobs: the graph in order, file matchers skipped', async () => {
  const r = freezeJobsJson(await layout(), 'check', 'org/project1', 'master');
  assert.ok(r.ok);
  assert.deepEqual(r.json, [
    { name: 'project-merge', dependencies: [] },
    { name: 'project-test1', dependencies: [{ name: 'project-merge', soft: false }] },
    { name: 'noop', dependencies: [] },
  ]);
  const l = await layout();
  assert.deepEqual(freezeJobsJson(l, 'nope', 'org/project1', 'master'), {
    ok: false,
    status: 404,
    error: 'Unknown pipeline',
  });
  assert.deepEqual(freezeJobsJson(l, 'check', 'org/nope', 'master'), {
    ok: false,
    status: 404,
    error: 'Unknown project',
  });
});

const TOP_KEYS = [
  'ansible_split_streams',
  'ansible_version',
  'branch',
  'cleanup_playbooks',
  'exclude_projects',
  'extra_repo_state_ref',
  'extra_vars',
  'failure_output',
  'group_vars',
  'host_vars',
  'image_build_name',
  'image_name',
  'include_projects',
  'items',
  'job',
  'merge_repo_state_ref',
  'nodeset',
  'override_branch',
  'override_checkout',
  'playbooks',
  'post_playbooks',
  'post_timeout',
  'pre_playbooks',
  'pre_timeout',
  'projects',
  'repo_state_keys',
  'secret_vars',
  'ssh_keys',
  'timeout',
  'type',
  'vars',
  'workspace_checkout',
  'workspace_scheme',
  'zuul',
];

const ZUUL_KEYS = [
  '_inheritance_path',
  'branch',
  'build',
  'build_refs',
  'buildset',
  'buildset_refs',
  'change_url',
  'child_jobs',
  'event_id',
  'include_vars',
  'items',
  'job',
  'jobtags',
  'pipeline',
  'post_review',
  'post_timeout',
  'pre_timeout',
  'project',
  'projects',
  'ref',
  'tenant',
  'timeout',
  'voting',
];

// biome-ignore lint/suspicious/noExplicitAny: walking JSON output in assertions
type Json = Record<string, any>;

test('freeze-job: every field of the executor parameters', async () => {
  const r = freezeJobJson(await layout(), 'check', 'org/project1', 'master', 'project-test1');
  assert.ok(r.ok);
  const j = r.json as Json;
  assert.deepEqual(Object.keys(j).sort(), TOP_KEYS);
  assert.deepEqual(Object.keys(j.zuul).sort(), ZUUL_KEYS);
  assert.equal(j.job, 'project-test1');
  assert.equal(j.branch, 'master');
  assert.equal(j.ansible_version, '9');
  assert.equal(j.timeout, 30);
  assert.deepEqual(j.ssh_keys, []);
  assert.deepEqual(j.failure_output, ['^ERROR']);
  assert.deepEqual(j.projects, [
    {
      connection: 'gerrit',
      name: 'org/project2',
      canonical_name: `${H}/org/project2`,
      override_branch: null,
      override_checkout: 'stable',
      default_branch: 'master',
    },
    {
      connection: 'gerrit',
      name: 'org/project2',
      canonical_name: `${H}/org/project2`,
      override_branch: null,
      override_checkout: null,
      default_branch: 'master',
    },
  ]);
  assert.deepEqual(j.nodeset, {
    name: '',
    nodes: [
      {
        name: 'controller',
        aliases: ['alias'],
        label: 'label1',
        id: null,
        state: 'unknown',
        hold_job: null,
        comment: null,
        user_data: null,
        tenant_name: null,
        requestor: null,
      },
    ],
    groups: [{ name: 'g', nodes: ['controller'] }],
    alternatives: [],
  });
  assert.deepEqual(j.playbooks, [
    {
      connection: 'gerrit',
      project: 'common-config',
      branch: 'master',
      trusted: true,
      roles: [
        {
          target_name: 'common-config',
          type: 'zuul',
          project_canonical_name: `${H}/common-config`,
          implicit: true,
          project_default_branch: 'master',
          connection: 'gerrit',
          project: 'common-config',
        },
      ],
      secrets: { secret_name: 'REDACTED' },
      semaphores: [],
      path: 'playbooks/project-test1.yaml',
      cleanup: false,
      nesting_level: 1,
    },
  ]);
  assert.deepEqual(
    j.pre_playbooks.map((p: Json) => [p.path, p.nesting_level, p.secrets]),
    [['playbooks/base-pre.yaml', 0, {}]],
  );
  assert.deepEqual(j.post_playbooks[0].semaphores, [
    { name: 'sem', path: '/zuul/semaphores/t/sem', resources_first: false, max: 3 },
  ]);
  assert.deepEqual(j.cleanup_playbooks, []);
  const z = j.zuul;
  assert.equal(z.build, '0'.repeat(32));
  assert.equal(z.buildset, null);
  assert.equal(z.ref, null);
  assert.deepEqual(z.jobtags, ['aa', 'zz']);
  assert.deepEqual(z.project, {
    name: 'org/project1',
    short_name: 'project1',
    canonical_hostname: H,
    canonical_name: `${H}/org/project1`,
    src_dir: `src/${H}/org/project1`,
  });
  assert.deepEqual(z.build_refs, z.buildset_refs);
  assert.equal(z.build_refs[0].src_dir, `src/${H}/org/project1`);
  assert.deepEqual(z.projects, {
    [`${H}/org/project2`]: {
      name: 'org/project2',
      short_name: 'project2',
      canonical_name: `${H}/org/project2`,
      canonical_hostname: H,
      src_dir: `src/${H}/org/project2`,
      required: true,
    },
  });
  assert.deepEqual(z.include_vars, [
    {
      name: 'vars.yaml',
      connection: 'gerrit',
      project: 'org/project2',
      project_default_branch: 'master',
      trusted: false,
      required: true,
      use_ref: true,
    },
  ]);
  assert.equal(z._inheritance_path.length, 3);
  assert.match(
    z._inheritance_path[2],
    /^<Job project-test1 .*common-config\/zuul.yaml@master#\d+>$/,
  );
});

test('freeze-job: noop has no playbook keys; post-review pipelines redact the ssh key', async () => {
  const l = await layout();
  const noop = freezeJobJson(l, 'check', 'org/project1', 'master', 'noop');
  assert.ok(noop.ok);
  assert.equal('playbooks' in noop.json, false);
  assert.equal('pre_playbooks' in noop.json, false);
  assert.equal(freezeJobJson(l, 'check', 'org/project1', 'master', 'nope').ok, false);
  const post = freezeJobJson(l, 'post', 'org/project1', 'master', 'project-test1');
  assert.ok(post.ok);
  assert.deepEqual((post.json as Json).ssh_keys, ['REDACTED']);
  assert.equal((post.json as Json).zuul.post_review, true);
});

test('freeze-job: secrets go through the decryption seam when one is given', async () => {
  const r = freezeJobJson(
    await layout(),
    'check',
    'org/project1',
    'master',
    'project-test1',
    (use) => ({ decrypted: use.secretName, with: use.projectCanonicalName }),
  );
  assert.ok(r.ok);
  assert.deepEqual((r.json as Json).playbooks[0].secrets, {
    secret_name: { decrypted: 'project1_secret', with: `${H}/common-config` },
  });
});

test('config key: changes with the job definition, not with file matchers', async () => {
  const l = await layout();
  const frozen = freezeBranch(l, 'check', 'org/project1', 'master');
  assert.ok(frozen.ok);
  const job = frozen.graph.jobs.find((x) => x.name === 'project-test1')!;
  const key = jobConfigKey(job);
  assert.equal(jobConfigKey({ ...job, files: null }), key);
  assert.notEqual(jobConfigKey({ ...job, timeout: 31 }), key);
});

test('secrets seam: playbook secret variables, undecryptable secrets named only', async () => {
  const frozen = freezeBranch(await layout(), 'check', 'org/project1', 'master');
  assert.ok(frozen.ok);
  const pb = frozen.graph.jobs.find((x) => x.name === 'project-test1')!.run[0];
  assert.deepEqual(
    playbookSecretVars(pb, (use) => ({ from: use.secret.name })),
    { secret_name: { from: 'project1_secret' } },
  );
  assert.throws(
    () =>
      playbookSecretVars(pb, () => {
        throw new Error('ciphertext AAAA is bad');
      }),
    { message: 'Unable to decrypt secret project1_secret of project common-config' },
  );
});
