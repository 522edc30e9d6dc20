// Reads refs, trees and blobs of a bare mirror straight from its files
// (HEAD, packed-refs, loose refs, loose objects, pack files with deltas),
// without starting git. Loading a tenant reads a few small files from every
// branch of every project; one git process per read made that the slowest
// part of a reconfiguration. Anything this reader does not understand
// (SHA-256 or reftable repositories, alternates, old index formats, a
// missing object) makes it give up with GitFormatUnsupported, and the
// caller uses the git CLI instead.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { GitFormatUnsupported, type GitObjectType, Pack } from './git-pack.js';

export { GitFormatUnsupported, type GitObjectType };

export interface GitRefs {
  /** Branch name → commit id. */
  branches: Map<string, string>;
  tags: string[];
  /** HEAD's branch, when HEAD is a symbolic ref to an existing branch. */
  head?: string;
}

export interface TreeEntry {
  mode: string;
  name: string;
  id: string;
}

/** Mirrors found readable, with the stamp of their config file then. */
const checkedFormats = new Map<string, string>();

/** A bare repository read from its files. Close it when done (pack files stay open). */
export class GitObjectReader {
  private packs: Pack[] | undefined;
  private readonly cache = new Map<string, { type: GitObjectType; data: Buffer }>();
  private readonly trees = new Map<string, TreeEntry[]>();
  private looseDirs: Set<string> | undefined;

  private constructor(private readonly dir: string) {}

  /** Opens `dir`, or throws GitFormatUnsupported when it needs the git CLI. */
  static open(dir: string): GitObjectReader {
    const configPath = join(dir, 'config');
    let stamp: string;
    try {
      const st = statSync(configPath);
      stamp = `${st.ino}:${st.mtimeMs}:${st.size}`;
    } catch {
      throw new GitFormatUnsupported(`no git config in ${dir}`);
    }
    // The checks below cost three file system calls; a mirror's format only
    // changes with its config file (or when it is cloned again).
    if (checkedFormats.get(dir) !== stamp) {
      const config = readFileSync(configPath, 'utf8');
      // Repository extensions change the object or ref format.
      if (/^\s*\[extensions\]/im.test(config) || existsSync(join(dir, 'reftable'))) {
        throw new GitFormatUnsupported(`${dir} uses repository extensions`);
      }
      if (existsSync(join(dir, 'objects/info/alternates'))) {
        throw new GitFormatUnsupported(`${dir} borrows objects from alternates`);
      }
      checkedFormats.set(dir, stamp);
    }
    return new GitObjectReader(dir);
  }

  close(): void {
    for (const p of this.packs ?? []) p.close();
    this.packs = undefined;
    this.cache.clear();
    this.trees.clear();
  }

  private packedRefs(): Map<string, string> {
    const all = new Map<string, string>();
    const path = join(this.dir, 'packed-refs');
    if (!existsSync(path)) return all;
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      const m = /^([0-9a-f]{40}) (refs\/\S+)$/.exec(line);
      if (m) all.set(m[2]!, m[1]!);
    }
    return all;
  }

  /** The commit a branch points at, or undefined when there is no such branch. */
  branchCommit(branch: string): string | undefined {
    // Names git would refuse (or that would leave refs/heads) are git's to reject.
    if (branch.split('/').some((p) => p === '' || p === '.' || p === '..' || p.endsWith('.lock'))) {
      throw new GitFormatUnsupported(`unusual branch name ${JSON.stringify(branch)}`);
    }
    const ref = `refs/heads/${branch}`;
    const loose = join(this.dir, ref);
    if (existsSync(loose)) {
      const value = readFileSync(loose, 'utf8').trim();
      if (/^[0-9a-f]{40}$/.test(value)) return value;
      throw new GitFormatUnsupported(`ref ${ref} is not a plain commit id`);
    }
    return this.packedRefs().get(ref);
  }

  /** Branches (with their commits), tags and the default branch. */
  refs(): GitRefs {
    const all = this.packedRefs();
    // Loose refs win over packed ones.
    const walk = (rel: string) => {
      const abs = join(this.dir, rel);
      if (!existsSync(abs)) return;
      for (const entry of readdirSync(abs, { withFileTypes: true })) {
        const name = `${rel}/${entry.name}`;
        if (entry.isDirectory()) walk(name);
        else if (!entry.name.endsWith('.lock')) {
          const value = readFileSync(join(this.dir, name), 'utf8').trim();
          if (/^[0-9a-f]{40}$/.test(value)) all.set(name, value);
          else throw new GitFormatUnsupported(`ref ${name} is not a plain commit id`);
        }
      }
    };
    walk('refs/heads');
    walk('refs/tags');
    const branches = new Map<string, string>();
    const tags: string[] = [];
    for (const [ref, id] of [...all].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (ref.startsWith('refs/heads/')) branches.set(ref.slice(11), id);
      else if (ref.startsWith('refs/tags/')) tags.push(ref.slice(10));
    }
    const head = /^ref: refs\/heads\/(\S+)\s*$/.exec(readFileSync(join(this.dir, 'HEAD'), 'utf8'));
    const result: GitRefs = { branches, tags };
    if (head && branches.has(head[1]!)) result.head = head[1]!;
    return result;
  }

  /** An object by id (40 hex digits). */
  read(id: string): { type: GitObjectType; data: Buffer } {
    const cached = this.cache.get(id);
    if (cached) return cached;
    // Loose first: small mirrors (and recent fetches) keep their objects
    // loose, and a failed lookup there is one stat.
    const object = this.readLoose(id) ?? this.readPacked(id);
    if (!object) throw new GitFormatUnsupported(`object ${id} not found in ${this.dir}`);
    // Trees and commits are read again while walking; blobs only once.
    if (object.type !== 'blob') this.cache.set(id, object);
    return object;
  }

  /** The root tree of a commit. */
  commitTree(commit: string): string {
    const { type, data } = this.read(commit);
    if (type !== 'commit') throw new GitFormatUnsupported(`${commit} is not a commit`);
    const m = /^tree ([0-9a-f]{40})\n/.exec(data.toString('latin1', 0, 46));
    if (!m) throw new GitFormatUnsupported(`commit ${commit} has no tree`);
    return m[1]!;
  }

  treeEntries(tree: string): TreeEntry[] {
    const known = this.trees.get(tree);
    if (known) return known;
    const { type, data } = this.read(tree);
    if (type !== 'tree') throw new GitFormatUnsupported(`${tree} is not a tree`);
    const out: TreeEntry[] = [];
    this.trees.set(tree, out);
    let i = 0;
    while (i < data.length) {
      const space = data.indexOf(0x20, i);
      const nul = data.indexOf(0, space);
      out.push({
        mode: data.toString('latin1', i, space),
        name: data.toString('utf8', space + 1, nul),
        id: data.toString('hex', nul + 1, nul + 21),
      });
      i = nul + 21;
    }
    return out;
  }

  private readLoose(id: string): { type: GitObjectType; data: Buffer } | undefined {
    // One directory listing tells which of the 256 fan-out directories exist
    // (few, in a packed mirror), so most misses cost no system call.
    this.looseDirs ??= new Set(
      existsSync(join(this.dir, 'objects')) ? readdirSync(join(this.dir, 'objects')) : [],
    );
    if (!this.looseDirs.has(id.slice(0, 2))) return undefined;
    let raw: Buffer;
    try {
      raw = readFileSync(join(this.dir, 'objects', id.slice(0, 2), id.slice(2)));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    const all = inflateSync(raw);
    const nul = all.indexOf(0);
    const [type, size] = all.toString('latin1', 0, nul).split(' ');
    const data = all.subarray(nul + 1);
    if (!['commit', 'tree', 'blob', 'tag'].includes(type!) || Number(size) !== data.length) {
      throw new GitFormatUnsupported(`bad loose object ${id}`);
    }
    return { type: type as GitObjectType, data };
  }

  private readPacked(id: string): { type: GitObjectType; data: Buffer } | undefined {
    if (!this.packs) {
      const dir = join(this.dir, 'objects/pack');
      const names = existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith('.idx')) : [];
      this.packs = names
        .sort()
        .map((n) => new Pack(join(dir, n), join(dir, `${n.slice(0, -4)}.pack`)));
    }
    const key = Buffer.from(id, 'hex');
    for (const pack of this.packs) {
      const offset = pack.find(key);
      if (offset !== undefined) return pack.read(offset, (base) => this.read(base));
    }
    return undefined;
  }
}

/**
 * Every path under `roots` at `commit` (files as they are; directories,
 * written with a trailing `/`, with everything below them), as
 * `git ls-tree -r` would list them.
 */
export function pathsUnder(
  reader: GitObjectReader,
  commit: string,
  roots: readonly string[],
): Map<string, TreeEntry> {
  const out = new Map<string, TreeEntry>();
  const rootTree = reader.commitTree(commit);
  const lookup = (path: string): TreeEntry | undefined => {
    let tree = rootTree;
    const parts = path.split('/');
    for (let i = 0; i < parts.length; i++) {
      const entry = reader.treeEntries(tree).find((e) => e.name === parts[i]);
      if (!entry || i === parts.length - 1) return entry;
      if (entry.mode !== '40000') return undefined;
      tree = entry.id;
    }
    return undefined;
  };
  const walk = (tree: string, prefix: string) => {
    for (const entry of reader.treeEntries(tree)) {
      if (entry.mode === '40000') walk(entry.id, `${prefix}${entry.name}/`);
      else out.set(`${prefix}${entry.name}`, entry);
    }
  };
  for (const root of roots) {
    const isDir = root.endsWith('/');
    const entry = lookup(isDir ? root.slice(0, -1) : root);
    if (!entry) continue;
    if (entry.mode === '40000') {
      if (isDir) walk(entry.id, root);
    } else if (!isDir) {
      out.set(root, entry);
    }
  }
  return out;
}

/**
 * RepoCache.readPaths without git: the paths under `roots` at `ref` (a
 * branch or a full commit id) and the contents of those `select` picks.
 * Throws GitFormatUnsupported (or anything else) when git has to do it.
 */
export function readPathsDirectly(
  dir: string,
  key: string,
  ref: string,
  roots: readonly string[],
  select: (paths: readonly string[]) => readonly string[],
): { paths: string[]; contents: Map<string, Buffer> } {
  const reader = GitObjectReader.open(dir);
  try {
    let commit: string | undefined;
    if (/^[0-9a-f]{40}$/.test(ref)) commit = ref;
    else commit = reader.branchCommit(ref);
    // Tags, abbreviated ids and other revisions are git's to resolve.
    if (!commit) throw new GitFormatUnsupported(`${ref} is not a branch of ${key}`);
    const entries = pathsUnder(reader, commit, roots);
    const paths = [...entries.keys()].sort(byteOrder);
    const contents = new Map<string, Buffer>();
    for (const path of select(paths)) {
      const entry = entries.get(path);
      if (!entry || entry.mode === '160000') continue;
      const object = reader.read(entry.id);
      if (object.type === 'blob') contents.set(path, object.data);
    }
    return { paths, contents };
  } finally {
    reader.close();
  }
}

/** git's path order (bytewise). */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** Branches, tags and the default branch (as RepoCache lists them) without git. */
export function readRefsDirectly(dir: string): {
  branches: string[];
  tags: string[];
  head?: string;
} {
  const refs = GitObjectReader.open(dir).refs();
  const out = { branches: [...refs.branches.keys()], tags: refs.tags };
  return refs.head ? { ...out, head: refs.head } : out;
}
