// The `zuul-ts` command as a user runs it: the real binary in a child
// process, against real git repositories built from Zuul's test fixtures.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { CORPUS, deployFixture } from '../helpers/fixtures.js';

const BIN = resolve(import.meta.dirname ?? '.', '../../../bin/zuul-ts.js');

function run(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: process.env });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('zuul-ts tenant-conf-check', () => {
  test("OpenDev's real tenant file passes", () => {
    const dir = mkdtempSync(join(tmpdir(), 'zuul-ts-opendev-'));
    const conf = join(dir, 'zuul.conf');
    writeFileSync(
      conf,
      [
        '[scheduler]',
        `tenant_config=${join(CORPUS, 'opendev/tenant-config/main.yaml')}`,
        '[merger]',
        `git_dir=${join(dir, 'git')}`,
        '[connection gerrit]',
        'driver=gerrit',
        'server=review.opendev.org',
        'user=zuul',
        '[connection github]',
        'driver=github',
        '[connection googlesource]',
        'driver=gerrit',
        'server=gerrit-review.googlesource.com',
        'user=zuul',
        '',
      ].join('\n'),
    );
    const r = run('tenant-conf-check', '-c', conf);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Tenant file OK: 7 tenant\(s\)/);
  });

  test('a broken tenant file fails with the file and line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zuul-ts-badtenant-'));
    writeFileSync(join(dir, 'main.yaml'), '- tenant:\n    name: t\n    bogus: 1\n');
    writeFileSync(join(dir, 'zuul.conf'), '[scheduler]\ntenant_config=main.yaml\n');
    const r = run('tenant-conf-check', '-c', join(dir, 'zuul.conf'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /main\.yaml/);
    assert.match(r.stderr, /line 3/);
    assert.match(r.stderr, /bogus/);
  });

  test('a missing tenant_config names the section and key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zuul-ts-noconf-'));
    writeFileSync(join(dir, 'zuul.conf'), '[scheduler]\n');
    const r = run('tenant-conf-check', '-c', join(dir, 'zuul.conf'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /tenant_config/);
    assert.match(r.stderr, /scheduler/);
  });
});

describe('zuul-ts config-check', () => {
  test('a clean scenario exits 0 and reports warnings in the documented format', () => {
    const d = deployFixture('single-tenant');
    const r = run('config-check', '-c', d.confPath);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /^tenant-one: common-config@master:zuul\.yaml:\d+: warning Cleanup Run Deprecation: /m,
    );
    assert.match(r.stdout, /1 tenant\(s\) checked: 0 error\(s\), 2 warning\(s\)/);
  });

  test('a broken scenario exits 1 and names project, branch, file and line', () => {
    const d = deployFixture('broken');
    const r = run('config-check', '-c', d.confPath);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^tenant-broken: org\/project2@master:\.zuul\.yaml:2: error Unknown: /m);
    assert.match(
      r.stdout,
      /^tenant-broken: common-config@master:zuul\.yaml:38: error Unknown: Invalid timer time/m,
    );
    // The other tenant of the file is unaffected.
    assert.doesNotMatch(r.stdout, /^tenant-good: .*error/m);
  });

  test('--json gives Zuul-shaped entries, --tenant limits the check', () => {
    const d = deployFixture('broken');
    const r = run('config-check', '-c', d.confPath, '--json', '--tenant', 'tenant-good');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { tenant: string; errors: unknown[] }[];
    assert.deepEqual(
      out.map((t) => t.tenant),
      ['tenant-good'],
    );
    assert.deepEqual(out[0]!.errors, []);

    const all = JSON.parse(run('config-check', '-c', d.confPath, '--json').stdout) as {
      tenant: string;
      errors: {
        source_context: { project: string; branch: string; path: string };
        severity: string;
        name: string;
        short_error: string;
        error: string;
      }[];
    }[];
    const broken = all.find((t) => t.tenant === 'tenant-broken')!;
    const e = broken.errors.find((x) => x.source_context.project === 'org/project2')!;
    assert.deepEqual(e.source_context, {
      project: 'org/project2',
      branch: 'master',
      path: '.zuul.yaml',
    });
    assert.equal(e.severity, 'error');
    assert.match(
      e.error,
      /Zuul encountered a syntax error while parsing its configuration in the repo org\/project2 on branch master/,
    );
  });

  test('an unknown tenant is an error', () => {
    const d = deployFixture('single-tenant');
    const r = run('config-check', '-c', d.confPath, '--tenant', 'nope');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Unknown tenant: nope/);
  });
});
