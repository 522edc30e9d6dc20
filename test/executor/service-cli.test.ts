// `zuul-ts executor -c zuul.conf` as an operator runs it: child processes
// on a store shared with this test, running real builds; paused, resumed
// and stopped gracefully with `zuul-ts executor-pause|resume|graceful`;
// a build held by a killed executor finished by another; and the executor
// inside `zuul-ts serve`.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BuildClient } from '../../src/executor/service-client.js';
import { ComponentsStore } from '../../src/store/components.js';
import { openStore, type Store } from '../../src/store/db.js';
import { deployFixture } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/git-repos.js';
import { BACKENDS, dropStore } from '../helpers/store.js';
import { BIN, type MergerProcess, startZuulProcess } from '../merger/merger-process.js';
import {
  buildRequestFor,
  type JobRepos,
  makeJobRepos,
  writeExecutorConf,
} from './service-helpers.js';

const WAIT = { timeoutMs: 90_000 };

function zuul(...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000 });
}

async function stateOf(store: Store, id: string): Promise<string | undefined> {
  const rows = await new ComponentsStore(store.db).list(60_000);
  return rows.find((c) => c.id === id)?.state;
}

function killAll(...ps: MergerProcess[]) {
  for (const p of ps) if (p.child.exitCode === null) p.child.kill('SIGKILL');
}

const dir = tempDir('zuul-ts-exec-cli-');
const repos: JobRepos = makeJobRepos(dir.path);
after(() => dir.cleanup());

describe('zuul-ts executor', () => {
  let uri: string;
  let store: Store;
  let client: BuildClient;
  before(async () => {
    uri = `sqlite:///${join(dir.path, 'zuul.db')}`;
    store = await openStore({ uri });
    client = new BuildClient({ store, pollMs: 100 });
  });
  after(async () => {
    await store.close();
  });

  it('pauses and resumes with executor-pause and executor-resume', async () => {
    const conf = writeExecutorConf(dir.path, 'pausing', { uri });
    const p = startZuulProcess(['executor', '-c', conf]);
    try {
      const started = await p.waitFor((l) => l.msg === 'executor started');
      const component = String(started.component);
      assert.equal(await stateOf(store, component), 'running');

      const paused = zuul('executor-pause', '-c', conf);
      assert.equal(paused.status, 0, paused.stderr);
      assert.match(paused.stdout, /^Executor paused: it takes no new builds/);
      assert.equal(await stateOf(store, component), 'paused');
      const id = await client.submit(buildRequestFor(repos));
      await new Promise((res) => setTimeout(res, 2000));
      assert.equal((await client.queue.get(id))?.state, 'requested', 'a paused executor waits');

      const resumed = zuul('executor-resume', '-c', conf);
      assert.equal(resumed.status, 0, resumed.stderr);
      assert.match(resumed.stdout, /^Executor resumed/);
      const outcome = await client.wait(id, WAIT);
      assert.equal(outcome.result?.result, 'SUCCESS', outcome.result?.errorDetail ?? '');
      assert.equal(await stateOf(store, component), 'running');

      p.child.kill('SIGTERM');
      assert.equal(await p.exited, 0, p.stderr());
      assert.equal(await stateOf(store, component), undefined, 'deregistered');
    } finally {
      killAll(p);
    }
  });

  it('stops gracefully: finishes the running build, takes no other, exits 0', async () => {
    const conf = writeExecutorConf(dir.path, 'graceful', { uri });
    const p = startZuulProcess(['executor', '-c', conf]);
    try {
      await p.waitFor((l) => l.msg === 'executor started');
      const first = await client.submit(
        buildRequestFor(repos, { run: ['sleep.yaml'], vars: { sleep_seconds: 3 } }),
      );
      await client.waitForEvent(first, (e) => e.type === 'playbook', WAIT);
      const graceful = zuul('executor-graceful', '-c', conf);
      assert.equal(graceful.status, 0, graceful.stderr);
      assert.match(graceful.stdout, /stopping gracefully.*1 running builds/);
      const second = await client.submit(buildRequestFor(repos));
      assert.equal(await p.exited, 0, p.stderr());
      const outcome = await client.wait(first, WAIT);
      assert.equal(outcome.result?.result, 'SUCCESS', outcome.result?.errorDetail ?? '');
      assert.equal((await client.queue.get(second))?.state, 'requested', 'not taken');
      await client.cancel(second);
    } finally {
      killAll(p);
    }
  });

  it('answers clearly when no executor runs, and refuses to start without a state store', () => {
    const conf = writeExecutorConf(dir.path, 'nobody', { uri });
    const r = zuul('executor-pause', '-c', conf);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /Cannot reach a running zuul-ts executor at .*nobody\/executor\.socket/);
    const nodb = join(dir.path, 'nodb.conf');
    writeFileSync(nodb, `[executor]\nstate_dir=${join(dir.path, 'nodb')}\n`);
    const s = zuul('executor', '-c', nodb);
    assert.equal(s.status, 1);
    assert.match(s.stderr, /the executor needs \[database\] dburi/);
  });
});

for (const backend of BACKENDS.filter((b) => b.name !== 'mariadb')) {
  describe(`executors sharing a ${backend.name} store`, { skip: backend.skip }, () => {
    let store: Store;
    let client: BuildClient;
    let storeOpts: { uri: string; tablePrefix?: string };
    before(async () => {
      storeOpts =
        backend.name === 'sqlite'
          ? { uri: `sqlite:///${join(dir.path, 'shared.db')}` }
          : backend.fresh();
      store = await openStore(storeOpts);
      client = new BuildClient({ store, pollMs: 100 });
    });
    after(async () => {
      await dropStore(store);
    });

    it('finish a build whose executor was killed', async () => {
      const a = startZuulProcess([
        'executor',
        '-c',
        writeExecutorConf(dir.path, `${backend.name}-a`, storeOpts),
        '--lease',
        '2',
      ]);
      const b = startZuulProcess([
        'executor',
        '-c',
        writeExecutorConf(dir.path, `${backend.name}-b`, storeOpts),
        '--lease',
        '2',
      ]);
      try {
        const ids = new Map<string, MergerProcess>();
        for (const p of [a, b]) {
          const l = await p.waitFor((x) => x.msg === 'executor started');
          ids.set(String(l.component), p);
        }
        const request = buildRequestFor(repos, { run: ['sleep.yaml'], vars: { sleep_seconds: 4 } });
        const id = await client.submit(request);
        await client.waitForEvent(id, (e) => e.type === 'playbook', WAIT);
        const holder = (await client.queue.get(id))!.worker!;
        const victim = ids.get(holder)!;
        victim.child.kill('SIGKILL');
        await victim.exited;

        const outcome = await client.wait(id, WAIT);
        assert.equal(outcome.state, 'completed');
        assert.equal(outcome.result?.result, 'SUCCESS', outcome.result?.errorDetail ?? '');
        assert.notEqual(outcome.record.worker, holder, 'the other executor finished it');
        assert.equal(outcome.record.attempts, 2);
        const starts = (await client.list(id)).filter((e) => e.type === 'started');
        assert.deepEqual(
          starts.map((e) => [e.attempt, e.build]),
          [
            [1, request.uuid],
            [2, request.uuid],
          ],
        );
      } finally {
        killAll(a, b);
      }
    });
  });
}

describe('zuul-ts serve', () => {
  it('runs an executor beside web and the merger', async () => {
    const d = deployFixture('single-tenant', {
      extraConf: [
        '[web]',
        'listen_address=127.0.0.1',
        'port=0',
        'command_socket=web.socket',
        '[executor]',
        'state_dir=executor-state',
        'load_multiplier=1000',
        `private_key_file=${join(dir.path, 'no-such-key')}`,
        '',
      ].join('\n'),
    });
    const p = startZuulProcess(['serve', '-c', d.confPath]);
    const store = await openStore({ uri: `sqlite:///${join(d.root, 'zuul.db')}` });
    try {
      const listening = await p.waitFor((l) => l.msg === 'web server listening', 60_000);
      await p.waitFor((l) => l.msg === 'executor started', 60_000);
      const res = await fetch(`${String(listening.address)}/api/components`);
      const listing = (await res.json()) as Record<string, { state: string }[]>;
      assert.deepEqual(
        listing.executor?.map((c) => c.state),
        ['running'],
      );
      const client = new BuildClient({ store, pollMs: 100 });
      const id = await client.submit(buildRequestFor(repos));
      const outcome = await client.wait(id, WAIT);
      assert.equal(outcome.result?.result, 'SUCCESS', outcome.result?.errorDetail ?? '');
      const paused = zuul('executor-pause', '-c', d.confPath);
      assert.equal(paused.status, 0, paused.stderr);
      p.child.kill('SIGTERM');
      assert.equal(await p.exited, 0, p.stderr());
      assert.ok(p.lines.some((l) => l.msg === 'executor stopped'));
    } finally {
      await store.close();
      killAll(p);
      await p.exited;
      rmSync(d.root, { recursive: true, force: true });
    }
  });
});
