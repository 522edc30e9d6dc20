// The executor's side of a repo state: a workspace clone of one project in
// exactly the recorded state, without merging anything. The pre-merge
// commits come from the local mirror (fetched when it lacks some), the
// speculative ones from the state's bundle, so the trees are the merger's,
// byte for byte.
//
// The result is what `git clone --no-checkout <mirror>` followed by ref
// updates, `checkout` and `remote set-url` leaves, made with two git
// processes (`init`, `checkout`; `bundle unbundle` too for speculative
// states) instead of nine, and none where the caller has shortcuts for
// those two (ReproduceShortcuts): a build prepares several of these at
// once, and every git process costs more than the work it does. The
// mirror's lock is held only while its objects are checked and
// hard-linked, not while the copy is built: other builds wait on it.

import { randomUUID } from 'node:crypto';
import {
  appendFileSync,
  copyFileSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { MergerError } from './errors.js';
import { runGit } from './git-command.js';
import { GitObjectReader } from './git-objects.js';
import { type Mirror, type RepoCache, repoKey } from './repo-cache.js';
import { workspaceRefs } from './repo-state.js';
import type { ProjectLocator, RepoState, ReproducedRepo, ReproduceOptions } from './types.js';

/**
 * Ways around git processes, given by callers that have them (the
 * executor): each says when git must do the work after all.
 */
export interface ReproduceShortcuts {
  /** Makes `<destDir>/.git` as `git init` would; false when it cannot. */
  init(destDir: string): Promise<boolean>;
  /**
   * What `git checkout --force <label>` does in the new repository: the
   * work tree and index of `rev` (a commit or tag id), HEAD on `branch`
   * (a full ref) or detached. The commit, or undefined when git must.
   */
  checkout(
    destDir: string,
    c: { rev: string; branch?: string; label: string },
  ): Promise<string | undefined>;
}

export async function reproduceRepoState(
  cache: RepoCache,
  repoState: RepoState,
  loc: ProjectLocator,
  destDir: string,
  opts: ReproduceOptions & { shortcuts?: ReproduceShortcuts } = {},
): Promise<ReproducedRepo> {
  const entry = repoState[loc.connection]?.[loc.project];
  if (!entry)
    throw new MergerError(`the repo state has no entry for ${loc.connection}/${loc.project}`);
  if (listDir(destDir).length) {
    throw new MergerError(`${destDir} exists and is not empty`);
  }
  const key = repoKey(loc.connection, loc.project);
  const wanted = workspaceRefs(entry);
  const packedRefs = packedRefsFile(wanted, key);
  const gitOpts = cache.gitOptions();
  const inDest = (args: readonly string[], extra: { input?: string } = {}) =>
    runGit(args, { ...gitOpts, ...extra, cwd: destDir });
  const gitDir = join(destDir, '.git');

  mkdirSync(dirname(destDir), { recursive: true });
  try {
    // Nothing here needs the mirror: done before taking its lock.
    if (!(await opts.shortcuts?.init(destDir))) {
      await runGit(['init', '--quiet', destDir], gitOpts);
    }
    const mirror = await cache.withMirror(key, loc.url, async (m) => {
      // The mirror must hold every pre-merge commit: fetch if it lacks some.
      const ids = [...new Set(Object.values(entry.refs))];
      if ((await missingIds(m, ids)).length) await m.update();
      const missing = await missingIds(m, ids);
      if (missing.length) {
        throw new MergerError(`${m.key} no longer has ${missing.join(', ')} (force-pushed?)`);
      }
      // Hard links, as a local clone makes them: fast, and independent of
      // the mirror once made (a later fetch or gc there removes nothing here).
      linkTree(join(m.dir, 'objects'), join(gitDir, 'objects'));
      const head = headBranch(m.dir);
      return { head, hasHead: head !== undefined && `refs/heads/${head}` in (await m.refs()) };
    });

    if (entry.bundle) {
      const file = join(dirname(destDir), `.bundle-${randomUUID()}`);
      await writeFile(file, Buffer.from(entry.bundle, 'base64'));
      try {
        await inDest(['bundle', 'unbundle', file]);
      } finally {
        await rm(file, { force: true });
      }
    }
    // Exactly the recorded refs, and the remote settings a clone writes
    // (tracking for the mirror's HEAD branch), origin pointing where asked.
    writeFileSync(join(gitDir, 'packed-refs'), packedRefs);
    appendFileSync(
      join(gitDir, 'config'),
      cloneConfig(opts.originUrl ?? loc.url, mirror.hasHead ? mirror.head : undefined),
    );

    const target =
      opts.checkout ??
      (mirror.head !== undefined && `refs/heads/${mirror.head}` in wanted
        ? mirror.head
        : Object.keys(wanted)
            .find((r) => r.startsWith('refs/heads/'))
            ?.slice('refs/heads/'.length));
    if (target === undefined) throw new MergerError(`${key} has no branch to check out`);
    const branch = `refs/heads/${target}`;
    const tag = `refs/tags/${target}`;
    const onBranch = branch in wanted;
    const label = onBranch ? target : tag in wanted ? tag : target;
    const id =
      wanted[branch] ?? wanted[tag] ?? (/^[0-9a-f]{40}$/.test(target) ? target : undefined);
    const written =
      id &&
      (await opts.shortcuts?.checkout(destDir, {
        rev: id,
        ...(onBranch ? { branch } : {}),
        label,
      }));
    if (written) return { commit: onBranch ? wanted[branch]! : written, checkout: target };
    if (onBranch) {
      await inDest(['checkout', '--quiet', '--force', target]);
      return { commit: wanted[branch]!, checkout: target };
    }
    await inDest(['checkout', '--quiet', '--force', '--detach', label]);
    // A detached HEAD is the commit itself (a tag peeled to it).
    const head = (await readFile(join(gitDir, 'HEAD'), 'utf8')).trim();
    if (!/^[0-9a-f]{40}$/.test(head))
      throw new MergerError(`unexpected HEAD ${head} in ${destDir}`);
    return { commit: head, checkout: target };
  } catch (err) {
    // No half-made repository is left behind (the directory was empty).
    await rm(gitDir, { recursive: true, force: true });
    throw err;
  }
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** Which of `ids` the mirror lacks: read from its files, git asked when they are unusual. */
async function missingIds(mirror: Mirror, ids: readonly string[]): Promise<string[]> {
  try {
    const reader = GitObjectReader.open(mirror.dir);
    try {
      for (const id of ids) reader.read(id);
      return [];
    } finally {
      reader.close();
    }
  } catch {
    // Missing, or a form the reader does not handle: git says which.
  }
  const out = await mirror.git(['cat-file', '--batch-check'], {
    input: ids.map((id) => `${id}\n`).join(''),
  });
  const text = out.stdout.toString('utf8');
  return ids.filter((id) => !text.includes(`${id} `));
}

/** The mirror's HEAD branch, if HEAD names one. */
function headBranch(mirrorDir: string): string | undefined {
  try {
    return /^ref: refs\/heads\/(\S+)/.exec(readFileSync(join(mirrorDir, 'HEAD'), 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

/**
 * Hard-links every file of `src` into `dest` (copying where links cannot
 * be made), as `git clone` does for a local repository; an alternates
 * file is rewritten with absolute paths, as the clone would. Synchronous:
 * a mirror's objects directory is a few dozen entries once packed, and
 * each await would wait for the event loop other builds keep busy.
 */
function linkTree(src: string, dest: string): void {
  mkdirSync(dest, { recursive: true });
  for (const e of readdirSync(src, { withFileTypes: true })) {
    const from = join(src, e.name);
    const to = join(dest, e.name);
    if (e.isDirectory()) linkTree(from, to);
    else if (src.endsWith('/info') && e.name === 'alternates')
      copyAlternates(from, to, dirname(src));
    else {
      try {
        linkSync(from, to);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw err;
        copyFileSync(from, to);
      }
    }
  }
}

function copyAlternates(from: string, to: string, objectsDir: string): void {
  const lines = readFileSync(from, 'utf8').split('\n');
  const absolute = lines.map((l) =>
    l.trim() === '' || l.startsWith('#') || isAbsolute(l) ? l : resolve(objectsDir, l),
  );
  writeFileSync(to, absolute.join('\n'));
}

/** What git check-ref-format accepts (and a name update-ref would refuse, it refuses too). */
function validRefName(ref: string): boolean {
  if (!ref.startsWith('refs/') || ref.endsWith('/') || ref.endsWith('.')) return false;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\x00-\x20\x7f~^:?*[\\]|\.\.|@\{|\/\//.test(ref)) return false;
  return ref.split('/').every((c) => c !== '' && !c.startsWith('.') && !c.endsWith('.lock'));
}

/** The refs as a packed-refs file, in git's (bytewise) order. */
function packedRefsFile(refs: Record<string, string>, key: string): string {
  const names = Object.keys(refs).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  let text = '# pack-refs with: sorted \n';
  for (const ref of names) {
    const id = refs[ref]!;
    if (!validRefName(ref))
      throw new MergerError(`${key}: invalid ref name ${JSON.stringify(ref)}`);
    if (!/^[0-9a-f]{40}$/.test(id)) {
      throw new MergerError(`${key}: ${ref} has an invalid object id ${JSON.stringify(id)}`);
    }
    text += `${id} ${ref}\n`;
  }
  return text;
}

/** A value as git config writes it: quoted when it would not read back the same. */
function configValue(value: string): string {
  const quote = /^\s|\s$|[;#]/.test(value) ? '"' : '';
  const escaped = value.replace(/[\\"\n\t\b]/g, (c) =>
    c === '\n' ? '\\n' : c === '\t' ? '\\t' : c === '\b' ? '\\b' : `\\${c}`,
  );
  return `${quote}${escaped}${quote}`;
}

/** The remote and branch sections `git clone` adds to a new repository's config. */
function cloneConfig(url: string, headBranch: string | undefined): string {
  let text =
    '[remote "origin"]\n' +
    `\turl = ${configValue(url)}\n` +
    '\tfetch = +refs/heads/*:refs/remotes/origin/*\n';
  if (headBranch !== undefined) {
    const name = headBranch.replace(/["\\]/g, (c) => `\\${c}`);
    text += `[branch "${name}"]\n\tremote = origin\n\tmerge = refs/heads/${headBranch}\n`;
  }
  return text;
}
