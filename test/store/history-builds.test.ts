// Reading builds (/builds, /build/{uuid}, /build-times) from the history
// tables on every backend: each filter alone and combined, wildcards with
// SQL's own wildcard characters, repeated values, paging, the shapes and
// field types Zuul's dashboard and zuul-client read.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Store } from '../../src/store/db.js';
import { StoreHistory } from '../../src/store/history/reader.js';
import type { BuildFilters, TopBuildJson } from '../../src/store/history/types.js';
import {
  at,
  type Dataset,
  seedBuildset,
  seedDataset,
  TENANT,
  tenantBuilds,
} from '../helpers/history.js';
import { BACKENDS, dropStore, openFresh } from '../helpers/store.js';

const ALL = { limit: 1000, skip: 0 };

for (const backend of BACKENDS) {
  describe(`build history builds on ${backend.name}`, { skip: backend.skip }, () => {
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

    const uuids = async (f: BuildFilters, page = ALL) =>
      (await history.builds(TENANT, f, page)).map((b) => b.uuid);
    /** Uuids of our tenant's builds passing `pred`, newest first. */
    const expected = (pred: (b: { uuid: string; job_name: string }) => boolean) =>
      tenantBuilds(d)
        .filter(pred)
        .map((b) => b.uuid);
    const uuidOf = (job: string, bs: keyof Dataset, n = 0) =>
      d[bs].builds.filter((b) => b.job_name === job)[n]!.uuid;

    test('no filter: every build of the tenant, newest first, none of another tenant', async () => {
      const got = await uuids({});
      assert.deepEqual(
        got,
        expected(() => true),
      );
      assert.ok(!got.includes(d.otherTenant.builds[0]!.uuid));
    });

    test('the default page is the 50 newest; limit and skip page through', async () => {
      const all = expected(() => true);
      assert.deepEqual(await uuids({}, { limit: 3, skip: 0 }), all.slice(0, 3));
      assert.deepEqual(await uuids({}, { limit: 3, skip: 3 }), all.slice(3, 6));
      assert.deepEqual(await uuids({}, { limit: 0, skip: 0 }), []);
      assert.deepEqual(await uuids({}, { limit: 5, skip: 1000 }), []);
    });

    test('a build as Zuul shows it: types, times, duration, artifacts, provides, ref', async () => {
      const [merge] = await history.builds(
        TENANT,
        { uuid: [uuidOf('project-merge', 'check1')] },
        ALL,
      );
      assert.ok(merge);
      assert.deepEqual(merge, {
        _id: d.check1.builds[0]!.id,
        uuid: uuidOf('project-merge', 'check1'),
        job_name: 'project-merge',
        result: 'SUCCESS',
        held: false,
        start_time: '2025-03-01T10:00:00',
        end_time: '2025-03-01T10:01:00',
        duration: 60.5,
        voting: true,
        log_url: 'https://logs.example.com/1/merge/',
        nodeset: 'small',
        error_detail: null,
        final: true,
        artifacts: [
          { name: 'docs', url: 'http://example.com/docs' },
          {
            name: 'relative',
            url: 'http://logs.example.com/build/relative/docs',
            metadata: { foo: 'bar' },
          },
        ],
        provides: [],
        ref: {
          project: 'org/project',
          branch: 'master',
          change: 1,
          patchset: '1',
          ref: 'refs/changes/01/1/1',
          oldrev: null,
          newrev: null,
          ref_url: 'https://review.example.com/1',
        },
        pipeline: 'check',
        event_id: 'ev-1',
        event_timestamp: '2025-03-01T09:59:58',
        buildset: { uuid: d.check1.uuid },
      } satisfies TopBuildJson);
      const [test1] = await history.builds(
        TENANT,
        { uuid: [uuidOf('project-test1', 'check1')] },
        ALL,
      );
      assert.deepEqual(test1?.provides, [{ name: 'some-artifact' }]);
      const [running] = await history.builds(TENANT, { job_name: ['project1-test'] }, ALL);
      assert.equal(running?.result, null);
      assert.equal(running?.end_time, null);
      assert.equal(running?.duration, null, 'no duration without an end');
      const [post] = await history.builds(TENANT, { pipeline: ['post'] }, ALL);
      assert.equal(post?.ref.change, null);
      assert.equal(post?.ref.newrev, '2222222222222222222222222222222222222222');
    });

    test('project, pipeline, branch, job_name: exact, repeated (OR), wildcards', async () => {
      const projectOf = new Map<string, string>();
      for (const bs of [d.check1, d.gate2, d.post4])
        for (const b of bs.builds) projectOf.set(b.uuid, 'org/project');
      assert.deepEqual(
        await uuids({ project: ['org/project'] }),
        expected((b) => projectOf.has(b.uuid)),
      );
      assert.deepEqual(
        await uuids({ project: ['org/project', 'org/project1'] }),
        expected((b) => projectOf.has(b.uuid) || d.running3.builds.some((x) => x.uuid === b.uuid)),
      );
      assert.deepEqual(await uuids({ project: ['org/proj'] }), [], 'exact without a wildcard');
      assert.deepEqual(
        (await uuids({ project: ['org/project*'] })).length,
        tenantBuilds(d).length - d.odd5.builds.length,
      );
      assert.deepEqual(await uuids({ project: ['*/projectB'] }), [d.multi6.builds[1]!.uuid]);
      assert.deepEqual(
        await uuids({ pipeline: ['gate'] }),
        expected((b) => [...d.gate2.builds, ...d.multi6.builds].some((x) => x.uuid === b.uuid)),
      );
      assert.deepEqual(await uuids({ pipeline: ['GATE'] }), [], 'matching is case-sensitive');
      assert.deepEqual(
        await uuids({ branch: ['stable/*'] }),
        expected((b) => d.gate2.builds.some((x) => x.uuid === b.uuid)),
      );
      assert.deepEqual(
        await uuids({ job_name: ['project-test1', 'publish-docs'] }),
        expected((b) => b.job_name === 'project-test1' || b.job_name === 'publish-docs'),
      );
      assert.deepEqual(
        await uuids({ job_name: ['project-*'] }),
        expected((b) => b.job_name.startsWith('project-')),
      );
      assert.deepEqual(
        await uuids({ job_name: ['*-test*'] }),
        expected((b) => /-test/.test(b.job_name)),
      );
      // An exact value and a wildcard in one repeated parameter.
      assert.deepEqual(
        await uuids({ job_name: ['publish-docs', 'project1-*'] }),
        expected((b) => b.job_name === 'publish-docs' || b.job_name.startsWith('project1-')),
      );
    });

    test('%, _ and $ in a wildcard value match only themselves', async () => {
      assert.deepEqual(await uuids({ job_name: ['job_with%*'] }), [uuidOf('job_with%pct', 'odd5')]);
      assert.deepEqual(await uuids({ job_name: ['job_*'] }), [uuidOf('job_with%pct', 'odd5')]);
      assert.deepEqual(await uuids({ job_name: ['*X*'] }), [uuidOf('jobXwithYpct', 'odd5')]);
      assert.deepEqual(
        await uuids({ project: ['org/pro_ject%*'] }),
        expected((b) => d.odd5.builds.some((x) => x.uuid === b.uuid)),
      );
      assert.deepEqual(await uuids({ project: ['org/pro%'] }), [], 'no wildcard: % is literal');
      assert.deepEqual(await uuids({ job_name: ['job$*'] }), []);
      assert.deepEqual(await uuids({ job_name: ['[jJ]ob*'] }), [], 'no glob brackets');
      assert.deepEqual(await uuids({ job_name: ['?ob*'] }), [], 'no glob ?');
      assert.deepEqual(
        await uuids({ branch: ['feature_*'] }),
        expected((b) => d.odd5.builds.some((x) => x.uuid === b.uuid)),
      );
    });

    test('exact filters: change, patchset, ref, newrev, uuid, nodeset, result (repeatable)', async () => {
      const inBs =
        (...sets: (keyof Dataset)[]) =>
        (b: { uuid: string }) =>
          sets.some((s) => d[s].builds.some((x) => x.uuid === b.uuid));
      assert.deepEqual(await uuids({ change: [1] }), expected(inBs('check1')));
      assert.deepEqual(await uuids({ change: [1, 3] }), expected(inBs('check1', 'running3')));
      assert.deepEqual(await uuids({ patchset: ['3'] }), expected(inBs('gate2')));
      assert.deepEqual(await uuids({ ref: ['refs/heads/master'] }), expected(inBs('post4')));
      assert.deepEqual(await uuids({ ref: ['refs/heads/*'] }), [], 'ref has no wildcards');
      assert.deepEqual(
        await uuids({ newrev: ['2222222222222222222222222222222222222222'] }),
        expected(inBs('post4')),
      );
      const two = [uuidOf('project-test2', 'check1'), uuidOf('publish-docs', 'post4')];
      assert.deepEqual(
        await uuids({ uuid: two }),
        expected((b) => two.includes(b.uuid)),
      );
      assert.deepEqual(await uuids({ nodeset: ['small'] }), [
        uuidOf('project-test2', 'check1'),
        uuidOf('project-merge', 'check1'),
      ]);
      const results = await history.builds(TENANT, { result: ['FAILURE', 'ERROR'] }, ALL);
      assert.equal(results.length, 4);
      assert.ok(results.every((b) => b.result === 'FAILURE' || b.result === 'ERROR'));
      assert.deepEqual(
        await uuids({ result: ['SKIPPED,FAILURE'] }),
        [],
        'a comma is not a separator',
      );
    });

    test('voting, held, final, complete, exclude_result', async () => {
      assert.deepEqual(await uuids({ voting: [false] }), [uuidOf('project-test2', 'check1')]);
      assert.equal((await uuids({ voting: [true] })).length, tenantBuilds(d).length - 1);
      assert.equal((await uuids({ voting: [true, false] })).length, tenantBuilds(d).length);
      assert.deepEqual(await uuids({ held: [true] }), [uuidOf('project1-docs', 'running3')]);
      assert.deepEqual(await uuids({ final: false }), [d.gate2.builds[0]!.uuid]);
      assert.equal((await uuids({ final: true })).length, tenantBuilds(d).length - 1);
      assert.deepEqual(await uuids({ complete: false }), [uuidOf('project1-test', 'running3')]);
      assert.equal((await uuids({ complete: true })).length, tenantBuilds(d).length - 1);
      const noSkipped = await history.builds(TENANT, { exclude_result: ['SKIPPED'] }, ALL);
      assert.ok(noSkipped.every((b) => b.result !== 'SKIPPED'));
      // SQL's NOT IN (and so Zuul) also leaves out builds without a result.
      assert.equal(noSkipped.length, tenantBuilds(d).length - 2);
      const neither = await history.builds(TENANT, { exclude_result: ['SKIPPED', 'SUCCESS'] }, ALL);
      assert.ok(neither.every((b) => b.result === 'FAILURE' || b.result === 'ERROR'));
    });

    test('combined filters narrow each other: project + pipeline + result', async () => {
      assert.deepEqual(
        await uuids({ project: ['org/project'], pipeline: ['check'], result: ['SUCCESS'] }),
        [uuidOf('project-test1', 'check1'), uuidOf('project-merge', 'check1')],
      );
      assert.deepEqual(
        await uuids({ project: ['org/project'], pipeline: ['post'], result: ['FAILURE'] }),
        [],
      );
      assert.deepEqual(await uuids({ job_name: ['project-test1'], change: [2], final: true }), [
        d.gate2.builds[1]!.uuid,
      ]);
    });

    test('idx_min and idx_max bound the build _id inclusively; 0 is a bound', async () => {
      const ids = tenantBuilds(d).map((b) => b.id);
      const mid = ids[3]!;
      const got = await history.builds(TENANT, { idx_max: mid }, ALL);
      assert.deepEqual(
        got.map((b) => b._id),
        ids.filter((i) => i <= mid),
      );
      const got2 = await history.builds(TENANT, { idx_min: mid, idx_max: ids[1]! }, ALL);
      assert.deepEqual(
        got2.map((b) => b._id),
        ids.filter((i) => i >= mid && i <= ids[1]!),
      );
      assert.deepEqual(await uuids({ idx_max: 0 }), []);
    });

    test("/build/{uuid}: one build with its buildset refs; another tenant's is not found", async () => {
      const b = await history.build(TENANT, d.multi6.builds[1]!.uuid);
      assert.equal(b?.job_name, 'projectB-test');
      assert.equal(b?.ref.project, 'org/projectB');
      assert.deepEqual(
        b?.buildset.refs?.map((r) => [r.project, r.change]),
        [
          ['org/projectA', 6],
          ['org/projectB', 7],
        ],
      );
      assert.equal(await history.build(TENANT, d.otherTenant.builds[0]!.uuid), undefined);
      assert.equal(await history.build(TENANT, 'no-such-build'), undefined);
      const listed = await history.builds(TENANT, { uuid: [d.multi6.builds[1]!.uuid] }, ALL);
      assert.equal(listed[0]?.buildset.refs, undefined, 'lists carry only the buildset uuid');
    });

    test('paging with idx_max from the first page is stable while builds arrive', async () => {
      const pageSize = 4;
      const first = await history.builds(TENANT, {}, { limit: pageSize, skip: 0 });
      const idxMax = first[0]!._id;
      const seen = first.map((b) => b.uuid);
      const before = expected(() => true);
      // New builds arrive between page requests.
      for (let skip = pageSize; ; skip += pageSize) {
        await seedBuildset(store, {
          pipeline: 'check',
          result: 'SUCCESS',
          refs: [{ project: 'org/project', branch: 'master', change: 100 + skip, patchset: '1' }],
          builds: [
            { job_name: 'project-test1', result: 'SUCCESS' },
            { job_name: 'project-test2', result: 'SUCCESS' },
          ],
        });
        const page = await history.builds(TENANT, { idx_max: idxMax }, { limit: pageSize, skip });
        seen.push(...page.map((b) => b.uuid));
        if (page.length < pageSize) break;
      }
      assert.deepEqual(seen, before, 'every build once, in order, none of the new ones');
      // Without idx_max the same walk would repeat builds: the check is meaningful.
      const shifted = await history.builds(TENANT, {}, { limit: pageSize, skip: pageSize });
      assert.ok(
        shifted.some((b) => first.some((f) => f.uuid === b.uuid) || !before.includes(b.uuid)),
      );
    });
  });

  describe(`build history build-times on ${backend.name}`, { skip: backend.skip }, () => {
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

    test('finished builds with durations, latest end first; running and unended builds left out', async () => {
      const got = await history.buildTimes(TENANT, {}, ALL);
      const ends = got.map((b) => b.end_time);
      assert.deepEqual(ends, [...ends].sort().reverse());
      assert.ok(got.every((b) => b.result !== null && b.duration !== null));
      const names = got.map((b) => b.job_name);
      assert.ok(!names.includes('project1-test'), 'running');
      assert.ok(
        !names.includes('project-test2') ||
          got.some((b) => b.job_name === 'project-test2' && b.result === 'FAILURE'),
      );
      const t1 = got.find((b) => b.uuid === d.check1.builds[1]!.uuid);
      assert.deepEqual(t1, {
        _id: d.check1.builds[1]!.id,
        uuid: d.check1.builds[1]!.uuid,
        job_name: 'project-test1',
        result: 'SUCCESS',
        start_time: '2025-03-01T10:02:00',
        end_time: '2025-03-01T10:07:00',
        duration: 300,
        final: true,
        project: 'org/project',
        branch: 'master',
        pipeline: 'check',
        ref: 'refs/changes/01/1/1',
      });
    });

    test('exact filters (no wildcards), final, exclude_result, the time window on end_time', async () => {
      const t1 = await history.buildTimes(TENANT, { job_name: ['project-test1'] }, ALL);
      assert.deepEqual(
        t1.map((b) => b.uuid),
        [d.gate2.builds[1]!.uuid, d.gate2.builds[0]!.uuid, d.check1.builds[1]!.uuid],
      );
      assert.deepEqual(await history.buildTimes(TENANT, { job_name: ['project-*'] }, ALL), []);
      const finalOnly = await history.buildTimes(
        TENANT,
        { job_name: ['project-test1'], final: true },
        ALL,
      );
      assert.equal(finalOnly.length, 2);
      const scoped = await history.buildTimes(
        TENANT,
        {
          job_name: ['project-test1'],
          project: ['org/project'],
          pipeline: ['gate'],
          branch: ['stable/2025'],
        },
        ALL,
      );
      assert.equal(scoped.length, 2);
      const noErrors = await history.buildTimes(
        TENANT,
        { job_name: ['project-test1'], exclude_result: ['ERROR'] },
        ALL,
      );
      assert.equal(noErrors.length, 2);
      // start_time and end_time both bound the *end* time.
      const window = await history.buildTimes(
        TENANT,
        { start_time: at('2025-03-02T10:00:30'), end_time: at('2025-03-03T10:03:00') },
        ALL,
      );
      assert.deepEqual(
        window.map((b) => b.end_time),
        ['2025-03-03T10:03:00', '2025-03-02T10:04:00', '2025-03-02T10:00:30'],
      );
      const page = await history.buildTimes(TENANT, {}, { limit: 2, skip: 1 });
      const all = await history.buildTimes(TENANT, {}, ALL);
      assert.deepEqual(page, all.slice(1, 3));
    });
  });
}
