// Build-history test data written straight into the tables (the SQL
// reporter is not needed to test the readers): buildsets with their refs,
// builds (with the filter columns copied from the buildset and ref, as the
// reporter must), artifacts, provides, events, and system events.

import { randomUUID } from 'node:crypto';
import type { Store } from '../../src/store/db.js';

export interface RefSeed {
  project: string;
  branch?: string | null;
  change?: number | null;
  patchset?: string | null;
  ref?: string | null;
  oldrev?: string | null;
  newrev?: string | null;
  ref_url?: string | null;
}

export interface BuildSeed {
  job_name: string;
  uuid?: string;
  result?: string | null;
  /** Unix ms. */
  start?: number | null;
  end?: number | null;
  voting?: boolean | null;
  final?: boolean | null;
  held?: boolean | null;
  log_url?: string | null;
  nodeset?: string | null;
  error_detail?: string | null;
  artifacts?: { name: string; url: string; metadata?: Record<string, unknown> }[];
  provides?: string[];
  /** Which of the buildset's refs is the build's (default 0). */
  refIndex?: number;
}

export interface BuildsetSeed {
  pipeline: string;
  tenant?: string;
  uuid?: string;
  result?: string | null;
  message?: string | null;
  event_id?: string | null;
  event_timestamp?: number | null;
  first_build_start_time?: number | null;
  last_build_end_time?: number | null;
  refs: RefSeed[];
  builds?: BuildSeed[];
  events?: { time: number; type: string; description?: string }[];
}

export interface Seeded {
  id: number;
  uuid: string;
  builds: { id: number; uuid: string; job_name: string }[];
}

export const TENANT = 'tenant-one';

async function insertReturningId(
  store: Store,
  table: 'zuul_buildset' | 'zuul_ref' | 'zuul_build' | 'zuul_system_event',
  values: Record<string, unknown>,
): Promise<number> {
  // biome-ignore lint/suspicious/noExplicitAny: one helper for several tables.
  const q = (store.db as any).insertInto(table).values(values);
  if (store.dialect === 'postgresql') {
    const row = await q.returning('id').executeTakeFirstOrThrow();
    return Number(row.id);
  }
  const res = await q.executeTakeFirstOrThrow();
  return Number(res.insertId);
}

const flag = (v: boolean | null | undefined): number | null =>
  v === undefined || v === null ? null : v ? 1 : 0;

function refKey(r: RefSeed): string {
  return JSON.stringify([
    r.project,
    r.ref ?? null,
    r.change ?? null,
    r.patchset ?? null,
    r.oldrev ?? null,
    r.newrev ?? null,
  ]);
}

async function refId(store: Store, r: RefSeed): Promise<number> {
  const key = refKey(r);
  const found = await store.db
    .selectFrom('zuul_ref')
    .select('id')
    .where('ref_key', '=', key)
    .executeTakeFirst();
  if (found) return Number(found.id);
  return insertReturningId(store, 'zuul_ref', {
    ref_key: key,
    project: r.project,
    branch: r.branch ?? null,
    change: r.change ?? null,
    patchset: r.patchset ?? null,
    ref: r.ref ?? null,
    oldrev: r.oldrev ?? null,
    newrev: r.newrev ?? null,
    ref_url: r.ref_url ?? null,
  });
}

export async function seedBuildset(store: Store, seed: BuildsetSeed): Promise<Seeded> {
  const tenant = seed.tenant ?? TENANT;
  const uuid = seed.uuid ?? randomUUID().replace(/-/g, '');
  const id = await insertReturningId(store, 'zuul_buildset', {
    uuid,
    tenant,
    pipeline: seed.pipeline,
    result: seed.result ?? null,
    message: seed.message ?? null,
    event_id: seed.event_id ?? null,
    event_timestamp: seed.event_timestamp ?? null,
    first_build_start_time: seed.first_build_start_time ?? null,
    last_build_end_time: seed.last_build_end_time ?? null,
    updated: Date.now(),
  });
  const refIds: number[] = [];
  for (const r of seed.refs) {
    const rid = await refId(store, r);
    refIds.push(rid);
    await store.db
      .insertInto('zuul_buildset_ref')
      .values({ buildset_id: id, ref_id: rid })
      .execute();
  }
  const builds: Seeded['builds'] = [];
  for (const b of seed.builds ?? []) {
    const ref = seed.refs[b.refIndex ?? 0]!;
    const buildUuid = b.uuid ?? randomUUID().replace(/-/g, '');
    const bid = await insertReturningId(store, 'zuul_build', {
      buildset_id: id,
      ref_id: refIds[b.refIndex ?? 0]!,
      uuid: buildUuid,
      job_name: b.job_name,
      result: b.result ?? null,
      start_time: b.start ?? null,
      end_time: b.end ?? null,
      voting: flag(b.voting === undefined ? true : b.voting),
      log_url: b.log_url ?? null,
      nodeset: b.nodeset ?? null,
      error_detail: b.error_detail ?? null,
      final: flag(b.final === undefined ? true : b.final),
      held: flag(b.held === undefined ? false : b.held),
      tenant,
      pipeline: seed.pipeline,
      project: ref.project,
      branch: ref.branch ?? null,
      change: ref.change ?? null,
      patchset: ref.patchset ?? null,
      ref: ref.ref ?? null,
      newrev: ref.newrev ?? null,
    });
    for (const a of b.artifacts ?? []) {
      await store.db
        .insertInto('zuul_artifact')
        .values({
          build_id: bid,
          name: a.name,
          url: a.url,
          meta: a.metadata ? JSON.stringify(a.metadata) : null,
        })
        .execute();
    }
    for (const name of b.provides ?? []) {
      await store.db.insertInto('zuul_provides').values({ build_id: bid, name }).execute();
    }
    builds.push({ id: bid, uuid: buildUuid, job_name: b.job_name });
  }
  for (const e of seed.events ?? []) {
    await store.db
      .insertInto('zuul_buildset_event')
      .values({
        buildset_id: id,
        event_time: e.time,
        event_type: e.type,
        description: e.description ?? null,
      })
      .execute();
  }
  return { id, uuid, builds };
}

export async function seedSystemEvent(
  store: Store,
  e: { tenant?: string; event_id?: string; time: number; type: string; description?: string },
): Promise<number> {
  return insertReturningId(store, 'zuul_system_event', {
    tenant: e.tenant ?? TENANT,
    event_id: e.event_id ?? null,
    event_time: e.time,
    event_type: e.type,
    description: e.description ?? null,
  });
}

/** `2025-03-01T10:00:00` (UTC) as Unix ms. */
export function at(iso: string): number {
  return Date.parse(`${iso}Z`);
}

/** A small history covering every filter: see the comments per buildset. */
export interface Dataset {
  /** Buildsets in insertion (id) order. */
  check1: Seeded;
  gate2: Seeded;
  running3: Seeded;
  post4: Seeded;
  odd5: Seeded;
  multi6: Seeded;
  otherTenant: Seeded;
}

export async function seedDataset(store: Store, tenant = TENANT): Promise<Dataset> {
  const change1 = {
    project: 'org/project',
    branch: 'master',
    change: 1,
    patchset: '1',
    ref: 'refs/changes/01/1/1',
    ref_url: 'https://review.example.com/1',
  };
  // A finished check run of change 1: one success with artifacts, one
  // non-voting failure, one with provides.
  const check1 = await seedBuildset(store, {
    tenant,
    pipeline: 'check',
    result: 'FAILURE',
    message: 'Build failed.',
    event_id: 'ev-1',
    event_timestamp: at('2025-03-01T09:59:58'),
    first_build_start_time: at('2025-03-01T10:00:00'),
    last_build_end_time: at('2025-03-01T10:09:00'),
    refs: [change1],
    builds: [
      {
        job_name: 'project-merge',
        result: 'SUCCESS',
        start: at('2025-03-01T10:00:00'),
        end: at('2025-03-01T10:01:00') + 500,
        nodeset: 'small',
        log_url: 'https://logs.example.com/1/merge/',
        artifacts: [
          { name: 'docs', url: 'http://example.com/docs' },
          {
            name: 'relative',
            url: 'http://logs.example.com/build/relative/docs',
            metadata: { foo: 'bar' },
          },
        ],
      },
      {
        job_name: 'project-test1',
        result: 'SUCCESS',
        start: at('2025-03-01T10:02:00'),
        end: at('2025-03-01T10:07:00'),
        nodeset: 'large',
        provides: ['some-artifact'],
      },
      {
        job_name: 'project-test2',
        result: 'FAILURE',
        voting: false,
        start: at('2025-03-01T10:02:00'),
        end: at('2025-03-01T10:09:00'),
        nodeset: 'small',
      },
    ],
    events: [
      {
        time: at('2025-03-01T09:59:58'),
        type: 'triggered',
        description: 'Triggered by GerritChange org/project 1,1',
      },
    ],
  });
  // Gate of change 2 on a stable branch: a failure, a skipped build, and
  // a retried (non-final) attempt.
  const gate2 = await seedBuildset(store, {
    tenant,
    pipeline: 'gate',
    result: 'FAILURE',
    refs: [
      {
        project: 'org/project',
        branch: 'stable/2025',
        change: 2,
        patchset: '3',
        ref: 'refs/changes/02/2/3',
      },
    ],
    builds: [
      {
        job_name: 'project-test1',
        result: 'ERROR',
        final: false,
        start: at('2025-03-02T10:00:00'),
        end: at('2025-03-02T10:00:30'),
      },
      {
        job_name: 'project-test1',
        result: 'FAILURE',
        start: at('2025-03-02T10:01:00'),
        end: at('2025-03-02T10:04:00'),
      },
      {
        job_name: 'project-test2',
        result: 'SKIPPED',
        error_detail: 'Skipped due to failed job project-test1',
      },
    ],
  });
  // Still running: one build in progress, one held.
  const running3 = await seedBuildset(store, {
    tenant,
    pipeline: 'check',
    result: null,
    refs: [
      {
        project: 'org/project1',
        branch: 'master',
        change: 3,
        patchset: '2',
        ref: 'refs/changes/03/3/2',
      },
    ],
    builds: [
      { job_name: 'project1-test', result: null, start: at('2025-03-03T10:00:00') },
      {
        job_name: 'project1-docs',
        result: 'FAILURE',
        held: true,
        start: at('2025-03-03T10:00:00'),
        end: at('2025-03-03T10:03:00'),
      },
    ],
  });
  // A post run of a branch tip: no change, a new revision.
  const post4 = await seedBuildset(store, {
    tenant,
    pipeline: 'post',
    result: 'SUCCESS',
    refs: [
      {
        project: 'org/project',
        branch: 'master',
        change: null,
        ref: 'refs/heads/master',
        oldrev: '1111111111111111111111111111111111111111',
        newrev: '2222222222222222222222222222222222222222',
      },
    ],
    builds: [
      {
        job_name: 'publish-docs',
        result: 'SUCCESS',
        start: at('2025-03-04T10:00:00'),
        end: at('2025-03-04T10:02:00'),
      },
    ],
  });
  // Names with SQL wildcard characters, which must match only literally.
  const odd5 = await seedBuildset(store, {
    tenant,
    pipeline: 'check',
    result: 'SUCCESS',
    refs: [{ project: 'org/pro_ject%1', branch: 'feature_x', change: 5, patchset: '1' }],
    builds: [
      {
        job_name: 'job_with%pct',
        result: 'SUCCESS',
        start: at('2025-03-05T10:00:00'),
        end: at('2025-03-05T10:01:00'),
      },
      {
        job_name: 'jobXwithYpct',
        result: 'SUCCESS',
        start: at('2025-03-05T10:00:00'),
        end: at('2025-03-05T10:01:00'),
      },
    ],
  });
  // Two changes tested together (circular dependency): two refs.
  const multi6 = await seedBuildset(store, {
    tenant,
    pipeline: 'gate',
    result: 'SUCCESS',
    refs: [
      { project: 'org/projectA', branch: 'master', change: 6, patchset: '1' },
      { project: 'org/projectB', branch: 'master', change: 7, patchset: '1' },
    ],
    builds: [
      {
        job_name: 'projectA-test',
        result: 'SUCCESS',
        start: at('2025-03-06T10:00:00'),
        end: at('2025-03-06T10:05:00'),
      },
      {
        job_name: 'projectB-test',
        result: 'SUCCESS',
        refIndex: 1,
        start: at('2025-03-06T10:00:00'),
        end: at('2025-03-06T10:06:00'),
      },
    ],
  });
  // Another tenant testing the same change: never visible from ours.
  const otherTenant = await seedBuildset(store, {
    tenant: `${tenant}-other`,
    pipeline: 'check',
    result: 'SUCCESS',
    refs: [change1],
    builds: [
      {
        job_name: 'project-test1',
        result: 'SUCCESS',
        start: at('2025-03-07T10:00:00'),
        end: at('2025-03-07T10:05:00'),
      },
    ],
  });
  return { check1, gate2, running3, post4, odd5, multi6, otherTenant };
}

/** Every build of the dataset in our tenant, newest first. */
export function tenantBuilds(d: Dataset): Seeded['builds'] {
  return [d.check1, d.gate2, d.running3, d.post4, d.odd5, d.multi6]
    .flatMap((bs) => bs.builds)
    .sort((a, b) => b.id - a.id);
}
