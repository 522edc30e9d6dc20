// Checking out a commit without a git process: the tree's files written
// from the repository's objects (git-objects.ts reads them) and a
// version-2 index describing them, so `git status` finds the work tree
// clean — what `git checkout --force` leaves in a fresh clone.
//
// Only for trees where the result cannot differ from git's: small, every
// name plain ASCII that git accepts on every platform, regular files,
// executables, symlinks and directories only, no `.gitattributes`
// anywhere. Anything else returns undefined before a file is written, and
// the caller runs git (gitlinks, unusual names or modes, big trees).

import { createHash } from 'node:crypto';
import {
  appendFileSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { GitObjectReader } from '../../merger/git-objects.js';

/** Bigger trees are git's: it writes them in parallel, and reading them here would block the event loop. */
const MAX_FILES = 500;

interface FileEntry {
  path: string;
  id: string;
  /** 0o100644, 0o100755 or 0o120000. */
  mode: number;
}

/**
 * A name git checks out unchanged on every platform, that no protection
 * rule (`.git` look-alikes, NTFS short names and streams) is about.
 */
function plainName(name: string): boolean {
  if (!/^[\x21-\x7e][\x20-\x7e]*$/.test(name)) return false;
  if (name.endsWith('.') || name.endsWith(' ')) return false;
  if (/[\\/:]|~\d/.test(name)) return false;
  const lower = name.toLowerCase();
  return !/^\.git($|[ .])/.test(lower) && lower !== '.gitattributes';
}

/** Tree entries sort as names, directories as if followed by `/`; no name twice. */
function ordered(entries: { mode: string; name: string }[]): boolean {
  let prev: Buffer | undefined;
  const seen = new Set<string>();
  for (const e of entries) {
    if (seen.has(e.name)) return false;
    seen.add(e.name);
    const key = Buffer.from(e.mode === '40000' ? `${e.name}/` : e.name);
    if (prev && Buffer.compare(prev, key) >= 0) return false;
    prev = key;
  }
  return true;
}

interface Plan {
  dirs: string[];
  files: FileEntry[];
}

/** The commit `id` names (through tags), or undefined. */
function peel(reader: GitObjectReader, id: string): string | undefined {
  for (let depth = 0; depth < 10; depth++) {
    const { type, data } = reader.read(id);
    if (type === 'commit') return id;
    if (type !== 'tag') return undefined;
    const m = /^object ([0-9a-f]{40})\n/.exec(data.toString('latin1', 0, 48));
    if (!m) return undefined;
    id = m[1]!;
  }
  return undefined;
}

function plan(reader: GitObjectReader, commit: string): Plan | undefined {
  const out: Plan = { dirs: [], files: [] };
  const walk = (tree: string, prefix: string): boolean => {
    const entries = reader.treeEntries(tree);
    if (!ordered(entries)) return false;
    for (const e of entries) {
      if (!plainName(e.name)) return false;
      // git refuses these as symlinks (they would point its own files elsewhere).
      const lower = e.name.toLowerCase();
      if (e.mode === '120000' && (lower.startsWith('.git') || lower === '.mailmap')) return false;
      const path = prefix + e.name;
      if (e.mode === '40000') {
        out.dirs.push(path);
        if (!walk(e.id, `${path}/`)) return false;
      } else if (e.mode === '100644' || e.mode === '100755' || e.mode === '120000') {
        out.files.push({ path, id: e.id, mode: Number.parseInt(e.mode, 8) });
        if (out.files.length > MAX_FILES) return false;
      } else {
        return false; // gitlinks and legacy modes
      }
    }
    return true;
  };
  return walk(reader.commitTree(commit), '') ? out : undefined;
}

export interface FreshCheckout {
  /** The commit or tag id to check out. */
  rev: string;
  /** The branch (full ref) HEAD is to point at; detached at the commit without one. */
  branch?: string;
  /** What `git checkout` would have been given, for HEAD's reflog. */
  label: string;
  /** `Name <email>` for HEAD's reflog. */
  ident: string;
}

/**
 * `git checkout --force <label>` in a repository just made (holding only
 * `.git`, HEAD on its unborn initial branch): the work tree, the index,
 * HEAD and HEAD's reflog. Returns the commit, or undefined when git must
 * do it (nothing was changed then).
 *
 * Synchronous, as the object reader is: the trees are small (MAX_FILES),
 * and every await on a busy executor waits for the event loop other
 * builds keep busy — a checkout of a few dozen files took longer waiting
 * than working.
 */
export function checkoutFresh(workDir: string, c: FreshCheckout): string | undefined {
  const gitDir = join(workDir, '.git');
  const head = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim();
  const from = /^ref: refs\/heads\/(\S+)$/.exec(head)?.[1];
  if (from === undefined) return undefined;
  let reader: GitObjectReader;
  try {
    reader = GitObjectReader.open(gitDir);
  } catch {
    return undefined;
  }
  let commit: string | undefined;
  let previous: string | undefined;
  try {
    let todo: Plan | undefined;
    try {
      commit = peel(reader, c.rev);
      todo = commit ? plan(reader, commit) : undefined;
      previous = reader.branchCommit(from);
    } catch {
      return undefined; // a missing object or an unusual format: git explains
    }
    if (!commit || !todo) return undefined;
    try {
      writeFiles(reader, workDir, todo);
      writeIndex(gitDir, workDir, todo.files);
    } catch {
      // Leave the directory as it was, for git to try (and explain).
      for (const name of readdirSync(workDir)) {
        if (name !== '.git') rmSync(join(workDir, name), { recursive: true, force: true });
      }
      rmSync(join(gitDir, 'index'), { force: true });
      return undefined;
    }
  } finally {
    reader.close();
  }
  writeFileSync(join(gitDir, 'HEAD'), `${c.branch ? `ref: ${c.branch}` : commit}\n`);
  const now = new Date();
  const offset = -now.getTimezoneOffset();
  const hhmm = (m: number) =>
    `${String(Math.floor(m / 60)).padStart(2, '0')}${String(m % 60).padStart(2, '0')}`;
  const tz = `${offset < 0 ? '-' : '+'}${hhmm(Math.abs(offset))}`;
  const when = `${Math.floor(now.getTime() / 1000)} ${tz}`;
  const line = `${previous ?? '0'.repeat(40)} ${commit} ${c.ident} ${when}\tcheckout: moving from ${from} to ${c.label}\n`;
  mkdirSync(join(gitDir, 'logs'), { recursive: true, mode: 0o777 });
  appendFileSync(join(gitDir, 'logs', 'HEAD'), line, { mode: 0o666 });
  return commit;
}

function writeFiles(reader: GitObjectReader, workDir: string, todo: Plan): void {
  // Parents come before their children in the plan.
  for (const dir of todo.dirs) mkdirSync(join(workDir, dir), { mode: 0o777 });
  for (const f of todo.files) {
    const { type, data } = reader.read(f.id);
    if (type !== 'blob') throw new Error(`${f.path}: ${f.id} is a ${type}`);
    const path = join(workDir, f.path);
    // As git creates them: the umask decides, the executable bit follows the tree.
    if (f.mode === 0o120000) symlinkSync(data, path);
    else writeFileSync(path, data, { mode: f.mode === 0o100755 ? 0o777 : 0o666, flag: 'wx' });
  }
}

const u32 = (n: bigint) => Number(n & 0xffffffffn);

/** A version-2 index of `files` with their stat data as written. */
function writeIndex(gitDir: string, workDir: string, files: FileEntry[]): void {
  const sorted = [...files]
    .map((f) => ({ ...f, name: Buffer.from(f.path) }))
    .sort((a, b) => Buffer.compare(a.name, b.name));
  const parts: Buffer[] = [];
  const header = Buffer.alloc(12);
  header.write('DIRC', 0, 'latin1');
  header.writeUInt32BE(2, 4);
  header.writeUInt32BE(sorted.length, 8);
  parts.push(header);
  const ns = 1_000_000_000n;
  for (const f of sorted) {
    const st = lstatSync(join(workDir, f.path), { bigint: true });
    const e = Buffer.alloc((62 + f.name.length + 8) & ~7);
    e.writeUInt32BE(u32(st.ctimeNs / ns), 0);
    e.writeUInt32BE(u32(st.ctimeNs % ns), 4);
    e.writeUInt32BE(u32(st.mtimeNs / ns), 8);
    e.writeUInt32BE(u32(st.mtimeNs % ns), 12);
    e.writeUInt32BE(u32(st.dev), 16);
    e.writeUInt32BE(u32(st.ino), 20);
    e.writeUInt32BE(f.mode, 24);
    e.writeUInt32BE(u32(st.uid), 28);
    e.writeUInt32BE(u32(st.gid), 32);
    e.writeUInt32BE(u32(st.size), 36);
    e.write(f.id, 40, 'hex');
    e.writeUInt16BE(Math.min(f.name.length, 0xfff), 60);
    f.name.copy(e, 62);
    parts.push(e);
  }
  const body = Buffer.concat(parts);
  const sum = createHash('sha1').update(body).digest();
  writeFileSync(join(gitDir, 'index'), Buffer.concat([body, sum]), { mode: 0o666 });
}
