// `zuul-ts web` as a user runs it: a child process on a fixture
// deployment, reconfigured by SIGHUP and by `zuul-ts reconfigure` after a
// commit adds a job, then stopped by SIGTERM.

import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { deployFixture, git } from '../helpers/fixtures.js';

const BIN = resolve(import.meta.dirname ?? '.', '../../../bin/zuul-ts.js');

interface LogLine {
  msg?: string;
  [key: string]: unknown;
}

/** Collects the child's JSON log lines; `waitFor` resolves on a matching one. */
function logWatcher(child: ChildProcess) {
  const lines: LogLine[] = [];
  const waiters: { pred: (l: LogLine) => boolean; res: (l: LogLine) => void }[] = [];
  let buf = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    buf += chunk;
    let nl = buf.indexOf('\n');
    while (nl >= 0) {
      const text = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      nl = buf.indexOf('\n');
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        continue;
      }
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.pred(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.res(line);
        }
      }
    }
  });
  return {
    lines,
    waitFor(pred: (l: LogLine) => boolean, from = 0, ms = 60_000): Promise<LogLine> {
      const found = lines.slice(from).find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((res, rej) => {
        const timer = setTimeout(
          () => rej(new Error(`log line not seen in ${ms} ms; log: ${JSON.stringify(lines)}`)),
          ms,
        );
        waiters.push({
          pred,
          res: (l) => {
            clearTimeout(timer);
            res(l);
          },
        });
      });
    },
  };
}

test('zuul-ts web: serves, reloads on SIGHUP and reconfigure, stops on SIGTERM', async () => {
  const d = deployFixture('single-tenant', {
    extraConf: '[web]\nlisten_address=127.0.0.1\nport=0\ncommand_socket=web.socket\n',
  });
  const stderr: string[] = [];
  const child = spawn(process.execPath, [BIN, 'web', '-c', d.confPath], {
    env: { ...process.env, ZUUL_TS_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr!.on('data', (c: Buffer) => stderr.push(c.toString()));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  const log = logWatcher(child);
  try {
    const listening = await log.waitFor((l) => l.msg === 'web server listening');
    const base = String(listening.address);
    const first = await log.waitFor(
      (l) => l.msg === 'tenant reconfigured' && l.tenant === 'tenant-one',
    );
    const jobs = Number(first.jobs);
    const tenants = (await (await fetch(`${base}/api/tenants`)).json()) as { name: string }[];
    assert.deepEqual(
      tenants.map((t) => t.name),
      ['tenant-one'],
    );

    // A commit adding a job, then SIGHUP.
    const repo = d.repoPath('gerrit', 'common-config');
    appendFileSync(join(repo, 'zuul.yaml'), '\n- job:\n    name: added-by-test\n');
    git(repo, 'commit', '-q', '-am', 'Add a job');
    const mark = log.lines.length;
    child.kill('SIGHUP');
    const reloaded = await log.waitFor(
      (l) => l.msg === 'tenant reconfigured' && l.tenant === 'tenant-one',
      mark,
    );
    assert.equal(reloaded.jobs, jobs + 1);

    // Another job, then `zuul-ts reconfigure`, which waits for the reload.
    appendFileSync(join(repo, 'zuul.yaml'), '\n- job:\n    name: added-by-test-2\n');
    git(repo, 'commit', '-q', '-am', 'Add another job');
    const mark2 = log.lines.length;
    const r = spawnSync(process.execPath, [BIN, 'reconfigure', '-c', d.confPath], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    // (spawnSync blocked this process: the child's log is read now.)
    const again = await log.waitFor(
      (l) => l.msg === 'tenant reconfigured' && l.tenant === 'tenant-one',
      mark2,
    );
    assert.equal(again.jobs, jobs + 2);

    child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr.join(''));
    await log.waitFor((l) => l.msg === 'web server stopped');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('zuul-ts reconfigure without a running server fails clearly', () => {
  const d = deployFixture('single-tenant', { extraConf: '[web]\ncommand_socket=none.socket\n' });
  const r = spawnSync(process.execPath, [BIN, 'reconfigure', '-c', d.confPath], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /Cannot reach a running zuul-ts web\/serve/);
});
