// The configuration endpoints over real fixture repositories, checked field
// by field against api-reference.md §16, §26–28, §34–36, §42, §45, §50.

import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { filterConfigErrors } from '../../src/web/routes/config-errors.js';
import { parseFreezePath } from '../../src/web/routes/freeze.js';
import { launcherCanonicalName, quotePlus } from '../../src/web/routes/labels.js';
import { fixtureApp, get, type TestApp } from './config-endpoints-helpers.js';

const JSON_TYPE = 'application/json; charset=utf-8';

describe('broken fixture: a tenant with config errors and a good one', () => {
  let t: TestApp;
  before(async () => {
    t = await fixtureApp('broken', ['tenant-good']);
  });
  after(() => t.close());

  test('projects: every project, sorted, with its type', async () => {
    const r = await get(t.app, '/api/tenant/tenant-broken/projects');
    assert.equal(r.status, 200);
    assert.equal(r.type, JSON_TYPE);
    const project = (name: string, type: string) => ({
      name,
      connection_name: 'gerrit',
      canonical_name: `review.example.com/${name}`,
      type,
    });
    assert.deepEqual(r.body, [
      project('common-config', 'config'),
      project('org/project', 'untrusted'),
      project('org/project2', 'untrusted'),
      project('org/project3', 'untrusted'),
    ]);
  });

  test('jobs: the good jobs still answer; base and noop have no variants', async () => {
    const r = await get(t.app, '/api/tenant/tenant-broken/jobs');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, [
      { name: 'base' },
      { name: 'central-test', variants: [{ parent: 'base' }] },
      { name: 'noop', description: 'A job that will always succeed, no operation.' },
    ]);
  });

  test('pipelines: the broken pipeline is left out', async () => {
    const r = await get(t.app, '/api/tenant/tenant-broken/pipelines');
    assert.deepEqual(r.body, [{ name: 'check', triggers: [{ name: 'gerrit', driver: 'gerrit' }] }]);
  });

  test('config-errors: every field, in loading order', async () => {
    const r = await get(t.app, '/api/tenant/tenant-broken/config-errors');
    assert.equal(r.status, 200);
    assert.equal(r.type, JSON_TYPE);
    const errors = r.body as Record<string, unknown>[];
    assert.equal(errors.length, 2);
    assert.deepEqual(errors[0]!.source_context, {
      project: 'common-config',
      branch: 'master',
      path: 'zuul.yaml',
    });
    assert.equal(errors[0]!.severity, 'error');
    assert.equal(errors[0]!.name, 'Unknown');
    assert.match(String(errors[0]!.short_error), /^Invalid timer time "\*\/30 \* \* \* \* 300"/);
    assert.match(
      String(errors[0]!.error),
      /^Zuul encountered a syntax error while parsing its configuration in the repo common-config on branch master\./,
    );
    assert.deepEqual(errors[1]!.source_context, {
      project: 'org/project2',
      branch: 'master',
      path: '.zuul.yaml',
    });
    assert.equal(
      errors[1]!.short_error,
      "expected a dictionary for dictionary value @ data['error']",
    );
    for (const e of errors) {
      assert.deepEqual(Object.keys(e).sort(), [
        'error',
        'line',
        'name',
        'severity',
        'short_error',
        'source_context',
      ]);
    }
  });

  test('config-errors filters', async () => {
    const names = async (q: string) =>
      (
        (await get(t.app, `/api/tenant/tenant-broken/config-errors${q}`)).body as {
          source_context: { project: string };
        }[]
      ).map((e) => e.source_context.project);
    assert.deepEqual(await names('?project=org/project2'), ['org/project2']);
    assert.deepEqual(await names('?project=review.example.com/org/project2'), []);
    assert.deepEqual(await names('?branch=master'), ['common-config', 'org/project2']);
    assert.deepEqual(await names('?branch=stable'), []);
    assert.deepEqual(await names('?severity=error'), ['common-config', 'org/project2']);
    assert.deepEqual(await names('?severity=warning'), []);
    assert.deepEqual(await names('?name=Unknown'), ['common-config', 'org/project2']);
    assert.deepEqual(await names('?name=Job+Not+Found'), []);
    assert.deepEqual(await names('?limit=1'), ['common-config']);
    assert.deepEqual(await names('?limit=0'), ['common-config'], 'Zuul quirk: limit=0 gives one');
    assert.deepEqual(await names('?skip=1'), ['org/project2']);
    assert.deepEqual(await names('?skip=1&limit=1'), ['org/project2']);
    assert.deepEqual(await names('?skip=5'), []);
    // A repeated parameter never matches; unknown parameters are ignored.
    assert.deepEqual(await names('?project=org/project2&project=common-config'), []);
    assert.deepEqual(await names('?foo=1'), ['common-config', 'org/project2']);
    const bad = await get(t.app, '/api/tenant/tenant-broken/config-errors?limit=x');
    assert.equal(bad.status, 400);
    assert.equal(bad.type, JSON_TYPE);
    assert.equal(
      (await get(t.app, '/api/tenant/tenant-broken/config-errors?skip=1.5')).status,
      400,
    );
  });

  test('freeze-jobs of a project whose own config is broken: the tenant config applies', async () => {
    const r = await get(
      t.app,
      '/api/tenant/tenant-broken/pipeline/check/project/common-config/branch/master/freeze-jobs',
    );
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, [{ name: 'noop', dependencies: [] }]);
  });

  test('unknown tenant → 404, tenant without a layout → 422, JSON errors', async () => {
    for (const path of [
      'projects',
      'jobs',
      'pipelines',
      'semaphores',
      'labels',
      'config-errors',
      'key/org/project.pub',
      'project-ssh-key/org/project.pub',
      'tenant-ssh-key/ssh.pub',
      'pipeline/check/project/org/project/branch/master/freeze-jobs',
      'pipeline/check/project/org/project/branch/master/freeze-job/noop',
    ]) {
      const missing = await get(t.app, `/api/tenant/nope/${path}`);
      assert.equal(missing.status, 404, path);
      assert.equal(missing.type, JSON_TYPE, path);
      assert.deepEqual(missing.body, { error: 'Not Found', description: 'Unknown tenant' }, path);
      const loading = await get(t.app, `/api/tenant/tenant-good/${path}`);
      assert.equal(loading.status, 422, path);
      assert.deepEqual(
        loading.body,
        { error: 'Unprocessable Entity', description: "Tenant tenant-good isn't ready" },
        path,
      );
    }
  });
});

describe('openstack fixture: branch variants, freezing and keys', () => {
  let t: TestApp;
  before(async () => {
    t = await fixtureApp('openstack');
  });
  after(() => t.close());

  test('jobs: variants with parents and explicit branches, sorted by name', async () => {
    const r = await get(t.app, '/api/tenant/openstack/jobs');
    assert.deepEqual(r.body, [
      { name: 'base' },
      { name: 'dsvm', variants: [{ parent: 'base' }] },
      { name: 'noop', description: 'A job that will always succeed, no operation.' },
      {
        name: 'python27',
        variants: [{ parent: 'base' }, { parent: 'base', branches: ['stable/mitaka'] }],
      },
      { name: 'python35', variants: [{ parent: 'base' }] },
    ]);
  });

  test('pipelines in layout order; semaphores empty', async () => {
    assert.deepEqual((await get(t.app, '/api/tenant/openstack/pipelines')).body, [
      { name: 'check', triggers: [{ name: 'gerrit', driver: 'gerrit' }] },
      { name: 'gate', triggers: [{ name: 'gerrit', driver: 'gerrit' }] },
    ]);
    assert.deepEqual((await get(t.app, '/api/tenant/openstack/semaphores')).body, []);
    assert.deepEqual((await get(t.app, '/api/tenant/openstack/labels')).body, []);
  });

  test('freeze-jobs and freeze-job with slashes in project and branch names', async () => {
    const base = '/api/tenant/openstack/pipeline/check/project/openstack/nova/branch';
    const jobs = await get(t.app, `${base}/master/freeze-jobs`);
    assert.equal(jobs.status, 200);
    assert.deepEqual(jobs.body, [{ name: 'dsvm', dependencies: [] }]);
    const canonical = await get(
      t.app,
      '/api/tenant/openstack/pipeline/check/project/review.example.com/openstack/nova/branch/master/freeze-jobs',
    );
    assert.deepEqual(canonical.body, jobs.body);
    const mitaka = await get(t.app, `${base}/stable/mitaka/freeze-jobs`);
    assert.equal(mitaka.status, 200);
    const job = await get(t.app, `${base}/master/freeze-job/dsvm`);
    assert.equal(job.status, 200);
    const body = job.body as Record<string, unknown> & { zuul: Record<string, unknown> };
    assert.equal(body.job, 'dsvm');
    assert.equal(body.branch, 'master');
    assert.equal(body.zuul.build, '0'.repeat(32));
    assert.equal(body.zuul.buildset, null);
    assert.equal(body.zuul.tenant, 'openstack');
    assert.equal(body.zuul.pipeline, 'check');
    assert.deepEqual(body.zuul.project, {
      name: 'openstack/nova',
      short_name: 'nova',
      canonical_hostname: 'review.example.com',
      canonical_name: 'review.example.com/openstack/nova',
      src_dir: 'src/review.example.com/openstack/nova',
    });
    for (const key of ['playbooks', 'pre_playbooks', 'post_playbooks', 'cleanup_playbooks']) {
      assert.ok(Array.isArray(body[key]), key);
    }
  });

  test('freeze errors: unknown project, pipeline, job, malformed path → 404', async () => {
    const p = '/api/tenant/openstack/pipeline';
    const cases: [string, string][] = [
      [`${p}/check/project/org/unknown/branch/master/freeze-jobs`, 'Unknown project'],
      [`${p}/nope/project/openstack/nova/branch/master/freeze-jobs`, 'Unknown pipeline'],
      [`${p}/check/project/openstack/nova/branch/master/freeze-job/python35`, ''],
      [`${p}/check/project/openstack/nova/branch/master/freeze-job/unknown`, ''],
      [`${p}/check/project/openstack/nova/freeze-jobs`, 'Not found'],
    ];
    for (const [url, description] of cases) {
      const r = await get(t.app, url);
      assert.equal(r.status, 404, url);
      assert.equal((r.body as { description: string }).description, description, url);
    }
  });

  test('keys: secrets key as PEM, SSH keys with a newline, short and canonical names', async () => {
    const pem = await get(t.app, '/api/tenant/openstack/key/openstack/nova.pub');
    assert.equal(pem.status, 200);
    assert.match(pem.type, /^text\/plain/);
    assert.match(pem.text, /^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n$/);
    const expected = (await t.keystore.getProjectSecretsKey('gerrit', 'openstack/nova')).publicPem;
    assert.equal(pem.text, expected);
    assert.equal(createPublicKey(pem.text).asymmetricKeyType, 'rsa');
    const canonical = await get(
      t.app,
      '/api/tenant/openstack/key/review.example.com/openstack/nova.pub',
    );
    assert.equal(canonical.text, pem.text);
    const ssh = await get(t.app, '/api/tenant/openstack/project-ssh-key/openstack/nova.pub');
    assert.equal(ssh.status, 200);
    assert.match(ssh.type, /^text\/plain/);
    assert.match(ssh.text, /^ssh-rsa [A-Za-z0-9+/=]+\n$/);
    assert.equal(
      ssh.text,
      `${(await t.keystore.getProjectSshKey('gerrit', 'openstack/nova')).publicKey}\n`,
    );
    const tenant = await get(t.app, '/api/tenant/openstack/tenant-ssh-key/ssh.pub');
    assert.equal(tenant.status, 200);
    assert.equal(tenant.text, `${(await t.keystore.getTenantSshKey('openstack')).publicKey}\n`);
    assert.notEqual(tenant.text, ssh.text);
  });

  test('keys: unknown project or missing .pub → 404 Unknown project', async () => {
    for (const url of [
      '/api/tenant/openstack/key/org/unknown.pub',
      '/api/tenant/openstack/project-ssh-key/org/unknown.pub',
      '/api/tenant/openstack/key/openstack/nova',
      '/api/tenant/openstack/key/.pub',
    ]) {
      const r = await get(t.app, url);
      assert.equal(r.status, 404, url);
      assert.deepEqual(r.body, { error: 'Not Found', description: 'Unknown project' }, url);
    }
  });
});

describe('global-semaphores fixture', () => {
  let t: TestApp;
  before(async () => {
    t = await fixtureApp('global-semaphores');
  });
  after(() => t.close());

  test('semaphores: global ones granted to the tenant, holders empty', async () => {
    const r = await get(t.app, '/api/tenant/tenant-one/semaphores');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, [
      {
        name: 'global-semaphore',
        global: true,
        max: 1,
        holders: { count: 0, this_tenant: [], other_tenants: 0 },
      },
    ]);
  });
});

describe('helpers', () => {
  test('parseFreezePath: greedy project and branch names', () => {
    assert.deepEqual(parseFreezePath('check/project/org/branch/x/branch/stable/1.0/freeze-jobs'), {
      kind: 'jobs',
      pipeline: 'check',
      project: 'org/branch/x',
      branch: 'stable/1.0',
    });
    assert.deepEqual(parseFreezePath('gate/project/a/b/branch/feature/x/freeze-job/j'), {
      kind: 'job',
      pipeline: 'gate',
      project: 'a/b',
      branch: 'feature/x',
      job: 'j',
    });
    assert.equal(parseFreezePath('check/project/a/freeze-jobs'), undefined);
  });

  test('quote_plus and launcher canonical names', () => {
    assert.equal(quotePlus("a b/c!'()*~_.-"), 'a+b%2Fc%21%27%28%29%2A~_.-');
    assert.equal(
      launcherCanonicalName('review.example.com/org/common-config', 'debian-normal'),
      'review.example.com%2Forg%2Fcommon-config/debian-normal',
    );
  });

  test('filterConfigErrors: repeated values and defaults', () => {
    const e = {
      severity: 'warning' as const,
      name: 'Regex Deprecation',
      shortError: 's',
      error: 'e',
    };
    assert.deepEqual(filterConfigErrors([e], {}), [e]);
    assert.deepEqual(filterConfigErrors([e], { project: 'x' }), []);
    assert.deepEqual(filterConfigErrors([e], { severity: 'warning' }), [e]);
    assert.deepEqual(filterConfigErrors([e], { limit: 'a' }), { bad: 'limit must be an integer' });
  });
});
