// Reading buildsets (/buildsets, /buildset/{uuid}), the badge's latest
// completed buildset and /system-events on every backend.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Store } from '../../src/store/db.js';
import { StoreHistory } from '../../src/store/history/reader.js';
import type { BuildsetFilters } from '../../src/store/history/types.js';
import {
  at,
  type Dataset,
  seedBuildset,
  seedDataset,
  seedSystemEvent,
  TENANT,
} from '../helpers/history.js';
import { BACKENDS, dropStore, openFresh } from '../helpers/store.js';

const ALL = { limit: 1000, skip: 0 };

for (const backend of BACKENDS) {
  describe(`build history buildsets on ${backend.name}`, { skip: backend.skip }, () => {
    let store: Store;
    let history: StoreHistory;
    let d: Dataset;
    /** Our tenant's buildsets, newest first. */
    let ours: Dataset[keyof Dataset][];

    before(async () => {
      store = await openFresh(backend);
      history = new StoreHistory(store);
      d = await seedDataset(store);
      ours = [d.multi6, d.odd5, d.post4, d.running3, d.gate2, d.check1];
    });
    after(async () => {
      await dropStore(store);
    });

    const uuids = async (f: BuildsetFilters, page = ALL) =>
      (await history.buildsets(TENANT, f, page)).map((b) => b.uuid);
    const of = (...sets: Dataset[keyof Dataset][]) => sets.map((s) => s.uuid);

    test("no filter: the tenant's buildsets newest first, with refs and no builds or events", async () => {
      const got = await history.buildsets(TENANT, {}, ALL);
      assert.deepEqual(
        got.map((b) => b.uuid),
        of(...ours),
      );
      const check1 = got.find((b) => b.uuid === d.check1.uuid);
      assert.deepEqual(check1, {
        _id: d.check1.id,
        uuid: d.check1.uuid,
        result: 'FAILURE',
        message: 'Build failed.',
        pipeline: 'check',
        event_id: 'ev-1',
        event_timestamp: '2025-03-01T09:59:58',
        first_build_start_time: '2025-03-01T10:00:00',
        last_build_end_time: '2025-03-01T10:09:00',
        refs: [
          {
            project: 'org/project',
            branch: 'master',
            change: 1,
            patchset: '1',
            ref: 'refs/changes/01/1/1',
            oldrev: null,
            newrev: null,
            ref_url: 'https://review.example.com/1',
          },
        ],
      });
      const multi = got.find((b) => b.uuid === d.multi6.uuid);
      assert.deepEqual(
        multi?.refs.map((r) => r.project),
        ['org/projectA', 'org/projectB'],
      );
    });

    test('ref filters match a buildset when any one of its refs matches them all', async () => {
      assert.deepEqual(await uuids({ project: ['org/projectB'] }), of(d.multi6));
      assert.deepEqual(await uuids({ change: [7] }), of(d.multi6));
      assert.deepEqual(
        await uuids({ project: ['org/projectA'], change: [7] }),
        [],
        'not the same ref',
      );
      assert.deepEqual(await uuids({ project: ['org/projectA'], change: [6] }), of(d.multi6));
      assert.deepEqual(await uuids({ project: ['org/project'] }), of(d.post4, d.gate2, d.check1));
      assert.deepEqual(
        await uuids({ project: ['org/project*'] }),
        of(d.multi6, d.post4, d.running3, d.gate2, d.check1),
      );
      assert.deepEqual(await uuids({ project: ['org/pro_ject%*'] }), of(d.odd5));
      assert.deepEqual(await uuids({ branch: ['stable/*', 'feature_x'] }), of(d.odd5, d.gate2));
      assert.deepEqual(await uuids({ patchset: ['3'] }), of(d.gate2));
      assert.deepEqual(await uuids({ ref: ['refs/heads/master'] }), of(d.post4));
      assert.deepEqual(
        await uuids({ newrev: ['2222222222222222222222222222222222222222'] }),
        of(d.post4),
      );
      assert.deepEqual(await uuids({ change: [1, 2] }), of(d.gate2, d.check1));
    });

    test('pipeline, uuid, result, exclude_result, complete', async () => {
      assert.deepEqual(await uuids({ pipeline: ['gate'] }), of(d.multi6, d.gate2));
      assert.deepEqual(await uuids({ pipeline: ['g*'] }), of(d.multi6, d.gate2));
      assert.deepEqual(await uuids({ uuid: [d.post4.uuid, d.check1.uuid] }), of(d.post4, d.check1));
      assert.deepEqual(await uuids({ result: ['FAILURE'] }), of(d.gate2, d.check1));
      assert.deepEqual(
        await uuids({ exclude_result: ['FAILURE'] }),
        of(d.multi6, d.odd5, d.post4),
        'a running buildset has no result and is left out too',
      );
      assert.deepEqual(await uuids({ complete: false }), of(d.running3));
      assert.deepEqual(
        await uuids({ complete: true }),
        of(d.multi6, d.odd5, d.post4, d.gate2, d.check1),
      );
      assert.deepEqual(
        await uuids({ pipeline: ['check'], complete: true, project: ['org/*'] }),
        of(d.odd5, d.check1),
      );
    });

    test('idx bounds, limit and skip; idx_max keeps pages stable as buildsets arrive', async () => {
      const ids = ours.map((b) => b.id);
      assert.deepEqual(
        (await history.buildsets(TENANT, { idx_min: ids[4]!, idx_max: ids[1]! }, ALL)).map(
          (b) => b._id,
        ),
        ids.slice(1, 5),
      );
      assert.deepEqual(await uuids({ idx_max: 0 }), []);
      assert.deepEqual(await uuids({}, { limit: 2, skip: 2 }), of(...ours).slice(2, 4));
      const first = await history.buildsets(TENANT, {}, { limit: 2, skip: 0 });
      const seen = first.map((b) => b.uuid);
      for (let skip = 2; ; skip += 2) {
        await seedBuildset(store, {
          pipeline: 'check',
          result: 'SUCCESS',
          refs: [{ project: 'org/new' }],
        });
        const page = await history.buildsets(
          TENANT,
          { idx_max: first[0]!._id },
          { limit: 2, skip },
        );
        seen.push(...page.map((b) => b.uuid));
        if (page.length < 2) break;
      }
      assert.deepEqual(seen, of(...ours));
    });

    test('/buildset/{uuid}: refs, builds in order with their artifacts, events', async () => {
      const bs = await history.buildset(TENANT, d.check1.uuid);
      assert.ok(bs);
      assert.deepEqual(
        bs.builds?.map((b) => [b.uuid, b.job_name]),
        d.check1.builds.map((b) => [b.uuid, b.job_name]),
      );
      const merge = bs.builds?.[0];
      assert.equal(merge?.artifacts.length, 2);
      assert.ok(!('pipeline' in (merge ?? {})), 'builds inside a buildset have no buildset keys');
      assert.ok(!('buildset' in (merge ?? {})));
      assert.deepEqual(bs.events, [
        {
          event_time: '2025-03-01T09:59:58',
          event_type: 'triggered',
          description: 'Triggered by GerritChange org/project 1,1',
        },
      ]);
      const noEvents = await history.buildset(TENANT, d.gate2.uuid);
      assert.ok(noEvents?.builds?.length);
      assert.ok(!('events' in noEvents!), 'no events: the key is left out');
      const empty = await seedBuildset(store, {
        pipeline: 'check',
        refs: [{ project: 'org/empty' }],
      });
      const bare = await history.buildset(TENANT, empty.uuid);
      assert.ok(bare && !('builds' in bare) && !('events' in bare));
      assert.equal(await history.buildset(TENANT, d.otherTenant.uuid), undefined);
      assert.equal(await history.buildset(TENANT, 'nope'), undefined);
    });
  });

  describe(`build history badge and system events on ${backend.name}`, {
    skip: backend.skip,
  }, () => {
    let store: Store;
    let history: StoreHistory;
    let d: Dataset;

    before(async () => {
      store = await openFresh(backend);
      history = new StoreHistory(store);
      d = await seedDataset(store);
    });
    after(async () => {
      await dropStore(store);
    });

    test('the latest completed buildset decides; running ones are ignored', async () => {
      assert.deepEqual(await history.latestResult(TENANT, {}), {
        id: d.multi6.id,
        result: 'SUCCESS',
      });
      assert.equal(
        (await history.latestResult(TENANT, { project: ['org/project'], pipeline: ['check'] }))
          ?.result,
        'FAILURE',
      );
      assert.equal(
        (await history.latestResult(TENANT, { project: ['org/project'], branch: ['master'] }))
          ?.result,
        'SUCCESS',
      );
      assert.equal(
        (await history.latestResult(TENANT, { project: ['org/project'], branch: ['stable/*'] }))
          ?.result,
        'FAILURE',
      );
      // org/project1 has only a running buildset.
      assert.equal(await history.latestResult(TENANT, { project: ['org/project1'] }), undefined);
      assert.equal(await history.latestResult(TENANT, { project: ['org/none'] }), undefined);
      assert.equal(await history.latestResult('no-tenant', {}), undefined);
      // A newer failure flips it.
      await seedBuildset(store, {
        pipeline: 'post',
        result: 'NODE_FAILURE',
        refs: [{ project: 'org/project', branch: 'master', ref: 'refs/heads/master' }],
      });
      assert.equal(
        (await history.latestResult(TENANT, { project: ['org/project'], branch: ['master'] }))
          ?.result,
        'NODE_FAILURE',
      );
    });

    test('system events: newest first, by type, paged, per tenant', async () => {
      const ids: number[] = [];
      for (const [i, type] of ['reconfigure', 'pause', 'reconfigure', 'resume'].entries()) {
        ids.push(
          await seedSystemEvent(store, {
            time: at(`2025-11-19T11:1${i}:16`),
            type,
            event_id: `e${i}`,
            description: `${type} ${i}`,
          }),
        );
      }
      await seedSystemEvent(store, {
        tenant: 'other',
        time: at('2025-11-19T12:00:00'),
        type: 'reconfigure',
      });
      const all = await history.systemEvents(TENANT, {}, ALL);
      assert.deepEqual(
        all.map((e) => e.event_id),
        ['e3', 'e2', 'e1', 'e0'],
      );
      assert.deepEqual(all[0], {
        event_id: 'e3',
        event_time: '2025-11-19T11:13:16',
        event_type: 'resume',
        description: 'resume 3',
      });
      assert.deepEqual(
        (await history.systemEvents(TENANT, { event_type: ['reconfigure'] }, ALL)).map(
          (e) => e.event_id,
        ),
        ['e2', 'e0'],
      );
      assert.deepEqual(
        (await history.systemEvents(TENANT, { event_type: ['pause', 'resume'] }, ALL)).map(
          (e) => e.event_id,
        ),
        ['e3', 'e1'],
      );
      assert.deepEqual(
        (await history.systemEvents(TENANT, {}, { limit: 2, skip: 1 })).map((e) => e.event_id),
        ['e2', 'e1'],
      );
    });
  });
}
