// The workspace a build gets (semantics §F.3): a change merged by the
// merger and reproduced under work/src byte for byte, the item's proposed
// playbook run speculatively, required projects checked out as the rules
// say, and what zuul.projects reports about it.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import yaml from 'js-yaml';
import { runJobCommand } from '../../src/cli/run-job.js';
import { git } from '../helpers/git-repos.js';
import { BASE_CONFIG, deploy, HOST, type TestDeployment } from './deployment.js';

const PROJECT = `- job:
    name: ws
    run: playbooks/ws.yaml
    include-vars:
      - name: vars/ws.yaml
        zuul-project: true
      - name: vars/optional.yaml
        zuul-project: true
        required: false
    required-projects:
      - name: org/lib
        override-checkout: v1

- project:
    check:
      jobs:
        - ws
`;

const playbook = (word: string) => `- hosts: localhost
  gather_facts: false
  tasks:
    - debug:
        msg: "${word} change={{ zuul.change }} patchset={{ zuul.patchset }} ref={{ zuul.ref }} colour={{ colour }} site={{ site_name }}"
`;

/** Files of the work tree (without .git) → [mode, bytes]. */
function workTree(dir: string, root = dir, out = new Map<string, [string, Buffer]>()) {
  for (const name of readdirSync(dir)) {
    if (dir === root && name === '.git') continue;
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) workTree(p, root, out);
    else out.set(relative(root, p), [st.mode & 0o111 ? '100755' : '100644', readFileSync(p)]);
  }
  return out;
}

/** Files of a commit in a repository → [mode, bytes]. */
function commitTree(repo: string, commit: string) {
  const out = new Map<string, [string, Buffer]>();
  const listing = execFileSync('git', ['ls-tree', '-r', commit], { cwd: repo, encoding: 'utf8' });
  for (const line of listing.split('\n').filter(Boolean)) {
    const [, mode, id, path] = /^(\d+) blob ([0-9a-f]+)\t(.*)$/.exec(line)!;
    out.set(path!, [mode!, execFileSync('git', ['cat-file', 'blob', id!], { cwd: repo })]);
  }
  return out;
}

const SITE_VARS = join(tmpdir(), `zuul-ts-site-vars-${process.pid}.yaml`);

describe('workspace preparation', () => {
  let d: TestDeployment;
  let changeCommit: string;
  let libV1: string;
  before(() => {
    writeFileSync(SITE_VARS, 'site_name: example-site\n');
    d = deploy(
      {
        config: { files: { 'zuul.yaml': BASE_CONFIG } },
        'org/project': {
          files: {
            '.zuul.yaml': PROJECT,
            'playbooks/ws.yaml': playbook('merged'),
            'data.txt': 'a\n',
            'vars/ws.yaml': 'colour: blue\n',
          },
        },
        'org/lib': { files: { 'lib.txt': 'version one\n' } },
      },
      { executor: [`variables=${SITE_VARS}`] },
    );
    const lib = d.repo('org/lib');
    libV1 = git(lib.path, 'rev-parse', 'HEAD');
    lib.tag('v1');
    lib.commit('master', { 'lib.txt': 'version two\n' });
    // A change proposing a new playbook text, a binary file and a script.
    const project = d.repo('org/project');
    changeCommit = project.commit('change-1', {
      'playbooks/ws.yaml': playbook('speculative'),
      'data.txt': 'a\nb\n',
      'vars/ws.yaml': 'colour: green\n',
      'bin/blob.bin': Buffer.from([0, 1, 2, 253, 254, 255]),
      'run.sh': '#!/bin/sh\necho hi\n',
    });
    execFileSync('chmod', ['+x', join(project.path, 'run.sh')]);
    git(project.path, 'add', 'run.sh');
    git(project.path, 'commit', '--quiet', '-m', 'Make run.sh executable');
    changeCommit = git(project.path, 'rev-parse', 'HEAD');
    git(project.path, 'update-ref', 'refs/changes/01/1/1', changeCommit);
    project.setHead('master');
    project.deleteBranch('change-1');
  });
  after(() => {
    d.cleanup();
    rmSync(SITE_VARS, { force: true });
  });

  it('reproduces the merged change byte for byte and runs its proposed playbook', async () => {
    let stdout = '';
    let stderr = '';
    const code = await runJobCommand(
      {
        config: d.confPath,
        tenant: 'tenant-one',
        project: 'org/project',
        branch: 'master',
        ref: 'refs/changes/01/1/1',
        keep: true,
        job: 'ws',
      },
      { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) },
    );
    assert.equal(code, 0, stderr + stdout);
    // The proposed playbook and include-vars file, and the site variables.
    assert.match(
      stdout,
      /speculative change=1 patchset=1 ref=refs\/changes\/01\/1\/1 colour=green site=example-site/,
    );
    const uuid = /starting build (\w+)/.exec(stderr)![1]!;
    const build = join(d.root, 'state', 'builds', uuid);

    const src = join(build, 'work', 'src', HOST, 'org', 'project');
    assert.deepEqual(workTree(src), commitTree(d.repo('org/project').path, changeCommit));
    assert.equal(
      git(src, 'diff', '--name-only', 'origin/master..master'),
      'bin/blob.bin\ndata.txt\nplaybooks/ws.yaml\nrun.sh\nvars/ws.yaml',
    );
    assert.equal(git(src, 'remote', 'get-url', 'origin'), 'file:///dev/null');

    const lib = join(build, 'work', 'src', HOST, 'org', 'lib');
    assert.equal(git(lib, 'rev-parse', 'HEAD'), libV1);
    assert.deepEqual(workTree(lib), commitTree(d.repo('org/lib').path, libV1));

    const vars = yaml.load(readFileSync(join(build, 'ansible', 'zuul_vars.yaml'), 'utf8')) as {
      zuul: { projects: Record<string, Record<string, unknown>>; change: string };
    };
    const projects = vars.zuul.projects;
    assert.deepEqual(
      Object.fromEntries(
        Object.entries(projects).map(([k, p]) => [
          k,
          [p.checkout, p.checkout_description, p.commit, p.required],
        ]),
      ),
      {
        [`${HOST}/org/lib`]: ['v1', 'project override ref', libV1, true],
        [`${HOST}/org/project`]: ['master', 'zuul branch', git(src, 'rev-parse', 'HEAD'), false],
      },
    );
    const repos = JSON.parse(
      readFileSync(join(build, 'work', 'logs', 'workspace-repos.json'), 'utf8'),
    );
    assert.deepEqual(Object.keys(repos.repo_state).sort(), [
      `src/${HOST}/org/lib`,
      `src/${HOST}/org/project`,
    ]);
  });
});
