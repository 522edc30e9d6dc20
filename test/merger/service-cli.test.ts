// `zuul-ts merger -c zuul.conf` and the merger inside `zuul-ts serve`, as an
// operator runs them: child processes on a SQLite store shared with this
// test, answering requests from real git repositories, stopped by SIGTERM.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MergerClient } from '../../src/merger/client.js';
import { ComponentsStore } from '../../src/store/components.js';
import { openStore, type Store } from '../../src/store/db.js';
import { RequestQueue } from '../../src/store/requests.js';
import { deployFixture } from '../helpers/fixtures.js';
import { git, tempDir, Upstream } from '../helpers/git-repos.js';
import { BIN, startMergerProcess, startZuulProcess, writeMergerConf } from './merger-process.js';

describe('zuul-ts merger', () => {
  let dir: ReturnType<typeof tempDir>;
  let uri: string;
  let store: Store;
  let upstream: Upstream;
  before(async () => {
    dir = tempDir('zuul-ts-merger-cli-');
    uri = `sqlite:///${join(dir.path, 'zuul.db')}`;
    store = await openStore({ uri });
    upstream = new Upstream(join(dir.path, 'upstream'), 'org/project');
    upstream.tag('1.0');
  });
  after(async () => {
    await store.close();
    dir.cleanup();
  });

  const locator = () => ({ connection: 'git', project: 'org/project', url: upstream.url });

  it('starts, registers, answers a request, and stops on SIGTERM', async () => {
    const conf = writeMergerConf(dir.path, 'one', { uri });
    const m = startMergerProcess(conf);
    try {
      const started = await m.waitFor((l) => l.msg === 'merger started');
      const components = new ComponentsStore(store.db);
      const mergers = (await components.list(60_000)).filter((c) => c.kind === 'merger');
      assert.deepEqual(
        mergers.map((c) => [c.id, c.state, c.version]),
        [[started.component, 'running', '0.1.0']],
      );
      const client = new MergerClient({ store, timeoutMs: 20_000 });
      const refs = await client.refs(locator());
      assert.deepEqual(refs.branches, { main: git(upstream.path, 'rev-parse', 'main') });
      assert.deepEqual(refs.tags, { '1.0': git(upstream.path, 'rev-parse', '1.0') });
      assert.ok(
        existsSync(join(dir.path, 'one-git', 'git', 'org', 'project')),
        'mirror in git_dir',
      );
      m.child.kill('SIGTERM');
      assert.equal(await m.exited, 0, m.stderr());
      assert.ok(m.lines.some((l) => l.msg === 'merger stopped'));
      assert.deepEqual(
        (await components.list(60_000)).filter((c) => c.kind === 'merger'),
        [],
        'deregistered',
      );
    } finally {
      if (m.child.exitCode === null) m.child.kill('SIGKILL');
    }
  });

  it('finishes the request it is working on before stopping', async () => {
    const conf = writeMergerConf(dir.path, 'two', { uri });
    // Every git fetch takes 1.5 s here: SIGTERM arrives mid-request.
    const m = startMergerProcess(conf, {
      env: {
        GIT_CONFIG_COUNT: '1',
        GIT_CONFIG_KEY_0: 'remote.origin.uploadpack',
        GIT_CONFIG_VALUE_0: 'sleep 1.5; git-upload-pack',
      },
    });
    try {
      await m.waitFor((l) => l.msg === 'merger started');
      const queue = new RequestQueue(store);
      const id = await queue.submit({ kind: 'merger:refs', payload: locator() });
      await m.waitFor((l) => l.msg === 'request claimed' && l.request === id);
      m.child.kill('SIGTERM');
      assert.equal(await m.exited, 0, m.stderr());
      const rec = (await queue.get(id))!;
      assert.equal(rec.state, 'completed');
      assert.deepEqual((rec.result as { tags: unknown }).tags, {
        '1.0': git(upstream.path, 'rev-parse', '1.0'),
      });
    } finally {
      if (m.child.exitCode === null) m.child.kill('SIGKILL');
    }
  });

  it('refuses to start without a state store, and with a bad --lease', () => {
    const conf = join(dir.path, 'nodb.conf');
    writeFileSync(conf, `[merger]\ngit_dir=${join(dir.path, 'nodb-git')}\n`);
    const r = spawnSync(process.execPath, [BIN, 'merger', '-c', conf], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /the merger needs \[database\] dburi/);
    const bad = spawnSync(process.execPath, [BIN, 'merger', '-c', conf, '--lease', 'soon'], {
      encoding: 'utf8',
    });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--lease must be a number of seconds/);
  });
});

describe('zuul-ts serve', () => {
  it('runs a merger beside web and configuration loading', async () => {
    const d = deployFixture('single-tenant', {
      extraConf: '[web]\nlisten_address=127.0.0.1\nport=0\ncommand_socket=web.socket\n',
    });
    const p = startZuulProcess(['serve', '-c', d.confPath]);
    try {
      const listening = await p.waitFor((l) => l.msg === 'web server listening', 60_000);
      await p.waitFor((l) => l.msg === 'merger started', 60_000);
      const res = await fetch(`${String(listening.address)}/api/components`);
      const listing = (await res.json()) as Record<string, { state: string }[]>;
      assert.deepEqual(
        listing.merger?.map((c) => c.state),
        ['running'],
      );
      assert.ok(listing.web?.length, 'web is listed too');
      p.child.kill('SIGTERM');
      assert.equal(await p.exited, 0, p.stderr());
      assert.ok(p.lines.some((l) => l.msg === 'merger stopped'));
    } finally {
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
    }
  });
});
