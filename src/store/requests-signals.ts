// Wake-ups for the request queue: workers learn that a request was added,
// requesters that theirs is finished, without polling the table hard.
//
// * In one process, an EventEmitter per store carries them at once.
// * On PostgreSQL, NOTIFY carries them between processes; each listener
//   holds one dedicated connection (outside the pool) that LISTENs.
// * Elsewhere (SQLite shared by processes, MySQL) and whenever the LISTEN
//   connection is down, callers poll: `listening` tells them how often.
// A wake-up only says "look again"; the rows are the truth, so a lost or
// duplicated signal costs latency, never correctness.

import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { sql } from 'kysely';
import pg from 'pg';
import { pgConnectionString, type Store } from './db.js';
import { parseDbUri } from './uri.js';

const NEW = 'new';
const DONE = 'done';
/** Wakes every worker whatever its kinds (e.g. after the LISTEN connection came back). */
export const ANY_KIND = '*';

const buses = new Map<string, EventEmitter>();

function busKey(store: Store): string {
  return `${store.description}\0${store.tablePrefix}`;
}

function localBus(store: Store): EventEmitter {
  const key = busKey(store);
  let bus = buses.get(key);
  if (!bus) {
    bus = new EventEmitter();
    // Every waiting requester subscribes; hundreds at once are normal.
    bus.setMaxListeners(0);
    buses.set(key, bus);
  }
  return bus;
}

/** PostgreSQL channel names are identifiers (at most 63 bytes): long prefixes are hashed. */
function channel(store: Store, what: string): string {
  const name = `${store.tablePrefix}zuul_ts_requests_${what}`;
  if (name.length <= 63) return name;
  const h = createHash('sha256').update(store.tablePrefix).digest('hex').slice(0, 16);
  return `zuul_ts_requests_${what}_${h}`;
}

async function notify(store: Store, what: string, payload: string): Promise<void> {
  localBus(store).emit(what, payload);
  if (store.dialect === 'postgresql') {
    await sql`select pg_notify(${channel(store, what)}, ${payload})`.execute(store.db);
  }
}

/** Tells workers a request of `kind` is waiting. */
export function announceNew(store: Store, kind: string): Promise<void> {
  return notify(store, NEW, kind);
}

/** Tells requesters request `id` is finished. */
export function announceDone(store: Store, id: string): Promise<void> {
  return notify(store, DONE, id);
}

export interface RequestSignalsOptions {
  /** `[database] dburi` of the store (PostgreSQL: the LISTEN connection's target). */
  uri: string;
  baseDir?: string;
  /** Told about LISTEN connection failures (it reconnects by itself). */
  onError?: (err: Error) => void;
  /** First delay before reconnecting a lost LISTEN connection (doubles up to 30 s). */
  reconnectMs?: number;
}

/** One process's subscription to queue wake-ups. */
export class RequestSignals {
  private readonly events = new EventEmitter();
  private readonly unhookLocal: () => void;
  private client?: pg.Client;
  private closed = false;
  private reconnectTimer?: NodeJS.Timeout;
  private delayMs: number;

  private constructor(
    private readonly store: Store,
    private readonly opts: RequestSignalsOptions,
  ) {
    this.events.setMaxListeners(0);
    this.delayMs = opts.reconnectMs ?? 1000;
    const bus = localBus(store);
    const onNew = (kind: string) => this.events.emit(NEW, kind);
    const onDone = (id: string) => this.events.emit(DONE, id);
    bus.on(NEW, onNew);
    bus.on(DONE, onDone);
    this.unhookLocal = () => {
      bus.off(NEW, onNew);
      bus.off(DONE, onDone);
    };
  }

  /** Subscribes; on PostgreSQL the LISTEN connection is up when this resolves (or it throws). */
  static async open(store: Store, opts: RequestSignalsOptions): Promise<RequestSignals> {
    const signals = new RequestSignals(store, opts);
    if (store.dialect === 'postgresql') {
      try {
        await signals.connect();
      } catch (err) {
        signals.close();
        throw err;
      }
    }
    return signals;
  }

  /** Whether other processes' signals arrive (PostgreSQL LISTEN connected). */
  get listening(): boolean {
    return this.client !== undefined;
  }

  /** Calls `fn(kind)` when a request is added (kind ANY_KIND: look at every kind). */
  onNew(fn: (kind: string) => void): () => void {
    this.events.on(NEW, fn);
    return () => this.events.off(NEW, fn);
  }

  /** Calls `fn(id)` when a request is finished. */
  onDone(fn: (id: string) => void): () => void {
    this.events.on(DONE, fn);
    return () => this.events.off(DONE, fn);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.unhookLocal();
    const client = this.client;
    this.client = undefined;
    client?.end().catch(() => {});
    this.events.removeAllListeners();
  }

  private async connect(): Promise<void> {
    const uri = parseDbUri(this.opts.uri, this.opts.baseDir);
    if (uri.dialect !== 'postgresql') throw new Error('LISTEN needs a PostgreSQL dburi');
    const client = new pg.Client({ connectionString: pgConnectionString(uri) });
    const lost = (err?: Error) => {
      if (this.client !== client) return;
      this.client = undefined;
      client.end().catch(() => {});
      if (err) this.opts.onError?.(err);
      this.scheduleReconnect();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', (n) => {
      const what = n.channel === channel(this.store, NEW) ? NEW : DONE;
      this.events.emit(what, n.payload ?? '');
    });
    await client.connect();
    try {
      for (const what of [NEW, DONE]) {
        await client.query(`LISTEN ${client.escapeIdentifier(channel(this.store, what))}`);
      }
    } catch (err) {
      await client.end().catch(() => {});
      throw err;
    }
    if (this.closed) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    this.reconnectTimer = setTimeout(() => {
      this.connect().then(
        () => {
          this.delayMs = this.opts.reconnectMs ?? 1000;
          // Signals sent while disconnected are gone: everyone looks again.
          this.events.emit(NEW, ANY_KIND);
        },
        (err: Error) => {
          this.opts.onError?.(err);
          this.delayMs = Math.min(this.delayMs * 2, 30_000);
          this.scheduleReconnect();
        },
      );
    }, this.delayMs);
    this.reconnectTimer.unref();
  }
}
