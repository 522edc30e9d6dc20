// The request queue on every backend: ordering, exactly-one claiming,
// leases that run out, fencing of late results, cancelling, pruning,
// wake-ups, and the worker and requester loops built on it.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Store, StoreOptions } from '../../src/store/db.js';
import { openStore } from '../../src/store/db.js';
import { PRECEDENCE, RequestError, RequestQueue } from '../../src/store/requests.js';
import {
  RequestClient,
  RequestFailedError,
  RequestTimeoutError,
} from '../../src/store/requests-client.js';
import { RequestSignals } from '../../src/store/requests-signals.js';
import { RequestWorker } from '../../src/store/requests-worker.js';
import { BACKENDS, dropStore } from '../helpers/store.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** A clock the test moves by hand. */
function clock(start = 1_700_000_000_000) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

for (const backend of BACKENDS) {
  describe(`request queue on ${backend.name}`, { skip: backend.skip }, () => {
    let opts: StoreOptions;
    let store: Store;
    before(async () => {
      opts = backend.fresh();
      store = await openStore(opts);
    });
    after(async () => {
      await dropStore(store);
    });

    /** Each test works on its own kinds, so tests never see each other's rows. */
    let n = 0;
    const kindFor = (what: string) => `test:${what}:${++n}`;

    it('runs requests by precedence, then age, and hands the result back', async () => {
      const c = clock();
      const q = new RequestQueue(store, c.now);
      const kind = kindFor('order');
      const low = await q.submit({ kind, payload: { n: 'low' }, precedence: PRECEDENCE.low });
      c.advance(1);
      const first = await q.submit({ kind, payload: { n: 'first' } });
      c.advance(1);
      const second = await q.submit({ kind, payload: { n: 'second' } });
      c.advance(1);
      const high = await q.submit({ kind, payload: { n: 'high' }, precedence: PRECEDENCE.high });
      const order: string[] = [];
      for (;;) {
        const claim = await q.claim('w1', [kind], 10_000);
        if (!claim) break;
        order.push(claim.id);
        assert.equal(claim.attempt, 1);
        assert.ok(await q.complete(claim, { echo: claim.payload }));
      }
      assert.deepEqual(order, [high, first, second, low]);
      const rec = await q.get(first);
      assert.equal(rec?.state, 'completed');
      assert.deepEqual(rec?.result, { echo: { n: 'first' } });
      assert.equal(rec?.worker, 'w1');
      assert.equal(rec?.finished, c.now());
    });

    it('claims each request exactly once under concurrent claimers', async () => {
      const kind = kindFor('race');
      const q = new RequestQueue(store);
      // A second store is a second connection pool, as another process has.
      const other = await openStore({ ...opts, migrate: false });
      const q2 = new RequestQueue(other);
      try {
        const ids = new Set<string>();
        for (let i = 0; i < 40; i++) ids.add(await q.submit({ kind, payload: i }));
        const claimedBy = new Map<string, string>();
        const worker = async (queue: RequestQueue, name: string) => {
          for (;;) {
            const claim = await queue.claim(name, [kind], 60_000);
            if (!claim) return;
            assert.ok(!claimedBy.has(claim.id), `request ${claim.id} claimed twice`);
            claimedBy.set(claim.id, name);
            assert.ok(await queue.complete(claim, name));
          }
        };
        await Promise.all([
          worker(q, 'a'),
          worker(q, 'b'),
          worker(q, 'c'),
          worker(q2, 'd'),
          worker(q2, 'e'),
        ]);
        assert.deepEqual(new Set(claimedBy.keys()), ids);
        for (const id of ids) {
          const rec = await q.get(id);
          assert.equal(rec?.state, 'completed');
          assert.equal(rec?.result, claimedBy.get(id), 'the result is from the claiming worker');
          assert.equal(rec?.attempts, 1);
        }
      } finally {
        await other.close();
      }
    });

    it('gives a request whose lease ran out to another worker and refuses the late result', async () => {
      const c = clock();
      const q = new RequestQueue(store, c.now);
      const kind = kindFor('lease');
      const id = await q.submit({ kind, payload: 'work' });
      const a = await q.claim('a', [kind], 1000);
      assert.equal(a?.id, id);
      assert.equal(await q.claim('b', [kind], 1000), undefined, 'a live lease is respected');
      c.advance(600);
      assert.ok(await q.renew(a!, 1000), 'a renews in time');
      c.advance(600);
      assert.equal(await q.claim('b', [kind], 1000), undefined, 'the renewed lease holds');
      c.advance(1000);
      const b = await q.claim('b', [kind], 1000);
      assert.equal(b?.id, id, 'after the lease ran out b takes over');
      assert.equal(b?.attempt, 2);
      assert.equal(await q.renew(a!, 1000), false, 'a learns its lease is gone');
      assert.equal(await q.complete(a!, 'from a'), false, "a's late result is refused");
      assert.ok(await q.complete(b!, 'from b'));
      assert.equal(await q.complete(b!, 'again'), false, 'a request is completed once');
      const rec = await q.get(id);
      assert.equal(rec?.result, 'from b');
      assert.equal(rec?.worker, 'b');
    });

    it('fails a request after max attempts were lost, and the requester hears why', async () => {
      const c = clock();
      const q = new RequestQueue(store, c.now);
      const kind = kindFor('lost');
      const id = await q.submit({ kind, payload: null, maxAttempts: 2 });
      assert.ok(await q.claim('a', [kind], 100));
      c.advance(200);
      assert.ok(await q.claim('b', [kind], 100));
      c.advance(200);
      assert.equal(await q.claim('c', [kind], 100), undefined, 'no third attempt');
      assert.equal(await q.failLost(), 1);
      const rec = await q.get(id);
      assert.equal(rec?.state, 'failed');
      assert.match(rec?.error ?? '', /lost/);
      const waited = await new RequestClient(q).wait(id, { timeoutMs: 2000 });
      assert.equal(waited.state, 'failed');
    });

    it('a released request waits again without counting as an attempt', async () => {
      const q = new RequestQueue(store);
      const kind = kindFor('release');
      const id = await q.submit({ kind, payload: 1, maxAttempts: 1 });
      const a = await q.claim('a', [kind], 60_000);
      assert.ok(await q.release(a!));
      assert.equal((await q.get(id))?.state, 'requested');
      assert.equal(await q.complete(a!, 'late'), false, 'a released claim cannot complete');
      const b = await q.claim('b', [kind], 60_000);
      assert.equal(b?.attempt, 1, 'the release did not use up the only attempt');
      assert.ok(await q.fail(b!, 'git fetch failed'));
      const rec = await q.get(id);
      assert.equal(rec?.state, 'failed');
      assert.equal(rec?.error, 'git fetch failed');
    });

    it('a cancelled request is not started, and a running one loses its lease', async () => {
      const q = new RequestQueue(store);
      const kind = kindFor('cancel');
      const waiting = await q.submit({ kind, payload: 1 });
      assert.ok(await q.cancel(waiting));
      assert.equal(await q.claim('a', [kind], 60_000), undefined);
      const running = await q.submit({ kind, payload: 2 });
      const claim = await q.claim('a', [kind], 60_000);
      assert.equal(claim?.id, running);
      assert.ok(await q.cancel(running));
      assert.equal(await q.renew(claim!, 60_000), false);
      assert.equal(await q.complete(claim!, 'too late'), false);
      assert.equal((await q.get(running))?.state, 'cancelled');
      assert.equal(await q.cancel(running), false, 'a finished request cannot be cancelled');
    });

    it('prunes finished requests older than the retention, nothing else', async () => {
      // Far in the future, so every other test's finished rows are old too.
      const c = clock(Date.now() + 3_600_000);
      const q = new RequestQueue(store, c.now);
      const kind = kindFor('prune');
      const idle = kindFor('prune-idle');
      const old = await q.submit({ kind, payload: 'old' });
      await q.complete((await q.claim('w', [kind], 1000))!, 'done');
      const pending = await q.submit({ kind: idle, payload: 'pending' });
      c.advance(10_000);
      const fresh = await q.submit({ kind, payload: 'fresh' });
      await q.complete((await q.claim('w', [kind], 1000))!, 'done');
      assert.ok((await q.prune(5000)) >= 1);
      assert.equal(await q.get(old), undefined, 'old and finished: deleted');
      assert.equal((await q.get(fresh))?.state, 'completed', 'recently finished: kept');
      assert.equal((await q.get(pending))?.state, 'requested', 'unfinished work is kept');
    });

    it('refuses payloads JSON cannot carry and malformed kinds', async () => {
      const q = new RequestQueue(store);
      await assert.rejects(
        q.submit({ kind: kindFor('bad'), payload: { n: 1n } }),
        (err: Error) => err instanceof RequestError && /cannot be stored as JSON/.test(err.message),
      );
      await assert.rejects(
        q.submit({ kind: 'x'.repeat(65), payload: 1 }),
        /A request kind must be 1 to 64 characters/,
      );
      await assert.rejects(
        q.submit({ kind: kindFor('bad'), payload: 1, maxAttempts: 0 }),
        /maxAttempts must be a positive integer/,
      );
      const kind = kindFor('badresult');
      await q.submit({ kind, payload: 1 });
      const claim = await q.claim('w', [kind], 60_000);
      await assert.rejects(
        q.complete(claim!, () => 1),
        /result cannot be stored as JSON/,
      );
    });

    it('a requester is woken by the result, not by polling', async () => {
      // The waiter uses a second store (another pool: on PostgreSQL the
      // wake-up must cross connections through NOTIFY).
      const other = await openStore({ ...opts, migrate: false });
      const signals = await RequestSignals.open(other, { uri: opts.uri });
      try {
        const q = new RequestQueue(store);
        const kind = kindFor('wake');
        const id = await q.submit({ kind, payload: 'x' });
        const client = new RequestClient(new RequestQueue(other), signals);
        const waited = client.wait(id, {
          timeoutMs: 20_000,
          pollMs: 60_000,
          listeningPollMs: 60_000,
        });
        await new Promise((r) => setTimeout(r, 100));
        const start = Date.now();
        await q.complete((await q.claim('w', [kind], 60_000))!, { ok: true });
        const rec = await waited;
        assert.deepEqual(rec.result, { ok: true });
        assert.ok(Date.now() - start < 2000, `woken after ${Date.now() - start} ms`);
        if (backend.name === 'postgresql') assert.ok(signals.listening);
      } finally {
        signals.close();
        await other.close();
      }
    });

    it('a requester that times out cancels its request', async () => {
      const q = new RequestQueue(store);
      const kind = kindFor('timeout');
      const client = new RequestClient(q);
      let id = '';
      await assert.rejects(
        client.run(kind, 'nobody serves this', { timeoutMs: 300, pollMs: 50 }),
        (err: Error) => {
          assert.ok(err instanceof RequestTimeoutError);
          id = err.requestId;
          return /No result for the test:timeout:\d+ request/.test(err.message);
        },
      );
      assert.equal((await q.get(id))?.state, 'cancelled');
      assert.equal(await q.claim('w', [kind], 60_000), undefined);
    });

    it('a worker is woken for new requests and serves a client end to end', async () => {
      const other = await openStore({ ...opts, migrate: false });
      const workerSignals = await RequestSignals.open(other, { uri: opts.uri });
      const clientSignals = await RequestSignals.open(store, { uri: opts.uri });
      const kind = kindFor('e2e');
      const handled: unknown[] = [];
      const worker = new RequestWorker({
        queue: new RequestQueue(other),
        signals: workerSignals,
        workerId: 'worker-1',
        kinds: [kind],
        // Polls rarely: only the wake-up can make this test pass in time.
        pollMs: 60_000,
        listeningPollMs: 60_000,
        handler: async (claim) => {
          handled.push(claim.payload);
          if (claim.payload === 'boom') throw new Error('the work went wrong');
          if (claim.payload === 'bigint') return { n: 1n };
          return { doubled: (claim.payload as number) * 2 };
        },
        log: silent,
      });
      try {
        worker.start();
        await new Promise((r) => setTimeout(r, 100));
        const client = new RequestClient(new RequestQueue(store), clientSignals, 'scheduler-1');
        const start = Date.now();
        const result = await client.run(kind, 21, {
          timeoutMs: 10_000,
          pollMs: 60_000,
          listeningPollMs: 60_000,
        });
        assert.deepEqual(result, { doubled: 42 });
        assert.ok(Date.now() - start < 3000, `served in ${Date.now() - start} ms`);
        await assert.rejects(
          client.run(kind, 'boom', { timeoutMs: 10_000, pollMs: 60_000, listeningPollMs: 60_000 }),
          (err: Error) =>
            err instanceof RequestFailedError && /the work went wrong/.test(err.message),
        );
        await assert.rejects(
          client.run(kind, 'bigint', {
            timeoutMs: 10_000,
            pollMs: 60_000,
            listeningPollMs: 60_000,
          }),
          (err: Error) => err instanceof RequestFailedError && /BigInt/.test(err.message),
          'a result JSON cannot carry fails the request at once',
        );
        assert.deepEqual(handled, [21, 'boom', 'bigint']);
        const left = (await new RequestQueue(store).counts()).filter((c) => c.kind === kind);
        assert.deepEqual(left, [], 'the client deletes rows it has read');
      } finally {
        await worker.stop();
        workerSignals.close();
        clientSignals.close();
        await other.close();
      }
    });

    it('a stopping worker releases the request it cannot finish in its grace period', async () => {
      const q = new RequestQueue(store);
      const kind = kindFor('stop');
      const id = await q.submit({ kind, payload: 'slow' });
      let started!: () => void;
      const startedP = new Promise<void>((r) => {
        started = r;
      });
      const worker = new RequestWorker({
        queue: q,
        workerId: 'stopper',
        kinds: [kind],
        pollMs: 20,
        handler: (_claim, signal) =>
          new Promise((_res, rej) => {
            started();
            signal.addEventListener('abort', () => rej(signal.reason));
          }),
        log: silent,
      });
      worker.start();
      await startedP;
      assert.equal((await q.get(id))?.state, 'running');
      await worker.stop(100);
      const rec = await q.get(id);
      assert.equal(rec?.state, 'requested', 'released for another worker');
      assert.equal(rec?.attempts, 0);
      assert.equal(worker.active, 0);
    });
  });
}
