// The SQL reporter's writes: one transaction per report, each safe to run
// again. A report retried after a crash, or after a commit whose
// acknowledgement was lost with the connection, must leave the same rows:
//
// * buildsets, builds and refs are found by their unique keys (uuid,
//   ref_key) and inserted only when absent;
// * a build's artifacts, provides and events are replaced as a whole;
// * the `triggered` buildset event and system events are inserted only
//   when an identical one is not there yet.
//
// As Zuul does, a report about a build whose buildset (or about a buildset
// end whose creation) never made it creates what is missing first.

import { createHash } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Store, StoreDialect } from '../db.js';
import type { Database } from '../schema.js';
import type {
  BuildEnd,
  BuildStart,
  BuildsetEnd,
  BuildsetInfo,
  RefInfo,
  Report,
  SystemEventInfo,
} from './reporter-types.js';

type Trx = Kysely<Database>;

/** Indexed string columns are varchar(255) (migration 0003). */
const MAX_STRING = 255;
const TRUNCATED = '… (truncated)';

/** Writes one report in its own transaction. */
export async function writeReport(store: Store, report: Report): Promise<void> {
  await store.db.transaction().execute(async (trx: Transaction<Database>) => {
    const w = new Writer(trx, store.dialect);
    switch (report.kind) {
      case 'buildset-created':
        await w.buildset(report.buildset, report.at);
        return;
      case 'build-started':
        await w.build(report.build, report.startTime, report.startTime);
        return;
      case 'build-completed':
        await w.buildCompleted(report.build, report.startTime, report.endTime);
        return;
      case 'buildset-completed':
        await w.buildsetCompleted(report.end, report.at);
        return;
      case 'system-event':
        await w.systemEvent(report.event, report.eventTime);
        return;
    }
  });
}

/**
 * The deduplication key of a ref: the fields Zuul's zuul_ref unique
 * constraint covers (project, ref, change, patchset, oldrev, newrev), with
 * Zuul's equivalences (change 0 = none, '' = none), hashed to fit.
 */
export function refKey(ref: RefInfo): string {
  const n = normaliseRef(ref);
  const fields = [n.project, n.ref ?? '', n.change ?? 0, n.patchset, n.oldrev, n.newrev];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

interface RefRow {
  project: string;
  ref: string | null;
  ref_url: string | null;
  change: number | null;
  patchset: string | null;
  oldrev: string | null;
  newrev: string | null;
  branch: string | null;
}

function normaliseRef(r: RefInfo): RefRow {
  const blank = (s: string | null | undefined) => (s === undefined || s === '' ? null : s);
  return {
    project: fit(r.project),
    ref: r.ref === undefined || r.ref === null ? null : fit(r.ref),
    ref_url: r.refUrl ?? null,
    change: r.change ? r.change : null,
    patchset: fitOrNull(blank(r.patchset)),
    oldrev: fitOrNull(blank(r.oldrev)),
    newrev: fitOrNull(blank(r.newrev)),
    branch: fitOrNull(r.branch ?? null),
  };
}

/** A value for a varchar(255) column: longer ones are cut and marked, not refused. */
function fit(s: string): string {
  const chars = Array.from(s);
  if (chars.length <= MAX_STRING) return s;
  return chars.slice(0, MAX_STRING - Array.from(TRUNCATED).length).join('') + TRUNCATED;
}

function fitOrNull(s: string | null | undefined): string | null {
  return s === null || s === undefined ? null : fit(s);
}

class Writer {
  constructor(
    private readonly trx: Trx,
    private readonly dialect: StoreDialect,
  ) {}

  /** The buildset's id, created with its refs and `triggered` event when absent. */
  async buildset(info: BuildsetInfo, at: number): Promise<number> {
    const existing = await this.buildsetId(info.uuid);
    if (existing !== undefined) return existing;
    const insert = this.trx.insertInto('zuul_buildset').values({
      uuid: info.uuid,
      tenant: fit(info.tenant),
      pipeline: fit(info.pipeline),
      result: null,
      message: null,
      event_id: fitOrNull(info.eventId),
      event_timestamp: info.eventTimestamp ?? null,
      first_build_start_time: null,
      last_build_end_time: null,
      updated: at,
    });
    await (this.dialect === 'mysql'
      ? insert.ignore()
      : insert.onConflict((oc) => oc.column('uuid').doNothing())
    ).execute();
    const id = await this.buildsetId(info.uuid);
    if (id === undefined) throw new Error(`buildset ${info.uuid} vanished while being recorded`);
    for (const ref of info.refs) await this.link(id, await this.ref(ref));
    if (info.triggeredBy) {
      const time = info.eventTimestamp ?? at;
      const has = await this.trx
        .selectFrom('zuul_buildset_event')
        .select('id')
        .where('buildset_id', '=', id)
        .where('event_type', '=', 'triggered')
        .executeTakeFirst();
      if (!has) {
        await this.trx
          .insertInto('zuul_buildset_event')
          .values({
            buildset_id: id,
            event_time: time,
            event_type: 'triggered',
            description: info.triggeredBy,
          })
          .execute();
      }
    }
    return id;
  }

  /** The build's id, created (with its buildset) when absent. */
  async build(b: BuildStart, startTime: number, at: number): Promise<number> {
    const buildsetId = await this.buildset(b.buildset, at);
    const existing = await this.buildId(b.uuid);
    if (existing !== undefined) return existing;
    const refId = await this.ref(b.ref);
    await this.link(buildsetId, refId);
    const ref = normaliseRef(b.ref);
    const insert = this.trx.insertInto('zuul_build').values({
      buildset_id: buildsetId,
      ref_id: refId,
      uuid: b.uuid,
      job_name: fit(b.jobName),
      result: null,
      start_time: startTime,
      end_time: null,
      voting: b.voting ? 1 : 0,
      log_url: null,
      nodeset: fitOrNull(b.nodeset),
      error_detail: null,
      final: null,
      held: null,
      tenant: fit(b.buildset.tenant),
      pipeline: fit(b.buildset.pipeline),
      project: ref.project,
      branch: ref.branch,
      change: ref.change,
      patchset: ref.patchset,
      ref: ref.ref,
      newrev: ref.newrev,
    });
    await (this.dialect === 'mysql'
      ? insert.ignore()
      : insert.onConflict((oc) => oc.column('uuid').doNothing())
    ).execute();
    // The earliest start among its builds (Zuul keeps the first reported).
    await this.trx
      .updateTable('zuul_buildset')
      .set({ first_build_start_time: startTime })
      .where('id', '=', buildsetId)
      .where((eb) =>
        eb.or([
          eb('first_build_start_time', 'is', null),
          eb('first_build_start_time', '>', startTime),
        ]),
      )
      .execute();
    const id = await this.buildId(b.uuid);
    if (id === undefined) throw new Error(`build ${b.uuid} vanished while being recorded`);
    return id;
  }

  async buildCompleted(b: BuildEnd, startTime: number, endTime: number): Promise<void> {
    const id = await this.build(b, startTime, endTime);
    await this.trx
      .updateTable('zuul_build')
      .set({
        result: fit(b.result),
        end_time: endTime,
        log_url: b.logUrl ?? null,
        error_detail: b.errorDetail ?? null,
        final: b.final ? 1 : 0,
        held: b.held ? 1 : 0,
      })
      .where('id', '=', id)
      .execute();
    // Replaced as a whole: a repeated report leaves one copy.
    for (const table of ['zuul_artifact', 'zuul_provides', 'zuul_build_event'] as const) {
      await this.trx.deleteFrom(table).where('build_id', '=', id).execute();
    }
    const artifacts = (b.artifacts ?? []).map((a) => ({
      build_id: id,
      name: fit(a.name),
      url: a.url,
      meta: a.metadata === undefined ? null : JSON.stringify(a.metadata),
    }));
    if (artifacts.length) await this.trx.insertInto('zuul_artifact').values(artifacts).execute();
    const provides = [...new Set(b.provides ?? [])].map((name) => ({
      build_id: id,
      name: fit(name),
    }));
    if (provides.length) await this.trx.insertInto('zuul_provides').values(provides).execute();
    const events = (b.events ?? []).map((e) => ({
      build_id: id,
      event_time: e.eventTime,
      event_type: fit(e.eventType),
      description: e.description ?? null,
    }));
    if (events.length) await this.trx.insertInto('zuul_build_event').values(events).execute();
  }

  async buildsetCompleted(end: BuildsetEnd, at: number): Promise<void> {
    const id = await this.buildset(end.buildset, at);
    const row = await this.trx
      .selectFrom('zuul_buildset')
      .select('first_build_start_time')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const last = await this.trx
      .selectFrom('zuul_build')
      .select((eb) => eb.fn.max('end_time').as('end'))
      .where('buildset_id', '=', id)
      .executeTakeFirst();
    // As Zuul: the latest build end, but never before the first build start.
    const first = msOrNull(row.first_build_start_time);
    const lastEnd = msOrNull(last?.end);
    const lastBuildEnd = first === null ? null : Math.max(first, lastEnd ?? first);
    await this.trx
      .updateTable('zuul_buildset')
      .set({
        result: end.result === null ? null : fit(end.result),
        message: end.message ?? null,
        last_build_end_time: lastBuildEnd,
        updated: at,
      })
      .where('id', '=', id)
      .execute();
  }

  async systemEvent(e: SystemEventInfo, eventTime: number): Promise<void> {
    const row = {
      tenant: fit(e.tenant),
      event_id: fitOrNull(e.eventId),
      event_time: eventTime,
      event_type: fit(e.eventType),
      description: e.description ?? null,
    };
    let q = this.trx
      .selectFrom('zuul_system_event')
      .select('id')
      .where('tenant', '=', row.tenant)
      .where('event_time', '=', row.event_time)
      .where('event_type', '=', row.event_type);
    q =
      row.event_id === null
        ? q.where('event_id', 'is', null)
        : q.where('event_id', '=', row.event_id);
    if (await q.executeTakeFirst()) return;
    await this.trx.insertInto('zuul_system_event').values(row).execute();
  }

  private async buildsetId(uuid: string): Promise<number | undefined> {
    const r = await this.trx
      .selectFrom('zuul_buildset')
      .select('id')
      .where('uuid', '=', uuid)
      .executeTakeFirst();
    return r ? Number(r.id) : undefined;
  }

  private async buildId(uuid: string): Promise<number | undefined> {
    const r = await this.trx
      .selectFrom('zuul_build')
      .select('id')
      .where('uuid', '=', uuid)
      .executeTakeFirst();
    return r ? Number(r.id) : undefined;
  }

  /** The ref's id, inserted when no ref has its key (another process may race: ignore and re-read). */
  private async ref(info: RefInfo): Promise<number> {
    const key = refKey(info);
    const find = () =>
      this.trx.selectFrom('zuul_ref').select('id').where('ref_key', '=', key).executeTakeFirst();
    const found = await find();
    if (found) return Number(found.id);
    const insert = this.trx.insertInto('zuul_ref').values({ ref_key: key, ...normaliseRef(info) });
    await (this.dialect === 'mysql'
      ? insert.ignore()
      : insert.onConflict((oc) => oc.column('ref_key').doNothing())
    ).execute();
    const row = await find();
    if (!row) throw new Error(`ref of ${info.project} vanished while being recorded`);
    return Number(row.id);
  }

  private async link(buildsetId: number, refId: number): Promise<void> {
    const insert = this.trx
      .insertInto('zuul_buildset_ref')
      .values({ buildset_id: buildsetId, ref_id: refId });
    await (this.dialect === 'mysql'
      ? insert.ignore()
      : insert.onConflict((oc) => oc.columns(['buildset_id', 'ref_id']).doNothing())
    ).execute();
  }
}

function msOrNull(v: number | string | bigint | null | undefined): number | null {
  if (v === null || v === undefined) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}
