// The component registry (API reference §3, Zuul's zuul/zk/components.py):
// every running component has a row with its kind, hostname, state and
// version, and refreshes its `heartbeat` time periodically. Zuul keeps
// these as ephemeral ZooKeeper nodes that vanish with the session; here a
// component whose heartbeat is older than the stale age is not listed, and
// any component's periodic cleanup deletes such rows.

import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** Zuul's component kinds, in the order Zuul knows them. */
export const COMPONENT_KINDS = [
  'scheduler',
  'executor',
  'merger',
  'web',
  'fingergw',
  'launcher',
] as const;
export type ComponentKind = (typeof COMPONENT_KINDS)[number];

export const COMPONENT_STATES = ['initializing', 'running', 'paused', 'stopped'] as const;
export type ComponentState = (typeof COMPONENT_STATES)[number];

export interface ComponentRecord {
  id: string;
  kind: string;
  hostname: string;
  state: string;
  version: string | null;
  /** Unix ms. */
  started: number;
  /** Unix ms. */
  heartbeat: number;
}

/** /api/components: kind → components of that kind (kinds with none are absent). */
export type ComponentListing = Record<
  string,
  { hostname: string; state: string; version: string | null }[]
>;

export class ComponentsStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Adds a component; returns its id. */
  async register(c: {
    kind: string;
    hostname: string;
    state: ComponentState;
    version: string | null;
    id?: string;
  }): Promise<string> {
    const id = c.id ?? randomUUID();
    const t = this.now();
    await this.db
      .insertInto('components')
      .values({
        id,
        kind: c.kind,
        hostname: c.hostname,
        state: c.state,
        version: c.version,
        started: t,
        heartbeat: t,
      })
      .execute();
    return id;
  }

  /**
   * Refreshes a component's heartbeat (and state, if given). False when the
   * row is gone (cleaned up as stale): the caller should register again.
   */
  async heartbeat(id: string, state?: ComponentState): Promise<boolean> {
    const res = await this.db
      .updateTable('components')
      .set(state ? { heartbeat: this.now(), state } : { heartbeat: this.now() })
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  async deregister(id: string): Promise<void> {
    await this.db.deleteFrom('components').where('id', '=', id).execute();
  }

  /** Components whose heartbeat is at most `staleAfterMs` old, by kind then hostname. */
  async list(staleAfterMs: number): Promise<ComponentRecord[]> {
    const rows = await this.db
      .selectFrom('components')
      .selectAll()
      .where('heartbeat', '>=', this.now() - staleAfterMs)
      .orderBy('kind')
      .orderBy('hostname')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      ...r,
      started: Number(r.started),
      heartbeat: Number(r.heartbeat),
    }));
  }

  /** Deletes components not heard from in `staleAfterMs`; returns how many. */
  async cleanup(staleAfterMs: number): Promise<number> {
    const res = await this.db
      .deleteFrom('components')
      .where('heartbeat', '<', this.now() - staleAfterMs)
      .executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  /** The /api/components document. */
  async listing(staleAfterMs: number): Promise<ComponentListing> {
    const out: ComponentListing = {};
    for (const c of await this.list(staleAfterMs)) {
      const list = out[c.kind] ?? [];
      out[c.kind] = list;
      list.push({ hostname: c.hostname, state: c.state, version: c.version });
    }
    return out;
  }
}
