// The history reuses the SQL of a query for later queries with the same
// filter shape (compiled.ts) and, on SQLite, prepared statements: a
// dashboard asking the same kind of question with other values, in any
// order, must get each value's own answer, never the previous one's.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Store } from '../../src/store/db.js';
import { StoreHistory } from '../../src/store/history/reader.js';
import type { BuildFilters } from '../../src/store/history/types.js';
import { type Dataset, seedDataset, TENANT, tenantBuilds } from '../helpers/history.js';
import { BACKENDS, dropStore, openFresh } from '../helpers/store.js';

const ALL = { limit: 1000, skip: 0 };

for (const backend of BACKENDS) {
  describe(`repeated history queries on ${backend.name}`, { skip: backend.skip }, () => {
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

    const jobs = async (f: BuildFilters, page = ALL) =>
      (await history.builds(TENANT, f, page)).map((b) => b.job_name);
    const expectedJobs = (pred: (job: string) => boolean) =>
      tenantBuilds(d)
        .map((b) => b.job_name)
        .filter(pred);

    test('job_name filters with other values, alternating, each get their own builds', async () => {
      for (const round of [1, 2, 3]) {
        for (const job of ['project-test1', 'project-merge', 'project-test2', 'publish-docs']) {
          const got = await jobs({ job_name: [job] });
          assert.ok(got.length > 0, `round ${round}: no build of ${job}`);
          assert.deepEqual(
            got,
            expectedJobs((j) => j === job),
          );
        }
      }
    });

    test('wildcards and exact values mixed keep their order of parameters', async () => {
      for (const [exact, pattern] of [
        ['publish-docs', 'project-test*'],
        ['project-merge', 'projectA*'],
        ['project-test2', 'job_*'],
      ] as const) {
        const prefix = pattern.slice(0, -1);
        assert.deepEqual(
          await jobs({ job_name: [exact, pattern] }),
          expectedJobs((j) => j === exact || j.startsWith(prefix)),
        );
      }
    });

    test('the same filter with a changing idx_max and uuid pages through the builds', async () => {
      const all = tenantBuilds(d);
      for (const b of all) {
        const got = await history.builds(TENANT, { idx_max: b.id }, { limit: 1, skip: 0 });
        assert.deepEqual(
          got.map((x) => x.uuid),
          [b.uuid],
        );
        const [byUuid] = await history.builds(TENANT, { uuid: [b.uuid] }, ALL);
        assert.equal(byUuid?._id, b.id);
      }
    });

    test('buildsets and the badge answer for each project in turn', async () => {
      for (const round of [1, 2]) {
        for (const [project, pipeline] of [
          ['org/project', 'check'],
          ['org/project1', 'check'],
          ['org/project', 'post'],
        ] as const) {
          const sets = await history.buildsets(TENANT, { project: [project] }, ALL);
          assert.ok(sets.length > 0, `round ${round}: no buildset of ${project}`);
          for (const bs of sets) {
            assert.ok(
              bs.refs.some((r) => r.project === project),
              `${bs.uuid} has no ref of ${project}`,
            );
          }
          const latest = await history.latestResult(TENANT, {
            project: [project],
            pipeline: [pipeline],
          });
          const newest = (
            await history.buildsets(
              TENANT,
              { project: [project], pipeline: [pipeline], complete: true },
              { limit: 1, skip: 0 },
            )
          )[0];
          assert.equal(latest?.result, newest?.result);
        }
      }
    });
  });
}
