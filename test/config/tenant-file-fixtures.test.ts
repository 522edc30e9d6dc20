// Zuul's own test fixtures: every tenant file under config/ must load, and
// the in-repo layouts under layouts/ must be refused as tenant files.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { isSeq, LineCounter, parseDocument, parse as parseYaml } from 'yaml';
import { TenantFileError } from '../../src/config/tenant-file.js';
import { ruleMatches } from '../../src/model/tenant.js';
import { CORPUS, parse, project, sorted, tenant } from './tenant-test-helpers.js';

const FIXTURES = join(CORPUS, 'zuul-test-fixtures');
const TENANT_FILE_KINDS = new Set([
  'tenant',
  'authorization-rule',
  'admin-rule',
  'global-semaphore',
  'api-root',
  'role',
]);

/** main.yaml files under config/, skipping the fixture git repositories. */
function tenantFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'git') tenantFiles(p, out);
    } else if (name === 'main.yaml') out.push(p);
  }
  return out;
}

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yamlFiles(p, out);
    else if (name.endsWith('.yaml')) out.push(p);
  }
  return out;
}

type Raw = Record<string, unknown>;

/** 1-based line of top-level item `i`, found with the yaml library's own positions. */
function itemLine(text: string, i: number): number {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  assert.ok(isSeq(doc.contents));
  return lc.linePos(doc.contents.items[i]!.range![0]).line;
}

/** Connection names a fixture uses, from its tenants' `source:` keys. */
function connectionsOf(doc: Raw[]): Set<string> {
  const names = new Set<string>();
  for (const item of doc) {
    const source = (item.tenant as Raw | undefined)?.source as Raw | undefined;
    for (const c of Object.keys(source ?? {})) names.add(c);
  }
  return names;
}

function countProjects(list: unknown): number {
  return ((list as unknown[]) ?? []).reduce<number>((n, e) => {
    if (typeof e === 'string') return n + 1;
    const keys = Object.keys(e as Raw);
    return (
      n + (keys.includes('projects') && keys.length > 1 ? countProjects((e as Raw).projects) : 1)
    );
  }, 0);
}

function load(rel: string) {
  const text = readFileSync(join(FIXTURES, rel), 'utf8');
  return { text, tf: parse(text, connectionsOf(parseYaml(text) as Raw[])) };
}

describe('Zuul fixture tenant files', () => {
  const files = tenantFiles(join(FIXTURES, 'config'));

  it('finds the fixture tenant files', () => {
    assert.ok(files.length > 100, `only ${files.length} found`);
  });

  it('loads every one of them with the tenants and projects it lists', () => {
    // None of the corpus fixtures is meant to fail at the tenant-file level
    // (Zuul's deliberately broken ones, config/tenant-parser/*.yaml, are not
    // in the corpus; the "broken" fixtures break in-repo config). So any
    // failure here is ours.
    const failures: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const doc = parseYaml(text) as Raw[];
      let tf: ReturnType<typeof parse>;
      try {
        tf = parse(text, connectionsOf(doc));
      } catch (e) {
        failures.push(`${relative(FIXTURES, file)}: ${(e as Error).message}`);
        continue;
      }
      const rawTenants = doc.filter((i) => i.tenant).map((i) => i.tenant as Raw);
      assert.deepEqual(
        tf.tenants.map((t) => t.name),
        rawTenants.map((t) => t.name),
        file,
      );
      tf.tenants.forEach((t, i) => {
        const source = (rawTenants[i]!.source ?? {}) as Record<string, Raw>;
        const expected = Object.values(source).reduce(
          (n, s) =>
            n + countProjects(s['config-projects']) + countProjects(s['untrusted-projects']),
          0,
        );
        assert.equal(t.projects.length, expected, `${file} tenant ${t.name}`);
      });
    }
    assert.deepEqual(failures, []);
  });

  it('refuses a fixture when a connection it uses is not configured', () => {
    const text = readFileSync(join(FIXTURES, 'config/multi-github/main.yaml'), 'utf8');
    const conns = connectionsOf(parseYaml(text) as Raw[]);
    assert.ok(conns.has('github_ro'));
    conns.delete('github_ro');
    assert.throws(() => parse(text, conns), /Unknown connection named "github_ro"/);
  });

  it('reads authorization rules, including zuul_uid and dotted claims', () => {
    const { tf } = load('config/authorization/single-tenant/main.yaml');
    const t = tenant(tf, 'tenant-one');
    assert.deepEqual(t.adminRules, ['venkman_rule', 'car_rule', 'gb_rule', 'columbia_rule']);
    const rule = (n: string) => tf.authorizationRules.get(n)!;
    assert.ok(ruleMatches(rule('venkman_rule'), { sub: 'venkman' }, 'tenant-one'));
    assert.ok(ruleMatches(rule('car_rule'), { vehicle: { car: 'ecto-1' } }, 'tenant-one'));
    assert.ok(!ruleMatches(rule('car_rule'), { vehicle: { car: 'ecto-2' } }, 'tenant-one'));
    const columbia = rule('columbia_rule');
    assert.ok(ruleMatches(columbia, { sub: 'zeddemore', iss: 'columbia.edu' }, 'tenant-one'));
    assert.ok(!ruleMatches(columbia, { sub: 'zeddemore', iss: 'nyu.edu' }, 'tenant-one'));
    assert.ok(ruleMatches(rule('gb_rule'), { groups: ['ghostbusters', 'x'] }, 'tenant-one'));
  });

  it('reads api-root and scalar access-rules', () => {
    const { tf } = load('config/access-rules/main.yaml');
    assert.deepEqual(tf.apiRoot, { authenticationRealm: undefined, accessRules: ['user-rule'] });
    assert.deepEqual(tenant(tf, 'tenant-one').accessRules, ['user-rule']);
    const realm = load('config/authorization/api-root/main.yaml').tf;
    assert.equal(realm.apiRoot?.authenticationRealm, 'myOIDC2');
    assert.equal(tenant(realm, 'tenant-one').authenticationRealm, 'myOIDC1');
  });

  it('reads global semaphores granted to tenants', () => {
    const { tf } = load('config/global-semaphores-config/main.yaml');
    assert.deepEqual(tf.globalSemaphores.get('global-semaphore'), {
      name: 'global-semaphore',
      max: 100,
    });
    assert.deepEqual(tenant(tf, 'tenant-one').semaphores, ['global-semaphore']);
    assert.deepEqual(tenant(tf, 'tenant-three').semaphores, []);
  });

  it('reads per-project options used by the fixtures', () => {
    const superproject = project(
      tenant(load('config/superproject/main.yaml').tf, 'tenant-one'),
      'superproject',
    );
    assert.deepEqual(superproject.configureProjects, [
      'submodule1',
      'othermodule',
      '^submodules/.*$',
    ]);

    const inRepoDir = load('config/in-repo-dir/main.yaml').tf;
    const p2 = project(tenant(inRepoDir, 'tenant-one'), 'org/project2');
    assert.deepEqual(p2.extraConfigFiles, ['.extra.yaml']);
    assert.deepEqual(p2.extraConfigDirs, ['extra.d']);
    assert.ok(!project(tenant(inRepoDir, 'tenant-one'), 'org/project1').loadClasses.has('project'));
    assert.ok(
      !project(tenant(inRepoDir, 'tenant-two'), 'common-config').loadClasses.has('project'),
    );

    const implied = load('config/tenant-implied-branch-matchers/main.yaml').tf;
    assert.equal(project(tenant(implied, 'tenant-one'), 'org/project').impliedBranchMatchers, true);
    assert.equal(
      project(tenant(implied, 'tenant-one'), 'common-config').impliedBranchMatchers,
      undefined,
    );

    const multi = load('config/multi-tenant/main.yaml').tf;
    assert.equal(tenant(multi, 'tenant-one').maxJobTimeout, 1800);
    assert.deepEqual(tenant(multi, 'tenant-one').allowedLabels, [
      'tenant-one-.*',
      'ubuntu-trusty',
      'fake',
    ]);
    assert.deepEqual(tenant(multi, 'tenant-two').allowedTriggers, ['gerrit']);
    assert.equal(tenant(multi, 'tenant-two').allowedReporters, undefined);

    const timer = load('config/timer-two-tenant/main.yaml').tf;
    assert.equal(project(tenant(timer, 'tenant-one'), 'org/project2').loadClasses.size, 0);
  });

  it('keeps a project of the same name on two connections apart', () => {
    const { tf } = load('config/ambiguous-names/main.yaml');
    const t = tenant(tf, 'tenant-one');
    assert.deepEqual(
      sorted(t.projects.filter((p) => p.name === 'org/project').map((p) => p.connectionName)),
      ['another_gerrit', 'review_gerrit'],
    );
  });
});

describe('Zuul fixture layouts', () => {
  const layouts = yamlFiles(join(FIXTURES, 'layouts'));

  it('contain no tenant files, and each is refused as one at its first in-repo item', () => {
    assert.ok(layouts.length > 100);
    let checked = 0;
    for (const file of layouts) {
      const text = readFileSync(file, 'utf8');
      const doc = parseYaml(text) as unknown;
      if (!Array.isArray(doc)) continue;
      const firstForeign = doc.findIndex(
        (i) => i !== null && typeof i === 'object' && !TENANT_FILE_KINDS.has(Object.keys(i)[0]!),
      );
      assert.notEqual(firstForeign, -1, `${file} looks like a tenant file`);
      let error: unknown;
      try {
        parse(text, new Set());
      } catch (e) {
        error = e;
      }
      assert.ok(error instanceof TenantFileError, file);
      // Items before the first foreign one are all tenant-file kinds, so the
      // first problem is that item (unless it also has several keys).
      if (Object.keys(doc[firstForeign] as Raw).length === 1) {
        assert.match(error.problem, /^Configuration item not recognized/, file);
        assert.equal(error.line, itemLine(text, firstForeign), file);
        checked++;
      }
    }
    assert.ok(checked > 100, `only ${checked} layouts checked`);
  });
});
