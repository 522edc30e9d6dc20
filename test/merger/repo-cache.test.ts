import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GitError, KeyedLock, RepoCache, repoKey } from '../../src/merger/repo-cache.js';
import { git, tempDir, Upstream } from '../helpers/git-repos.js';

const tmp = tempDir('repo-cache-');
after(() => tmp.cleanup());

let counter = 0;
/** A fresh upstream and an empty cache for one test. */
function setup(branch = 'main') {
  const n = ++counter;
  const upstream = new Upstream(join(tmp.path, `up${n}`), 'org/project', branch);
  const cache = new RepoCache({ gitDir: join(tmp.path, `cache${n}`) });
  const key = repoKey('upstream', 'org/project');
  return { upstream, cache, key };
}

const text = (files: Map<string, Buffer>) =>
  Object.fromEntries([...files].map(([p, b]) => [p, b.toString('utf8')]));

describe('RepoCache: mirrors', () => {
  it('clones on first use into <gitDir>/<connection>/<project>, once', async () => {
    const { upstream, cache, key } = setup();
    assert.equal(await cache.ensure(key, upstream.url), true);
    assert.equal(await cache.ensure(key, upstream.url), false);
    const dir = cache.pathFor(key);
    assert.equal(dir, join(tmp.path, `cache${counter}`, 'upstream', 'org', 'project'));
    assert.equal(git(dir, 'rev-parse', '--is-bare-repository'), 'true');
  });

  it('lists branches and tags, and the default branch from the remote HEAD', async () => {
    const { upstream, cache, key } = setup('develop');
    upstream.commit('stable/1.0', { 'a.txt': 'a' });
    upstream.tag('v1.0');
    upstream.commit('main', { 'b.txt': 'b' });
    upstream.setHead('develop');
    const refs = await cache.listRefs(upstream.url, key);
    assert.deepEqual(refs.branches.sort(), ['develop', 'main', 'stable/1.0']);
    assert.deepEqual(refs.tags, ['v1.0']);
    assert.equal(refs.head, 'develop');
    assert.equal(await cache.defaultBranch(key), 'develop');
  });

  it('does not mirror review refs (refs/changes, refs/pull)', async () => {
    const { upstream, cache, key } = setup();
    git(upstream.path, 'update-ref', 'refs/changes/01/1/1', 'HEAD');
    await cache.ensure(key, upstream.url);
    assert.equal(git(cache.pathFor(key), 'for-each-ref', 'refs/changes'), '');
  });

  it('reads the file list and file contents at a branch tip', async () => {
    const { upstream, cache, key } = setup();
    upstream.commit('main', {
      'zuul.d/jobs.yaml': '- job: {name: a}\n',
      'zuul.d/project.yaml': '- project: {}\n',
      'logo.png': Buffer.from([0x89, 0x50, 0x00, 0xff, 0x0a, 0x0a]),
      'with space.txt': 'spaced\n',
    });
    upstream.commit('stable', { 'zuul.d/jobs.yaml': '- job: {name: stable}\n' });
    await cache.ensure(key, upstream.url);

    const all = await cache.readTree(key, 'main');
    assert.deepEqual(all.sort(), [
      'README.md',
      'logo.png',
      'with space.txt',
      'zuul.d/jobs.yaml',
      'zuul.d/project.yaml',
    ]);
    const zuulFiles = await cache.readTree(key, 'main', (p) => p.startsWith('zuul.d/'));
    assert.deepEqual(zuulFiles.sort(), ['zuul.d/jobs.yaml', 'zuul.d/project.yaml']);

    const files = await cache.readFiles(key, 'main', [
      'zuul.d/jobs.yaml',
      'logo.png',
      'with space.txt',
      'missing.yaml',
      'zuul.d',
    ]);
    assert.deepEqual([...files.keys()], ['zuul.d/jobs.yaml', 'logo.png', 'with space.txt']);
    assert.equal(files.get('zuul.d/jobs.yaml')?.toString(), '- job: {name: a}\n');
    assert.deepEqual([...(files.get('logo.png') ?? [])], [0x89, 0x50, 0x00, 0xff, 0x0a, 0x0a]);

    const stable = await cache.readFiles(key, 'refs/heads/stable', ['zuul.d/jobs.yaml']);
    assert.deepEqual(text(stable), { 'zuul.d/jobs.yaml': '- job: {name: stable}\n' });
  });

  it('reads at a tag or a commit sha, and names the ref it cannot find', async () => {
    const { upstream, cache, key } = setup();
    const first = upstream.commit('main', { 'v.txt': '1' });
    upstream.tag('v1');
    upstream.commit('main', { 'v.txt': '2' });
    await cache.ensure(key, upstream.url);
    assert.deepEqual(text(await cache.readFiles(key, 'v1', ['v.txt'])), { 'v.txt': '1' });
    assert.deepEqual(text(await cache.readFiles(key, first, ['v.txt'])), { 'v.txt': '1' });
    await assert.rejects(
      cache.readTree(key, 'no-such-branch'),
      /no commit "no-such-branch" in upstream\/org\/project/,
    );
  });

  it('fetch() picks up new commits and branches and drops deleted ones', async () => {
    const { upstream, cache, key } = setup();
    upstream.commit('old', { 'o.txt': 'o' });
    upstream.setHead('main');
    await cache.ensure(key, upstream.url);
    assert.deepEqual((await cache.readRefs(key)).branches.sort(), ['main', 'old']);

    upstream.commit('main', { 'zuul.yaml': 'v2\n' });
    upstream.commit('feature', { 'f.txt': 'f' });
    upstream.setHead('main');
    upstream.deleteBranch('old');
    // Not visible before fetching.
    assert.deepEqual(text(await cache.readFiles(key, 'main', ['zuul.yaml'])), {});

    await cache.fetch(key);
    assert.deepEqual(text(await cache.readFiles(key, 'main', ['zuul.yaml'])), {
      'zuul.yaml': 'v2\n',
    });
    assert.deepEqual((await cache.readRefs(key)).branches.sort(), ['feature', 'main']);
  });

  it('follows a change of the remote default branch on fetch', async () => {
    const { upstream, cache, key } = setup();
    upstream.commit('next', { 'n.txt': 'n' });
    upstream.setHead('main');
    assert.equal((await cache.listRefs(upstream.url, key)).head, 'main');
    upstream.setHead('next');
    assert.equal((await cache.listRefs(upstream.url, key)).head, 'next');
  });

  it('serialises concurrent calls on one repository without corrupting it', async () => {
    const { upstream, cache, key } = setup();
    upstream.commit('main', { 'zuul.yaml': 'x\n' });
    const ensures = await Promise.all(
      Array.from({ length: 6 }, () => cache.ensure(key, upstream.url)),
    );
    assert.equal(ensures.filter(Boolean).length, 1, 'exactly one call clones');
    const results = await Promise.all([
      ...Array.from({ length: 4 }, () => cache.listRefs(upstream.url, key)),
      ...Array.from({ length: 4 }, () => cache.fetch(key)),
      ...Array.from({ length: 4 }, () => cache.readFiles(key, 'main', ['zuul.yaml'])),
    ]);
    assert.equal(results.length, 12);
    for (const r of results.slice(8))
      assert.deepEqual(text(r as Map<string, Buffer>), { 'zuul.yaml': 'x\n' });
    // fsck exits non-zero (and execFileSync throws) on any damage.
    git(cache.pathFor(key), 'fsck', '--strict');
  });

  it('runs different repositories in parallel', async () => {
    const lock = new KeyedLock();
    const order: string[] = [];
    let releaseA!: () => void;
    const a = lock.run('a', async () => {
      order.push('a start');
      await new Promise<void>((r) => {
        releaseA = r;
      });
      order.push('a end');
    });
    const a2 = lock.run('a', async () => {
      order.push('a2');
    });
    // b finishes while a still holds its lock; a2 waits for a.
    await lock.run('b', async () => {
      order.push('b');
    });
    releaseA();
    await Promise.all([a, a2]);
    assert.deepEqual(order, ['a start', 'b', 'a end', 'a2']);
  });

  it('a failing call does not block the next one on the same key', async () => {
    const lock = new KeyedLock();
    await assert.rejects(
      lock.run('k', async () => Promise.reject(new Error('boom'))),
      /boom/,
    );
    assert.equal(await lock.run('k', async () => 42), 42);
  });
});

describe('RepoCache: damaged mirrors', () => {
  let env: ReturnType<typeof setup>;
  before(async () => {
    env = setup();
    env.upstream.commit('main', { 'zuul.yaml': 'ok\n' });
  });

  it('re-clones a mirror whose HEAD file is missing', async () => {
    const { upstream, cache, key } = env;
    await cache.ensure(key, upstream.url);
    rmSync(join(cache.pathFor(key), 'HEAD'));
    const refs = await cache.listRefs(upstream.url, key);
    assert.deepEqual(refs.branches, ['main']);
    assert.ok(existsSync(join(cache.pathFor(key), 'HEAD')));
  });

  it('re-clones when git says it is not a repository (objects gone)', async () => {
    const { upstream, cache, key } = env;
    await cache.ensure(key, upstream.url);
    rmSync(join(cache.pathFor(key), 'objects'), { recursive: true });
    assert.deepEqual(text(await cache.readFiles(key, 'main', ['zuul.yaml'])), {
      'zuul.yaml': 'ok\n',
    });
    git(cache.pathFor(key), 'fsck');
  });

  it('heals after a restart, using the URL kept in the mirror', async () => {
    const { upstream, cache, key } = env;
    await cache.ensure(key, upstream.url);
    const restarted = new RepoCache({ gitDir: join(cache.pathFor(key), '..', '..', '..') });
    rmSync(join(cache.pathFor(key), 'HEAD'));
    assert.deepEqual(await restarted.readTree(key, 'main'), ['README.md', 'zuul.yaml']);
  });

  it('ignores a half-finished clone left by a crash', async () => {
    const { upstream, key } = setup();
    const gitDir = join(tmp.path, 'crashed');
    const partial = join(gitDir, '.partial', 'upstream', 'org', 'project');
    mkdirSync(partial, { recursive: true });
    writeFileSync(join(partial, 'garbage'), 'x');
    const cache = new RepoCache({ gitDir });
    assert.deepEqual((await cache.listRefs(upstream.url, key)).branches, ['main']);
    assert.ok(!existsSync(join(partial, 'garbage')));
  });

  it('leaves nothing behind when the first clone fails', async () => {
    const { cache, key } = setup();
    const url = `file://${join(tmp.path, 'does-not-exist')}`;
    await assert.rejects(cache.listRefs(url, key), (err: unknown) => {
      assert.ok(err instanceof GitError);
      assert.match(
        err.message,
        /git fetch --quiet --prune origin .* failed: .*does not appear to be a git repository/s,
      );
      return true;
    });
    assert.ok(!existsSync(cache.pathFor(key)));
    await assert.rejects(cache.readTree(key, 'main'), /not in the cache; call ensure/);
  });
});

describe('RepoCache: safety', () => {
  it('rejects keys that would leave git_dir', () => {
    const cache = new RepoCache({ gitDir: tmp.path });
    for (const key of ['conn/../../etc', '/abs', 'conn//p', 'conn/./p', '.partial/x']) {
      assert.throws(() => cache.pathFor(key), /invalid repository key/, key);
    }
  });

  it('never shows a password from the URL in errors', async () => {
    const cache = new RepoCache({ gitDir: join(tmp.path, 'pw') });
    await assert.rejects(
      cache.ensure('c/p', 'http://zuul:hunter2@127.0.0.1:9/p'),
      (err: unknown) => {
        assert.ok(err instanceof GitError);
        assert.doesNotMatch(`${err.message} ${err.stderr}`, /hunter2/);
        return true;
      },
    );
  });

  it('stops a git command that exceeds the timeout, including its helpers', async () => {
    const saved = process.env.GIT_SSH_COMMAND;
    // An ssh "server" that never answers.
    process.env.GIT_SSH_COMMAND = 'sleep 60 #';
    try {
      const cache = new RepoCache({ gitDir: join(tmp.path, 'slow'), timeoutSeconds: 1 });
      const started = Date.now();
      await assert.rejects(cache.ensure('c/p', 'ssh://zuul@example.invalid/p'), (err: unknown) => {
        assert.ok(err instanceof GitError);
        assert.equal(err.timedOut, true);
        assert.match(err.message, /timed out after 1 s/);
        return true;
      });
      assert.ok(Date.now() - started < 10_000, 'did not wait for the helper');
    } finally {
      if (saved === undefined) delete process.env.GIT_SSH_COMMAND;
      else process.env.GIT_SSH_COMMAND = saved;
    }
  });
});
