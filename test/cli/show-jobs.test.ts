// `zuul-ts show-jobs` as a user runs it: the real binary in a child process
// against real git repositories made from Zuul's `openstack` test scenario
// (project-config with base, python27 and its stable/mitaka variant,
// python35, dsvm and the python-jobs template; openstack/nova and
// openstack/keystone untrusted), plus a few in-repo jobs of our own: one
// with vars and a file matcher, one whose dependency never runs.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { before, describe, test } from 'node:test';
import { addBranch, deployFixture, type FixtureDeployment, git } from '../helpers/fixtures.js';

const BIN = resolve(import.meta.dirname ?? '.', '../../../bin/zuul-ts.js');

function run(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: process.env });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function commit(repo: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) writeFileSync(join(repo, name), content);
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'Add in-repo jobs');
}

const NOVA = `
- job:
    name: nova-unit
    parent: python27
    vars:
      tox_envlist: py27
      nested:
        level: 1
    files:
      - ^nova/.*$

- project:
    check:
      jobs:
        - nova-unit
`;

// keystone-func depends on python35, which does not run in check.
const KEYSTONE = `
- job:
    name: keystone-func
    parent: base
    dependencies:
      - python35

- project:
    check:
      jobs:
        - keystone-func
`;

interface JobJson {
  job: string;
  playbooks: { project: string; path: string; trusted: boolean; secrets: object }[];
  pre_playbooks: unknown[];
  vars: Record<string, unknown>;
  timeout: number | null;
  nodeset: { name: string; nodes: { name: string; label: string }[] };
  zuul: { _inheritance_path: string[]; voting: boolean; pipeline: string; branch: string };
}

/**
 * Job names of `zuul._inheritance_path`, base first; as in Zuul the last
 * one is the project-pipeline entry that attached the job.
 */
function lineage(job: JobJson): string[] {
  return job.zuul._inheritance_path.map((s) => /^<Job (\S+)/.exec(s)?.[1] ?? s);
}

describe('zuul-ts show-jobs', () => {
  let d: FixtureDeployment;
  const show = (...args: string[]) => run('show-jobs', '-c', d.confPath, ...args);

  before(() => {
    d = deployFixture('openstack');
    const nova = d.repoPath('gerrit', 'openstack/nova');
    commit(nova, { '.zuul.yaml': NOVA });
    addBranch(nova, 'stable/mitaka');
    commit(d.repoPath('gerrit', 'openstack/keystone'), { '.zuul.yaml': KEYSTONE });
  });

  test('prints the freeze-jobs graph of a branch: every job, file matchers skipped', () => {
    const r = show('openstack', 'check', 'openstack/nova', 'master');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), [
      { name: 'dsvm', dependencies: [] },
      { name: 'nova-unit', dependencies: [] },
    ]);
    // The template's gate jobs, by short or canonical project name.
    const gate = show('openstack', 'gate', 'review.example.com/openstack/nova', 'master');
    assert.equal(gate.code, 0, gate.stderr);
    assert.deepEqual(
      JSON.parse(gate.stdout).map((j: { name: string }) => j.name),
      ['python27', 'python35'],
    );
  });

  test('--files freezes for a change to those files: file matchers decide', () => {
    const docs = show('openstack', 'check', 'openstack/nova', 'master', '--files', 'doc/index.rst');
    assert.equal(docs.code, 0, docs.stderr);
    assert.deepEqual(
      JSON.parse(docs.stdout).map((j: { name: string }) => j.name),
      ['dsvm'],
    );
    const code = show(
      'openstack',
      'check',
      'openstack/nova',
      'master',
      '--files',
      'doc/index.rst,nova/api.py',
    );
    assert.deepEqual(
      JSON.parse(code.stdout).map((j: { name: string }) => j.name),
      ['dsvm', 'nova-unit'],
    );
  });

  test('--job prints the frozen job: parents, playbooks, vars, nodeset', () => {
    const r = show('openstack', 'check', 'openstack/nova', 'master', '--job', 'nova-unit');
    assert.equal(r.code, 0, r.stderr);
    const job = JSON.parse(r.stdout) as JobJson;
    assert.equal(job.job, 'nova-unit');
    assert.deepEqual(lineage(job), ['base', 'python27', 'nova-unit', 'nova-unit']);
    assert.match(
      job.zuul._inheritance_path[2]!,
      /source: openstack\/nova\/\.zuul\.yaml@master#2>$/,
    );
    // python27's run replaced base's; nova-unit adds none.
    assert.deepEqual(
      job.playbooks.map((p) => [p.project, p.path, p.trusted]),
      [['project-config', 'playbooks/python27.yaml', true]],
    );
    assert.deepEqual(job.pre_playbooks, []);
    assert.deepEqual(job.vars, { tox_envlist: 'py27', nested: { level: 1 } });
    assert.equal(job.timeout, 30);
    assert.deepEqual(
      job.nodeset.nodes.map((n) => [n.name, n.label]),
      [['controller', 'ubuntu-xenial']],
    );
    assert.equal(job.zuul.pipeline, 'check');
    assert.equal(job.zuul.voting, true);
  });

  test('branch variants: python27 on stable/mitaka runs on ubuntu-trusty', () => {
    const r = show('openstack', 'gate', 'openstack/nova', 'stable/mitaka', '--job', 'python27');
    assert.equal(r.code, 0, r.stderr);
    const job = JSON.parse(r.stdout) as JobJson;
    assert.equal(job.zuul.branch, 'stable/mitaka');
    // base, python27, its stable/mitaka variant, the template's entry.
    assert.deepEqual(lineage(job), ['base', 'python27', 'python27', 'python27']);
    assert.deepEqual(
      job.nodeset.nodes.map((n) => [n.name, n.label]),
      [['controller', 'ubuntu-trusty']],
    );
    const master = JSON.parse(
      show('openstack', 'gate', 'openstack/nova', 'master', '--job', 'python27').stdout,
    ) as JobJson;
    assert.deepEqual(lineage(master), ['base', 'python27', 'python27']);
    assert.equal(master.nodeset.nodes[0]!.label, 'ubuntu-xenial');
  });

  test('unknown tenant, pipeline, project, branch and job are errors naming them', () => {
    const cases: [string[], RegExp][] = [
      [
        ['nope', 'check', 'openstack/nova', 'master'],
        /^Unknown tenant: nope \(tenants: openstack\)/,
      ],
      [
        ['openstack', 'post', 'openstack/nova', 'master'],
        /^Unknown pipeline: post \(pipelines of tenant openstack: check, gate\)/,
      ],
      [['openstack', 'check', 'openstack/glance', 'master'], /^Unknown project: openstack\/glance/],
      [
        ['openstack', 'check', 'openstack/nova', 'stable/newton'],
        /^Unknown branch: stable\/newton \(branches of openstack\/nova: master, stable\/mitaka\)/,
      ],
      [
        ['openstack', 'check', 'openstack/nova', 'master', '--job', 'python35'],
        /^Job python35 is not in the job graph of openstack\/nova@master in pipeline check \(jobs: dsvm, nova-unit\)/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = show(...args);
      assert.equal(r.code, 1, args.join(' '));
      assert.equal(r.stdout, '');
      assert.match(r.stderr, message);
    }
  });

  test('a job graph that cannot be frozen is an error with Zuul\'s "Unable to freeze job graph"', () => {
    const r = show('openstack', 'check', 'openstack/keystone', 'master');
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      /Unable to freeze job graph: Job keystone-func depends on python35 which was not run\./,
    );
    // The same project in gate freezes fine.
    assert.equal(show('openstack', 'gate', 'openstack/keystone', 'master').code, 0);
  });

  test('a deployment without [keystore] or [database] works when no job uses secrets', () => {
    const text = readFileSync(d.confPath, 'utf8')
      .replace(/\[keystore\]\npassword=[^\n]*\n/, '')
      .replace(/\[database\]\ndburi=[^\n]*\n/, '');
    assert.ok(!text.includes('[keystore]') && !text.includes('[database]'));
    const conf = join(d.root, 'no-keystore.conf');
    writeFileSync(conf, text);
    const r = run('show-jobs', '-c', conf, 'openstack', 'check', 'openstack/nova', 'master');
    assert.equal(r.code, 0, r.stderr);
    const check = run('config-check', '-c', conf);
    assert.equal(check.code, 0, check.stdout + check.stderr);
  });
});
