// `zuul-ts db-prune` on every backend, run as the real CLI: old buildsets
// go with everything hanging off them, newer ones stay whole, refs still
// linked stay, batches are bounded, and bad arguments are refused.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { parseCutoff } from '../../src/cli/db-prune.js';
import type { Store } from '../../src/store/db.js';
import type { BuildsetInfo, RefInfo } from '../../src/store/history/reporter.js';
import { writeReport } from '../../src/store/history/reporter-sql.js';
import { BACKENDS, dropStore, openFresh, tempDir } from '../helpers/store.js';

const BIN = resolve(import.meta.dirname ?? '.', '../../../bin/zuul-ts.js');
const DAY = 86_400_000;
const NOW = Date.now();

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

const SHARED: RefInfo = {
  project: 'org/project',
  ref: 'refs/changes/01/1/1',
  change: 1,
  patchset: '1',
  branch: 'main',
};
const OLD_ONLY: RefInfo = {
  project: 'org/old',
  ref: 'refs/heads/main',
  newrev: 'a'.repeat(40),
  branch: 'main',
};
const NEW_ONLY: RefInfo = {
  project: 'org/new',
  ref: 'refs/changes/03/3/1',
  change: 3,
  patchset: '1',
  branch: 'main',
};

/** A buildset with two finished builds (artifacts, provides, events), last updated `age` ago. */
async function seed(store: Store, uuid: string, refs: RefInfo[], age: number): Promise<void> {
  const at = NOW - age;
  const bs: BuildsetInfo = {
    uuid,
    tenant: 'tenant-one',
    pipeline: 'check',
    eventTimestamp: at - 1000,
    refs,
    triggeredBy: `Triggered by ${uuid}`,
  };
  await writeReport(store, { kind: 'buildset-created', buildset: bs, at });
  for (const job of ['lint', 'unit']) {
    await writeReport(store, {
      kind: 'build-completed',
      build: {
        buildset: bs,
        uuid: `${uuid}-${job}`,
        jobName: job,
        ref: refs[0]!,
        voting: true,
        result: 'SUCCESS',
        final: true,
        held: false,
        artifacts: [{ name: 'log', url: `https://logs/${uuid}/${job}`, metadata: { k: 1 } }],
        provides: [`${job}-ok`],
        events: [{ eventTime: at, eventType: 'run', description: job }],
      },
      startTime: at - 60_000,
      endTime: at,
    });
  }
  await writeReport(store, {
    kind: 'buildset-completed',
    end: { buildset: bs, result: 'SUCCESS', message: 'ok' },
    at,
  });
}

type Table =
  | 'zuul_buildset'
  | 'zuul_ref'
  | 'zuul_buildset_ref'
  | 'zuul_build'
  | 'zuul_artifact'
  | 'zuul_provides'
  | 'zuul_build_event'
  | 'zuul_buildset_event';

async function count(store: Store, table: Table): Promise<number> {
  const r = await store.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

for (const backend of BACKENDS) {
  describe(`zuul-ts db-prune on ${backend.name}`, { skip: backend.skip }, () => {
    it('deletes old buildsets with their builds, children and unused refs, in batches', async () => {
      const opts = backend.fresh();
      const store = await openFresh(backend, opts);
      try {
        await seed(store, 'old-1', [SHARED], 120 * DAY);
        await seed(store, 'old-2', [OLD_ONLY], 95 * DAY);
        await seed(store, 'recent', [SHARED, NEW_ONLY], 10 * DAY);
        const conf = join(tempDir('zuul-ts-prune-'), 'zuul.conf');
        writeFileSync(
          conf,
          `[database]\ndburi=${opts.uri}\n${opts.tablePrefix ? `table_prefix=${opts.tablePrefix}\n` : ''}`,
        );

        const r = await run(['db-prune', '-c', conf, '--older-than', '90d', '--batch-size', '1']);
        assert.equal(r.code, 0, r.stderr);
        const lines = r.stdout.trim().split('\n');
        assert.match(
          lines[0]!,
          /^Deleting buildsets last updated before \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/,
        );
        const batches = lines.filter((l) => l.startsWith('Deleted '));
        assert.equal(batches.length, 2, 'one buildset per transaction');
        assert.match(batches[0]!, /^Deleted 1 buildset\(s\), 2 build\(s\), 0 ref\(s\)/);
        assert.match(batches[1]!, /^Deleted 1 buildset\(s\), 2 build\(s\), 1 ref\(s\)/);
        assert.equal(lines.at(-1), 'Done: 2 buildset(s), 4 build(s) and 1 ref(s) deleted');

        const left = await store.db.selectFrom('zuul_buildset').select('uuid').execute();
        assert.deepEqual(left, [{ uuid: 'recent' }]);
        const refs = await store.db
          .selectFrom('zuul_ref')
          .select('project')
          .orderBy('project')
          .execute();
        assert.deepEqual(
          refs.map((x) => x.project),
          ['org/new', 'org/project'],
          'the ref the recent buildset still links is kept',
        );
        assert.deepEqual(
          {
            buildset_ref: await count(store, 'zuul_buildset_ref'),
            build: await count(store, 'zuul_build'),
            artifact: await count(store, 'zuul_artifact'),
            provides: await count(store, 'zuul_provides'),
            build_event: await count(store, 'zuul_build_event'),
            buildset_event: await count(store, 'zuul_buildset_event'),
          },
          {
            buildset_ref: 2,
            build: 2,
            artifact: 2,
            provides: 2,
            build_event: 2,
            buildset_event: 1,
          },
          'only the recent buildset and its own rows remain',
        );

        const again = await run(['db-prune', '-c', conf, '--older-than', '90d']);
        assert.equal(again.code, 0, again.stderr);
        assert.match(again.stdout, /Done: 0 buildset\(s\), 0 build\(s\) and 0 ref\(s\) deleted/);

        // An absolute cutoff after the recent buildset takes it too.
        const all = await run(['db-prune', '-c', conf, '--before', new Date(NOW).toISOString()]);
        assert.equal(all.code, 0, all.stderr);
        assert.match(all.stdout, /Done: 1 buildset\(s\), 2 build\(s\) and 2 ref\(s\) deleted/);
        assert.equal(await count(store, 'zuul_ref'), 0);
        assert.equal(await count(store, 'zuul_artifact'), 0);
      } finally {
        await dropStore(store);
      }
    });
  });
}

describe('zuul-ts db-prune arguments', () => {
  it('refuses a missing, doubled or malformed cutoff and a bad batch size', async () => {
    const conf = join(tempDir('zuul-ts-prune-'), 'zuul.conf');
    writeFileSync(conf, `[database]\ndburi=sqlite:///${join(tempDir(), 'z.db')}\n`);
    const cases: [string[], RegExp][] = [
      [[], /Give either --before or --older-than/],
      [['--older-than', '90d', '--before', '2025-01-01'], /Give either --before or --older-than/],
      [['--older-than', '3w'], /--older-than "3w" is not a number of days or hours/],
      [
        ['--before', '2025-01-31T12:00:00+02:00'],
        /--before "2025-01-31T12:00:00\+02:00" is not a UTC timestamp/,
      ],
      [
        ['--older-than', '1d', '--batch-size', '0'],
        /--batch-size "0" is not a positive whole number/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await run(['db-prune', '-c', conf, ...args]);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, message);
    }
  });

  it('computes cutoffs as zuul-admin does', () => {
    const now = Date.UTC(2025, 5, 15, 12, 0, 0);
    assert.equal(parseCutoff(now, undefined, '90d'), now - 90 * DAY);
    assert.equal(parseCutoff(now, undefined, '24h'), now - DAY);
    assert.equal(parseCutoff(now, '2022-01-31 12:00:00'), Date.UTC(2022, 0, 31, 12));
    assert.equal(parseCutoff(now, '2022-01-31'), Date.UTC(2022, 0, 31));
    assert.equal(parseCutoff(now, '2022-01-31T12:00:00Z'), Date.UTC(2022, 0, 31, 12));
  });

  it('an unreachable database is an error, not a crash', async () => {
    const conf = join(tempDir('zuul-ts-prune-'), 'zuul.conf');
    writeFileSync(conf, '[database]\ndburi=postgresql://zuul:secret@127.0.0.1:1/zuul\n');
    const r = await run(['db-prune', '-c', conf, '--older-than', '90d']);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /Unable to use the state store postgresql:\/\/zuul:\*\*\*@127\.0\.0\.1:1\/zuul/,
    );
    assert.ok(!r.stderr.includes('secret'));
  });
});
