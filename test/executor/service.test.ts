// The executor service in this process, on every store backend, running
// real builds (runBuild, git repositories, ansible-playbook): a build's
// events and result reach the requester, a cancel aborts it with its
// cleanup playbook run, the governor holds builds back while the host is
// over its limits, zones decide who takes a build, a build directory over
// disk_limit_per_job ends DISK_FULL, and a paused build waits for resume.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import type { Measurement } from '../../src/executor/governor.js';
import { runBuild } from '../../src/executor/run-build.js';
import { ExecutorService } from '../../src/executor/service.js';
import { BuildClient } from '../../src/executor/service-client.js';
import type { ExecutorServiceSettings } from '../../src/executor/service-settings.js';
import { RepoCache } from '../../src/merger/repo-cache.js';
import { ComponentsStore } from '../../src/store/components.js';
import { openStore, type Store } from '../../src/store/db.js';
import { RequestSignals } from '../../src/store/requests-signals.js';
import { tempDir } from '../helpers/git-repos.js';
import { BACKENDS, dropStore, openFresh } from '../helpers/store.js';
import {
  buildRequestFor,
  type JobRepos,
  makeJobRepos,
  serviceSettings,
  settingsIn,
} from './service-helpers.js';

const dir = tempDir('zuul-ts-exec-service-');
const repos: JobRepos = makeJobRepos(dir.path);
after(() => dir.cleanup());

const CALM: Measurement = { loadAvg: 0.1, availMemPct: 80, availHddPct: 80, availInodesPct: 80 };
const WAIT = { timeoutMs: 90_000 };

let n = 0;

for (const backend of BACKENDS) {
  describe(`executor service on ${backend.name}`, { skip: backend.skip }, () => {
    let store: Store;
    let signals: RequestSignals;
    let client: BuildClient;
    before(async () => {
      const opts = backend.fresh();
      store = await openStore(opts);
      signals = await RequestSignals.open(store, { uri: opts.uri });
      client = new BuildClient({ store, signals, pollMs: 100 });
    });
    after(async () => {
      signals.close();
      await dropStore(store);
    });

    /** An executor with its own directories; `reading` is what the governor sees. */
    function executor(
      extra: Partial<ExecutorServiceSettings> = {},
      reading: Measurement = { ...CALM },
    ) {
      const d = `${dir.path}/${backend.name}-${++n}`;
      const settings = settingsIn(d);
      const service = new ExecutorService({
        store,
        signals,
        settings,
        service: serviceSettings(d, extra),
        runBuild,
        buildContext: { repoCache: new RepoCache({ gitDir: settings.gitDir }) },
        measure: async () => reading,
        version: '0.1.0',
        pollMs: 100,
        controlMs: 100,
        governorMs: 100,
        diskCheckMs: 200,
        log: pino({ level: 'silent' }),
      });
      return { service, reading };
    }

    it('runs a build: the requester sees it start, then gets its result', async () => {
      const { service } = executor();
      await service.start();
      try {
        const components = new ComponentsStore(store.db);
        const listed = (await components.list(60_000)).filter((c) => c.id === service.id);
        assert.deepEqual(
          listed.map((c) => [c.kind, c.state, c.hostname]),
          [['executor', 'running', 'executor.test']],
        );
        const request = buildRequestFor(repos);
        const id = await client.submit(request);
        const started = await client.waitForEvent(id, (e) => e.type === 'started', WAIT);
        assert.equal(started.build, request.uuid);
        assert.equal(started.attempt, 1);
        const outcome = await client.wait(id, WAIT);
        assert.equal(outcome.state, 'completed');
        assert.equal(outcome.result?.result, 'SUCCESS', outcome.result?.errorDetail ?? '');
        assert.equal(outcome.result?.uuid, request.uuid);
        assert.deepEqual(
          outcome.result?.playbooks.map((p) => [p.phase, p.playbook, p.exitCode]),
          [['run', 'example.org/org/config/playbooks/hello.yaml', 0]],
        );
        const types = (await client.list(id)).map((e) => e.type);
        assert.equal(types[0], 'started');
        assert.ok(types.includes('playbook'), types.join());
        await client.remove(id);
        assert.deepEqual(await client.list(id), [], 'events go with the request');
      } finally {
        await service.stop();
      }
      assert.deepEqual(
        (await new ComponentsStore(store.db).list(60_000)).filter((c) => c.id === service.id),
        [],
        'deregistered',
      );
    });

    it('aborts a build its requester cancels: the cleanup playbook runs, the result is ABORTED', async () => {
      const { service } = executor();
      await service.start();
      try {
        const request = buildRequestFor(repos, {
          run: ['sleep.yaml'],
          cleanup: ['cleanup.yaml'],
        });
        const id = await client.submit(request);
        await client.waitForEvent(
          id,
          (e) => e.event.type === 'playbook' && e.event.state === 'start',
          WAIT,
        );
        const t0 = Date.now();
        assert.equal(await client.cancel(id), true);
        const outcome = await client.wait(id, WAIT);
        assert.ok(Date.now() - t0 < 25_000, 'the sleeping playbook was stopped');
        assert.equal(outcome.state, 'cancelled');
        assert.equal(outcome.result?.result, 'ABORTED');
        assert.deepEqual(
          outcome.result?.playbooks.map((p) => [p.phase, p.playbook.split('/').pop(), p.outcome]),
          [
            ['run', 'sleep.yaml', 'ABORTED'],
            ['post', 'cleanup.yaml', 'NORMAL'],
          ],
        );
      } finally {
        await service.stop();
      }
    });

    it('claims nothing while the host is over its limits, and runs the build once it is back', async () => {
      const { service, reading } = executor({}, { ...CALM, loadAvg: 50 });
      await service.start();
      try {
        const id = await client.submit(buildRequestFor(repos));
        await new Promise((res) => setTimeout(res, 800));
        assert.equal((await client.queue.get(id))?.state, 'requested', 'not claimed under load');
        reading.loadAvg = 0.5;
        const outcome = await client.wait(id, WAIT);
        assert.equal(outcome.result?.result, 'SUCCESS', outcome.result?.errorDetail ?? '');
      } finally {
        await service.stop();
      }
    });
  });
}

describe('executor service zones, disk limit and pause (SQLite)', () => {
  const backend = BACKENDS[0]!;
  let store: Store;
  let client: BuildClient;
  before(async () => {
    store = await openFresh(backend);
    client = new BuildClient({ store, pollMs: 100 });
  });
  after(async () => {
    await dropStore(store);
  });

  function executor(extra: Partial<ExecutorServiceSettings> = {}) {
    const d = `${dir.path}/zones-${++n}`;
    const settings = settingsIn(d);
    return new ExecutorService({
      store,
      settings,
      service: serviceSettings(d, extra),
      runBuild,
      buildContext: { repoCache: new RepoCache({ gitDir: settings.gitDir }) },
      measure: async () => CALM,
      version: '0.1.0',
      pollMs: 100,
      controlMs: 100,
      diskCheckMs: 200,
      log: pino({ level: 'silent' }),
    });
  }

  it("takes only its zone's builds, and unzoned ones only with allow_unzoned", async () => {
    const zoned = executor({ zone: 'eu' });
    await zoned.start();
    try {
      const unzoned = await client.submit(buildRequestFor(repos));
      const inZone = await client.submit(buildRequestFor(repos, { zone: 'eu' }));
      const done = await client.wait(inZone, WAIT);
      assert.equal(done.result?.result, 'SUCCESS', done.result?.errorDetail ?? '');
      assert.equal((await client.queue.get(unzoned))?.state, 'requested');
      const open = executor({ zone: 'us', allowUnzoned: true });
      await open.start();
      try {
        const taken = await client.wait(unzoned, WAIT);
        assert.equal(taken.result?.result, 'SUCCESS', taken.result?.errorDetail ?? '');
        assert.equal(taken.record.worker, open.id);
      } finally {
        await open.stop();
      }
    } finally {
      await zoned.stop();
    }
  });

  it('ends a build whose directory passes disk_limit_per_job with DISK_FULL', async () => {
    const service = executor({ diskLimitPerJob: 2 });
    await service.start();
    try {
      const id = await client.submit(buildRequestFor(repos, { run: ['big-file.yaml'] }));
      const outcome = await client.wait(id, WAIT);
      assert.equal(outcome.result?.result, 'DISK_FULL');
      assert.match(outcome.result?.errorDetail ?? '', /disk_limit_per_job \(2 MB\)/);
    } finally {
      await service.stop();
    }
  });

  it('never starts a build cancelled while it waits, even once the executor takes builds again', async () => {
    const service = executor({ pausedOnStart: true });
    await service.start();
    try {
      const id = await client.submit(buildRequestFor(repos));
      assert.equal(await client.cancel(id), true);
      const outcome = await client.wait(id, WAIT);
      assert.deepEqual([outcome.state, outcome.result], ['cancelled', null]);
      await service.resume();
      await new Promise((res) => setTimeout(res, 500));
      assert.equal((await client.queue.get(id))?.worker, null, 'never claimed');
      assert.deepEqual(await client.list(id), []);
    } finally {
      await service.stop();
    }
  });

  it('keeps a paused build waiting until its requester resumes it', async () => {
    const service = executor();
    await service.start();
    try {
      const id = await client.submit(
        buildRequestFor(repos, { run: ['pause.yaml'], cleanup: ['cleanup.yaml'] }),
      );
      const paused = await client.waitForEvent(id, (e) => e.type === 'paused', WAIT);
      assert.equal(
        paused.event.type === 'paused' && (paused.event.data as { answer?: number }).answer,
        42,
      );
      await new Promise((res) => setTimeout(res, 500));
      assert.equal((await client.queue.get(id))?.state, 'running', 'still paused');
      assert.deepEqual(
        service.runningBuilds().map((b) => b.paused),
        [true],
      );
      await client.resume(id);
      const outcome = await client.wait(id, WAIT);
      assert.equal(outcome.result?.result, 'SUCCESS', outcome.result?.errorDetail ?? '');
      assert.ok(
        outcome.result?.playbooks.some((p) => p.playbook.endsWith('cleanup.yaml')),
        'post playbooks ran after the resume',
      );
    } finally {
      await service.stop();
    }
  });
});
