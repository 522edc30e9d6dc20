// Benchmark: a 20-item gate queue across 5 repositories of ~5,000 files and
// ~2,000 commits each (one merge mode per repository: merge-resolve,
// merge, cherry-pick, squash-merge, rebase; every change based on an older
// commit, so each is a real merge). Measured on a warm cache:
//
// - speculative states, as the scheduler asks for them (one request per
//   item, with the items ahead), and as one request for the whole queue
//   with nothing remembered (every merge computed);
// - files changed per change;
// - repo states: pinning 5 projects, and the bundle a merge result carries;
// - a naive merger in the same run: a fresh clone per item, the changes
//   merged with the git porcelain; and the ratio.
//
// Run: npm run bench:merger
//   ZUUL_TS_BENCH_DIR   where the generated repositories are kept between runs

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Merger } from '../src/merger/merger.js';
import { RepoCache } from '../src/merger/repo-cache.js';
import type { MergeItem, MergeMode, RepoState } from '../src/merger/types.js';

const FILES = 5000;
const COMMITS = 2000;
const REPOS: { name: string; mode: MergeMode }[] = [
  { name: 'org/nova', mode: 'merge-resolve' },
  { name: 'org/neutron', mode: 'merge' },
  { name: 'org/cinder', mode: 'cherry-pick' },
  { name: 'org/glance', mode: 'squash-merge' },
  { name: 'org/swift', mode: 'rebase' },
];
const QUEUE = 20;
const VERSION = 1;

const root = process.env.ZUUL_TS_BENCH_DIR ?? join(tmpdir(), `zuul-ts-bench-merger-v${VERSION}`);
const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (x: number) => `${x.toFixed(1)} ms`;

function filePath(i: number): string {
  return `src/mod${i % 40}/pkg${i % 13}/file${i}.py`;
}

function fileBody(i: number, version: number): string {
  return `# file ${i} version ${version}\n${'value = 1\n'.repeat(8)}def f${i}():\n    return ${version}\n`;
}

/**
 * A fast-import stream: one commit with every file, COMMITS - 1 commits
 * each editing one file (files below FILES - 100 only, the rest is kept for
 * the changes), and 4 changes based on older commits.
 */
function importStream(repoIndex: number): string {
  const out: string[] = [];
  let mark = 0;
  const blob = (data: string) => {
    out.push('blob', `mark :${++mark}`, `data ${Buffer.byteLength(data)}`, data);
    return mark;
  };
  const commit = (
    ref: string,
    ts: number,
    msg: string,
    from: number | undefined,
    edits: string[],
  ) => {
    out.push(`commit ${ref}`, `mark :${++mark}`);
    out.push(
      `author Dev <dev@example.org> ${ts} +0000`,
      `committer Dev <dev@example.org> ${ts} +0000`,
    );
    out.push(`data ${Buffer.byteLength(msg)}`, msg);
    if (from !== undefined) out.push(`from :${from}`);
    out.push(...edits);
    return mark;
  };
  const t0 = 1_600_000_000;
  const initial: string[] = [];
  for (let i = 0; i < FILES; i++) initial.push(`M 100644 :${blob(fileBody(i, 0))} ${filePath(i)}`);
  const history: number[] = [commit('refs/heads/main', t0, 'Initial import', undefined, initial)];
  for (let c = 1; c < COMMITS; c++) {
    const f = (c * 7919 + repoIndex * 31) % (FILES - 100);
    const b = blob(fileBody(f, c));
    history.push(
      commit('refs/heads/main', t0 + c * 60, `Change file ${f}`, history[c - 1], [
        `M 100644 :${b} ${filePath(f)}`,
      ]),
    );
  }
  for (let k = 0; k < QUEUE / REPOS.length; k++) {
    const number = repoIndex * 10 + k + 1;
    const base = history[COMMITS - 1 - (5 + k * 3)]!;
    const edits = [0, 1].map((j) => {
      const f = FILES - 100 + k * 2 + j;
      return `M 100644 :${blob(fileBody(f, 1000 + k))} ${filePath(f)}`;
    });
    edits.push(`M 100644 :${blob(`new in change ${number}\n`)} changes/change${number}.txt`);
    const ref = `refs/changes/${String(number % 100).padStart(2, '0')}/${number}/1`;
    commit(ref, t0 + COMMITS * 60 + k, `Change ${number}\n\nChange-Id: I${number}`, base, edits);
  }
  return `${out.join('\n')}\n`;
}

function upstreamPath(name: string): string {
  return join(root, 'up', `${name}.git`);
}

function generate(): boolean {
  const marker = join(root, 'up', 'complete');
  if (existsSync(marker)) return false;
  rmSync(join(root, 'up'), { recursive: true, force: true });
  REPOS.forEach(({ name }, i) => {
    const dir = upstreamPath(name);
    mkdirSync(dir, { recursive: true });
    execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', dir]);
    const r = spawnSync('git', ['--git-dir', dir, 'fast-import', '--quiet'], {
      input: importStream(i),
      maxBuffer: 1 << 30,
    });
    if (r.status !== 0) throw new Error(`fast-import failed: ${r.stderr}`);
    execFileSync('git', ['--git-dir', dir, 'repack', '-adq']);
  });
  writeFileSync(marker, '');
  return true;
}

function queue(): MergeItem[] {
  const items: MergeItem[] = [];
  // Interleaved across the repositories, as a shared gate queue is.
  for (let k = 0; k < QUEUE / REPOS.length; k++) {
    REPOS.forEach(({ name, mode }, i) => {
      const number = i * 10 + k + 1;
      items.push({
        connection: 'gerrit',
        project: name,
        url: `file://${upstreamPath(name)}`,
        branch: 'main',
        ref: `refs/changes/${String(number % 100).padStart(2, '0')}/${number}/1`,
        mergeMode: mode,
        timestamp: 1_700_000_000,
        label: `${number},1`,
      });
    });
  }
  return items;
}

function newMerger(cacheRoot: string): Merger {
  const cache = new RepoCache({ gitDir: join(cacheRoot, 'git') });
  return new Merger(cache, {
    workRoot: join(cacheRoot, 'work'),
    gitUserName: 'Zuul',
    gitUserEmail: 'zuul@example.org',
  });
}

/** A naive merger: a fresh clone for each item, the changes merged with the porcelain. */
function naiveItem(items: MergeItem[], index: number, scratch: string): void {
  const item = items[index]!;
  const dir = join(scratch, `naive-${index}`);
  const run = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: dir,
      stdio: 'pipe',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'Zuul',
        GIT_AUTHOR_EMAIL: 'z@x',
        GIT_COMMITTER_NAME: 'Zuul',
        GIT_COMMITTER_EMAIL: 'z@x',
      },
    });
  execFileSync('git', ['clone', '--quiet', '--branch', 'main', item.url, dir], { stdio: 'pipe' });
  for (const ahead of items.slice(0, index + 1)) {
    if (ahead.project !== item.project) continue;
    run('fetch', '--quiet', 'origin', ahead.ref!);
    run('merge', '--quiet', '-m', `Merge '${ahead.ref}'`, 'FETCH_HEAD');
  }
  rmSync(dir, { recursive: true, force: true });
}

async function main(): Promise<void> {
  const genStart = process.hrtime.bigint();
  const wrote = generate();
  console.log(
    `merger bench: ${REPOS.length} repositories of ${FILES} files and ${COMMITS} commits, a ${QUEUE}-item queue`,
  );
  console.log(
    `  repositories ${wrote ? 'generated' : 'reused'} in ${join(root, 'up')} (${fmt(ms(genStart))})`,
  );
  const items = queue();
  const scratch = mkdtempSync(join(tmpdir(), 'zuul-ts-bench-merger-run-'));
  try {
    const merger = newMerger(scratch);
    let t = process.hrtime.bigint();
    const cold = await merger.mergeChanges(items);
    const coldMs = ms(t);
    const failed = cold.items.filter((r) => r.status !== 'MERGED');
    if (failed.length) throw new Error(`unexpected merge failures: ${JSON.stringify(failed)}`);
    console.log(`  cold cache (5 clones + the whole queue): ${fmt(coldMs)}`);

    // As the scheduler asks: one request per item, with every item ahead.
    const perItem: number[] = [];
    for (let i = 0; i < items.length; i++) {
      t = process.hrtime.bigint();
      const r = await merger.mergeChanges(items.slice(0, i + 1));
      perItem.push(ms(t));
      if (r.items[i]?.status !== 'MERGED') throw new Error(`item ${i} did not merge`);
    }
    const perItemMean = perItem.reduce((a, b) => a + b, 0) / perItem.length;

    // The same, each request starting from the repo state of the one before
    // (the scheduler reusing the queue's base): origin is not asked again.
    const reusing: number[] = [];
    let previous: RepoState | undefined;
    for (let i = 0; i < items.length; i++) {
      t = process.hrtime.bigint();
      const r = await merger.mergeChanges(items.slice(0, i + 1), { repoState: previous });
      reusing.push(ms(t));
      previous = r.repoState;
    }
    const reusingMean = reusing.reduce((a, b) => a + b, 0) / reusing.length;

    // Every merge computed: a merger with nothing in memory, on the warm cache.
    const fresh = newMerger(scratch);
    t = process.hrtime.bigint();
    await fresh.mergeChanges(items);
    const batch = ms(t);
    const unbundled = newMerger(scratch);
    t = process.hrtime.bigint();
    await unbundled.mergeChanges(items, { bundle: false });
    const batchNoBundle = ms(t);

    const filesTimes: number[] = [];
    for (const item of items) {
      t = process.hrtime.bigint();
      await merger.getFilesChanges({ ...item, ref: item.ref!, tosha: 'main' });
      filesTimes.push(ms(t));
    }
    t = process.hrtime.bigint();
    await merger.getRepoState(
      REPOS.map(({ name }) => ({ ...items.find((i) => i.project === name)! })),
    );
    const pin = ms(t);
    const bundleBytes = Object.values(cold.repoState.gerrit!).reduce(
      (n, p) => n + (p.bundle?.length ?? 0),
      0,
    );

    const naive: number[] = [];
    for (let i = 0; i < items.length; i++) {
      t = process.hrtime.bigint();
      naiveItem(items, i, scratch);
      naive.push(ms(t));
    }
    const naiveMean = naive.reduce((a, b) => a + b, 0) / naive.length;

    console.log('  warm cache:');
    console.log(
      `    per-item requests (items ahead + the item): mean ${fmt(perItemMean)}, p50 ${fmt(median(perItem))}, max ${fmt(Math.max(...perItem))}`,
    );
    console.log(
      `    per-item requests reusing the previous repo state: mean ${fmt(reusingMean)}, p50 ${fmt(median(reusing))}, max ${fmt(Math.max(...reusing))}`,
    );
    console.log(
      `    whole queue, every merge computed: ${fmt(batch)} (${fmt(batch / items.length)} per item); without bundles ${fmt(batchNoBundle)} (${fmt(batchNoBundle / items.length)} per item)`,
    );
    console.log(
      `    files changed per change: mean ${fmt(filesTimes.reduce((a, b) => a + b, 0) / filesTimes.length)}, p50 ${fmt(median(filesTimes))}`,
    );
    console.log(
      `    repo state: pinning ${REPOS.length} projects ${fmt(pin)}; bundles in a merge result ${fmt(batch - batchNoBundle)} for the queue (${(bundleBytes / 1024).toFixed(1)} KiB base64)`,
    );
    console.log(
      `  naive (fresh clone per item): mean ${fmt(naiveMean)}, p50 ${fmt(median(naive))} per item`,
    );
    console.log(
      `  ratio naive / per-item request: ${(naiveMean / perItemMean).toFixed(1)}x; naive / computed per item: ${(naiveMean / (batch / items.length)).toFixed(1)}x`,
    );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
