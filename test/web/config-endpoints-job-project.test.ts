// GET /api/tenant/{t}/job/{job_name} (api-reference §25) and
// GET /api/tenant/{t}/project/{project_name} (§37) over real fixture
// repositories, field by field.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { jobNameFromUrl } from '../../src/web/routes/jobs.js';
import { fixtureApp, get, type TestApp } from './config-endpoints-helpers.js';

const JSON_TYPE = 'application/json; charset=utf-8';
const SC = { project: 'common-config', branch: 'master', path: 'zuul.yaml' };
const IMPLICIT_ROLE = {
  target_name: 'common-config',
  type: 'zuul',
  project_canonical_name: 'review.example.com/common-config',
  implicit: true,
};

function node(label: string) {
  return {
    name: 'controller',
    aliases: [],
    label,
    id: null,
    state: 'unknown',
    hold_job: null,
    comment: null,
    user_data: null,
    tenant_name: null,
    requestor: null,
  };
}

/** A job variant with Zuul's defaults, overridden by `over`. */
function variant(over: Record<string, unknown>): Record<string, unknown> {
  return {
    name: 'project-test1',
    parent: 'base',
    branches: null,
    voting: true,
    attempts: 3,
    abstract: false,
    final: false,
    override_checkout: null,
    files: [],
    irrelevant_files: [],
    variant_description: '',
    source_context: SC,
    description: null,
    required_projects: [],
    semaphores: [],
    variables: {},
    extra_variables: {},
    host_variables: {},
    group_variables: {},
    intermediate: false,
    protected: null,
    pre_timeout: null,
    timeout: null,
    post_timeout: null,
    tags: [],
    provides: [],
    requires: [],
    dependencies: [],
    roles: [],
    run: [],
    pre_run: [],
    post_run: [],
    cleanup_run: [],
    post_review: null,
    match_on_config_updates: true,
    deduplicate: 'auto',
    failure_output: [],
    image_build_name: null,
    include_vars: [],
    ansible_split_streams: null,
    ansible_version: null,
    workspace_scheme: 'golang',
    workspace_checkout: true,
    type: 'regular',
    include_projects: null,
    exclude_projects: null,
    image_name: null,
    ...over,
  };
}

const RUN_TEST1 = [
  {
    path: 'playbooks/project-test1.yaml',
    roles: [IMPLICIT_ROLE],
    secrets: [],
    semaphores: [],
    source_context: SC,
    cleanup: false,
  },
];

describe('single-tenant fixture: /job and /project', () => {
  let t: TestApp;
  before(async () => {
    t = await fixtureApp('single-tenant');
  });
  after(() => t.close());

  test('job: every variant in definition order, field by field', async () => {
    const r = await get(t.app, '/api/tenant/tenant-one/job/project-test1');
    assert.equal(r.status, 200);
    assert.equal(r.type, JSON_TYPE);
    assert.deepEqual(r.body, [
      variant({
        attempts: 4,
        roles: [IMPLICIT_ROLE],
        run: RUN_TEST1,
        nodeset: { name: '', nodes: [node('label1')], groups: [], alternatives: [] },
      }),
      variant({
        branches: ['stable'],
        variant_description: 'stable',
        roles: [IMPLICIT_ROLE],
        run: RUN_TEST1,
        nodeset: { name: '', nodes: [node('label2')], groups: [], alternatives: [] },
      }),
    ]);
  });

  test('job: a base job has parent null; noop has no source context', async () => {
    const base = await get(t.app, '/api/tenant/tenant-one/job/base');
    assert.equal(base.status, 200);
    assert.equal((base.body as Record<string, unknown>[])[0]!.parent, null);
    const noop = await get(t.app, '/api/tenant/tenant-one/job/noop');
    assert.equal(noop.status, 200);
    const [v] = noop.body as Record<string, unknown>[];
    assert.equal(v!.parent, null);
    assert.equal(v!.source_context, null);
    assert.equal('nodeset' in v!, false);
    assert.equal('nodeset_alternatives' in v!, false);
  });

  test('job: unknown job and unknown tenant → 404', async () => {
    const r = await get(t.app, '/api/tenant/tenant-one/job/no-such-job');
    assert.equal(r.status, 404);
    assert.equal((r.body as { description: string }).description, 'Job not found');
    const u = await get(t.app, '/api/tenant/nope/job/project-test1');
    assert.equal(u.status, 404);
    assert.equal((u.body as { description: string }).description, 'Unknown tenant');
  });

  test('job: the name is decoded from the raw URL with plus semantics', async () => {
    assert.equal(jobNameFromUrl('/api/tenant/t/job/a%40b%2Fc'), 'a@b/c');
    assert.equal(jobNameFromUrl('/api/tenant/t/job/a+b?x=1'), 'a b');
    assert.equal(jobNameFromUrl('/api/tenant/t/job/a%2Bb'), 'a+b');
    assert.equal(jobNameFromUrl('/api/tenant/t/job/a/b'), 'a/b');
    assert.equal(jobNameFromUrl('/api/tenant/t/job/%E0%A4%A'), undefined);
    const escaped = await get(t.app, '/api/tenant/tenant-one/job/project%2Dtest1');
    assert.equal(escaped.status, 200);
    // `+` is a space, so `project+test1` names "project test1", which does not exist.
    const plus = await get(t.app, '/api/tenant/tenant-one/job/project+test1');
    assert.equal(plus.status, 404);
  });

  test('project: metadata, configs, pipelines sorted, jobs as lists of variants', async () => {
    for (const name of ['org/project1', 'review.example.com/org/project1']) {
      const r = await get(t.app, `/api/tenant/tenant-one/project/${name}`);
      assert.equal(r.status, 200, name);
      assert.equal(r.type, JSON_TYPE);
      const body = r.body as Record<string, unknown> & { configs: Record<string, unknown>[] };
      assert.equal(body.name, 'org/project1');
      assert.equal(body.connection_name, 'gerrit');
      assert.equal(body.canonical_name, 'review.example.com/org/project1');
      assert.deepEqual(body.metadata, {
        merge_mode: 'merge-resolve',
        default_branch: 'master',
        queue_name: 'integrated',
        is_template: false,
      });
      assert.equal(body.configs.length, 1);
      const [config] = body.configs;
      const { pipelines, ...rest } = config as { pipelines: { name: string; jobs: unknown[][] }[] };
      assert.deepEqual(rest, {
        source_context: SC,
        is_template: false,
        templates: [],
        default_branch: null,
        queue_name: 'integrated',
        merge_mode: null,
      });
      assert.deepEqual(
        pipelines.map((p) => p.name),
        ['check', 'gate', 'post'],
      );
      const check = pipelines[0]!;
      assert.deepEqual(
        check.jobs.map((l) => (l as { name: string }[]).map((v) => v.name)),
        [
          ['project-merge'],
          ['project-test1'],
          ['project-test2'],
          ['project1-project2-integration'],
        ],
      );
      // Project-pipeline variants: no implicit role, no playbooks of their own.
      assert.deepEqual(
        check.jobs[1]![0],
        variant({ dependencies: [{ name: 'project-merge', soft: false }] }),
      );
      assert.deepEqual(check.jobs[0]![0], variant({ name: 'project-merge' }));
    }
  });

  test('project: unknown project, unknown tenant, admin-looking paths → 404', async () => {
    for (const url of [
      '/api/tenant/tenant-one/project/org/nope',
      '/api/tenant/tenant-one/project/org/project1/enqueue',
      '/api/tenant/nope/project/org/project1',
    ]) {
      const r = await get(t.app, url);
      assert.equal(r.status, 404, url);
      assert.equal(r.type, JSON_TYPE);
    }
    const r = await get(t.app, '/api/tenant/tenant-one/project/org/nope');
    assert.equal((r.body as { description: string }).description, 'Unknown project');
  });
});

describe('broken fixture: /project of a project without a stanza', () => {
  let t: TestApp;
  before(async () => {
    t = await fixtureApp('broken');
  });
  after(() => t.close());

  test('no project stanza: empty configs and metadata', async () => {
    const r = await get(t.app, '/api/tenant/tenant-broken/project/org/project3');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, {
      name: 'org/project3',
      connection_name: 'gerrit',
      canonical_name: 'review.example.com/org/project3',
      metadata: {},
      configs: [],
    });
  });

  test('a project of the in-repo config keeps its own source context', async () => {
    const r = await get(t.app, '/api/tenant/tenant-broken/project/org/project');
    assert.equal(r.status, 200);
    const body = r.body as { configs: { source_context: unknown }[] };
    assert.deepEqual(body.configs[0]!.source_context, {
      project: 'org/project',
      branch: 'master',
      path: '.zuul.yaml',
    });
  });
});
