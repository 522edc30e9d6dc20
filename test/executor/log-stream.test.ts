// Following a running build's console: lines arrive while the build runs,
// the reader ends when the build does, and a late reader gets the whole
// back-scroll.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { followLogChunks, followLogLines } from '../../src/executor/log-stream.js';
import { BuildRunner } from '../../src/executor/runner.js';
import { ansible, jobDir, makeBuild } from './helpers.js';

const dir = jobDir();
after(() => dir.cleanup());

async function collect(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const l of it) out.push(l);
  return out;
}

describe('console log reader', () => {
  it('sees command output before the build ends, then stops with the build', async () => {
    const t = makeBuild(dir, {
      run: [
        {
          name: 'run.yaml',
          yaml: `- hosts: localhost
  gather_facts: false
  tasks:
    - shell: "echo first; sleep 2; echo second"
`,
        },
      ],
    });
    let finished = false;
    let finishedAt = 0;
    const seen = new Map<string, number>();
    const reader = (async () => {
      for await (const line of followLogLines(t.paths.jobOutput, {
        done: () => finished,
        pollMs: 50,
      })) {
        seen.set(line.slice(29), Date.now());
      }
      return Date.now();
    })();
    const outcome = await new BuildRunner(t.build, { ansible: ansible() }).run();
    finished = true;
    finishedAt = Date.now();
    const readerEnded = await reader;
    assert.equal(outcome.result, 'SUCCESS');
    const first = seen.get('localhost | first');
    assert.ok(first, 'the reader saw the first line');
    assert.ok(
      first < finishedAt - 1000,
      `the first line arrived ${finishedAt - first} ms before the build ended`,
    );
    assert.ok(seen.has('localhost | second'));
    assert.ok(seen.has('PLAY RECAP'), 'lines written just before the end are not lost');
    assert.ok(readerEnded - finishedAt < 2000, 'the reader stops once the build is over');

    // A reader attaching after the end gets the same lines, from the start.
    const late = await collect(followLogLines(t.paths.jobOutput, { done: () => true }));
    assert.deepEqual(late, readFileSync(t.paths.jobOutput, 'utf8').trimEnd().split('\n'));
  });

  it('waits for a log file that does not exist yet and can start from the tail', async () => {
    const path = join(dir.path, 'later.txt');
    let done = false;
    const reader = collect(followLogLines(path, { done: () => done, pollMs: 20 }));
    await new Promise((r) => setTimeout(r, 100));
    writeFileSync(path, 'one\ntwo\nthree');
    await new Promise((r) => setTimeout(r, 100));
    done = true;
    assert.deepEqual(await reader, ['one', 'two', 'three']);

    const chunks: Buffer[] = [];
    for await (const c of followLogChunks(path, { done: () => true, tailBytes: 5 })) chunks.push(c);
    assert.equal(Buffer.concat(chunks).toString(), 'three');
  });

  it('stops when the caller aborts', async () => {
    const path = join(dir.path, 'forever.txt');
    writeFileSync(path, 'only line\n');
    const ac = new AbortController();
    const reader = collect(followLogLines(path, { done: () => false, signal: ac.signal }));
    setTimeout(() => ac.abort(), 100);
    assert.deepEqual(await reader, ['only line']);
  });
});
