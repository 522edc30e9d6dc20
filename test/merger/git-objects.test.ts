// Reading mirrors without git (src/merger/git-objects.ts) must give what
// git gives: refs (loose and packed), trees and blobs from loose objects and
// from packs with offset and reference deltas; and the repository cache
// must fall back to git for what the reader does not handle.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { GitFormatUnsupported, GitObjectReader, pathsUnder } from '../../src/merger/git-objects.js';
import { RepoCache, repoKey } from '../../src/merger/repo-cache.js';
import { git, tempDir, Upstream } from '../helpers/git-repos.js';

const tmp = tempDir('git-objects-');
after(() => tmp.cleanup());

const ROOTS = ['zuul.yaml', 'zuul.d/', '.zuul.yaml', '.zuul.d/', 'extra/one.yaml', 'extra.d/'];

/** A long file that changes a little from commit to commit, so packs hold deltas. */
function bigConfig(n: number): string {
  const lines: string[] = [];
  for (let i = 0; i < 400; i++)
    lines.push(`- job:\n    name: job-${i}\n    vars: {n: ${i === n ? n * 7 : i}}`);
  return `${lines.join('\n')}\n`;
}

let counter = 0;
async function mirror(): Promise<{
  cache: RepoCache;
  key: string;
  dir: string;
  upstream: Upstream;
}> {
  const n = ++counter;
  const upstream = new Upstream(join(tmp.path, `up${n}`), 'org/project', 'master');
  for (let i = 0; i < 6; i++) {
    upstream.commit('master', {
      'zuul.d/jobs.yaml': bigConfig(i),
      'zuul.d/sub/more.yaml': `- job: {name: more-${i}}\n`,
      'zuul.d/skipped/.zuul.ignore': '',
      'zuul.d/skipped/x.yaml': 'ignored',
      '.zuul.yaml': `- project: {name: p${i}}\n`,
      'extra/one.yaml': 'extra',
      'extra.d/a b.yaml': 'spaced',
      'src/main.py': `print(${i})\n`,
      'logo.png': Buffer.from([0x89, 0x50, 0x00, i, 0x0a]),
    });
  }
  upstream.commit('stable/1.0', { 'zuul.yaml': bigConfig(99), 'zuul.d/jobs.yaml': null });
  upstream.commit('feature/a/b', { 'zuul.d/new.yaml': 'new' });
  upstream.setHead('master');
  const cache = new RepoCache({ gitDir: join(tmp.path, `cache${n}`) });
  const key = repoKey('up', 'org/project');
  await cache.ensure(key, upstream.url);
  return { cache, key, dir: cache.pathFor(key), upstream };
}

/** What git says: paths under ROOTS and their contents, per branch. */
function fromGit(dir: string, branch: string): Map<string, Buffer> {
  const specs = ROOTS.map((r) => r.replace(/\/$/, ''));
  const out = execFileSync('git', [
    `--git-dir=${dir}`,
    'ls-tree',
    '-r',
    '-z',
    '--name-only',
    branch,
    '--',
    ...specs,
  ]);
  const paths = out.toString('utf8').split('\0').filter(Boolean);
  const files = new Map<string, Buffer>();
  for (const p of paths) {
    files.set(p, execFileSync('git', [`--git-dir=${dir}`, 'cat-file', 'blob', `${branch}:${p}`]));
  }
  return files;
}

function direct(dir: string, branch: string): Map<string, Buffer> {
  const reader = GitObjectReader.open(dir);
  try {
    const commit = reader.branchCommit(branch)!;
    const files = new Map<string, Buffer>();
    for (const [path, entry] of pathsUnder(reader, commit, ROOTS)) {
      files.set(path, reader.read(entry.id).data);
    }
    return files;
  } finally {
    reader.close();
  }
}

function sameAsGit(dir: string): void {
  for (const branch of ['master', 'stable/1.0', 'feature/a/b']) {
    const want = fromGit(dir, branch);
    const got = direct(dir, branch);
    assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort(), branch);
    for (const [p, content] of want) assert.ok(got.get(p)!.equals(content), `${branch}:${p}`);
  }
}

describe('GitObjectReader', () => {
  it('reads refs as git does, loose and packed', async () => {
    const { dir } = await mirror();
    const check = () => {
      const refs = GitObjectReader.open(dir).refs();
      const heads = git(
        dir,
        'for-each-ref',
        '--format=%(refname:short) %(objectname)',
        'refs/heads',
      );
      assert.deepEqual(
        [...refs.branches].map(([b, id]) => `${b} ${id}`),
        heads.split('\n'),
      );
      assert.equal(refs.head, 'master');
    };
    check();
    git(dir, 'pack-refs', '--all');
    check();
    git(dir, 'update-ref', 'refs/heads/master', git(dir, 'rev-parse', 'stable/1.0'));
    check(); // a loose ref newer than the packed one wins
  });

  it('reads trees and blobs like git: loose objects', async () => {
    const { dir } = await mirror();
    sameAsGit(dir);
  });

  it('reads trees and blobs like git: packs with offset deltas', async () => {
    const { dir } = await mirror();
    git(dir, 'repack', '-adf', '--depth=50');
    assert.match(git(dir, 'count-objects', '-v'), /^count: 0$/m);
    sameAsGit(dir);
  });

  it('reads trees and blobs like git: packs with reference deltas, plus loose objects', async () => {
    const { dir, cache, key, upstream } = await mirror();
    git(dir, '-c', 'repack.useDeltaBaseOffset=false', 'repack', '-adf');
    upstream.commit('master', { 'zuul.d/jobs.yaml': bigConfig(42) });
    await cache.fetch(key);
    sameAsGit(dir);
  });

  it('gives up on repositories it does not understand', async () => {
    const { dir } = await mirror();
    mkdirSync(join(dir, 'objects/info'), { recursive: true });
    writeFileSync(join(dir, 'objects/info/alternates'), `${join(dir, 'objects')}\n`);
    assert.throws(() => GitObjectReader.open(dir), GitFormatUnsupported);
    const reader = (await mirror()).dir;
    assert.throws(
      () => GitObjectReader.open(reader).branchCommit('../../HEAD'),
      GitFormatUnsupported,
    );
  });
});

describe('RepoCache.readPaths', () => {
  const select = (paths: readonly string[]) => paths.filter((p) => p.endsWith('.yaml'));

  it('reads the files under the roots without git, and with git when it must', async () => {
    const { cache, key, dir } = await mirror();
    const expected = fromGit(dir, 'master');
    const check = async (ref: string) => {
      const { paths, contents } = await cache.readPaths(key, ref, ROOTS, select);
      assert.deepEqual([...paths].sort(), [...expected.keys()].sort());
      assert.deepEqual(
        [...contents.keys()].sort(),
        [...expected.keys()].filter((p) => p.endsWith('.yaml')).sort(),
      );
      for (const [p, c] of contents) assert.ok(c.equals(expected.get(p)!), p);
    };
    await check('master');
    // A commit id is read directly too; a tag only through git.
    await check(git(dir, 'rev-parse', 'master'));
    git(dir, 'tag', 'v1', 'master');
    await check('v1');
    // Alternates: the whole read goes through git.
    mkdirSync(join(dir, 'objects/info'), { recursive: true });
    writeFileSync(join(dir, 'objects/info/alternates'), '');
    await check('master');
    await assert.rejects(cache.readPaths(key, 'no-such-branch', ROOTS, select), /no commit/);
  });
});
