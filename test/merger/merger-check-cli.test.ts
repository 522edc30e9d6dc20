// `zuul-ts merger-check` as an operator runs it: the real binary in a child
// process, a zuul.conf with two git connections, real upstream repositories.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { git, tempDir } from '../helpers/git-repos.js';
import { Project } from './merger-helpers.js';

const BIN = resolve(import.meta.dirname ?? '.', '../../../bin/zuul-ts.js');
const tmp = tempDir('merger-check-');
after(() => tmp.cleanup());

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, 'merger-check', '-c', conf, ...args], {
    encoding: 'utf8',
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

let conf: string;
let project: Project;
let changes: { ref: string; sha: string }[];

describe('zuul-ts merger-check', () => {
  before(() => {
    project = new Project(join(tmp.path, 'up'), 'org/project');
    project.commit('main', { 'shared.txt': 'base\n' });
    changes = [
      project.change({ 'one.txt': '1\n' }),
      project.change({ 'two.txt': '2\n', 'shared.txt': 'two\n' }),
      project.change({ 'shared.txt': 'three\n' }),
    ];
    project.commit('main', { 'main.txt': 'm\n' });
    conf = join(tmp.path, 'zuul.conf');
    writeFileSync(
      conf,
      [
        '[merger]',
        `git_dir=${join(tmp.path, 'git')}`,
        'git_user_name=Checker',
        'git_user_email=checker@example.org',
        '',
        '[connection local]',
        'driver=git',
        `baseurl=file://${join(tmp.path, 'up')}`,
        'canonical_hostname=git.example.org',
        '',
        '[connection mirror]',
        'driver=git',
        `baseurl=file://${join(tmp.path, 'up')}`,
        'canonical_hostname=mirror.example.org',
        '',
      ].join('\n'),
    );
  });

  it('prints the speculative commit of each ref and the files it changes', () => {
    const r = run('git.example.org/org/project', 'main', changes[0]!.ref, changes[1]!.ref);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    const first = new RegExp(
      `^${changes[0]!.ref}: merged as ([0-9a-f]{40}) \\(onto ${project.rev('main')}\\)$`,
    );
    assert.match(lines[0]!, first);
    assert.equal(lines[1], '  files: one.txt');
    assert.match(lines[2]!, new RegExp(`^${changes[1]!.ref}: merged as ([0-9a-f]{40})`));
    assert.equal(lines[3], '  files: shared.txt two.txt');
    const last = /^speculative commit: ([0-9a-f]{40})$/.exec(lines[4]!)?.[1];
    assert.ok(last, r.stdout);
    // The commit is a real merge by the configured identity, with every file.
    const work = join(tmp.path, 'git', '.merger-work', 'local', 'org/project.git');
    assert.equal(
      git(work, 'log', '-1', '--format=%an <%ae>|%s', last),
      `Checker <checker@example.org>|Merge '${changes[1]!.ref}'`,
    );
    assert.deepEqual(git(work, 'ls-tree', '--name-only', last).split('\n'), [
      'README.md',
      'main.txt',
      'one.txt',
      'shared.txt',
      'two.txt',
    ]);
  });

  it('reports a conflict with its paths and exits 1', () => {
    const r = run(
      'org/project',
      'main',
      '--connection',
      'mirror',
      changes[1]!.ref,
      changes[2]!.ref,
    );
    assert.equal(r.code, 1);
    assert.match(r.stdout, new RegExp(`${changes[2]!.ref}: MERGE_CONFLICT \\(conflict\\)`));
    assert.match(r.stdout, / {2}conflicting: shared.txt/);
    assert.doesNotMatch(r.stdout, /speculative commit/);
  });

  it('prints the result as JSON with --json, in the merge mode asked for', () => {
    const r = run(
      'git.example.org/org/project',
      'main',
      '--json',
      '--merge-mode',
      'cherry-pick',
      changes[0]!.ref,
    );
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.items[0].status, 'MERGED');
    assert.equal(out.items[0].base, project.rev('main'));
    assert.deepEqual(out.items[0].filesChanged, ['one.txt']);
    assert.equal(out.repoState.local['org/project'].refs['refs/heads/main'], project.rev('main'));
  });

  it('explains what it cannot do', () => {
    const ambiguous = run('org/project', 'main', changes[0]!.ref);
    assert.equal(ambiguous.code, 1);
    assert.match(ambiguous.stderr, /could be on any of the connections local, mirror/);
    const unknown = run('org/project', 'main', '--connection', 'nope', changes[0]!.ref);
    assert.match(unknown.stderr, /Unknown connection: nope/);
    const mode = run('git.example.org/org/project', 'main', '--merge-mode', 'octopus', 'x');
    assert.match(mode.stderr, /Unknown merge mode: octopus/);
    const branch = run('git.example.org/org/project', 'nope', changes[0]!.ref);
    assert.equal(branch.code, 1);
    assert.match(branch.stdout, /MERGE_CONFLICT \(missing-branch\).*no branch "nope"/);
  });
});
