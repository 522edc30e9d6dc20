// OpenDev's production tenant file must load unchanged, with every
// per-project option meaning what Zuul 14.x makes of it.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { PROVIDER_CONFIG_CLASSES, ruleMatches } from '../../src/model/tenant.js';
import { CORPUS, lineOf, parse, project, sorted, tenant } from './tenant-test-helpers.js';

const FILE = join(CORPUS, 'opendev/tenant-config/main.yaml');
const TEXT = readFileSync(FILE, 'utf8');
const CONNECTIONS = new Set(['gerrit', 'github', 'googlesource']);

type Raw = Record<string, unknown>;

/** Project names per tenant, walked independently with the `yaml` library. */
function rawProjects(): Map<string, { trusted: string[]; untrusted: string[] }> {
  const out = new Map<string, { trusted: string[]; untrusted: string[] }>();
  const names = (entry: unknown): string[] => {
    if (typeof entry === 'string') return [entry];
    const keys = Object.keys(entry as Raw);
    if (keys.includes('projects') && keys.length > 1) {
      return ((entry as Raw).projects as unknown[]).flatMap(names);
    }
    return keys;
  };
  for (const item of parseYaml(TEXT) as Raw[]) {
    if (!item.tenant) continue;
    const t = item.tenant as Raw;
    const source = t.source as Record<string, Raw>;
    const lists = { trusted: [] as string[], untrusted: [] as string[] };
    for (const body of Object.values(source)) {
      lists.trusted.push(...((body['config-projects'] as unknown[]) ?? []).flatMap(names));
    }
    for (const body of Object.values(source)) {
      lists.untrusted.push(...((body['untrusted-projects'] as unknown[]) ?? []).flatMap(names));
    }
    out.set(t.name as string, lists);
  }
  return out;
}

describe('OpenDev tenant file', () => {
  const tf = parse(TEXT, CONNECTIONS);
  const raw = rawProjects();

  it('loads all seven tenants in file order', () => {
    assert.equal(tf.tenants.length, 7);
    assert.deepEqual(
      tf.tenants.map((t) => t.name),
      [...raw.keys()],
    );
  });

  it('lists every project of every tenant, config projects first', () => {
    for (const t of tf.tenants) {
      const expected = raw.get(t.name)!;
      assert.deepEqual(
        t.projects.map((p) => p.name),
        [...expected.trusted, ...expected.untrusted],
        `tenant ${t.name}`,
      );
      const firstUntrusted = t.projects.findIndex((p) => !p.trusted);
      assert.equal(firstUntrusted, expected.trusted.length, `tenant ${t.name}`);
      assert.ok(t.projects.slice(firstUntrusted).every((p) => !p.trusted));
    }
  });

  it('applies tenant attributes and Zuul defaults', () => {
    const openstack = tenant(tf, 'openstack');
    assert.equal(openstack.useNodepool, false);
    assert.equal(openstack.maxNodesPerJob, 10);
    assert.equal(openstack.defaultAnsibleVersion, '11');
    assert.equal(tenant(tf, 'pypa').defaultAnsibleVersion, '9');
    assert.equal(tenant(tf, 'pyca').maxNodesPerJob, 1);
    // Not set in the file: Zuul's defaults.
    assert.equal(openstack.maxJobTimeout, 10800);
    assert.equal(openstack.defaultParent, 'base');
    assert.equal(openstack.maxOidcTtl, 10800);
    assert.equal(openstack.defaultOidcTtl, 3600);
    assert.equal(openstack.anonymousReadAccess, true);
    assert.equal(openstack.roleMappings, undefined);
  });

  it('honours YAML anchors and aliases', () => {
    const opendev = tenant(tf, 'opendev');
    assert.deepEqual(opendev.adminRules, ['local-admin', 'infra-root', 'tenant-group']);
    // `admin-rules: *admin_rules` in every other tenant.
    for (const t of tf.tenants) assert.deepEqual(t.adminRules, opendev.adminRules, t.name);
    // `projects: *googlesource_projects` in the openstack and zuul tenants.
    const gs = (name: string) =>
      tenant(tf, name)
        .projects.filter((p) => p.connectionName === 'googlesource')
        .map((p) => p.name);
    assert.ok(gs('opendev').length > 10);
    assert.deepEqual(gs('openstack'), gs('opendev'));
    assert.deepEqual(gs('zuul'), gs('opendev'));
  });

  it('reads allow-base-jobs on config projects', () => {
    for (const t of tf.tenants) {
      for (const p of t.projects.filter((x) => x.trusted)) {
        assert.equal(p.allowBaseJobs, p.name === 'opendev/base-jobs', `${t.name} ${p.name}`);
      }
      // Untrusted projects never may, as none sets the option.
      assert.ok(t.projects.filter((x) => !x.trusted).every((x) => !x.allowBaseJobs));
    }
  });

  it('computes load classes from include, include-provider-config and exclude', () => {
    const openstack = tenant(tf, 'openstack');
    // include: nodeset + include-provider-config: true
    assert.deepEqual(
      sorted(project(openstack, 'opendev/zuul-providers').loadClasses),
      sorted(['nodeset', ...PROVIDER_CONFIG_CLASSES]),
    );
    // Config project with include: [job, secret] loads only those.
    assert.deepEqual(sorted(project(openstack, 'opendev/base-jobs').loadClasses), [
      'job',
      'secret',
    ]);
    // Config project with exclude: nodeset keeps 14.x's provider classes.
    const baseJobs = project(tenant(tf, 'opendev'), 'opendev/base-jobs');
    assert.ok(!baseJobs.loadClasses.has('nodeset'));
    assert.ok(baseJobs.loadClasses.has('pipeline'));
    for (const c of PROVIDER_CONFIG_CLASSES) assert.ok(baseJobs.loadClasses.has(c));
    // Untrusted project with exclude: pipeline.
    const sandbox = project(openstack, 'opendev/ci-sandbox');
    assert.ok(!sandbox.loadClasses.has('pipeline'));
    assert.ok(sandbox.loadClasses.has('job'));
    // Plain untrusted projects: no provider classes, but pipeline (SRC-AUG25).
    const plain = project(openstack, 'openstack/openstack-zuul-jobs');
    assert.ok(plain.loadClasses.has('pipeline'));
    assert.ok(!plain.loadClasses.has('image'));
  });

  it('loads nothing from projects in `include: []` groups', () => {
    const opendev = tenant(tf, 'opendev');
    for (const name of ['opendev/jeepyb', 'zuul/nodepool']) {
      assert.equal(project(opendev, name).loadClasses.size, 0, name);
    }
    assert.equal(project(opendev, 'ansible/ansible', 'github').loadClasses.size, 0);
    assert.equal(project(opendev, 'jgit', 'googlesource').loadClasses.size, 0);
    // A single project with `include: []` too.
    assert.equal(project(tenant(tf, 'pyca'), 'google/wycheproof').loadClasses.size, 0);
    // A group with a non-empty include.
    assert.deepEqual(sorted(project(tenant(tf, 'vexxhost'), 'openstack/devstack').loadClasses), [
      'job',
      'nodeset',
    ]);
  });

  it('reads shadow lists in scalar and list form', () => {
    const openstack = tenant(tf, 'openstack');
    assert.deepEqual(project(openstack, 'opendev/base-jobs').shadow, ['openstack/project-config']);
    assert.deepEqual(project(openstack, 'zuul/zuul-jobs').shadow, ['openstack/project-config']);
    assert.deepEqual(project(tenant(tf, 'zuul'), 'zuul/zuul-base-jobs').shadow, [
      'opendev/base-jobs',
      'zuul/project-config',
    ]);
    assert.deepEqual(project(openstack, 'openstack/devstack').shadow, []);
  });

  it('reads extra-config-paths as directories', () => {
    const zuul = tenant(tf, 'zuul');
    for (const name of ['zuul/zuul-base-jobs', 'zuul/zuul-jobs']) {
      const p = project(zuul, name);
      assert.deepEqual(p.extraConfigPaths, ['zuul-tests.d/']);
      assert.deepEqual(p.extraConfigDirs, ['zuul-tests.d']);
      assert.deepEqual(p.extraConfigFiles, []);
    }
  });

  it('keeps the deprecated admin-rule objects as authorization rules, with warnings', () => {
    assert.deepEqual(sorted(tf.authorizationRules.keys()), [
      'infra-root',
      'local-admin',
      'tenant-group',
    ]);
    assert.deepEqual(
      tf.warnings.map((w) => w.line),
      [1, 2, 3].map((n) => lineOf(TEXT, '- admin-rule:', n)),
    );
    // `groups: "{tenant.name}"` grants a group named after the tenant.
    const rule = tf.authorizationRules.get('tenant-group')!;
    assert.equal(ruleMatches(rule, { groups: ['zuul', 'other'] }, 'zuul'), true);
    assert.equal(ruleMatches(rule, { groups: ['zuul'] }, 'openstack'), false);
    const local = tf.authorizationRules.get('local-admin')!;
    assert.equal(ruleMatches(local, { iss: 'zuul.opendev.org' }, 'zuul'), true);
  });
});
