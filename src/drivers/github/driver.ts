// driver=github, source side only for now: where projects are cloned
// from. API access (app or token), webhooks and reporting come later.

import { ConnectionOptions } from '../connection-options.js';
import type { Connection, ConnectionConfig, Driver, DriverDeps } from '../driver.js';
import { RepoRefsSource } from '../git/connection.js';
import { githubPipelineSchemas } from './schema.js';

export class GithubConnection implements Connection {
  readonly driverName = 'github';
  readonly name: string;
  readonly server: string;
  readonly canonicalHostname: string;
  readonly sshKey?: string;
  readonly source: RepoRefsSource;

  constructor(
    readonly config: ConnectionConfig,
    deps: DriverDeps,
  ) {
    const opts = new ConnectionOptions(config);
    this.name = config.name;
    this.server = opts.get('server', 'github.com');
    this.canonicalHostname = opts.get('canonical_hostname', this.server);
    this.sshKey = opts.get('sshkey');
    // GitHub >= 3.8 and github.com merge with ort; Zuul defaults to it.
    this.source = new RepoRefsSource(
      this.name,
      this.canonicalHostname,
      'merge-ort',
      (project) => this.gitUrl(project),
      deps.repos,
    );
  }

  /** SSH when an `sshkey` is configured (as Zuul does), else anonymous HTTPS. */
  gitUrl(project: string): string {
    if (this.sshKey) return `ssh://git@${this.server}/${project}.git`;
    return `https://${this.server}/${project}`;
  }
}

export const githubDriver: Driver = {
  name: 'github',
  pipelineSchemas: githubPipelineSchemas,
  createConnection: (config, deps) => new GithubConnection(config, deps),
};
