// The ref dictionaries of the zuul.* variables (semantics §F.6): the
// fields describing one change, branch, tag or other ref, as they appear at
// the top of `zuul` and in `zuul.items`, `zuul.buildset_refs` and
// `zuul.build_refs`.

import { Unsafe } from '../ansible-yaml.js';
import { srcDir, type WorkspaceScheme } from './workspace.js';

export interface ProjectInfo {
  /** Project name within its connection, e.g. `org/project`. */
  name: string;
  canonicalHostname: string;
}

export interface RefInfo {
  project: ProjectInfo;
  kind: 'change' | 'branch' | 'tag' | 'ref';
  /** Full ref: refs/heads/…, refs/tags/…, refs/changes/…, refs/pull/… */
  ref: string;
  /** Target branch of a change; the branch of a branch ref. */
  branch?: string;
  /** Change number (stringified in the variables). */
  change?: string | number;
  patchset?: string | number;
  /** Change URL, or the commit browser URL of a ref. */
  url?: string | null;
  /** Commit message or pull-request description. */
  message?: string;
  topic?: string | null;
  /** Changes: the patchset's commit. */
  commitId?: string;
  oldrev?: string | null;
  newrev?: string | null;
  /** Tag name without refs/tags/. */
  tag?: string;
  /** Deprecated: set on members of a dependency cycle. */
  bundleId?: string;
  /** Reporter jobs of merged changes: the branch head after the merge (Zuul 14). */
  mergeCommitId?: string;
}

const ZERO = /^0+$/;

function realRev(rev: string | null | undefined): string | undefined {
  return rev && !ZERO.test(rev) ? rev : undefined;
}

/** `{name, short_name, canonical_hostname, canonical_name, src_dir}`. */
export function projectDict(p: ProjectInfo, scheme: WorkspaceScheme): Record<string, unknown> {
  return {
    name: p.name,
    short_name: p.name.split('/').pop() ?? p.name,
    canonical_hostname: p.canonicalHostname,
    canonical_name: `${p.canonicalHostname}/${p.name}`,
    src_dir: srcDir(scheme, p.canonicalHostname, p.name),
  };
}

/** The commit a ref points at: a change's patchset commit; a ref's new revision (old one for deletions). */
export function commitId(r: RefInfo): string | undefined {
  if (r.kind === 'change') return r.commitId;
  return realRev(r.newrev) ?? realRev(r.oldrev) ?? r.commitId;
}

export interface RefDictOptions {
  /** Also emit the deprecated top-level `src_dir` (build_refs/buildset_refs, Zuul 14 still supplies it). */
  legacySrcDir?: boolean;
}

/** One ref dictionary. `change_message` is `!unsafe`: commit messages are user text. */
export function refDict(
  r: RefInfo,
  scheme: WorkspaceScheme,
  opts: RefDictOptions = {},
): Record<string, unknown> {
  const project = projectDict(r.project, scheme);
  const d: Record<string, unknown> = { project, ref: r.ref };
  if (r.kind === 'change' || r.kind === 'branch') {
    if (r.branch !== undefined) d.branch = r.branch;
  }
  if (r.kind === 'change') {
    if (r.change !== undefined) d.change = String(r.change);
    if (r.patchset !== undefined) d.patchset = String(r.patchset);
    if (r.message !== undefined) d.change_message = new Unsafe(r.message);
    d.topic = r.topic ?? null;
  }
  d.change_url = r.url ?? null;
  const commit = commitId(r);
  if (commit !== undefined) d.commit_id = commit;
  if (r.kind !== 'change') {
    const oldrev = realRev(r.oldrev);
    const newrev = realRev(r.newrev);
    if (oldrev) d.oldrev = oldrev;
    if (newrev) d.newrev = newrev;
  }
  if (r.kind === 'tag' && r.tag !== undefined) d.tag = r.tag;
  if (r.bundleId !== undefined) d.bundle_id = r.bundleId;
  if (r.mergeCommitId !== undefined) d.merge_commit_id = r.mergeCommitId;
  if (opts.legacySrcDir) d.src_dir = project.src_dir;
  return d;
}
