// `zuul-ts run-job` end to end: a tenant loaded from real git repositories,
// jobs frozen from its layout, real ansible-playbook in the sandbox, the
// console printed while the build runs, and the exit status.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runJobCommand } from '../../src/cli/run-job.js';
import { BASE_CONFIG, deploy, type TestDeployment } from './deployment.js';

const BIN = resolve(import.meta.dirname ?? '.', '../../../bin/zuul-ts.js');

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
  /** When each stdout line arrived, ms since the start. */
  lineTimes: { line: string; at: number }[];
  /** When stderr reported the build's result. */
  resultAt: number;
}

async function runJob(d: TestDeployment, job: string, extra: Record<string, unknown> = {}) {
  const start = Date.now();
  const c: Captured = { code: -1, stdout: '', stderr: '', lineTimes: [], resultAt: 0 };
  c.code = await runJobCommand(
    {
      config: d.confPath,
      tenant: 'tenant-one',
      project: 'org/project',
      branch: 'master',
      job,
      ...extra,
    },
    {
      stdout: (t) => {
        c.stdout += t;
        for (const line of t.split('\n').filter(Boolean)) {
          c.lineTimes.push({ line, at: Date.now() - start });
        }
      },
      stderr: (t) => {
        c.stderr += t;
        if (/: (SUCCESS|FAILURE|ERROR|POST_FAILURE)\b/.test(t)) c.resultAt = Date.now() - start;
      },
    },
  );
  return c;
}

const PROJECT_CONFIG = `- job:
    name: hello
    run: playbooks/hello.yaml

- job:
    name: broken
    run: playbooks/broken.yaml

- job:
    name: ghost
    run: playbooks/missing.yaml

- job:
    name: pauser
    run: playbooks/pause.yaml
    post-run: playbooks/hello.yaml

- job:
    name: waiter
    dependencies: [pauser]
    run: playbooks/waiter.yaml

- project:
    check:
      jobs:
        - hello
        - broken
        - ghost
        - pauser
        - waiter
`;

const PAUSE = `- hosts: localhost
  gather_facts: false
  tasks:
    - zuul_return:
        data:
          zuul:
            pause: true
          registry: 127.0.0.1:5000
`;

const WAITER = `- hosts: localhost
  gather_facts: false
  tasks:
    - assert:
        that:
          - registry == '127.0.0.1:5000'
`;

const HELLO = `- hosts: localhost
  gather_facts: false
  tasks:
    - name: say hello first
      debug:
        msg: "hello-marker from {{ zuul.job }}"
    - name: take a moment
      command: sleep 3
    - name: say goodbye
      debug:
        msg: goodbye-marker
`;

const BROKEN = `- hosts: localhost
  gather_facts: false
  tasks:
    - name: fail on purpose
      command: /bin/false
`;

describe('run-job', () => {
  let d: TestDeployment;
  before(() => {
    d = deploy({
      config: { files: { 'zuul.yaml': BASE_CONFIG } },
      'org/project': {
        files: {
          '.zuul.yaml': PROJECT_CONFIG,
          'playbooks/hello.yaml': HELLO,
          'playbooks/broken.yaml': BROKEN,
          'playbooks/pause.yaml': PAUSE,
          'playbooks/waiter.yaml': WAITER,
        },
      },
    });
  });
  after(() => d.cleanup());

  it('prints the console while the build runs and exits 0 on SUCCESS', async () => {
    const c = await runJob(d, 'hello');
    assert.equal(c.code, 0, c.stderr);
    const hello = c.lineTimes.find((l) => l.line.includes('hello-marker from hello'));
    assert.ok(hello, `console shows the first task:\n${c.stdout}`);
    assert.ok(c.stdout.includes('goodbye-marker'));
    // The first task's output arrived while the 3 s task still had to run.
    assert.ok(
      c.resultAt - hello.at >= 1500,
      `first line at ${hello.at} ms, result at ${c.resultAt} ms`,
    );
    assert.match(
      c.stderr,
      /hello: RUN untrusted playbook git\.example\.org\/org\/project\/playbooks\/hello\.yaml started/,
    );
    assert.match(c.stderr, /hello: RUN untrusted playbook .*hello\.yaml ended NORMAL \(exit 0\)/);
    const logUrl = /hello: SUCCESS; logs: file:\/\/(\S+)\//.exec(c.stderr)?.[1];
    assert.ok(logUrl && existsSync(join(logUrl, 'job-output.txt')), c.stderr);
    assert.match(readFileSync(join(logUrl, 'job-output.txt'), 'utf8'), /goodbye-marker/);
    assert.ok(existsSync(join(logUrl, 'workspace-repos.json')));
  });

  it('exits 1 when the job fails', async () => {
    const c = await runJob(d, 'broken');
    assert.equal(c.code, 1);
    assert.match(c.stderr, /broken: FAILURE/);
    assert.match(c.stdout, /fail on purpose/);
  });

  it('ends with ERROR when a playbook is missing', async () => {
    const c = await runJob(d, 'ghost');
    assert.equal(c.code, 1);
    assert.match(
      c.stderr,
      /ghost: ERROR \(Unable to find playbook playbooks\/missing\.yaml in git\.example\.org\/org\/project@master\)/,
    );
    assert.match(c.stdout, /ERROR: Unable to find playbook playbooks\/missing\.yaml/);
  });

  it('runs the dependents of a paused build before its post-run playbooks', async () => {
    const c = await runJob(d, 'waiter');
    assert.equal(c.code, 0, c.stderr + c.stdout);
    const events = c.stderr
      .split('\n')
      .filter((l) => /(paused|SUCCESS|POST untrusted playbook .* started)/.test(l))
      .map((l) => l.replace(/ playbook .*/, '').replace(/;.*/, ''));
    assert.deepEqual(events, [
      'run-job: pauser: paused',
      'run-job: waiter: SUCCESS',
      'run-job: pauser: POST untrusted',
      'run-job: pauser: SUCCESS',
    ]);
  });

  it('says which jobs exist when asked for an unknown one', async () => {
    const c = await runJob(d, 'nope');
    assert.equal(c.code, 1);
    assert.match(
      c.stderr,
      /Job nope is not in the check job graph of org\/project@master \(jobs: hello, broken, ghost, pauser, waiter\)/,
    );
  });

  it('is the zuul-ts command: exit status and console through the real CLI', async () => {
    const cli = (job: string, ...extra: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
        execFile(
          process.execPath,
          [
            BIN,
            'run-job',
            '-c',
            d.confPath,
            '--tenant',
            'tenant-one',
            '--project',
            'org/project',
            '--branch',
            'master',
            ...extra,
            job,
          ],
          (err, stdout, stderr) =>
            done({ code: err ? Number((err as { code?: number }).code) : 0, stdout, stderr }),
        );
      });
    const ok = await cli('hello', '--no-deps');
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /\| hello-marker from hello\n/);
    const failed = await cli('broken');
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /broken: FAILURE/);
    const unknown = await cli('hello', '--pipeline', 'gate');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /Unknown pipeline: gate \(tenant tenant-one\)/);
  });

  it('leaves nothing in the job dir unless asked to keep it', () => {
    const builds = join(d.root, 'state', 'builds');
    assert.deepEqual(existsSync(builds) ? readdirSync(builds) : [], []);
  });
});
