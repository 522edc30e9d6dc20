// What a build leaves behind: zuul_return data read back, the console log
// (job-output.txt) and the structured log (job-output.json), and secrets
// that reach their playbook but no file.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BuildRunner } from '../../src/executor/runner.js';
import { ansible, jobDir, makeBuild } from './helpers.js';

const dir = jobDir();
after(() => dir.cleanup());

const localhost = (tasks: string) => `- hosts: localhost
  gather_facts: false
  tasks:
${tasks}`;

function filesUnder(root: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(root)) {
    const p = join(root, name);
    const st = statSync(p);
    if (st.isDirectory()) out.push(...filesUnder(p));
    else if (st.isFile()) out.push(p);
  }
  return out;
}

describe('zuul_return', () => {
  it('merges data across calls and reads artifacts, child jobs, warnings and secret data back', async () => {
    const t = makeBuild(dir, {
      run: [
        {
          name: 'run.yaml',
          yaml: localhost(`
    - zuul_return:
        data:
          for_child: {a: 1, nested: {x: 1}}
          zuul:
            log_url: https://logs.example.org/build/
            artifacts:
              - {name: docs, url: docs/index.html, metadata: {type: docs}}
            warnings: [first warning]
    - zuul_return:
        data:
          for_child: {nested: {y: 2}}
          zuul:
            artifacts:
              - {name: tarball, url: "https://tarballs.example.org/p.tar.gz"}
            warnings: [second warning]
            child_jobs: []
            file_comments:
              README: [{line: 1, message: "spelling"}]
        secret_data:
          token: s3cret-returned-value
`),
        },
      ],
    });
    const outcome = await new BuildRunner(t.build, { ansible: ansible() }).run();
    assert.equal(outcome.result, 'SUCCESS');
    assert.deepEqual(outcome.returned.data.for_child, { a: 1, nested: { x: 1, y: 2 } });
    assert.deepEqual(outcome.zuul.artifacts, [
      {
        name: 'docs',
        url: 'https://logs.example.org/build/docs/index.html',
        metadata: { type: 'docs' },
      },
      { name: 'tarball', url: 'https://tarballs.example.org/p.tar.gz' },
    ]);
    assert.deepEqual(outcome.zuul.warnings, ['first warning', 'second warning']);
    assert.deepEqual(outcome.zuul.childJobs, [], 'an empty child_jobs list skips every child');
    assert.deepEqual(outcome.zuul.fileComments, { README: [{ line: 1, message: 'spelling' }] });
    assert.equal(outcome.zuul.logUrl, 'https://logs.example.org/build/');
    assert.deepEqual(outcome.returned.secretData, { token: 's3cret-returned-value' });
    const onDisk = readFileSync(t.paths.results, 'utf8');
    assert.ok(onDisk.includes('for_child'));
    assert.ok(!onDisk.includes('s3cret-returned-value'), 'secret data is not left in work/');
    assert.match(t.jobOutput(), /TASK \[zuul_return\]\n.*localhost \| ok\n/);
  });

  it('fails the task that returns a malformed artifact', async () => {
    const t = makeBuild(dir, {
      run: [
        {
          name: 'run.yaml',
          yaml: localhost(`
    - zuul_return:
        data:
          zuul:
            artifacts: [{name: no-url}]
`),
        },
      ],
    });
    const outcome = await new BuildRunner(t.build, { ansible: ansible() }).run();
    assert.equal(outcome.result, 'FAILURE');
    assert.match(t.jobOutput(), /every artifact needs a \\"name\\" and a \\"url\\"/);
  });
});

describe('job-output.txt and job-output.json', () => {
  it('writes timestamped console lines, streams command output as it comes, and records the playbook', async () => {
    const t = makeBuild(dir, {
      run: [
        {
          name: 'run.yaml',
          yaml: `- name: Console check
  hosts: localhost
  gather_facts: false
  tasks:
    - shell: "echo one; sleep 0.6; echo two"
    - name: Say hello
      debug:
        msg: hello from debug
`,
        },
      ],
    });
    const outcome = await new BuildRunner(t.build, { ansible: ansible() }).run();
    assert.equal(outcome.result, 'SUCCESS');
    const lines = t.jobOutput().trimEnd().split('\n');
    for (const line of lines) {
      assert.match(line, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} \| /, `line format: ${line}`);
    }
    const text = lines.map((l) => l.slice(29));
    const at = (s: string) => {
      const i = text.indexOf(s);
      assert.ok(i >= 0, `missing console line "${s}" in:\n${text.join('\n')}`);
      return i;
    };
    assert.ok(at('PLAY [Console check]') < at('TASK [shell: echo one; sleep 0.6; echo two]'));
    assert.ok(at('localhost | one') < at('localhost | two'));
    assert.ok(at('localhost | two') < at('TASK [Say hello]'));
    assert.ok(at('TASK [Say hello]') < at('hello from debug'));
    assert.ok(text.some((l) => /^localhost \| ok: Runtime: \d+:\d\d:\d\d\.\d+$/.test(l)));
    at('PLAY RECAP');
    at('localhost | ok: 2 changed: 1 unreachable: 0 failed: 0 skipped: 0 rescued: 0 ignored: 0');
    // The lines carry the time the command printed them, not the time the task ended.
    const time = (s: string) => Date.parse(lines[at(s)]!.slice(0, 23).replace(' ', 'T'));
    assert.ok(time('localhost | two') - time('localhost | one') >= 500);

    const json = JSON.parse(readFileSync(t.paths.jobOutputJson, 'utf8'));
    assert.equal(json.length, 1);
    const pb = json[0];
    assert.equal(pb.playbook, 'example.org/config/playbooks/run.yaml');
    assert.equal(pb.phase, 'run');
    assert.equal(pb.index, '0');
    assert.equal(pb.trusted, true);
    assert.equal(pb.branch, 'master');
    assert.equal(pb.plays[0].play.name, 'Console check');
    assert.match(pb.plays[0].play.duration.start, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const [shell, debug] = pb.plays[0].tasks;
    assert.equal(shell.hosts.localhost.action, 'shell');
    assert.equal(shell.hosts.localhost.stdout, 'one\ntwo');
    assert.equal(shell.hosts.localhost.rc, 0);
    assert.equal(debug.task.name, 'Say hello');
    assert.equal(debug.hosts.localhost.msg, 'hello from debug');
    assert.deepEqual(pb.stats.localhost, {
      changed: 1,
      failures: 0,
      ignored: 0,
      ok: 2,
      rescued: 0,
      skipped: 0,
      unreachable: 0,
    });
  });
});

describe('secrets', () => {
  it('gives a playbook its secrets untemplated, over job variables, and writes them to no file', async () => {
    const secret = 'p4ss-{{ 6 * 7 }}-word';
    const t = makeBuild(
      dir,
      {
        run: [
          {
            name: 'run.yaml',
            secrets: { db: { password: secret } },
            yaml: localhost(`
    - copy:
        content: "{{ db.password }}"
        dest: "{{ lookup('env', 'HOME') }}/seen-by-run.txt"
      no_log: true
`),
          },
        ],
        post: [
          {
            name: 'post.yaml',
            yaml: localhost(`
    - copy:
        content: "{{ db }}"
        dest: "{{ lookup('env', 'HOME') }}/seen-by-post.txt"
`),
          },
        ],
      },
      { inventory: { all: { hosts: {}, vars: { db: 'job variable' } } } },
    );
    const outcome = await new BuildRunner(t.build, { ansible: ansible() }).run();
    assert.equal(outcome.result, 'SUCCESS');
    assert.equal(readFileSync(join(t.paths.work, 'seen-by-run.txt'), 'utf8'), secret);
    assert.equal(
      readFileSync(join(t.paths.work, 'seen-by-post.txt'), 'utf8'),
      'job variable',
      'a playbook without the secret sees the job variable',
    );
    const leaks = filesUnder(t.paths.root).filter(
      (f) => !f.endsWith('seen-by-run.txt') && readFileSync(f, 'utf8').includes('p4ss-'),
    );
    assert.deepEqual(leaks, []);
    assert.match(t.jobOutput(), /Output suppressed because no_log was given/);
  });
});
