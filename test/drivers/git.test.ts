import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseZuulConf } from '../../src/config/zuul-conf.js';
import type { ConnectionConfig, RepoReader } from '../../src/drivers/driver.js';
import { GitConnection } from '../../src/drivers/git/connection.js';
import { createConnections } from '../../src/drivers/registry.js';
import { RepoCache } from '../../src/merger/repo-cache.js';
import { tempDir, Upstream } from '../helpers/git-repos.js';

const tmp = tempDir('git-driver-');
after(() => tmp.cleanup());
const cache = new RepoCache({ gitDir: join(tmp.path, 'cache') });

const git = (options: Record<string, string>, repos: RepoReader = cache) => {
  const config: ConnectionConfig = { name: 'upstream', driver: 'git', options };
  return new GitConnection(config, { repos });
};

describe('git connection options', () => {
  it('derives canonical_hostname from baseurl, or localhost when it has no host', () => {
    assert.equal(git({ baseurl: 'https://OpenDev.org:443/git' }).canonicalHostname, 'opendev.org');
    assert.equal(git({ baseurl: 'file:///srv/git' }).canonicalHostname, 'localhost');
    assert.equal(git({ baseurl: '""' }).canonicalHostname, 'localhost');
    assert.equal(git({ baseurl: '/srv/git' }).canonicalHostname, 'localhost');
    assert.equal(
      git({ baseurl: 'https://opendev.org', canonical_hostname: 'git.example.org' }).source
        .canonicalHostname,
      'git.example.org',
    );
  });

  it('builds repo URLs as baseurl/project and merges with "merge" by default', () => {
    const c = git({ baseurl: 'https://opendev.org' });
    assert.equal(c.source.gitUrl('openstack/nova'), 'https://opendev.org/openstack/nova');
    assert.equal(c.source.defaultMergeMode, 'merge');
  });

  it('keeps poll_delay (default 7200 s)', () => {
    assert.equal(git({ baseurl: 'https://x' }).pollDelay, 7200);
    assert.equal(git({ baseurl: 'https://x', poll_delay: '0.1' }).pollDelay, 0.1);
    assert.throws(
      () => git({ baseurl: 'https://x', poll_delay: 'often' }),
      /"poll_delay" must be a number/,
    );
  });

  it('requires baseurl', () => {
    assert.throws(() => git({}), /"baseurl" is required for git connections/);
  });
});

describe('git connection source, on real repositories', () => {
  const root = join(tmp.path, 'upstream');
  const project = new Upstream(root, 'org/project');
  project.commit('stable/2024.1', { 'zuul.yaml': '- job: {name: stable}\n' });
  project.tag('1.0.0');
  project.setHead('main');

  const { connections, errors } = createConnections(
    parseZuulConf(
      `[connection local]\ndriver=git\nbaseurl=file://${root}\n`,
      '/etc/zuul/zuul.conf',
      {},
    ),
    { repos: cache },
  );
  const source = connections.get('local')?.source;

  it('is built from zuul.conf', () => {
    assert.deepEqual(errors, []);
    assert.equal(source?.canonicalHostname, 'localhost');
  });

  it('lists branches (not tags) and the default branch', async () => {
    assert.deepEqual((await source!.getBranches('org/project')).sort(), ['main', 'stable/2024.1']);
    assert.equal(await source!.getDefaultBranch('org/project'), 'main');
  });

  it('sees a branch created upstream on the next call', async () => {
    project.commit('feature/x', { 'x.txt': 'x' });
    project.setHead('main');
    assert.ok((await source!.getBranches('org/project')).includes('feature/x'));
  });

  it('keeps its mirror under <git_dir>/<connection>/<project>', async () => {
    const files = await cache.readFiles('local/org/project', 'stable/2024.1', ['zuul.yaml']);
    assert.equal(files.get('zuul.yaml')?.toString(), '- job: {name: stable}\n');
  });

  it('fails clearly for a project that does not exist upstream', async () => {
    await assert.rejects(
      source!.getBranches('org/missing'),
      /does not appear to be a git repository/,
    );
  });

  it('shares one fetch between simultaneous branch and default-branch lookups', async () => {
    let calls = 0;
    const counting: RepoReader = {
      listRefs: (url, key) => {
        calls++;
        return cache.listRefs(url, key);
      },
    };
    const c = git({ baseurl: `file://${root}` }, counting);
    const [branches, head] = await Promise.all([
      c.source.getBranches('org/project'),
      c.source.getDefaultBranch('org/project'),
    ]);
    assert.equal(calls, 1);
    assert.ok(branches.includes('main'));
    assert.equal(head, 'main');
    // A later call fetches again, so it sees new state.
    await c.source.getBranches('org/project');
    assert.equal(calls, 2);
  });
});
