// The runner's phase order and build results, with real ansible-playbook
// in the bubblewrap sandbox (semantics §F.7).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { BuildRunner } from '../../src/executor/runner.js';
import { ansible, jobDir, makeBuild, orderPlaybook, task } from './helpers.js';

const dir = jobDir();
after(() => dir.cleanup());

const recordSuccess = task(`
name: record zuul_success
shell: echo "success={{ zuul_success }} retry={{ zuul_will_retry }}" >> ~/order.txt
`);

describe('BuildRunner phases', () => {
  it('runs pre-run, run, post-run and cleanup in order and succeeds', async () => {
    const t = makeBuild(dir, {
      pre: [{ name: 'pre.yaml', yaml: orderPlaybook('pre') }],
      run: [{ name: 'run.yaml', yaml: orderPlaybook('run'), trusted: false }],
      post: [
        { name: 'post.yaml', yaml: orderPlaybook('post', recordSuccess) },
        { name: 'cleanup.yaml', yaml: orderPlaybook('cleanup'), cleanup: true },
      ],
    });
    const outcome = await new BuildRunner(t.build, { ansible: ansible() }).run();
    assert.equal(outcome.result, 'SUCCESS');
    assert.deepEqual(t.order(), ['pre', 'run', 'post', 'success=True retry=False', 'cleanup']);
    assert.deepEqual(
      outcome.playbooks.map((p) => `${p.phase}:${p.playbook}:${p.exitCode}`),
      [
        'pre:example.org/config/playbooks/pre.yaml:0',
        'run:example.org/org/project/playbooks/run.yaml:0',
        'post:example.org/config/playbooks/post.yaml:0',
        'post:example.org/config/playbooks/cleanup.yaml:0',
      ],
    );
    const log = t.jobOutput();
    const banners = log
      .split('\n')
      .map((l) => l.replace(/^[^|]*\| /, ''))
      .filter((l) => /(START|END RESULT_\w+): \[/.test(l));
    assert.deepEqual(banners, [
      'PRE-RUN START: [trusted : example.org/config/playbooks/pre.yaml@master]',
      'PRE-RUN END RESULT_NORMAL: [trusted : example.org/config/playbooks/pre.yaml@master]',
      'RUN START: [untrusted : example.org/org/project/playbooks/run.yaml@master]',
      'RUN END RESULT_NORMAL: [untrusted : example.org/org/project/playbooks/run.yaml@master]',
      'POST-RUN START: [trusted : example.org/config/playbooks/post.yaml@master]',
      'POST-RUN END RESULT_NORMAL: [trusted : example.org/config/playbooks/post.yaml@master]',
      'POST-RUN START: [trusted : example.org/config/playbooks/cleanup.yaml@master]',
      'POST-RUN END RESULT_NORMAL: [trusted : example.org/config/playbooks/cleanup.yaml@master]',
    ]);
  });

  it('reports FAILURE when a run playbook fails, skips later run playbooks, still runs post', async () => {
    let early = 0;
    const t = makeBuild(dir, {
      run: [
        { name: 'run.yaml', yaml: orderPlaybook('run', task('command: /bin/false')) },
        { name: 'run2.yaml', yaml: orderPlaybook('run2') },
      ],
      post: [{ name: 'post.yaml', yaml: orderPlaybook('post', recordSuccess) }],
    });
    const outcome = await new BuildRunner(t.build, {
      ansible: ansible(),
      onEarlyFailure: () => early++,
    }).run();
    assert.equal(outcome.result, 'FAILURE');
    assert.deepEqual(t.order(), ['run', 'post', 'success=False retry=False']);
    assert.equal(early, 1, 'the failed task is reported once, while the build runs');
    assert.equal(outcome.earlyFailure, true);
  });

  it('fails a build whose run output matches failure-output even when the playbook succeeds', async () => {
    let early = 0;
    const t = makeBuild(
      dir,
      {
        run: [
          {
            name: 'run.yaml',
            yaml: orderPlaybook('run', task(`shell: 'echo "FATAL: disk on fire"'`)),
          },
        ],
      },
      { failureOutput: ['^FATAL: '] },
    );
    const outcome = await new BuildRunner(t.build, {
      ansible: ansible(),
      onEarlyFailure: () => early++,
    }).run();
    assert.equal(outcome.result, 'FAILURE');
    assert.equal(early, 1);
    assert.equal(outcome.playbooks[0]!.exitCode, 0);
  });

  it('reports POST_FAILURE when a post playbook fails after a successful run', async () => {
    const t = makeBuild(dir, {
      run: [{ name: 'run.yaml', yaml: orderPlaybook('run') }],
      post: [
        { name: 'post.yaml', yaml: orderPlaybook('post', task('command: /bin/false')) },
        { name: 'post2.yaml', yaml: orderPlaybook('post2', recordSuccess) },
      ],
    });
    const outcome = await new BuildRunner(t.build, { ansible: ansible() }).run();
    assert.equal(outcome.result, 'POST_FAILURE');
    assert.deepEqual(t.order(), ['run', 'post', 'post2', 'success=False retry=False']);
  });

  it('times out the run phase (TIMED_OUT) and still runs post playbooks', async () => {
    const t = makeBuild(
      dir,
      {
        run: [{ name: 'run.yaml', yaml: orderPlaybook('run', task('command: sleep 60')) }],
        post: [{ name: 'post.yaml', yaml: orderPlaybook('post', recordSuccess) }],
      },
      { timeout: 4 },
    );
    const started = Date.now();
    const outcome = await new BuildRunner(t.build, { ansible: ansible() }).run();
    assert.equal(outcome.result, 'TIMED_OUT');
    assert.ok(Date.now() - started < 30_000, 'the sleeping playbook was killed');
    assert.deepEqual(t.order(), ['run', 'post', 'success=False retry=False']);
    assert.match(t.jobOutput(), /RUN END RESULT_TIMED_OUT: \[trusted : .*run\.yaml@master\]/);
    const json = JSON.parse(readFileSync(t.paths.jobOutputJson, 'utf8'));
    assert.equal(json[0].phase, 'run', 'the killed playbook still has a record');
    assert.equal(json[0].plays[0].play.name, 'Ansible timeout exceeded');
  });

  it('turns a pre-run failure into RETRY: run skipped, post told a retry follows', async () => {
    const t = makeBuild(dir, {
      pre: [
        {
          name: 'pre.yaml',
          yaml: orderPlaybook('pre', task('command: /bin/false')),
          nestingLevel: 1,
        },
      ],
      run: [{ name: 'run.yaml', yaml: orderPlaybook('run') }],
      post: [
        { name: 'post0.yaml', yaml: orderPlaybook('post0', recordSuccess), nestingLevel: 0 },
        { name: 'post2.yaml', yaml: orderPlaybook('post2'), nestingLevel: 2 },
      ],
    });
    const outcome = await new BuildRunner(t.build, {
      ansible: ansible(),
      attempt: 1,
      maxAttempts: 3,
    }).run();
    assert.equal(outcome.result, 'RETRY');
    // post2 belongs to a deeper inheritance level than the failed pre-run: skipped.
    assert.deepEqual(t.order(), ['pre', 'post0', 'success=False retry=True']);
  });

  it('retries (not TIMED_OUT) when pre-run playbooks exceed pre-timeout', async () => {
    const t = makeBuild(
      dir,
      {
        pre: [{ name: 'pre.yaml', yaml: orderPlaybook('pre', task('command: sleep 60')) }],
        run: [{ name: 'run.yaml', yaml: orderPlaybook('run') }],
      },
      { preTimeout: 3, timeout: 600 },
    );
    const outcome = await new BuildRunner(t.build, { ansible: ansible() }).run();
    assert.equal(outcome.result, 'RETRY');
    assert.equal(outcome.playbooks[0]!.outcome, 'TIMED_OUT');
    assert.deepEqual(t.order(), ['pre']);
  });

  it('makes a pre-run failure a FAILURE when the playbook returned retry: false', async () => {
    const t = makeBuild(dir, {
      pre: [
        {
          name: 'pre.yaml',
          yaml: orderPlaybook(
            'pre',
            task('zuul_return:\n  data:\n    zuul:\n      retry: false') +
              task('command: /bin/false'),
          ),
        },
      ],
      run: [{ name: 'run.yaml', yaml: orderPlaybook('run') }],
    });
    const outcome = await new BuildRunner(t.build, { ansible: ansible() }).run();
    assert.equal(outcome.result, 'FAILURE');
    assert.deepEqual(t.order(), ['pre']);
  });

  it('aborts the running playbook (ABORTED) and runs only cleanup playbooks', async () => {
    const t = makeBuild(dir, {
      run: [{ name: 'run.yaml', yaml: orderPlaybook('run', task('command: sleep 60')) }],
      post: [
        { name: 'post.yaml', yaml: orderPlaybook('post') },
        { name: 'cleanup.yaml', yaml: orderPlaybook('cleanup'), cleanup: true },
      ],
    });
    const runner = new BuildRunner(t.build, { ansible: ansible() });
    const done = runner.run();
    // Abort once the sleep is running.
    const deadline = Date.now() + 20_000;
    while (!t.jobOutput().includes('TASK [command: sleep 60]') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    runner.abort();
    const outcome = await done;
    assert.equal(outcome.result, 'ABORTED');
    assert.deepEqual(t.order(), ['run', 'cleanup']);
    assert.match(t.jobOutput(), /RUN END RESULT_ABORTED/);
  });

  it('retries when a host is unreachable, flagging it', async () => {
    const t = makeBuild(
      dir,
      {
        run: [
          {
            name: 'run.yaml',
            yaml: '- hosts: all\n  gather_facts: false\n  tasks:\n    - ping:\n',
          },
        ],
      },
      {
        inventory: {
          all: {
            hosts: {
              // Nothing listens on port 1 of the loopback address.
              node: { ansible_host: '127.0.0.1', ansible_port: 1, ansible_connection: 'ssh' },
            },
          },
        },
      },
    );
    const outcome = await new BuildRunner(t.build, { ansible: ansible() }).run();
    assert.equal(outcome.result, 'RETRY');
    assert.equal(outcome.unreachable, true);
    assert.match(t.jobOutput(), /node \| UNREACHABLE/);
  });

  it("shows Ansible's own error in the console when a playbook cannot be parsed", async () => {
    const t = makeBuild(dir, {
      run: [
        { name: 'run.yaml', yaml: '- hosts: localhost\n  tasks:\n    - no_such_module_here: {}\n' },
      ],
    });
    const outcome = await new BuildRunner(t.build, { ansible: ansible() }).run();
    assert.equal(outcome.result, 'FAILURE');
    assert.match(t.jobOutput(), /no_such_module_here/);
  });
});
