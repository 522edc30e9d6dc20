// The component registry (store rows, heartbeats, stale cleanup) and
// GET /api/components (API reference §3) on a running server.

import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { describe, test } from 'node:test';
import { pino } from 'pino';
import { ComponentsStore } from '../../src/store/components.js';
import { openStore } from '../../src/store/db.js';
import { buildApp } from '../../src/web/app.js';
import { ComponentRegistry, componentKind } from '../../src/web/components.js';
import { WebServer } from '../../src/web/server.js';
import { deployFixture } from '../helpers/fixtures.js';
import { BACKENDS, dropStore, openFresh } from '../helpers/store.js';

const silent = pino({ level: 'silent' });

for (const backend of BACKENDS) {
  describe(`component registry store (${backend.name})`, { skip: backend.skip }, () => {
    test('register, list by kind, stale rows hidden then cleaned up', async () => {
      const store = await openFresh(backend);
      try {
        let now = 1_000_000;
        const reg = new ComponentsStore(store.db, () => now);
        const web = await reg.register({
          kind: 'web',
          hostname: 'zw01.example.com',
          state: 'running',
          version: '1.0.0',
        });
        const sched = await reg.register({
          kind: 'scheduler',
          hostname: 'zs01.example.com',
          state: 'initializing',
          version: null,
        });
        assert.deepEqual(await reg.listing(30_000), {
          scheduler: [{ hostname: 'zs01.example.com', state: 'initializing', version: null }],
          web: [{ hostname: 'zw01.example.com', state: 'running', version: '1.0.0' }],
        });
        now += 20_000;
        assert.equal(await reg.heartbeat(web), true);
        now += 20_000;
        // The scheduler has not beaten for 40 s: not listed, though still stored.
        assert.deepEqual(Object.keys(await reg.listing(30_000)), ['web']);
        assert.equal(await reg.cleanup(30_000), 1);
        assert.equal(await reg.heartbeat(sched, 'running'), false, 'its row is gone');
        await reg.deregister(web);
        assert.deepEqual(await reg.listing(30_000), {}, 'kinds without components are absent');
      } finally {
        await dropStore(store);
      }
    });

    test('registries of two processes: a crashed one disappears', async () => {
      const store = await openFresh(backend);
      try {
        let now = 5_000_000;
        const mk = (host: string, kinds: ('web' | 'scheduler')[]) =>
          new ComponentRegistry({
            store,
            kinds,
            version: '2.0.0',
            hostname: host,
            intervalMs: 60_000,
            log: silent,
            now: () => now,
          });
        const a = mk('a.example.com', ['scheduler', 'web']);
        const b = mk('b.example.com', ['web']);
        await a.start();
        await b.start();
        await a.setState('running');
        let doc = await a.listing();
        assert.deepEqual(
          doc.web?.map((c) => [c.hostname, c.state]),
          [
            ['a.example.com', 'running'],
            ['b.example.com', 'initializing'],
          ],
        );
        assert.deepEqual(doc.scheduler, [
          { hostname: 'a.example.com', state: 'running', version: '2.0.0' },
        ]);
        // b stops beating (crash); a keeps going for more than 3 intervals.
        for (let i = 0; i < 4; i++) {
          now += 60_000;
          await a.beat();
        }
        doc = await a.listing();
        assert.deepEqual(
          doc.web?.map((c) => c.hostname),
          ['a.example.com'],
        );
        assert.equal(
          (await store.db.selectFrom('components').select('id').execute()).length,
          2,
          "b's row was deleted by a's cleanup",
        );
        // b comes back: its row is gone, so its next beat registers again.
        await b.beat();
        assert.equal((await a.listing()).web?.length, 2);
        await a.stop();
        await b.stop();
        assert.deepEqual(await a.listing(), {}, 'graceful stop deregisters');
      } finally {
        await dropStore(store);
      }
    });
  });
}

test('componentKind maps zuul-ts component names to Zuul kinds', () => {
  assert.equal(componentKind('config-loader'), 'scheduler');
  assert.equal(componentKind('web'), 'web');
  assert.equal(componentKind('nonsense'), undefined);
});

describe('GET /api/components', () => {
  test('serve registers scheduler and web; they leave on close', async () => {
    const dep = deployFixture('git-driver');
    const server = await WebServer.start({
      confPath: dep.confPath,
      version: '9.9.9',
      port: 0,
      commandSocket: false,
      components: ['config-loader', 'web'],
      heartbeatIntervalMs: 100,
    });
    let closed = false;
    try {
      await server.ready;
      const res = await server.app.inject('/api/components');
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^application\/json/);
      assert.deepEqual(res.json(), {
        scheduler: [{ hostname: hostname(), state: 'running', version: '9.9.9' }],
        web: [{ hostname: hostname(), state: 'running', version: '9.9.9' }],
      });
      // Still listed after several heartbeat intervals.
      await new Promise((r) => setTimeout(r, 500));
      assert.deepEqual(Object.keys((await server.app.inject('/api/components')).json()), [
        'scheduler',
        'web',
      ]);
      await server.close();
      closed = true;
      const store = await openStore({ uri: `sqlite:///${dep.root}/zuul.db` });
      try {
        assert.deepEqual(await new ComponentsStore(store.db).listing(60_000), {});
      } finally {
        await store.close();
      }
    } finally {
      if (!closed) await server.close();
    }
  });

  test('web alone registers only web; no registry answers 503', async () => {
    const dep = deployFixture('git-driver');
    const server = await WebServer.start({
      confPath: dep.confPath,
      version: '9.9.9',
      port: 0,
      commandSocket: false,
    });
    try {
      await server.ready;
      assert.deepEqual(Object.keys((await server.app.inject('/api/components')).json()), ['web']);
      const app = buildApp({ ...server.ctx, components: undefined });
      const res = await app.inject('/api/components');
      assert.equal(res.statusCode, 503);
      assert.match(res.json().description ?? res.json().error, /registry/);
      await app.close();
    } finally {
      await server.close();
    }
  });
});
