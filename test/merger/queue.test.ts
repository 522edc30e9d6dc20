// Two `zuul-ts merger` processes on one PostgreSQL store share 200
// requests, each done exactly once; one is SIGKILLed in the middle of a
// request, and that request is done by the other once the lease runs out.
// The work is real: each request merges a change of one of four small
// projects (so 200 of them take seconds), and every answer is compared with
// what a merger in this process builds for the same change.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MERGER_KINDS } from '../../src/merger/protocol.js';
import type { MergeItem, MergeResult } from '../../src/merger/types.js';
import { ComponentsStore } from '../../src/store/components.js';
import { openStore, type Store, type StoreOptions } from '../../src/store/db.js';
import { RequestQueue, type RequestRecord } from '../../src/store/requests.js';
import { tempDir } from '../helpers/git-repos.js';
import { BACKENDS, dropStore } from '../helpers/store.js';
import { newMerger, Project } from './merger-helpers.js';
import { type MergerProcess, startMergerProcess, writeMergerConf } from './merger-process.js';

const PG = BACKENDS.find((b) => b.name === 'postgresql')!;
const PROJECTS = ['org/alpha', 'org/beta', 'org/gamma', 'org/delta'];
const LEASE_S = 1;
const CHANGES_PER_PROJECT = 5;

describe('two merger processes on PostgreSQL', { skip: PG.skip }, () => {
  let opts: StoreOptions;
  let store: Store;
  let dir: ReturnType<typeof tempDir>;
  /** The distinct requests, and what each must answer. */
  const work: { item: MergeItem; expected: MergeResult }[] = [];
  const running: MergerProcess[] = [];

  before(async () => {
    opts = PG.fresh();
    store = await openStore(opts);
    dir = tempDir('zuul-ts-merger-queue-');
    const direct = newMerger(join(dir.path, 'direct'));
    for (const name of PROJECTS) {
      const project = new Project(join(dir.path, 'upstream'), name);
      for (let i = 0; i < CHANGES_PER_PROJECT; i++) {
        const change = project.change({ [`file-${i}.txt`]: `${name} ${i}\n` });
        const item = project.item(change.ref);
        work.push({ item, expected: await direct.mergeChanges([item], { bundle: false }) });
      }
    }
  });
  after(async () => {
    for (const m of running) if (m.child.exitCode === null) m.child.kill('SIGKILL');
    await dropStore(store);
    dir.cleanup();
  });

  function start(name: string, env?: NodeJS.ProcessEnv): MergerProcess {
    const conf = writeMergerConf(dir.path, name, opts);
    const m = startMergerProcess(conf, { lease: LEASE_S, env });
    running.push(m);
    return m;
  }

  /** Submits `n` merge requests round-robin over the changes. */
  async function submit(queue: RequestQueue, n: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const { item } = work[i % work.length]!;
      ids.push(
        await queue.submit({
          kind: MERGER_KINDS.merge,
          payload: { items: [item], options: { bundle: false } },
        }),
      );
    }
    return ids;
  }

  async function waitAllFinished(queue: RequestQueue, ids: string[], ms: number) {
    const deadline = Date.now() + ms;
    for (;;) {
      const rows = await store.db
        .selectFrom('requests')
        .select(['id', 'state'])
        .where('id', 'in', ids)
        .execute();
      const open = rows.filter((r) => r.state === 'requested' || r.state === 'running');
      if (!open.length) break;
      if (Date.now() > deadline) throw new Error(`${open.length} requests still open`);
      await new Promise((r) => setTimeout(r, 200));
    }
    return Promise.all(ids.map(async (id) => (await queue.get(id))!));
  }

  /** Each record is completed, with the answer a merger in this process gave. */
  function checkResults(records: RequestRecord[]) {
    for (const rec of records) {
      assert.equal(rec.state, 'completed', `${rec.id}: ${rec.error}`);
      const { items } = rec.payload as { items: MergeItem[] };
      const expected = work.find(
        (w) => w.item.ref === items[0]!.ref && w.item.project === items[0]!.project,
      )!;
      assert.deepEqual(rec.result, expected.expected);
      assert.equal((rec.result as MergeResult).items[0]!.status, 'MERGED');
    }
  }

  /** Asserts every id is logged as completed exactly once across the processes. */
  function checkLoggedOnce(ids: string[], procs: MergerProcess[]) {
    const completed = procs.flatMap((p) => p.requests('request completed'));
    const counts = new Map<string, number>();
    for (const id of completed) counts.set(id, (counts.get(id) ?? 0) + 1);
    const twice = [...counts].filter(([, c]) => c > 1);
    assert.deepEqual(twice, [], 'no request completed twice');
    assert.deepEqual([...counts.keys()].sort(), [...ids].sort(), 'every request completed');
  }

  async function componentIdOf(m: MergerProcess): Promise<string> {
    const line = await m.waitFor((l) => l.msg === 'merger started');
    return String(line.component);
  }

  it('share 200 requests, each done exactly once, and leave on SIGTERM', async () => {
    const queue = new RequestQueue(store);
    const a = start('a');
    const b = start('b');
    const [idA, idB] = [await componentIdOf(a), await componentIdOf(b)];
    const mergers = await new ComponentsStore(store.db).list(60_000);
    assert.deepEqual(
      mergers
        .filter((c) => c.kind === 'merger')
        .map((c) => [c.id, c.state])
        .sort(),
      [
        [idA, 'running'],
        [idB, 'running'],
      ].sort(),
    );
    const ids = await submit(queue, 200);
    const records = await waitAllFinished(queue, ids, 60_000);
    checkResults(records);
    for (const rec of records) assert.equal(rec.attempts, 1);
    const byWorker = new Map<string, number>();
    for (const rec of records) byWorker.set(rec.worker!, (byWorker.get(rec.worker!) ?? 0) + 1);
    assert.deepEqual([...byWorker.keys()].sort(), [idA, idB].sort(), 'both mergers worked');
    checkLoggedOnce(ids, [a, b]);
    // What each process logged is what the rows say it did.
    assert.deepEqual(
      a.requests('request completed').sort(),
      records
        .filter((r) => r.worker === idA)
        .map((r) => r.id)
        .sort(),
    );

    a.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    assert.equal(await a.exited, 0, a.stderr());
    assert.equal(await b.exited, 0, b.stderr());
    const left = await new ComponentsStore(store.db).list(60_000);
    assert.deepEqual(
      left.filter((c) => c.kind === 'merger'),
      [],
      'both deregistered',
    );
  });

  it('lose nothing when one is killed in the middle of a request', async () => {
    const queue = new RequestQueue(store);
    // `slow` takes 0.3 s in every request (its git upload-pack sleeps), so
    // it is almost always in the middle of one when it is killed.
    const slow = start('slow', {
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'remote.origin.uploadpack',
      GIT_CONFIG_VALUE_0: 'sleep 0.3; git-upload-pack',
    });
    const fast = start('fast');
    const [slowId, fastId] = [await componentIdOf(slow), await componentIdOf(fast)];
    const ids = await submit(queue, 200);
    // Kill it once it has done a few, in the middle of the next one.
    await slow.waitFor(() => slow.requests('request completed').length >= 3, 30_000);
    await new Promise((r) => setTimeout(r, 100));
    slow.child.kill('SIGKILL');
    await slow.exited;
    // Runs one request at a time: at most one was claimed and not finished.
    const unfinished = slow
      .requests('request claimed')
      .filter((id) => !slow.requests('request completed').includes(id));
    assert.equal(unfinished.length, 1, 'killed in the middle of a request');
    const heldId = unfinished[0]!;
    const records = await waitAllFinished(queue, ids, 60_000);
    checkResults(records);
    checkLoggedOnce(ids, [slow, fast]);

    const retried = records.find((r) => r.id === heldId)!;
    assert.equal(retried.worker, fastId, 'the held request was done by the survivor');
    assert.equal(retried.attempts, 2, 'on its second attempt');
    assert.ok(fast.requests('request completed').includes(heldId));
    const claimedAgain = fast.lines.find(
      (l) => l.msg === 'request claimed' && l.request === heldId,
    );
    assert.equal(claimedAgain?.attempt, 2);
    const slowDone = records.filter((r) => r.worker === slowId).map((r) => r.id);
    assert.deepEqual(slowDone.sort(), slow.requests('request completed').sort());
    assert.ok(slowDone.length >= 3 && slowDone.length < 200);
    // Every other request took one attempt: nothing else was redone.
    assert.deepEqual(
      records.filter((r) => r.attempts !== 1).map((r) => r.id),
      [heldId],
    );

    fast.child.kill('SIGTERM');
    assert.equal(await fast.exited, 0, fast.stderr());
  });
});
