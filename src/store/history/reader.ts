// The build history as the web component reads it (WebContext.history):
// one object over a Store, answering each history endpoint's query.

import { sql } from 'kysely';
import type { Store } from '../db.js';
import { getBuild, listBuilds, listBuildTimes } from './builds.js';
import { getBuildset, latestCompletedBuildset, listBuildsets } from './buildsets.js';
import { listSystemEvents } from './system-events.js';
import type {
  BadgeFilters,
  BuildFilters,
  BuildsetFilters,
  BuildsetJson,
  BuildTimeFilters,
  BuildTimeJson,
  Page,
  SystemEventFilters,
  SystemEventJson,
  TopBuildJson,
} from './types.js';

export interface HistoryReader {
  builds(tenant: string, filters: BuildFilters, page: Page): Promise<TopBuildJson[]>;
  build(tenant: string, uuid: string): Promise<TopBuildJson | undefined>;
  buildsets(tenant: string, filters: BuildsetFilters, page: Page): Promise<BuildsetJson[]>;
  buildset(tenant: string, uuid: string): Promise<BuildsetJson | undefined>;
  buildTimes(tenant: string, filters: BuildTimeFilters, page: Page): Promise<BuildTimeJson[]>;
  /** The newest completed buildset's result; undefined when none matches. */
  latestResult(
    tenant: string,
    filters: BadgeFilters,
  ): Promise<{ result: string | null } | undefined>;
  systemEvents(tenant: string, filters: SystemEventFilters, page: Page): Promise<SystemEventJson[]>;
}

/** SQLite refreshes its planner statistics at most this often. */
const OPTIMIZE_INTERVAL_MS = 60 * 60 * 1000;

export class StoreHistory implements HistoryReader {
  private lastOptimize = 0;

  constructor(private readonly store: Store) {}

  builds(tenant: string, filters: BuildFilters, page: Page): Promise<TopBuildJson[]> {
    this.maybeOptimize();
    return listBuilds(this.store.db, this.store.dialect, tenant, filters, page);
  }

  build(tenant: string, uuid: string): Promise<TopBuildJson | undefined> {
    return getBuild(this.store.db, tenant, uuid);
  }

  buildsets(tenant: string, filters: BuildsetFilters, page: Page): Promise<BuildsetJson[]> {
    this.maybeOptimize();
    return listBuildsets(this.store.db, this.store.dialect, tenant, filters, page);
  }

  buildset(tenant: string, uuid: string): Promise<BuildsetJson | undefined> {
    return getBuildset(this.store.db, tenant, uuid);
  }

  buildTimes(tenant: string, filters: BuildTimeFilters, page: Page): Promise<BuildTimeJson[]> {
    this.maybeOptimize();
    return listBuildTimes(this.store.db, tenant, filters, page);
  }

  latestResult(tenant: string, filters: BadgeFilters) {
    this.maybeOptimize();
    return latestCompletedBuildset(this.store.db, this.store.dialect, tenant, filters);
  }

  systemEvents(tenant: string, filters: SystemEventFilters, page: Page) {
    return listSystemEvents(this.store.db, tenant, filters, page);
  }

  /**
   * SQLite picks among the (tenant, column, id) indexes by its statistics;
   * without them a combined filter may walk the least selective index.
   * `PRAGMA optimize` gathers them when they are missing or stale, reading
   * a bounded sample, so it is cheap to run now and then. PostgreSQL and
   * MySQL keep their statistics themselves.
   */
  private maybeOptimize(): void {
    if (this.store.dialect !== 'sqlite') return;
    const now = Date.now();
    if (now - this.lastOptimize < OPTIMIZE_INTERVAL_MS) return;
    this.lastOptimize = now;
    sql`pragma optimize`.execute(this.store.db).catch(() => {});
  }
}
