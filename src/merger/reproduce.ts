// The executor's side of a repo state: a workspace clone of one project in
// exactly the recorded state, without merging anything. The pre-merge
// commits come from the local mirror (fetched when it lacks some), the
// speculative ones from the state's bundle, so the trees are the merger's,
// byte for byte.

import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { MergerError } from './errors.js';
import { runGit } from './git-command.js';
import { type RepoCache, repoKey } from './repo-cache.js';
import { workspaceRefs } from './repo-state.js';
import type { ProjectLocator, RepoState, ReproducedRepo, ReproduceOptions } from './types.js';

export async function reproduceRepoState(
  cache: RepoCache,
  repoState: RepoState,
  loc: ProjectLocator,
  destDir: string,
  opts: ReproduceOptions = {},
): Promise<ReproducedRepo> {
  const entry = repoState[loc.connection]?.[loc.project];
  if (!entry)
    throw new MergerError(`the repo state has no entry for ${loc.connection}/${loc.project}`);
  if (existsSync(destDir) && readdirSync(destDir).length) {
    throw new MergerError(`${destDir} exists and is not empty`);
  }
  const wanted = workspaceRefs(entry);
  const gitOpts = cache.gitOptions();
  const inDest = (args: readonly string[], extra: { input?: string } = {}) =>
    runGit(args, { ...gitOpts, ...extra, cwd: destDir });

  return cache.withMirror(repoKey(loc.connection, loc.project), loc.url, async (mirror) => {
    // The mirror must hold every pre-merge commit: fetch if it lacks some.
    const ids = [...new Set(Object.values(entry.refs))];
    const check = async () => {
      const out = await mirror.git(['cat-file', '--batch-check'], {
        input: ids.map((id) => `${id}\n`).join(''),
      });
      return ids.filter((id) => !out.stdout.toString('utf8').includes(`${id} `));
    };
    if ((await check()).length) await mirror.update();
    const missing = await check();
    if (missing.length) {
      throw new MergerError(`${mirror.key} no longer has ${missing.join(', ')} (force-pushed?)`);
    }

    await mkdir(dirname(destDir), { recursive: true });
    // A local clone hard-links the mirror's objects: fast, and independent of it.
    await runGit(['clone', '--quiet', '--no-checkout', mirror.dir, destDir], gitOpts);
    if (entry.bundle) {
      const file = join(dirname(destDir), `.bundle-${randomUUID()}`);
      await writeFile(file, Buffer.from(entry.bundle, 'base64'));
      try {
        await inDest(['bundle', 'unbundle', file]);
      } finally {
        await rm(file, { force: true });
      }
    }

    // Exactly the recorded refs: everything else the clone made goes.
    const existing = await inDest(['for-each-ref', '--format=%(refname)']);
    const commands: string[] = [];
    for (const ref of existing.stdout.toString('utf8').split('\n').filter(Boolean)) {
      if (!(ref in wanted)) commands.push(`delete ${ref}`);
    }
    for (const [ref, id] of Object.entries(wanted)) commands.push(`update ${ref} ${id}`);
    // HEAD points at a branch that may be deleted first: detach it meanwhile.
    const anyCommit = Object.entries(wanted).find(([ref]) => ref.startsWith('refs/heads/'))?.[1];
    if (anyCommit) await inDest(['update-ref', '--no-deref', 'HEAD', anyCommit]);
    await inDest(['update-ref', '--no-deref', '--stdin'], {
      input: commands.map((c) => `${c}\n`).join(''),
    });

    const target = opts.checkout ?? defaultCheckout(mirror.dir, wanted);
    if (target === undefined) throw new MergerError(`${mirror.key} has no branch to check out`);
    if (`refs/heads/${target}` in wanted) {
      await inDest(['checkout', '--quiet', '--force', target]);
    } else {
      const rev = `refs/tags/${target}` in wanted ? `refs/tags/${target}` : target;
      await inDest(['checkout', '--quiet', '--force', '--detach', rev]);
    }
    await inDest(['remote', 'set-url', 'origin', opts.originUrl ?? loc.url]);
    const head = (await inDest(['rev-parse', 'HEAD'])).stdout.toString('utf8').trim();
    return { commit: head, checkout: target };
  });
}

/** The mirror's HEAD branch when the state has it, else the first branch. */
function defaultCheckout(mirrorDir: string, wanted: Record<string, string>): string | undefined {
  try {
    const head = /^ref: refs\/heads\/(\S+)/.exec(readFileSync(join(mirrorDir, 'HEAD'), 'utf8'));
    if (head && `refs/heads/${head[1]}` in wanted) return head[1];
  } catch {
    // No HEAD to follow.
  }
  const first = Object.keys(wanted).find((r) => r.startsWith('refs/heads/'));
  return first?.slice('refs/heads/'.length);
}
