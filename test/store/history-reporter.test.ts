// The SQL reporter on every backend: what a buildset's life leaves in the
// build history, repeated reports leaving it unchanged, missing buildsets
// repaired, order kept per buildset, and callers never waiting for the
// database.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { openStore, type Store } from '../../src/store/db.js';
import {
  type BuildEnd,
  type BuildsetInfo,
  isPermanentDbError,
  SqlReporter,
} from '../../src/store/history/reporter.js';
import { Outbox } from '../../src/store/history/reporter-outbox.js';
import { refKey, writeReport } from '../../src/store/history/reporter-sql.js';
import { BACKENDS, dropStore, openFresh } from '../helpers/store.js';

const T0 = Date.UTC(2025, 2, 1, 10, 0, 0);

function buildset(uuid: string, over: Partial<BuildsetInfo> = {}): BuildsetInfo {
  return {
    uuid,
    tenant: 'tenant-one',
    pipeline: 'gate',
    eventId: `ev-${uuid}`,
    eventTimestamp: T0 - 2000,
    refs: [
      {
        project: 'org/project',
        ref: 'refs/changes/01/1/1',
        refUrl: 'https://review.example.com/1',
        change: 1,
        patchset: '1',
        branch: 'main',
      },
      {
        project: 'org/other',
        ref: 'refs/changes/02/2/3',
        refUrl: 'https://review.example.com/2',
        change: 2,
        patchset: '3',
        branch: 'main',
      },
    ],
    triggeredBy: 'Triggered by GerritChange org/project 1,1',
    ...over,
  };
}

function buildEnd(bs: BuildsetInfo, uuid: string, job: string, over: Partial<BuildEnd> = {}) {
  const end: BuildEnd = {
    buildset: bs,
    uuid,
    jobName: job,
    ref: bs.refs[0]!,
    startTime: T0,
    endTime: T0 + 300_000,
    voting: true,
    nodeset: 'ubuntu-noble',
    result: 'SUCCESS',
    logUrl: `https://logs.example.com/${uuid}/`,
    errorDetail: null,
    final: true,
    held: false,
    artifacts: [
      { name: 'docs', url: 'https://logs.example.com/docs/' },
      { name: 'tarball', url: 'https://logs.example.com/t.tgz', metadata: { type: 'tarball' } },
    ],
    provides: ['docs-site'],
    events: [{ eventTime: T0 + 1000, eventType: 'run-start', description: 'run phase' }],
    ...over,
  };
  return end;
}

async function counts(store: Store): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of [
    'zuul_buildset',
    'zuul_ref',
    'zuul_buildset_ref',
    'zuul_build',
    'zuul_artifact',
    'zuul_provides',
    'zuul_build_event',
    'zuul_buildset_event',
    'zuul_system_event',
  ] as const) {
    const r = await store.db
      .selectFrom(t)
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    out[t] = Number(r.n);
  }
  return out;
}

for (const backend of BACKENDS) {
  describe(`SQL reporter on ${backend.name}`, { skip: backend.skip }, () => {
    it("a buildset's life: refs, trigger, builds with artifacts/provides/events, result", async () => {
      const store = await openFresh(backend);
      const reporter = new SqlReporter(store, { now: () => T0 + 600_000 });
      try {
        const bs = buildset('bs-1');
        reporter.buildsetCreated(bs);
        reporter.buildStarted({ ...buildEnd(bs, 'b-1', 'linters'), startTime: T0 });
        reporter.buildStarted({
          buildset: bs,
          uuid: 'b-2',
          jobName: 'unit',
          ref: bs.refs[1]!,
          startTime: T0 + 5000,
          voting: false,
          nodeset: null,
        });
        reporter.buildCompleted(buildEnd(bs, 'b-1', 'linters'));
        reporter.buildCompleted({
          ...buildEnd(bs, 'b-2', 'unit', {
            ref: bs.refs[1]!,
            startTime: T0 + 5000,
            endTime: T0 + 420_000,
            voting: false,
            result: 'FAILURE',
            errorDetail: 'tests failed',
            artifacts: [],
            provides: [],
            events: [],
          }),
        });
        reporter.buildsetCompleted({ buildset: bs, result: 'FAILURE', message: 'Build failed.' });
        assert.ok(await reporter.flush(20_000));

        const row = await store.db
          .selectFrom('zuul_buildset')
          .selectAll()
          .where('uuid', '=', 'bs-1')
          .executeTakeFirstOrThrow();
        assert.equal(row.tenant, 'tenant-one');
        assert.equal(row.pipeline, 'gate');
        assert.equal(row.result, 'FAILURE');
        assert.equal(row.message, 'Build failed.');
        assert.equal(row.event_id, 'ev-bs-1');
        assert.equal(Number(row.event_timestamp), T0 - 2000);
        assert.equal(Number(row.first_build_start_time), T0);
        assert.equal(Number(row.last_build_end_time), T0 + 420_000);
        assert.equal(Number(row.updated), T0 + 600_000);

        const refs = await store.db
          .selectFrom('zuul_buildset_ref as l')
          .innerJoin('zuul_ref as r', 'r.id', 'l.ref_id')
          .select(['r.project', 'r.change', 'r.patchset', 'r.ref', 'r.ref_url', 'r.branch'])
          .where('l.buildset_id', '=', row.id)
          .orderBy('r.project')
          .execute();
        assert.deepEqual(
          refs.map((r) => [r.project, Number(r.change), r.patchset, r.branch]),
          [
            ['org/other', 2, '3', 'main'],
            ['org/project', 1, '1', 'main'],
          ],
        );

        const builds = await store.db
          .selectFrom('zuul_build')
          .selectAll()
          .where('buildset_id', '=', row.id)
          .orderBy('uuid')
          .execute();
        assert.equal(builds.length, 2);
        const [b1, b2] = builds;
        assert.equal(b1!.result, 'SUCCESS');
        assert.equal(Number(b1!.voting), 1);
        assert.equal(Number(b1!.final), 1);
        assert.equal(Number(b1!.held), 0);
        assert.equal(b1!.log_url, 'https://logs.example.com/b-1/');
        assert.equal(b1!.nodeset, 'ubuntu-noble');
        assert.equal(Number(b1!.end_time) - Number(b1!.start_time), 300_000);
        // The filter copies equal the buildset's and the build's own ref.
        assert.deepEqual(
          [b1!.tenant, b1!.pipeline, b1!.project, Number(b1!.change), b1!.ref],
          ['tenant-one', 'gate', 'org/project', 1, 'refs/changes/01/1/1'],
        );
        assert.deepEqual([b2!.project, Number(b2!.change)], ['org/other', 2]);
        assert.equal(b2!.result, 'FAILURE');
        assert.equal(b2!.error_detail, 'tests failed');
        assert.equal(Number(b2!.voting), 0);

        const artifacts = await store.db
          .selectFrom('zuul_artifact')
          .select(['name', 'url', 'meta'])
          .where('build_id', '=', b1!.id)
          .orderBy('id')
          .execute();
        assert.deepEqual(artifacts, [
          { name: 'docs', url: 'https://logs.example.com/docs/', meta: null },
          { name: 'tarball', url: 'https://logs.example.com/t.tgz', meta: '{"type":"tarball"}' },
        ]);
        const events = await store.db
          .selectFrom('zuul_buildset_event')
          .select(['event_type', 'description', 'event_time'])
          .execute();
        assert.deepEqual(
          events.map((e) => [e.event_type, e.description, Number(e.event_time)]),
          [['triggered', 'Triggered by GerritChange org/project 1,1', T0 - 2000]],
        );
        assert.deepEqual(await counts(store), {
          zuul_buildset: 1,
          zuul_ref: 2,
          zuul_buildset_ref: 2,
          zuul_build: 2,
          zuul_artifact: 2,
          zuul_provides: 1,
          zuul_build_event: 1,
          zuul_buildset_event: 1,
          zuul_system_event: 0,
        });
      } finally {
        await reporter.close();
        await dropStore(store);
      }
    });

    it('every report written again (a retry after a crash) adds no row', async () => {
      const store = await openFresh(backend);
      try {
        const bs = buildset('bs-2');
        const build = buildEnd(bs, 'b-21', 'docs');
        const reports = [
          { kind: 'buildset-created', buildset: bs, at: T0 },
          { kind: 'build-started', build, startTime: T0 },
          { kind: 'build-completed', build, startTime: T0, endTime: T0 + 300_000 },
          {
            kind: 'buildset-completed',
            end: { buildset: bs, result: 'SUCCESS', message: 'ok' },
            at: T0 + 301_000,
          },
          {
            kind: 'system-event',
            event: { tenant: 'tenant-one', eventType: 'reconfigured', eventId: 'e1' },
            eventTime: T0,
          },
        ] as const;
        for (const r of reports) await writeReport(store, r);
        const once = await counts(store);
        for (const r of reports) await writeReport(store, r);
        for (const r of [...reports].reverse()) await writeReport(store, r);
        assert.deepEqual(await counts(store), once);
        assert.deepEqual(once, {
          zuul_buildset: 1,
          zuul_ref: 2,
          zuul_buildset_ref: 2,
          zuul_build: 1,
          zuul_artifact: 2,
          zuul_provides: 1,
          zuul_build_event: 1,
          zuul_buildset_event: 1,
          zuul_system_event: 1,
        });
        // A build reported again with other artifacts keeps only the new ones.
        await writeReport(store, {
          kind: 'build-completed',
          build: { ...build, artifacts: [{ name: 'only', url: 'https://x/only' }] },
          startTime: T0,
          endTime: T0 + 300_000,
        });
        const names = await store.db.selectFrom('zuul_artifact').select('name').execute();
        assert.deepEqual(names, [{ name: 'only' }]);
      } finally {
        await dropStore(store);
      }
    });

    it('a build whose buildset was never recorded creates it; refs are shared between buildsets', async () => {
      const store = await openFresh(backend);
      const reporter = new SqlReporter(store);
      try {
        const lost = buildset('bs-lost');
        reporter.buildCompleted(buildEnd(lost, 'b-31', 'lint'));
        // A later buildset of the same change reuses its ref rows.
        const again = buildset('bs-again');
        reporter.buildsetCreated(again);
        assert.ok(await reporter.flush(20_000));
        const bs = await store.db
          .selectFrom('zuul_buildset')
          .select(['uuid', 'pipeline', 'first_build_start_time', 'result'])
          // first_build_start_time is NULL until a build starts: Number(null) is 0.
          .orderBy('id')
          .execute();
        assert.deepEqual(
          bs.map((b) => [b.uuid, b.pipeline, Number(b.first_build_start_time), b.result]),
          [
            ['bs-lost', 'gate', T0, null],
            ['bs-again', 'gate', 0, null],
          ],
        );
        const c = await counts(store);
        assert.equal(c.zuul_ref, 2, 'one row per distinct change');
        assert.equal(c.zuul_buildset_ref, 4);
        assert.equal(c.zuul_build, 1);
      } finally {
        await reporter.close();
        await dropStore(store);
      }
    });

    it('reports of one buildset are written in call order, buildsets in parallel', async () => {
      const store = await openFresh(backend);
      let t = T0;
      const reporter = new SqlReporter(store, { now: () => t++, concurrency: 3 });
      try {
        for (let i = 0; i < 6; i++) {
          const bs = buildset(`order-${i}`);
          reporter.buildsetCreated(bs);
          for (let j = 0; j < 3; j++) {
            reporter.buildStarted({ ...buildEnd(bs, `order-${i}-${j}`, `job-${j}`) });
            reporter.buildCompleted(buildEnd(bs, `order-${i}-${j}`, `job-${j}`));
          }
          reporter.buildsetCompleted({ buildset: bs, result: 'SUCCESS', message: `m${i}` });
        }
        assert.equal(reporter.pending, 6 * 8);
        assert.ok(await reporter.flush(30_000));
        assert.equal(reporter.pending, 0);
        const rows = await store.db
          .selectFrom('zuul_buildset')
          .select(['uuid', 'result', 'message'])
          .orderBy('uuid')
          .execute();
        assert.deepEqual(
          rows,
          [0, 1, 2, 3, 4, 5].map((i) => ({
            uuid: `order-${i}`,
            result: 'SUCCESS',
            message: `m${i}`,
          })),
        );
        const done = await store.db
          .selectFrom('zuul_build')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('result', '=', 'SUCCESS')
          .executeTakeFirstOrThrow();
        assert.equal(Number(done.n), 18, 'no start report overwrote a completion');
      } finally {
        await reporter.close();
        await dropStore(store);
      }
    });

    it('names longer than a column are cut and marked, not refused', async () => {
      const store = await openFresh(backend);
      const reporter = new SqlReporter(store);
      try {
        const bs = buildset('bs-long');
        const longName = `artifact-${'x'.repeat(400)}`;
        reporter.buildCompleted(
          buildEnd(bs, 'b-long', 'job', { artifacts: [{ name: longName, url: 'https://x/' }] }),
        );
        assert.ok(await reporter.flush(20_000));
        const a = await store.db
          .selectFrom('zuul_artifact')
          .select('name')
          .executeTakeFirstOrThrow();
        assert.equal(Array.from(a.name).length, 255);
        assert.ok(a.name.startsWith('artifact-xxx') && a.name.endsWith('… (truncated)'));
      } finally {
        await reporter.close();
        await dropStore(store);
      }
    });

    it("the database's refusals are told apart from outages", async () => {
      const store = await openFresh(backend);
      try {
        await writeReport(store, { kind: 'buildset-created', buildset: buildset('dup'), at: T0 });
        const refused = await store.db
          .insertInto('zuul_buildset')
          .values({ uuid: 'dup', tenant: 't', pipeline: 'p', updated: 1 })
          .execute()
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        assert.ok(refused, 'a duplicate uuid is refused');
        assert.equal(isPermanentDbError(refused), true);
        const missing = await sql`select * from ${sql.table('no_such_table')}`
          .execute(store.db)
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        assert.equal(isPermanentDbError(missing), true);
      } finally {
        await dropStore(store);
      }
      if (backend.name !== 'sqlite') {
        // A server that is not there is an outage: retried, never dropped.
        const uri = backend.fresh().uri.replace(/:\d+\//, ':1/');
        const down = await openStore({ uri, migrate: false });
        const err = await down.db
          .selectFrom('zuul_buildset')
          .selectAll()
          .execute()
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        await down.close();
        assert.ok(err);
        assert.equal(isPermanentDbError(err), false);
      }
    });
  });
}

describe('SQL reporter without a database', () => {
  it('never makes the caller wait; close() says how many reports were given up', async () => {
    const store = await openStore({
      uri: 'postgresql://zuul:pw@127.0.0.1:1/zuul',
      migrate: false,
    });
    const reporter = new SqlReporter(store, { initialRetryDelayMs: 50 });
    const started = performance.now();
    for (let i = 0; i < 200; i++) {
      const bs = buildset(`away-${i}`);
      reporter.buildsetCreated(bs);
      reporter.buildCompleted(buildEnd(bs, `away-${i}-b`, 'job'));
    }
    const took = performance.now() - started;
    assert.ok(took < 500, `400 reports queued in ${took.toFixed(0)} ms`);
    assert.equal(reporter.pending, 400);
    assert.equal(await reporter.flush(300), false, 'nothing can be written');
    assert.equal(await reporter.close(0), 400);
    await store.close();
  });

  it('bad input is a clear error at the call, not a lost report later', () => {
    const reporter = new SqlReporter({} as Store);
    assert.throws(
      () => reporter.buildsetCreated({ ...buildset('x'), tenant: '' }),
      /uuid, tenant and pipeline must be non-empty strings/,
    );
    assert.throws(
      () => reporter.buildCompleted({ ...buildEnd(buildset('x'), 'b', 'j'), result: '' }),
      /result must be a non-empty string/,
    );
    assert.throws(
      () => reporter.systemEvent({ tenant: 't', eventType: '' }),
      /tenant and eventType must be non-empty strings/,
    );
  });

  it('ref keys: Zuul equivalences (change 0, empty strings) give one key', () => {
    const a = refKey({
      project: 'p',
      ref: 'refs/heads/main',
      change: 0,
      patchset: '',
      newrev: 'abc',
    });
    const b = refKey({ project: 'p', ref: 'refs/heads/main', change: null, newrev: 'abc' });
    assert.equal(a, b);
    assert.notEqual(a, refKey({ project: 'p', ref: 'refs/heads/main', newrev: 'abd' }));
    assert.notEqual(a, refKey({ project: 'P', ref: 'refs/heads/main', newrev: 'abc' }));
  });
});

describe('reporter outbox', () => {
  it('drops an item the database keeps refusing; the rest of its lane goes on', async () => {
    const delivered: string[] = [];
    const dropped: string[] = [];
    let attempts = 0;
    const outbox = new Outbox<string>({
      deliver: async (item) => {
        if (item === 'bad') {
          attempts++;
          throw new TypeError('refused');
        }
        delivered.push(item);
      },
      isPermanent: (e) => e instanceof TypeError,
      onDrop: (item) => dropped.push(item),
      initialDelayMs: 1,
      permanentAttempts: 3,
    });
    for (const item of ['a', 'bad', 'b']) outbox.push('lane', item);
    assert.ok(await outbox.flush(5000));
    assert.deepEqual(delivered, ['a', 'b']);
    assert.deepEqual(dropped, ['bad']);
    assert.equal(attempts, 3);
  });

  it('retries an outage until it ends, keeping lane order', async () => {
    const delivered: string[] = [];
    let down = true;
    const outbox = new Outbox<string>({
      deliver: async (item) => {
        if (down) throw new Error('connect ECONNREFUSED');
        delivered.push(item);
      },
      isPermanent: () => false,
      onDrop: () => assert.fail('nothing may be dropped'),
      initialDelayMs: 5,
      maxDelayMs: 20,
      concurrency: 2,
    });
    for (const [lane, item] of [
      ['x', 'x1'],
      ['y', 'y1'],
      ['x', 'x2'],
      ['z', 'z1'],
      ['x', 'x3'],
    ] as const) {
      outbox.push(lane, item);
    }
    assert.equal(await outbox.flush(200), false);
    down = false;
    assert.ok(await outbox.flush(5000));
    assert.deepEqual(
      delivered.filter((d) => d.startsWith('x')),
      ['x1', 'x2', 'x3'],
    );
    assert.deepEqual([...delivered].sort(), ['x1', 'x2', 'x3', 'y1', 'z1']);
  });

  it('refuses items beyond its limit', () => {
    const outbox = new Outbox<number>({
      deliver: () => new Promise(() => {}),
      isPermanent: () => false,
      onDrop: () => {},
      maxQueued: 2,
    });
    assert.equal(outbox.push('a', 1), true);
    assert.equal(outbox.push('a', 2), true);
    assert.equal(outbox.push('a', 3), false);
    void outbox.close();
  });
});
