// Fetching over a flaky network: transient failures are tried again,
// permanent ones are not. The "network" is ssh replaced by a script that
// fails when told to and otherwise runs git's real upload-pack.

import assert from 'node:assert/strict';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { RepoCache } from '../../src/merger/repo-cache.js';
import { tempDir } from '../helpers/git-repos.js';
import { newMerger, Project } from './merger-helpers.js';

const tmp = tempDir('fetch-retries-');
const counter = join(tmp.path, 'connections');
const script = join(tmp.path, 'flaky-ssh');
const saved = { ssh: process.env.GIT_SSH_COMMAND, variant: process.env.GIT_SSH_VARIANT };

/** Connections the fake ssh was asked for since the last reset. */
const connections = () => Number(readFileSync(counter, 'utf8'));

function network(mode: string): void {
  writeFileSync(counter, '0');
  process.env.FLAKY_MODE = mode;
}

before(() => {
  // FLAKY_MODE: "fail-N" fails the first N connections, "odd" every other
  // one; otherwise the last argument (git-upload-pack '<path>') runs.
  writeFileSync(
    script,
    `#!/bin/sh
n=$(($(cat ${counter}) + 1)); echo $n > ${counter}
case "$FLAKY_MODE" in
  fail-*) if [ $n -le \${FLAKY_MODE#fail-} ]; then echo "ssh: connect to host example.invalid port 22: Connection reset by peer" >&2; exit 255; fi ;;
  odd) if [ $((n % 2)) -eq 1 ]; then echo "ssh: connect to host example.invalid port 22: Connection timed out" >&2; exit 255; fi ;;
esac
for last; do :; done
exec sh -c "$last"
`,
  );
  chmodSync(script, 0o755);
  process.env.GIT_SSH_COMMAND = script;
  // No `ssh -G` probe: every call of the script is a connection.
  process.env.GIT_SSH_VARIANT = 'simple';
});

afterEach(() => {
  delete process.env.FLAKY_MODE;
});

after(() => {
  if (saved.ssh === undefined) delete process.env.GIT_SSH_COMMAND;
  else process.env.GIT_SSH_COMMAND = saved.ssh;
  if (saved.variant === undefined) delete process.env.GIT_SSH_VARIANT;
  else process.env.GIT_SSH_VARIANT = saved.variant;
  tmp.cleanup();
});

let n = 0;
function setup() {
  const root = join(tmp.path, `t${++n}`);
  const project = new Project(join(root, 'up'), 'org/project');
  const url = `ssh://zuul@example.invalid${project.path}`;
  const cache = new RepoCache({ gitDir: join(root, 'git'), retryIntervalSeconds: 0.05 });
  return { root, project, url, cache };
}

describe('fetch retries', () => {
  it('a clone that fails twice on the network succeeds on the third try', async () => {
    const { cache, url } = setup();
    network('fail-2');
    const refs = await cache.listRefs(url, 'gerrit/org/project');
    assert.deepEqual(refs.branches, ['main']);
    // Two failures, the fetch that worked, then the remote HEAD lookup.
    assert.equal(connections(), 4);
  });

  it('gives up after the configured number of tries, with git saying why', async () => {
    const { root, url } = setup();
    const cache = new RepoCache({
      gitDir: join(root, 'git2'),
      retryAttempts: 3,
      retryIntervalSeconds: 0.05,
    });
    network('fail-9');
    await assert.rejects(cache.listRefs(url, 'gerrit/org/project'), /Connection reset by peer/);
    assert.equal(connections(), 3);
  });

  it('does not retry what cannot get better (no such repository)', async () => {
    const { cache } = setup();
    network('ok');
    await assert.rejects(
      cache.listRefs(`ssh://zuul@example.invalid${tmp.path}/missing`, 'gerrit/org/missing'),
      /does not appear to be a git repository/,
    );
    assert.equal(connections(), 1);
  });

  it('a merge request over a network that drops every other connection still merges', async () => {
    const { root, project, url } = setup();
    const merger = newMerger(join(root, 'merger'));
    network('ok');
    await merger.getBranches({ ...project.item(''), url });
    const change = project.change({ 'c.txt': 'c\n' });
    project.commit('main', { 'm.txt': 'm\n' });
    network('odd');
    const result = await merger.mergeChanges([{ ...project.item(change.ref), url }]);
    assert.equal(result.items[0]?.status, 'MERGED', JSON.stringify(result.items[0]));
    // Listing origin's refs, fetching the branch, fetching the change:
    // each failed once first.
    assert.equal(connections(), 6);
  });
});
