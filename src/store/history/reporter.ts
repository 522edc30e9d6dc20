// The SQL reporter: what the scheduler calls to record buildsets, builds
// and system events in the build history (Zuul's SQLReporter).
//
// Every call returns at once. The report is copied into an in-process
// outbox (reporter-outbox.ts) and written by reporter-sql.ts, one
// transaction per report, in call order per buildset (system events in
// order per tenant), retried with backoff while the database is slow or
// away. Writes are idempotent, so a retry after an ambiguous failure (the
// commit went through, its acknowledgement did not) adds nothing twice.
// `flush()` waits for the backlog, for shutdown and tests.
//
// The outbox lives in memory: reports still queued when the process dies
// are lost, as Zuul's are (it retries three times, then gives up).

import { type Logger, pino } from 'pino';
import type { Store } from '../db.js';
import { Outbox } from './reporter-outbox.js';
import { writeReport } from './reporter-sql.js';
import type {
  BuildEnd,
  BuildStart,
  BuildsetEnd,
  BuildsetInfo,
  Report,
  SystemEventInfo,
} from './reporter-types.js';

export type {
  ArtifactInfo,
  BuildEnd,
  BuildStart,
  BuildsetEnd,
  BuildsetInfo,
  EventInfo,
  RefInfo,
  SystemEventInfo,
} from './reporter-types.js';

export interface SqlReporterOptions {
  log?: Logger;
  /** Unix ms; tests pin it. */
  now?: () => number;
  /** Reports written at once (separate buildsets). Default 4. */
  concurrency?: number;
  /** Retry backoff bounds (default 200 ms … 5 s). */
  initialRetryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Reports held at most while the database is away (default 100 000). */
  maxQueued?: number;
}

export class SqlReporter {
  private readonly outbox: Outbox<Report>;
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(store: Store, opts: SqlReporterOptions = {}) {
    this.log = opts.log ?? pino({ level: 'silent' });
    this.now = opts.now ?? Date.now;
    this.outbox = new Outbox<Report>({
      deliver: (report) => writeReport(store, report),
      isPermanent: isPermanentDbError,
      concurrency: opts.concurrency,
      initialDelayMs: opts.initialRetryDelayMs,
      maxDelayMs: opts.maxRetryDelayMs,
      maxQueued: opts.maxQueued,
      onRetry: (report, err, attempt, delayMs) => {
        const level = attempt === 1 ? 'warn' : 'debug';
        this.log[level](
          { report: describe(report), attempt, delayMs, err: messageOf(err) },
          'Unable to write to the build database; will retry',
        );
      },
      onDrop: (report, err) => {
        this.log.error(
          { report: describe(report), err: messageOf(err) },
          'The build database refused a report; it is dropped',
        );
      },
    });
  }

  /** A queue item got its job graph: record its buildset, refs and trigger. */
  buildsetCreated(buildset: BuildsetInfo): void {
    checkBuildset(buildset);
    this.enqueue(buildset.uuid, {
      kind: 'buildset-created',
      buildset: structuredClone(buildset),
      at: this.now(),
    });
  }

  buildStarted(build: BuildStart): void {
    checkBuild(build);
    const b = structuredClone(build);
    this.enqueue(b.buildset.uuid, {
      kind: 'build-started',
      build: b,
      startTime: b.startTime ?? this.now(),
    });
  }

  /** A build ended (result, logs, artifacts, provides, events). */
  buildCompleted(build: BuildEnd): void {
    checkBuild(build);
    if (typeof build.result !== 'string' || !build.result) {
      throw new TypeError('buildCompleted: result must be a non-empty string');
    }
    const b = structuredClone(build);
    const endTime = b.endTime ?? this.now();
    this.enqueue(b.buildset.uuid, {
      kind: 'build-completed',
      build: b,
      startTime: b.startTime ?? endTime,
      endTime,
    });
  }

  /** The item was reported or dequeued: its result and report message. */
  buildsetCompleted(end: BuildsetEnd): void {
    checkBuildset(end.buildset);
    const e = structuredClone(end);
    this.enqueue(e.buildset.uuid, { kind: 'buildset-completed', end: e, at: e.time ?? this.now() });
  }

  systemEvent(event: SystemEventInfo): void {
    if (!isText(event?.tenant) || !isText(event.eventType)) {
      throw new TypeError('systemEvent: tenant and eventType must be non-empty strings');
    }
    const e = structuredClone(event);
    this.enqueue(`system:${e.tenant}`, {
      kind: 'system-event',
      event: e,
      eventTime: e.eventTime ?? this.now(),
    });
  }

  /** Reports not yet written. */
  get pending(): number {
    return this.outbox.pending;
  }

  /** Waits until every report made so far is written (true), or the timeout passes (false). */
  flush(timeoutMs?: number): Promise<boolean> {
    return this.outbox.flush(timeoutMs);
  }

  /**
   * Refuses further reports, writes what it can within `timeoutMs`, and
   * gives up on the rest (logged). Returns how many were given up.
   */
  async close(timeoutMs = 10_000): Promise<number> {
    const lost = await this.outbox.close(timeoutMs);
    if (lost) {
      this.log.error({ reports: lost }, 'Build database reports not written before shutdown');
    }
    return lost;
  }

  private enqueue(key: string, report: Report): void {
    if (!this.outbox.push(key, report)) {
      this.log.error(
        { report: describe(report), pending: this.outbox.pending },
        'Build database report dropped: the reporter is closed or its backlog is full',
      );
    }
  }
}

/**
 * Errors that retrying cannot cure: the database refused the data itself
 * (SQLSTATE classes 21, 22, 23, 42, 0A on PostgreSQL and MySQL; SQLite's
 * constraint, type and SQL errors) or the report is malformed. Everything
 * else, connection failures first, is worth retrying.
 */
export function isPermanentDbError(err: unknown): boolean {
  if (err instanceof TypeError || err instanceof RangeError) return true;
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; sqlState?: unknown };
  const state =
    typeof e.sqlState === 'string'
      ? e.sqlState
      : typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)
        ? e.code
        : undefined;
  if (state) return ['21', '22', '23', '42', '0A'].includes(state.slice(0, 2));
  if (typeof e.code === 'string' && e.code.startsWith('SQLITE_')) {
    return (
      e.code.startsWith('SQLITE_CONSTRAINT') ||
      ['SQLITE_ERROR', 'SQLITE_MISMATCH', 'SQLITE_TOOBIG', 'SQLITE_RANGE'].includes(e.code)
    );
  }
  return false;
}

function isText(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0;
}

function checkBuildset(b: BuildsetInfo): void {
  if (!b || !isText(b.uuid) || !isText(b.tenant) || !isText(b.pipeline)) {
    throw new TypeError('buildset: uuid, tenant and pipeline must be non-empty strings');
  }
  if (!Array.isArray(b.refs) || b.refs.some((r) => !isText(r?.project))) {
    throw new TypeError(`buildset ${b.uuid}: refs must be a list of refs with a project`);
  }
}

function checkBuild(b: BuildStart): void {
  checkBuildset(b?.buildset);
  if (!isText(b.uuid) || !isText(b.jobName) || !isText(b.ref?.project)) {
    throw new TypeError('build: uuid, jobName and ref.project must be non-empty strings');
  }
}

function describe(r: Report): string {
  switch (r.kind) {
    case 'buildset-created':
      return `buildset ${r.buildset.uuid} created`;
    case 'build-started':
      return `build ${r.build.uuid} (${r.build.jobName}) started`;
    case 'build-completed':
      return `build ${r.build.uuid} (${r.build.jobName}) completed`;
    case 'buildset-completed':
      return `buildset ${r.end.buildset.uuid} completed`;
    case 'system-event':
      return `system event ${r.event.eventType} of ${r.event.tenant}`;
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
