// The components a process runs, registered in the component registry
// (components.ts) while they run: each heartbeats every `intervalMs`, is
// listed while its last heartbeat is at most `staleIntervals` intervals
// old, and is deregistered on a graceful stop. Every heartbeat round also
// deletes other processes' stale rows (a component that crashed never
// deregisters), and re-registers ours if someone else cleaned them up
// meanwhile (e.g. after a long pause).

import { hostname } from 'node:os';
import type { Logger } from 'pino';
import {
  type ComponentKind,
  type ComponentListing,
  type ComponentState,
  ComponentsStore,
} from './components.js';
import type { Store } from './db.js';

export interface ComponentRegistryOptions {
  store: Store;
  /** Kinds this process runs (each registered once). */
  kinds: readonly ComponentKind[];
  version: string | null;
  hostname?: string;
  /** Heartbeat period (default 10 s). */
  intervalMs?: number;
  /** A component is stale after this many missed intervals (default 3). */
  staleIntervals?: number;
  log: Logger;
  /** close() closes the store. */
  ownsStore?: boolean;
  /** Clock (Unix ms); tests. */
  now?: () => number;
  /** Ids to register under (a worker's id is also its lease holder); random otherwise. */
  ids?: Partial<Record<ComponentKind, string>>;
  /** State the components register in (default `initializing`). */
  initialState?: ComponentState;
  /**
   * Other processes' rows are removed only once this old at least: a
   * component heartbeating faster than the default must not remove the
   * others, which go by the default staleness.
   */
  cleanupFloorMs?: number;
}

export class ComponentRegistry {
  readonly components: ComponentsStore;
  readonly intervalMs: number;
  readonly staleAfterMs: number;
  private readonly hostname: string;
  private readonly ids = new Map<ComponentKind, string>();
  private readonly states = new Map<ComponentKind, ComponentState>();
  private timer?: NodeJS.Timeout;
  private beating?: Promise<void>;
  private stopped = false;

  constructor(private readonly opts: ComponentRegistryOptions) {
    this.components = new ComponentsStore(opts.store.db, opts.now);
    this.intervalMs = opts.intervalMs ?? 10_000;
    this.staleAfterMs = this.intervalMs * (opts.staleIntervals ?? 3);
    this.hostname = opts.hostname ?? hostname();
  }

  /** Registers every kind in state `initializing` and starts heartbeating. */
  async start(): Promise<void> {
    for (const kind of new Set(this.opts.kinds)) {
      this.states.set(kind, this.opts.initialState ?? 'initializing');
      await this.registerOne(kind);
    }
    this.timer = setInterval(() => {
      this.beating ??= this.beat().finally(() => {
        this.beating = undefined;
      });
    }, this.intervalMs);
    this.timer.unref();
  }

  /** Sets the state of our components of `kinds` (all when omitted). */
  async setState(state: ComponentState, kinds?: readonly ComponentKind[]): Promise<void> {
    for (const kind of kinds ?? [...this.states.keys()]) {
      if (!this.states.has(kind)) continue;
      this.states.set(kind, state);
      const id = this.ids.get(kind);
      if (id && !this.stopped) await this.components.heartbeat(id, state);
    }
  }

  /** The /api/components document. */
  listing(): Promise<ComponentListing> {
    return this.components.listing(this.staleAfterMs);
  }

  /** One heartbeat round (exported for tests; the timer calls it). */
  async beat(): Promise<void> {
    if (this.stopped) return;
    try {
      for (const [kind, id] of this.ids) {
        if (!(await this.components.heartbeat(id, this.states.get(kind)))) {
          this.opts.log.warn({ kind }, 'component registration was lost; registering again');
          await this.registerOne(kind);
        }
      }
      const removed = await this.components.cleanup(
        Math.max(this.staleAfterMs, this.opts.cleanupFloorMs ?? 0),
      );
      if (removed) this.opts.log.info({ removed }, 'removed stale components from the registry');
    } catch (err) {
      this.opts.log.warn({ err }, 'component heartbeat failed');
    }
  }

  /** stop(), then closes the store if this registry opened it. */
  async close(): Promise<void> {
    await this.stop();
    if (this.opts.ownsStore) await this.opts.store.close().catch(() => {});
  }

  /** Stops heartbeating and deregisters our components. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    await this.beating?.catch(() => {});
    for (const id of this.ids.values()) {
      try {
        await this.components.deregister(id);
      } catch (err) {
        this.opts.log.warn({ err }, 'cannot deregister a component');
      }
    }
    this.ids.clear();
  }

  private async registerOne(kind: ComponentKind): Promise<void> {
    const id = await this.components.register({
      id: this.opts.ids?.[kind],
      kind,
      hostname: this.hostname,
      state: this.states.get(kind) ?? 'initializing',
      version: this.opts.version,
    });
    this.ids.set(kind, id);
  }
}
