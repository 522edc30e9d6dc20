// The history endpoints over HTTP (reference §10-15, §49): query strings
// parsed as Zuul does (repeated parameters, `true`-or-not flags, idx
// bounds), 400 for bad input instead of Zuul's 500s, 404s, the badge's
// SVGs, and a real server reading `[database] dburi`.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { openStore, type Store } from '../../src/store/db.js';
import { StoreHistory } from '../../src/store/history/reader.js';
import { buildApp } from '../../src/web/app.js';
import type { WebContext } from '../../src/web/context.js';
import { WebServer } from '../../src/web/server.js';
import { deployFixture } from '../helpers/fixtures.js';
import {
  type Dataset,
  seedBuildset,
  seedDataset,
  seedSystemEvent,
  TENANT,
} from '../helpers/history.js';
import { fixtureContext } from './config-endpoints-helpers.js';

const T = `/api/tenant/${TENANT}`;

describe('history endpoints on the single-tenant fixture', () => {
  let app: FastifyInstance;
  let store: Store;
  let ctx: WebContext;
  let d: Dataset;

  before(async () => {
    const fx = await fixtureContext('single-tenant');
    store = fx.store;
    ctx = fx.ctx;
    d = await seedDataset(store);
    await seedSystemEvent(store, {
      time: Date.parse('2025-11-19T11:18:16Z'),
      type: 'reconfigure',
      event_id: 'e1',
    });
    ctx.history = new StoreHistory(store);
    app = buildApp(ctx);
    await app.ready();
  });
  after(async () => {
    await app?.close();
    await store?.close();
  });

  async function get(url: string) {
    const res = await app.inject(url);
    return { status: res.statusCode, headers: res.headers, body: res.body, json: () => res.json() };
  }
  const jobNames = async (query: string) =>
    ((await get(`${T}/builds?${query}`)).json() as { job_name: string }[]).map((b) => b.job_name);

  test("/builds: JSON list, CORS header, repeated parameters OR'ed", async () => {
    const res = await get(`${T}/builds`);
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^application\/json; charset=utf-8/);
    assert.equal(res.headers['access-control-allow-origin'], '*');
    assert.equal((res.json() as unknown[]).length, 13);
    assert.deepEqual(await jobNames('job_name=publish-docs&job_name=project1-docs'), [
      'publish-docs',
      'project1-docs',
    ]);
    assert.deepEqual(await jobNames('job_name=project1-*'), ['project1-docs', 'project1-test']);
    // `+` is a space and %2A a literal star that still means a wildcard.
    assert.deepEqual(await jobNames('job_name=publish%2A'), ['publish-docs']);
    assert.deepEqual(await jobNames('result=SKIPPED,FAILURE'), []);
  });

  test('/builds: flags as Zuul reads them', async () => {
    assert.deepEqual(await jobNames('held=1'), ['project1-docs']);
    assert.deepEqual(await jobNames('held=true'), ['project1-docs']);
    assert.deepEqual(await jobNames('voting=0'), ['project-test2']);
    assert.deepEqual(await jobNames('voting=False'), ['project-test2']);
    assert.equal((await jobNames('final=TRUE')).length, 12);
    assert.deepEqual(
      await jobNames('final=no'),
      ['project-test1'],
      'any value but true: non-final',
    );
    assert.deepEqual(
      await jobNames('complete=yes'),
      ['project1-test'],
      'any value but true: running',
    );
    assert.deepEqual(await jobNames('complete='), ['project1-test']);
    assert.equal((await jobNames('complete=true')).length, 12);
    assert.equal((await jobNames('exclude_result=SKIPPED')).length, 11);
  });

  test('/builds: idx bounds, limit, skip', async () => {
    const all = (await get(`${T}/builds`)).json() as { _id: number }[];
    const third = all[2]!._id;
    const res = (await get(`${T}/builds?idx_max=${third}&limit=2`)).json() as { _id: number }[];
    assert.deepEqual(
      res.map((b) => b._id),
      [all[2]!._id, all[3]!._id],
    );
    const res2 = (await get(`${T}/builds?idx_min=${third}&skip=1`)).json() as { _id: number }[];
    assert.deepEqual(
      res2.map((b) => b._id),
      [all[1]!._id, all[2]!._id],
    );
    assert.deepEqual((await get(`${T}/builds?idx_max=0`)).json(), []);
    assert.equal(((await get(`${T}/builds?limit=1`)).json() as unknown[]).length, 1);
  });

  test('bad parameters are 400 with a message, never 500', async () => {
    const cases: [string, RegExp][] = [
      ['builds?idx_min=abc', /^idx_min, idx_max must be integers$/],
      ['builds?idx_max=', /^idx_min, idx_max must be integers$/],
      ['buildsets?idx_max=1.5', /^idx_min, idx_max must be integers$/],
      ['builds?limit=ten', /limit must be a non-negative integer/],
      ['builds?limit=-1', /limit must be a non-negative integer/],
      ['buildsets?skip=x', /skip must be a non-negative integer/],
      ['builds?limit=1&limit=2', /limit must be given at most once/],
      ['builds?change=I0123abc', /change must be an integer/],
      ['builds?held=maybe', /held must be true or false/],
      ['builds?final=true&final=false', /final must be given at most once/],
      ['build-times?start_time=yesterday', /start_time must be a date and time/],
      ['build-times?end_time=2025-02-30', /end_time must be a date and time/],
      ['build-times?limit=9999999999999999999999', /limit must be a non-negative integer/],
    ];
    for (const [path, message] of cases) {
      const res = await get(`${T}/${path}`);
      assert.equal(res.status, 400, path);
      assert.match((res.json() as { description: string }).description, message, path);
    }
  });

  test('unknown tenant: 404; no history configured: 503', async () => {
    for (const path of [
      'builds',
      'buildsets',
      'build-times',
      'badge',
      'system-events',
      'build/x',
      'buildset/x',
    ]) {
      const res = await get(`/api/tenant/nope/${path}`);
      assert.equal(res.status, 404, path);
      assert.equal((res.json() as { description: string }).description, 'Unknown tenant');
    }
    const saved = ctx.history;
    ctx.history = undefined;
    try {
      const res = await get(`${T}/builds`);
      assert.equal(res.status, 503);
      assert.match(
        (res.json() as { description: string }).description,
        /build history is not available/,
      );
    } finally {
      ctx.history = saved;
    }
  });

  test('/build/{uuid} and /buildset/{uuid}: found, or 404 (an empty list is not a 404)', async () => {
    const build = (await get(`${T}/build/${d.check1.builds[0]!.uuid}`)).json() as {
      job_name: string;
      buildset: { uuid: string; refs: unknown[] };
    };
    assert.equal(build.job_name, 'project-merge');
    assert.equal(build.buildset.uuid, d.check1.uuid);
    assert.equal(build.buildset.refs.length, 1);
    const missing = await get(`${T}/build/1234`);
    assert.equal(missing.status, 404);
    assert.equal((missing.json() as { description: string }).description, 'Build not found');
    const bs = (await get(`${T}/buildset/${d.check1.uuid}`)).json() as {
      builds: unknown[];
      events: unknown[];
    };
    assert.equal(bs.builds.length, 3);
    assert.equal(bs.events.length, 1);
    const missingBs = await get(`${T}/buildset/${d.otherTenant.uuid}`);
    assert.equal(missingBs.status, 404);
    assert.equal((missingBs.json() as { description: string }).description, 'Buildset not found');
    const none = await get(`${T}/builds?project=org/none`);
    assert.equal(none.status, 200);
    assert.deepEqual(none.json(), []);
  });

  test('/buildsets: an empty complete is no filter; dashboard defaults', async () => {
    const all = (await get(`${T}/buildsets`)).json() as unknown[];
    assert.equal(all.length, 6);
    assert.equal(((await get(`${T}/buildsets?complete=`)).json() as unknown[]).length, 6);
    assert.equal(((await get(`${T}/buildsets?complete=false`)).json() as unknown[]).length, 1);
    const dashboard = (
      await get(`${T}/buildsets?exclude_result=NO_JOBS&exclude_result=DEQUEUED&pipeline=gate`)
    ).json() as {
      uuid: string;
    }[];
    assert.deepEqual(
      dashboard.map((b) => b.uuid),
      [d.multi6.uuid, d.gate2.uuid],
    );
  });

  test('/build-times as the Runtime page asks for it', async () => {
    const res = (
      await get(
        `${T}/build-times?pipeline=gate&project=org/project&branch=stable/2025&job_name=project-test1&start_time=2025-03-02T00:00:00&end_time=2025-03-03`,
      )
    ).json() as { uuid: string; duration: number }[];
    assert.deepEqual(
      res.map((b) => [b.uuid, b.duration]),
      [
        [d.gate2.builds[1]!.uuid, 180],
        [d.gate2.builds[0]!.uuid, 30],
      ],
    );
  });

  test('/system-events', async () => {
    const res = await get(`${T}/system-events?event_type=reconfigure`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), [
      {
        event_id: 'e1',
        event_time: '2025-11-19T11:18:16',
        event_type: 'reconfigure',
        description: null,
      },
    ]);
  });

  test('/badge: passing, failing and 404, never cached', async () => {
    const passing = await get(`${T}/badge?project=org/projectA`);
    assert.equal(passing.status, 200);
    assert.equal(passing.headers['content-type'], 'image/svg+xml');
    assert.equal(passing.headers['cache-control'], 'no-cache');
    assert.ok(passing.body.startsWith('<svg '));
    assert.match(passing.body, /width="88.6" height="20" viewBox="0 0 886 200"/);
    assert.match(passing.body, /fill="#3C1"/);
    assert.match(passing.body, />passing</);
    assert.match(passing.body, />build</);
    assert.doesNotMatch(passing.body, /failing|#E43/);
    const failing = await get(`${T}/badge?project=org/project&pipeline=check`);
    assert.equal(failing.status, 200);
    assert.match(failing.body, /width="80.2" height="20" viewBox="0 0 802 200"/);
    assert.match(failing.body, /fill="#E43"/);
    assert.match(failing.body, />failing</);
    assert.doesNotMatch(failing.body, /passing|#3C1/);
    // Any result but SUCCESS fails the badge, e.g. a merge conflict.
    await seedBuildset(store, {
      pipeline: 'gate',
      result: 'MERGE_CONFLICT',
      refs: [{ project: 'org/projectA', branch: 'master', change: 60, patchset: '1' }],
    });
    assert.match((await get(`${T}/badge?project=org/projectA`)).body, />failing</);
    const none = await get(`${T}/badge?project=org/project1`);
    assert.equal(none.status, 404, 'only a running buildset');
    assert.equal((none.json() as { description: string }).description, 'No buildset found');
  });
});

describe('history endpoints of a running server', () => {
  let server: WebServer;

  before(async () => {
    const fx = deployFixture('single-tenant');
    // The fixture's zuul.conf points [database] dburi at this file.
    const store = await openStore({ uri: `sqlite:///${join(fx.root, 'zuul.db')}` });
    try {
      await seedDataset(store);
    } finally {
      await store.close();
    }
    server = await WebServer.start({
      confPath: fx.confPath,
      version: '0.1.0',
      host: '127.0.0.1',
      port: 0,
      commandSocket: false,
    });
    await server.ready;
  });
  after(async () => {
    await server?.close();
  });

  test('/builds and /badge over HTTP from the configured database', async () => {
    const builds = await fetch(`${server.address()}${T}/builds?pipeline=gate&result=SUCCESS`);
    assert.equal(builds.status, 200);
    const body = (await builds.json()) as { job_name: string; pipeline: string }[];
    assert.deepEqual(
      body.map((b) => b.job_name),
      ['projectB-test', 'projectA-test'],
    );
    const badge = await fetch(`${server.address()}${T}/badge?project=org/project&pipeline=post`);
    assert.equal(badge.status, 200);
    assert.match(await badge.text(), /^<svg [\s\S]*>passing</);
  });
});
