// The git driver's poller, as far as configuration goes: every
// `poll_delay` seconds of a git connection, fetch each of its projects
// that some tenant lists and compare the branch tips with the previous
// poll. A tenant is reconfigured when one of its projects changed where
// its configuration comes from: a config project's load branch
// (`load-branch`, default master), or any branch of an untrusted project
// (including branches created or deleted). Zuul does the same through the
// ref-updated events of the git driver's watcher; the first poll only
// records the tips.

import type { Logger } from 'pino';
import type { Connection } from '../drivers/driver.js';
import { GitConnection } from '../drivers/git/connection.js';
import type { TenantState } from './context.js';

/** Branch tips of one mirror, as RepoCache.branchHeads gives them. */
export interface BranchHeadReader {
  branchHeads(url: string, key: string): Promise<Map<string, string>>;
}

export interface BranchPollerOptions {
  connections: ReadonlyMap<string, Connection>;
  repos: BranchHeadReader;
  tenants: () => ReadonlyMap<string, TenantState>;
  /** Reconfigures the named tenants; the poller waits for it. */
  reconfigure: (tenants: string[]) => Promise<void>;
  log: Logger;
}

export class BranchPoller {
  /** `<connection>/<project>` → branch → tip. */
  private readonly heads = new Map<string, Map<string, string>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<unknown>>();
  private stopped = false;

  constructor(private readonly opts: BranchPollerOptions) {}

  /** Starts one polling loop per git connection. */
  start(): void {
    for (const conn of this.opts.connections.values()) {
      if (conn instanceof GitConnection && conn.pollDelay > 0) this.schedule(conn);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.running]);
  }

  private schedule(conn: GitConnection): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const run = this.poll(conn)
        .catch((err: Error) => this.opts.log.warn({ err, connection: conn.name }, 'poll failed'))
        .finally(() => {
          this.running.delete(run);
          this.schedule(conn);
        });
      this.running.add(run);
    }, conn.pollDelay * 1000);
    timer.unref();
    this.timers.add(timer);
  }

  /** One poll of a git connection: returns the tenants it reconfigured. */
  async poll(conn: GitConnection): Promise<string[]> {
    const tenants = this.opts.tenants();
    const projects = new Set<string>();
    for (const state of tenants.values()) {
      for (const p of state.config.projects) {
        if (p.connectionName === conn.name) projects.add(p.name);
      }
    }
    /** project → branches whose tip changed (appeared or disappeared). */
    const changed = new Map<string, Set<string>>();
    for (const project of projects) {
      if (this.stopped) return [];
      const key = `${conn.name}/${project}`;
      let now: Map<string, string>;
      try {
        now = await this.opts.repos.branchHeads(conn.source.gitUrl(project), key);
      } catch (err) {
        this.opts.log.warn({ err, connection: conn.name, project }, 'cannot poll a project');
        continue;
      }
      const before = this.heads.get(key);
      this.heads.set(key, now);
      if (!before) continue;
      const branches = new Set<string>();
      for (const [b, sha] of now) if (before.get(b) !== sha) branches.add(b);
      for (const b of before.keys()) if (!now.has(b)) branches.add(b);
      if (branches.size) changed.set(project, branches);
    }
    if (!changed.size || this.stopped) return [];
    const affected: string[] = [];
    for (const [name, state] of tenants) {
      const hit = state.config.projects.some((p) => {
        if (p.connectionName !== conn.name) return false;
        const branches = changed.get(p.name);
        if (!branches) return false;
        return p.trusted ? branches.has(p.loadBranch ?? 'master') : true;
      });
      if (hit) affected.push(name);
    }
    if (!affected.length) return [];
    this.opts.log.info(
      {
        connection: conn.name,
        projects: Object.fromEntries([...changed].map(([p, b]) => [p, [...b]])),
        tenants: affected,
      },
      'branch update: reconfiguring tenants',
    );
    await this.opts.reconfigure(affected);
    return affected;
  }
}
