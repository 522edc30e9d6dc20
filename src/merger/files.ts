// What the scheduler asks about files: which files a change touches (Zuul's
// getFilesChanges), and the Zuul configuration files at a commit (Zuul's
// getFiles, for speculative layouts).

import { filesUnderDirectory } from '../config/project-files.js';
import { parseCommit } from './commit-object.js';
import { GitError } from './git-command.js';
import type { ConfigFileRequest } from './types.js';
import type { WorkRepo } from './work-repo.js';

function nulList(out: Buffer): string[] {
  return out
    .toString('utf8')
    .split('\0')
    .map((s) => s.replace(/^\n+/, ''))
    .filter(Boolean);
}

/**
 * Files `head` changes, as Zuul computes them. With `tosha` (the target
 * branch's commit, or the change's base): the files touched by the
 * non-merge commits in `tosha..head` (so a change that depends on other
 * unmerged changes gets their files too), keeping only files that still
 * differ between `tosha` and `head` (a change and its revert cancel out).
 * Without: the files of `head` itself against its first parent.
 */
export async function filesChanged(
  repo: WorkRepo,
  head: string,
  tosha?: string,
): Promise<string[]> {
  if (tosha !== undefined) {
    const range = `${tosha}..${head}`;
    // -M: rename detection as git's default configuration has it.
    const diff = await repo.git(['diff', '--name-only', '-z', '-M', '--no-color', tosha, head]);
    const differing = new Set(nulList(diff.stdout));
    const log = await repo.git([
      'log',
      '--name-only',
      '--pretty=format:',
      '--no-merges',
      '--no-color',
      '-z',
      '-M',
      range,
    ]);
    return [...new Set(nulList(log.stdout).filter((f) => differing.has(f)))].sort();
  }
  const objects = await repo.readObjects([head]);
  const commit = objects.get(head);
  if (commit?.type !== 'commit') {
    throw new GitError(`commit ${head} is missing`, `missing commit object ${head}`);
  }
  const parent = parseCommit(commit.id, commit.body).parents[0];
  const args = parent
    ? ['diff', '--name-only', '-z', '--no-renames', parent, head]
    : ['diff-tree', '--root', '-r', '--name-only', '-z', '--no-renames', '--no-commit-id', head];
  return [...new Set(nulList((await repo.git(args)).stdout))].sort();
}

/**
 * The requested files at `commit`: each listed file (null when absent), then
 * every `*.yaml` below each listed directory (skipping subtrees holding a
 * `.zuul.ignore`), as text.
 */
export async function readConfigFiles(
  repo: WorkRepo,
  commit: string,
  request: ConfigFileRequest,
): Promise<Record<string, string | null>> {
  const dirs = request.dirs.map((d) => d.replace(/\/+$/, '')).filter(Boolean);
  const specs = [...request.files, ...dirs];
  const blobs = new Map<string, string>();
  if (specs.length) {
    const out = await repo.git([
      '--literal-pathspecs',
      'ls-tree',
      '-r',
      '-z',
      '--full-tree',
      commit,
      '--',
      ...specs,
    ]);
    for (const record of out.stdout.toString('utf8').split('\0')) {
      const m = /^\d+ blob ([0-9a-f]+)\t(.*)$/s.exec(record);
      if (m) blobs.set(m[2]!, m[1]!);
    }
  }
  const paths = [...blobs.keys()];
  const wanted: string[] = [];
  for (const f of request.files) if (blobs.has(f)) wanted.push(f);
  for (const d of dirs) wanted.push(...filesUnderDirectory(paths, d));
  const ids = [...new Set(wanted.map((p) => blobs.get(p)!))];
  const contents = await repo.readObjects(ids);
  const result: Record<string, string | null> = {};
  for (const f of request.files) {
    const id = blobs.get(f);
    result[f] = id ? (contents.get(id)?.body.toString('utf8') ?? null) : null;
  }
  for (const p of wanted) {
    if (p in result) continue;
    result[p] = contents.get(blobs.get(p)!)?.body.toString('utf8') ?? null;
  }
  return result;
}

/** The configuration roots Zuul reads, plus a tenant's extra-config-paths. */
export function configFileRequest(extraConfigPaths: readonly string[] = []): ConfigFileRequest {
  const files = ['zuul.yaml', '.zuul.yaml'];
  const dirs = ['zuul.d', '.zuul.d'];
  for (const p of extraConfigPaths) {
    if (p.endsWith('/')) dirs.push(p.slice(0, -1));
    else files.push(p);
  }
  return { files: [...new Set(files)], dirs: [...new Set(dirs)] };
}
