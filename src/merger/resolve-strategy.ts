// `git merge -s resolve` without a work tree: a three-way `read-tree` into
// a temporary index, then the per-file decisions git's merge-one-file
// script makes for what read-tree leaves unmerged, with content merges by
// `git merge-file`. No rename detection, exactly like the real strategy;
// Gerrit's default merge mode (merge-resolve) depends on that strictness.

import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GitError, isCorruption } from './git-command.js';
import type { WorkRepo } from './work-repo.js';

export type TreeOutcome = { ok: true; tree: string } | { ok: false; paths: string[] };

interface Stage {
  mode: string;
  id: string;
}

const SYMLINK = '120000';
const GITLINK = '160000';
const DELETE = `0 ${'0'.repeat(40)}`;

/** Merges the trees of `ours` and `theirs` over `bases` as the resolve strategy does. */
export async function resolveTree(
  repo: WorkRepo,
  bases: readonly string[],
  ours: string,
  theirs: string,
): Promise<TreeOutcome> {
  const scratch = join(repo.tmpDir, randomUUID());
  const worktree = join(scratch, 'worktree');
  await mkdir(worktree, { recursive: true });
  // An empty work tree: read-tree and ls-files need one, none is touched.
  const env = { GIT_INDEX_FILE: join(scratch, 'index'), GIT_WORK_TREE: worktree };
  try {
    await repo.git(['read-tree', '-i', '-m', '--aggressive', ...bases, ours, theirs], { env });
    const { stdout } = await repo.git(['ls-files', '-u', '-z'], { env });
    const unmerged = parseUnmerged(stdout);
    if (unmerged.size) {
      const updates: string[] = [];
      const conflicts: string[] = [];
      for (const [path, stages] of unmerged) {
        const line = await resolvePath(repo, scratch, stages);
        if (line === undefined) conflicts.push(path);
        else updates.push(`${line}\t${path}`);
      }
      if (conflicts.length) return { ok: false, paths: conflicts.sort() };
      await repo.git(['update-index', '-z', '--index-info'], {
        env,
        input: updates.map((u) => `${u}\0`).join(''),
      });
    }
    const tree = (await repo.git(['write-tree'], { env })).stdout.toString('utf8').trim();
    return { ok: true, tree };
  } catch (err) {
    // read-tree refuses some merges outright (e.g. a file/directory clash).
    if (err instanceof GitError && !isCorruption(err) && /^git read-tree/.test(err.message)) {
      return { ok: false, paths: [] };
    }
    throw err;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** `ls-files -u -z`: `<mode> <id> <stage>\t<path>\0` → path → stage number → entry. */
function parseUnmerged(out: Buffer): Map<string, Map<number, Stage>> {
  const paths = new Map<string, Map<number, Stage>>();
  for (const record of out.toString('utf8').split('\0')) {
    const m = /^(\d+) ([0-9a-f]+) ([123])\t(.*)$/s.exec(record);
    if (!m) continue;
    const stages = paths.get(m[4]!) ?? new Map<number, Stage>();
    paths.set(m[4]!, stages);
    stages.set(Number(m[3]), { mode: m[1]!, id: m[2]! });
  }
  return paths;
}

/**
 * merge-one-file's decision for one path: the index line (`mode id`, or a
 * deletion) that resolves it, or undefined for a conflict.
 */
async function resolvePath(
  repo: WorkRepo,
  scratch: string,
  stages: Map<number, Stage>,
): Promise<string | undefined> {
  const base = stages.get(1);
  const ours = stages.get(2);
  const theirs = stages.get(3);
  if (base && !ours && !theirs) return DELETE;
  // Deleted on one side, unchanged on the other (unless its mode changed).
  if (base && !ours && theirs?.id === base.id)
    return theirs.mode === base.mode ? DELETE : undefined;
  if (base && !theirs && ours?.id === base.id) return ours.mode === base.mode ? DELETE : undefined;
  if (!base && ours && !theirs) return `${ours.mode} ${ours.id}`;
  if (!base && !ours && theirs) return `${theirs.mode} ${theirs.id}`;
  if (!base && ours && theirs && ours.id === theirs.id) {
    return ours.mode === theirs.mode ? `${ours.mode} ${ours.id}` : undefined;
  }
  // Modified on both sides, or added on both differently.
  if (!ours || !theirs) return undefined;
  if ([ours.mode, theirs.mode].some((m) => m === SYMLINK || m === GITLINK)) return undefined;
  // Added on both sides is a conflict even when the contents merge.
  if (!base) return undefined;
  if (ours.mode !== theirs.mode) return undefined;
  const merged = await mergeFile(repo, scratch, base.id, ours.id, theirs.id);
  return merged === undefined ? undefined : `${ours.mode} ${merged}`;
}

/** A clean three-way content merge of three blobs, written as a blob; undefined on conflict. */
async function mergeFile(
  repo: WorkRepo,
  scratch: string,
  base: string,
  ours: string,
  theirs: string,
): Promise<string | undefined> {
  const blobs = await repo.readObjects([base, ours, theirs]);
  const files = [0, 1, 2].map((i) => join(scratch, `merge-${i}`));
  for (const [i, id] of [ours, base, theirs].entries()) {
    const blob = blobs.get(id);
    if (!blob)
      throw new GitError(`blob ${id} is missing from ${repo.dir}`, `missing blob object ${id}`);
    await writeFile(files[i]!, blob.body);
  }
  const out = await repo.git(['merge-file', '-p', ...files], {
    okExitCodes: Array.from({ length: 127 }, (_, i) => i + 1),
  });
  if (out.exitCode !== 0) return undefined;
  const written = await repo.git(['hash-object', '-w', '--stdin'], { input: out.stdout });
  return written.stdout.toString('utf8').trim();
}
