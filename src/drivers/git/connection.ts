// driver=git: projects served by any git server (or a local path), found
// at `<baseurl>/<project>`. Branches come from the repository cache.

import { ConnectionOptions } from '../connection-options.js';
import type {
  Connection,
  ConnectionConfig,
  DriverDeps,
  MergeMode,
  RepoReader,
  RepoRefs,
  Source,
} from '../driver.js';

/** Host part of a URL like Python's urlparse(url).hostname, or undefined. */
export function urlHostname(url: string): string | undefined {
  try {
    const host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
    return host === '' ? undefined : host.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * A source whose branches are read from a mirror in the repository cache
 * (fetched on every call, so a new branch is seen at once). Concurrent
 * calls for one project share one fetch: calling getBranches and
 * getDefaultBranch together costs one round trip.
 */
export class RepoRefsSource implements Source {
  private readonly inflight = new Map<string, Promise<RepoRefs>>();

  constructor(
    readonly connectionName: string,
    readonly canonicalHostname: string,
    readonly defaultMergeMode: MergeMode,
    private readonly urlFor: (project: string) => string,
    private readonly repos: RepoReader,
  ) {}

  gitUrl(project: string): string {
    return this.urlFor(project);
  }

  async getBranches(project: string): Promise<string[]> {
    return (await this.refs(project)).branches;
  }

  async getDefaultBranch(project: string): Promise<string | undefined> {
    return (await this.refs(project)).head;
  }

  private refs(project: string): Promise<RepoRefs> {
    let p = this.inflight.get(project);
    if (!p) {
      p = this.repos
        .listRefs(this.gitUrl(project), `${this.connectionName}/${project}`)
        .finally(() => this.inflight.delete(project));
      this.inflight.set(project, p);
    }
    return p;
  }
}

export class GitConnection implements Connection {
  readonly driverName = 'git';
  readonly name: string;
  readonly baseurl: string;
  readonly canonicalHostname: string;
  /** Seconds between polls of branch heads (for ref-updated events). */
  readonly pollDelay: number;
  readonly source: RepoRefsSource;

  constructor(
    readonly config: ConnectionConfig,
    deps: DriverDeps,
  ) {
    const opts = new ConnectionOptions(config);
    this.name = config.name;
    // Used verbatim, as Zuul does: `baseurl=""` really is two quote characters.
    this.baseurl = opts.require('baseurl');
    this.canonicalHostname =
      opts.get('canonical_hostname') || (urlHostname(this.baseurl) ?? 'localhost');
    this.pollDelay = opts.float('poll_delay', 7200);
    this.source = new RepoRefsSource(
      this.name,
      this.canonicalHostname,
      'merge',
      (project) => `${this.baseurl}/${project}`,
      deps.repos,
    );
  }
}
