// driver=gitlab, source side only for now: where projects are cloned from.

import { ConnectionOptions } from '../connection-options.js';
import type { Connection, ConnectionConfig, Driver, DriverDeps } from '../driver.js';
import { RepoRefsSource } from '../git/connection.js';
import { gitlabPipelineSchemas } from './schema.js';

export class GitlabConnection implements Connection {
  readonly driverName = 'gitlab';
  readonly name: string;
  readonly server: string;
  readonly baseurl: string;
  readonly cloneurl: string;
  readonly canonicalHostname: string;
  readonly apiTokenName: string;
  readonly apiToken: string;
  readonly source: RepoRefsSource;

  constructor(
    readonly config: ConnectionConfig,
    deps: DriverDeps,
  ) {
    const opts = new ConnectionOptions(config);
    this.name = config.name;
    this.server = opts.get('server', 'gitlab.com');
    this.baseurl = opts.get('baseurl', `https://${this.server}`).replace(/\/+$/, '');
    this.cloneurl = opts.get('cloneurl', this.baseurl).replace(/\/+$/, '');
    this.canonicalHostname = opts.get('canonical_hostname', this.server);
    this.apiTokenName = opts.get('api_token_name', '');
    this.apiToken = opts.get('api_token', '');
    this.source = new RepoRefsSource(
      this.name,
      this.canonicalHostname,
      'merge',
      (project) => this.gitUrl(project),
      deps.repos,
    );
  }

  /**
   * `{cloneurl}/{project}.git`; with `api_token_name` set and an HTTP(S)
   * clone URL carrying no credentials, the token is put in the URL (any
   * user name works for GitLab token auth; Zuul uses the token name).
   */
  gitUrl(project: string): string {
    const m = /^(https?):\/\/(.*)$/.exec(this.cloneurl);
    if (m && this.apiTokenName !== '' && !/^[^/@]*:[^/@]*@/.test(m[2])) {
      return `${m[1]}://${this.apiTokenName}:${this.apiToken}@${m[2]}/${project}.git`;
    }
    return `${this.cloneurl}/${project}.git`;
  }
}

export const gitlabDriver: Driver = {
  name: 'gitlab',
  pipelineSchemas: gitlabPipelineSchemas,
  createConnection: (config, deps) => new GitlabConnection(config, deps),
};
