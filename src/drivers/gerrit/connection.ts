// driver=gerrit: the source side of a Gerrit connection (stream-events,
// queries and reporting come later). Option names and defaults follow
// Zuul's GerritConnection.

import { ConnectionOptions } from '../connection-options.js';
import type { Connection, ConnectionConfig, DriverDeps } from '../driver.js';
import { RepoRefsSource } from '../git/connection.js';

/** Python's urllib.parse.quote(s, safe=''): also escapes !'()*. */
function quoteAll(s: string): string {
  return encodeURIComponent(s).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

export class GerritConnection implements Connection {
  readonly driverName = 'gerrit';
  readonly name: string;
  readonly server: string;
  readonly user: string;
  readonly canonicalHostname: string;
  /** Web UI / REST base, without trailing `/`. */
  readonly baseurl: string;
  readonly port: number;
  readonly sshServer: string;
  readonly sshKey?: string;
  readonly password?: string;
  readonly authType?: string;
  /** With a password, still fetch git over SSH. */
  readonly gitOverSsh: boolean;
  readonly gitwebUrlTemplate: string;
  readonly source: RepoRefsSource;

  constructor(
    readonly config: ConnectionConfig,
    deps: DriverDeps,
  ) {
    const opts = new ConnectionOptions(config);
    this.name = config.name;
    this.server = opts.require('server');
    // Zuul's docs give `zuul` as default but its code refuses a missing user.
    this.user = opts.require('user');
    this.canonicalHostname = opts.get('canonical_hostname', this.server);
    this.baseurl = opts.get('baseurl', `https://${this.server}`).replace(/\/+$/, '');
    this.port = opts.int('port', 29418);
    this.sshServer = opts.get('ssh_server', this.server);
    this.sshKey = opts.get('sshkey');
    this.password = opts.get('password') || undefined;
    this.authType = opts.get('auth_type');
    // Zuul tests the raw string, so `git_over_ssh=false` would mean true
    // there; we parse it as a boolean, which is what users mean.
    this.gitOverSsh = opts.bool('git_over_ssh', false);
    this.gitwebUrlTemplate = opts.get(
      'gitweb_url_template',
      '{baseurl}/gitweb?p={project.name}.git;a=commitdiff;h={sha}',
    );
    this.source = new RepoRefsSource(
      this.name,
      this.canonicalHostname,
      'merge-resolve',
      (project) => this.gitUrl(project),
      deps.repos,
    );
  }

  /**
   * Where git fetches a project from, as Zuul decides it:
   * - `auth_type=gcloud_service`: anonymous HTTP, `{baseurl}/{project}`;
   * - a `password` (and not `git_over_ssh`): authenticated HTTP,
   *   `{scheme}://{user}:{password}@{host}/a/{project}`;
   * - otherwise SSH, `ssh://{user}@{ssh_server}:{port}/{project}`.
   */
  gitUrl(project: string): string {
    if (this.authType === 'gcloud_service') return `${this.baseurl}/${project}`;
    if (this.password && !this.gitOverSsh) {
      const m = /^([a-z][a-z0-9+.-]*:\/\/)(.*)$/i.exec(this.baseurl);
      if (m) {
        const creds = `${quoteAll(this.user)}:${quoteAll(this.password)}@`;
        return `${m[1]}${creds}${m[2]}/a/${project}`;
      }
      return `${this.baseurl}/a/${project}`;
    }
    return `ssh://${this.user}@${this.sshServer}:${this.port}/${project}`;
  }
}
