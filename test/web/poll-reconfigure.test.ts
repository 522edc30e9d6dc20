// Restart-free reconfiguration from the git driver's poller: the server
// runs in-process with poll_delay=1 on real git repositories; pushing a
// commit that changes a job shows in /jobs within a few polls, and a push
// of broken YAML shows in /config-errors while the previous good
// configuration of that project stays in effect (and the rest of the
// tenant still answers).

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { WebServer } from '../../src/web/server.js';
import { git, makeRepo } from '../helpers/fixtures.js';

const jobYaml = (name: string, description: string) =>
  `- job:\n    name: ${name}\n    description: ${description}\n`;

function push(repo: string, files: Record<string, string>, message: string): void {
  for (const [name, content] of Object.entries(files)) writeFileSync(join(repo, name), content);
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', message);
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 15_000) {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('branch updates found by the poller reconfigure the tenant', async () => {
  const root = mkdtempSync(join(tmpdir(), 'zuul-ts-poll-'));
  const upstream = join(root, 'upstream');
  makeRepo(join(upstream, 'common-config'), {
    'zuul.yaml': '- job:\n    name: base\n    parent: null\n',
  });
  const project1 = join(upstream, 'org/project1');
  makeRepo(project1, { 'zuul.yaml': jobYaml('job1', 'first version') });
  makeRepo(join(upstream, 'org/project2'), { 'zuul.yaml': jobYaml('job2', 'untouched') });
  // A project of another tenant: its tenant must not be reconfigured.
  writeFileSync(
    join(root, 'main.yaml'),
    [
      '- tenant:',
      '    name: tenant-one',
      '    source:',
      '      git:',
      '        config-projects: [common-config]',
      '        untrusted-projects: [org/project1, org/project2]',
      '- tenant:',
      '    name: tenant-two',
      '    source:',
      '      git:',
      '        config-projects: [common-config]',
      '        untrusted-projects: [org/project2]',
      '',
    ].join('\n'),
  );
  const confPath = join(root, 'zuul.conf');
  writeFileSync(
    confPath,
    [
      '[scheduler]',
      'tenant_config=main.yaml',
      '[merger]',
      `git_dir=${join(root, 'merger-git')}`,
      '[database]',
      `dburi=sqlite:///${join(root, 'zuul.db')}`,
      '[connection git]',
      'driver=git',
      `baseurl=file://${upstream}`,
      'poll_delay=1',
      '',
    ].join('\n'),
  );
  const server = await WebServer.start({
    confPath,
    version: '0.0.0',
    port: 0,
    commandSocket: false,
    components: ['config-loader', 'web'],
  });
  try {
    await server.ready;
    const jobs = async (tenant: string) => {
      const res = await server.app.inject(`/api/tenant/${tenant}/jobs`);
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as { name: string; description?: string | null }[];
    };
    const description = async (tenant: string, job: string) =>
      (await jobs(tenant)).find((j) => j.name === job)?.description;
    assert.equal(await description('tenant-one', 'job1'), 'first version');
    const tenantTwo = server.ctx.tenants().get('tenant-two')?.layout;
    assert.ok(tenantTwo);
    // Let the poller record the current tips before pushing.
    await new Promise((r) => setTimeout(r, 1500));

    push(project1, { 'zuul.yaml': jobYaml('job1', 'second version') }, 'Change job1');
    await waitFor('the new description', async () =>
      (await description('tenant-one', 'job1')) === 'second version' ? true : undefined,
    );
    assert.equal(
      server.ctx.tenants().get('tenant-two')?.layout,
      tenantTwo,
      'a tenant without the project keeps its layout object',
    );

    push(
      project1,
      { 'zuul.yaml': '- job:\n    name: job1\n    description: [unclosed\n' },
      'Break',
    );
    const errors = await waitFor('the config error', async () => {
      const res = await server.app.inject('/api/tenant/tenant-one/config-errors');
      assert.equal(res.statusCode, 200);
      const list = res.json() as {
        source_context?: { project?: string; path?: string };
        error?: string;
      }[];
      const mine = list.filter((e) => e.source_context?.project === 'org/project1');
      return mine.length ? mine : undefined;
    });
    assert.ok(errors.length >= 1);
    assert.ok(
      errors.some((e) => e.source_context?.path === 'zuul.yaml'),
      JSON.stringify(errors),
    );
    // The previous good configuration of that project stays in effect: job1
    // keeps the definition of the last good push, and the rest of the tenant
    // answers as before.
    const after = await jobs('tenant-one');
    assert.equal(after.find((j) => j.name === 'job2')?.description, 'untouched');
    assert.equal(
      after.find((j) => j.name === 'job1')?.description,
      'second version',
      'job1 keeps its last good definition',
    );
    const job1 = await server.app.inject('/api/tenant/tenant-one/job/job1');
    assert.equal(job1.statusCode, 200, job1.body);
    assert.equal((job1.json() as { description?: string }[])[0]?.description, 'second version');
    assert.equal((await server.app.inject('/api/tenant/tenant-two/jobs')).statusCode, 200);
  } finally {
    await server.close();
  }
});
