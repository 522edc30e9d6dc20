import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadZuulConf } from '../../src/config/zuul-conf.js';
import type { ConnectionConfig } from '../../src/drivers/driver.js';
import { GerritConnection } from '../../src/drivers/gerrit/connection.js';
import { createConnections } from '../../src/drivers/registry.js';
import { RepoCache } from '../../src/merger/repo-cache.js';
import { tempDir, Upstream } from '../helpers/git-repos.js';

const FIXTURES = '/work/shared/corpus/zuul-test-fixtures/conf';
const tmp = tempDir('gerrit-driver-');
after(() => tmp.cleanup());
const cache = new RepoCache({ gitDir: join(tmp.path, 'cache') });

const gerrit = (options: Record<string, string>) => {
  const config: ConnectionConfig = { name: 'review', driver: 'gerrit', options };
  return new GerritConnection(config, { repos: cache });
};
const base = { server: 'review.example.com', user: 'zuul' };

describe('gerrit connection options', () => {
  it('has Zuul defaults: canonical host = server, https baseurl, port 29418, merge-resolve', () => {
    const c = gerrit(base);
    assert.equal(c.source.canonicalHostname, 'review.example.com');
    assert.equal(c.baseurl, 'https://review.example.com');
    assert.equal(c.port, 29418);
    assert.equal(c.sshServer, 'review.example.com');
    assert.equal(c.source.defaultMergeMode, 'merge-resolve');
    assert.equal(c.gitwebUrlTemplate, '{baseurl}/gitweb?p={project.name}.git;a=commitdiff;h={sha}');
  });

  it('fetches over SSH by default, honouring ssh_server and port', () => {
    assert.equal(
      gerrit(base).source.gitUrl('org/app'),
      'ssh://zuul@review.example.com:29418/org/app',
    );
    assert.equal(
      gerrit({ ...base, ssh_server: 'ssh.example.com', port: '2222' }).source.gitUrl('org/app'),
      'ssh://zuul@ssh.example.com:2222/org/app',
    );
  });

  it('fetches over authenticated HTTP when a password is set', () => {
    const c = gerrit({ ...base, password: 'p@ss/w:rd!', baseurl: 'http://gerrit.local:8080/r//' });
    assert.equal(c.baseurl, 'http://gerrit.local:8080/r');
    assert.equal(
      c.source.gitUrl('org/app'),
      'http://zuul:p%40ss%2Fw%3Ard%21@gerrit.local:8080/r/a/org/app',
    );
  });

  it('stays on SSH with a password when git_over_ssh is true', () => {
    const c = gerrit({ ...base, password: 'pw', git_over_ssh: 'True' });
    assert.equal(c.source.gitUrl('org/app'), 'ssh://zuul@review.example.com:29418/org/app');
    assert.equal(
      gerrit({ ...base, password: 'pw', git_over_ssh: 'false' }).source.gitUrl('p'),
      'https://zuul:pw@review.example.com/a/p',
    );
  });

  it('uses anonymous HTTP for auth_type=gcloud_service', () => {
    const c = gerrit({ ...base, auth_type: 'gcloud_service', baseurl: 'https://g.example.com/' });
    assert.equal(c.source.gitUrl('org/app'), 'https://g.example.com/org/app');
  });

  it('requires server and user, and a numeric port', () => {
    assert.throws(() => gerrit({ user: 'zuul' }), /"server" is required for gerrit connections/);
    assert.throws(() => gerrit({ server: 's' }), /"user" is required for gerrit connections/);
    assert.throws(() => gerrit({ ...base, port: 'ssh' }), /"port" must be an integer, not "ssh"/);
    assert.throws(
      () => gerrit({ ...base, git_over_ssh: 'maybe' }),
      /"git_over_ssh" must be a boolean/,
    );
  });

  it("reads Zuul's ssh_server fixture: password set, so git goes over HTTP to server", () => {
    const conf = loadZuulConf(join(FIXTURES, 'zuul-gerrit-ssh.conf'), {});
    const c = createConnections(conf, { repos: cache }).connections.get(
      'gerrit',
    ) as GerritConnection;
    assert.equal(c.sshServer, 'ssh-review.example.com');
    assert.equal(
      c.source.gitUrl('org/project'),
      'https://jenkins:badpassword@review.example.com/a/org/project',
    );
  });
});

describe('gerrit connection source, through git url rewriting', () => {
  const root = join(tmp.path, 'gerrit-repos');
  const saved: Record<string, string | undefined> = {};
  const rewrite = {
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: `url.file://${root}/.insteadOf`,
    GIT_CONFIG_VALUE_0: 'ssh://zuul@review.example.com:29418/',
  };

  before(() => {
    const project = new Upstream(root, 'org/app', 'master');
    project.commit('stable/1', { '.zuul.yaml': '- project: {check: {jobs: [noop]}}\n' });
    project.setHead('master');
    // git itself sends the ssh:// URL Zuul builds to the local repository.
    for (const [k, v] of Object.entries(rewrite)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
  });
  after(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('lists branches and the default branch of the project', async () => {
    const c = gerrit(base);
    assert.equal(c.source.gitUrl('org/app'), 'ssh://zuul@review.example.com:29418/org/app');
    assert.deepEqual((await c.source.getBranches('org/app')).sort(), ['master', 'stable/1']);
    assert.equal(await c.source.getDefaultBranch('org/app'), 'master');
  });

  it('leaves a mirror the config loader can read files from', async () => {
    const files = await cache.readFiles('review/org/app', 'stable/1', ['.zuul.yaml', 'README.md']);
    assert.equal(files.get('.zuul.yaml')?.toString(), '- project: {check: {jobs: [noop]}}\n');
    assert.equal(files.get('README.md')?.toString(), '# org/app\n');
  });
});
