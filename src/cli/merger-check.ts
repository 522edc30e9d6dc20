// `zuul-ts merger-check -c zuul.conf PROJECT BRANCH REF…`: merges REFs (in
// order, as a gate queue would) onto PROJECT's BRANCH with the merger and
// prints each speculative commit and the files each change touches. For
// operators chasing merge problems; nothing is written anywhere but the
// merger's cache.
//
// PROJECT is a project name, or `<canonical hostname>/<name>` to pick the
// connection; --connection picks it by name when several could serve it.
// The merge mode is the connection driver's default unless --merge-mode.
// Exit 0 when every REF merged, 1 otherwise (conflict, or an error).

import { join } from 'node:path';
import { loadSystemConfig } from '../config/system.js';
import type { Connection, Source } from '../drivers/driver.js';
import { Merger } from '../merger/merger.js';
import { RepoCache } from '../merger/repo-cache.js';
import { MERGE_MODES, type MergeItem, type MergeMode, type MergeResult } from '../merger/types.js';

export interface MergerCheckOptions {
  config: string;
  project: string;
  branch: string;
  refs: string[];
  connection?: string;
  mergeMode?: string;
  /** Use this cache directory instead of [merger] git_dir. */
  gitDir?: string;
  json?: boolean;
}

/** The connection serving `name`, and the project name on it. */
export function findProject(
  connections: ReadonlyMap<string, Connection>,
  name: string,
  connectionName?: string,
): { source: Source; project: string } | { error: string } {
  const sources = [...connections.values()].filter((c) => c.source).map((c) => c.source!);
  if (connectionName !== undefined) {
    const source = connections.get(connectionName)?.source;
    if (!source) {
      const known = sources.map((s) => s.connectionName).join(', ') || 'none';
      return {
        error: `Unknown connection: ${connectionName} (connections with projects: ${known})`,
      };
    }
    const prefix = `${source.canonicalHostname}/`;
    return { source, project: name.startsWith(prefix) ? name.slice(prefix.length) : name };
  }
  const byHost = sources.filter((s) => name.startsWith(`${s.canonicalHostname}/`));
  if (byHost.length === 1) {
    return { source: byHost[0]!, project: name.slice(byHost[0]!.canonicalHostname.length + 1) };
  }
  if (sources.length === 1) return { source: sources[0]!, project: name };
  if (!sources.length) return { error: 'zuul.conf declares no connection with projects' };
  const names = sources.map((s) => s.connectionName).join(', ');
  return {
    error: `Project ${name} could be on any of the connections ${names}: give --connection or the canonical name`,
  };
}

function printText(items: readonly MergeItem[], result: MergeResult): void {
  result.items.forEach((r, i) => {
    const ref = items[i]!.ref;
    if (r.status === 'MERGED') {
      console.log(`${ref}: merged as ${r.commit} (onto ${r.base})`);
      const files = r.filesChanged ?? [];
      console.log(files.length ? `  files: ${files.join(' ')}` : '  files: (none)');
    } else {
      console.log(`${ref}: MERGE_CONFLICT (${r.reason}): ${r.message}`);
      if (r.paths?.length) console.log(`  conflicting: ${r.paths.join(' ')}`);
    }
  });
  const last = result.items[result.items.length - 1];
  if (last?.status === 'MERGED') console.log(`speculative commit: ${last.commit}`);
}

export async function mergerCheckCommand(opts: MergerCheckOptions): Promise<number> {
  try {
    const system = loadSystemConfig(opts.config);
    for (const w of system.warnings) console.error(`warning: ${w}`);
    const found = findProject(system.connections, opts.project, opts.connection);
    if ('error' in found) {
      console.error(found.error);
      return 1;
    }
    const mode = (opts.mergeMode ?? found.source.defaultMergeMode) as MergeMode;
    if (!MERGE_MODES.includes(mode)) {
      console.error(`Unknown merge mode: ${mode} (one of ${MERGE_MODES.join(', ')})`);
      return 1;
    }
    const conf = system.conf;
    const gitDir =
      opts.gitDir ?? conf.resolvePath('merger', 'git_dir', '/var/lib/zuul/merger-git')!;
    const cache = opts.gitDir
      ? new RepoCache({ gitDir, timeoutSeconds: conf.getInt('merger', 'git_timeout', 300) })
      : system.repos;
    const merger = new Merger(cache, {
      workRoot: join(gitDir, '.merger-work'),
      gitUserName: conf.get('merger', 'git_user_name'),
      gitUserEmail: conf.get('merger', 'git_user_email'),
    });
    const items: MergeItem[] = opts.refs.map((ref) => ({
      connection: found.source.connectionName,
      project: found.project,
      url: found.source.gitUrl(found.project),
      branch: opts.branch,
      ref,
      mergeMode: mode,
      label: ref,
    }));
    const result = await merger.mergeChanges(items, { filesChanges: true, bundle: false });
    if (opts.json) {
      console.log(JSON.stringify({ items: result.items, repoState: result.repoState }, null, 2));
    } else {
      printText(items, result);
    }
    return result.items.every((r) => r.status === 'MERGED') ? 0 : 1;
  } catch (err) {
    console.error((err as Error).message);
    return 1;
  }
}
