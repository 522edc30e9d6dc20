// The SQL reporter while its PostgreSQL server goes away for a few seconds
// and comes back (killed, then restarted with crash recovery). The server
// is a private throwaway cluster made here, never the shared test server.
// Every report made before, during and after the outage must be written
// exactly once.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { openStore, type Store } from '../../src/store/db.js';
import { type BuildsetInfo, SqlReporter } from '../../src/store/history/reporter.js';

const run = promisify(execFile);

function pgBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : undefined;
}

const BIN = pgBinDir();
const IS_ROOT = process.getuid?.() === 0;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

/** A PostgreSQL cluster of this test's own, on a free port. */
class PrivatePostgres {
  readonly dir = mkdtempSync(join(tmpdir(), 'zuul-ts-pg-resilience-'));
  port = 0;

  private async pg(tool: string, args: string[]): Promise<void> {
    // PostgreSQL refuses to run as root.
    const [cmd, full] = IS_ROOT
      ? ['runuser', ['-u', 'postgres', '--', join(BIN!, tool), ...args]]
      : [join(BIN!, tool), args];
    await run(cmd, full, { timeout: 60_000 });
  }

  async init(): Promise<void> {
    if (IS_ROOT) chownSync(this.dir, Number((await run('id', ['-u', 'postgres'])).stdout), 0);
    this.port = await freePort();
    await this.pg('initdb', [
      '-D',
      join(this.dir, 'data'),
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--locale=C.UTF-8',
      '--no-sync',
    ]);
    await this.start();
  }

  start(): Promise<void> {
    return this.pg('pg_ctl', [
      '-D',
      join(this.dir, 'data'),
      '-w',
      '-t',
      '60',
      '-l',
      join(this.dir, 'server.log'),
      '-o',
      `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      'start',
    ]);
  }

  /** Kills the server as a crash would: no shutdown checkpoint, clients cut off. */
  kill(): Promise<void> {
    return this.pg('pg_ctl', ['-D', join(this.dir, 'data'), '-m', 'immediate', 'stop']);
  }

  get uri(): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/postgres`;
  }

  async destroy(): Promise<void> {
    await this.kill().catch(() => {});
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const SKIP = BIN ? false : 'PostgreSQL server binaries (initdb, pg_ctl) are not installed';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SQL reporter through a database restart', { skip: SKIP }, () => {
  const server = new PrivatePostgres();
  let store: Store;

  before(async () => {
    await server.init();
    store = await openStore({ uri: server.uri, poolSize: 4 });
  });
  after(async () => {
    await store?.close().catch(() => {});
    await server.destroy();
  });

  it('reports made while the server is down are written once it is back: none lost, none twice', {
    timeout: 120_000,
  }, async () => {
    const reporter = new SqlReporter(store, { initialRetryDelayMs: 100, maxRetryDelayMs: 500 });
    const made: string[] = [];
    const produce = async (until: number) => {
      while (Date.now() < until) {
        const i = made.length;
        const bs: BuildsetInfo = {
          uuid: `bs-${i}`,
          tenant: 'tenant-one',
          pipeline: i % 2 ? 'check' : 'gate',
          eventTimestamp: Date.now(),
          refs: [
            { project: `org/p${i % 5}`, ref: `refs/changes/${i}/${i}/1`, change: i, patchset: '1' },
          ],
          triggeredBy: `Triggered by change ${i},1`,
        };
        reporter.buildsetCreated(bs);
        for (const job of ['lint', 'unit']) {
          const build = {
            buildset: bs,
            uuid: `bs-${i}-${job}`,
            jobName: job,
            ref: bs.refs[0]!,
            voting: true,
          };
          reporter.buildStarted(build);
          reporter.buildCompleted({
            ...build,
            result: 'SUCCESS',
            final: true,
            held: false,
            artifacts: [{ name: `${job}-log`, url: `https://logs/${i}/${job}` }],
            provides: [`${job}-done`],
            events: [{ eventTime: Date.now(), eventType: 'run', description: job }],
          });
        }
        reporter.buildsetCompleted({ buildset: bs, result: 'SUCCESS', message: `item ${i}` });
        made.push(bs.uuid);
        await sleep(25);
      }
    };

    try {
      await produce(Date.now() + 1000);
      await server.kill();
      const down = made.length;
      // Reports keep coming while the server is gone; none of the calls waits.
      await produce(Date.now() + 3000);
      const duringOutage = made.length - down;
      assert.ok(duringOutage > 20, `${duringOutage} buildsets reported during the outage`);
      assert.ok(reporter.pending > 0, 'the outage left reports waiting');
      await server.start();
      await produce(Date.now() + 1000);
      assert.ok(await reporter.flush(60_000), 'the backlog drained after the restart');
    } finally {
      // Its retry timers would keep the test process alive.
      await reporter.close(0);
    }

    const n = made.length;
    const count = async (
      table:
        | 'zuul_buildset'
        | 'zuul_build'
        | 'zuul_artifact'
        | 'zuul_provides'
        | 'zuul_build_event'
        | 'zuul_buildset_event',
    ) =>
      Number(
        (
          await store.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    assert.equal(await count('zuul_buildset'), n);
    assert.equal(await count('zuul_build'), 2 * n);
    assert.equal(await count('zuul_artifact'), 2 * n);
    assert.equal(await count('zuul_provides'), 2 * n);
    assert.equal(await count('zuul_build_event'), 2 * n);
    assert.equal(await count('zuul_buildset_event'), n);
    const rows = await store.db
      .selectFrom('zuul_buildset')
      .select(['uuid', 'result', 'message'])
      .execute();
    const byUuid = new Map(rows.map((r) => [r.uuid, r]));
    for (const [i, uuid] of made.entries()) {
      assert.deepEqual(byUuid.get(uuid), { uuid, result: 'SUCCESS', message: `item ${i}` });
    }
    const unfinished = await store.db
      .selectFrom('zuul_build')
      .select('uuid')
      .where('result', 'is', null)
      .execute();
    assert.deepEqual(unfinished, [], 'every build has its result');
  });
});
