// Which changes touch Zuul configuration (semantics §D.11, first
// paragraph), and the proposed config files of a project branch: the input
// of speculative layouts.

import { compileZuulRegex, regexFullMatches } from '../model/regex.js';
import type { TenantProjectConfig } from '../model/tenant.js';
import type { ConfigFileReader } from './file-reader.js';
import { CONFIG_ROOTS, candidateConfigFiles } from './project-files.js';
import type { ResolvedProject } from './tenant-loader.js';

/** A change of a queue item, as far as configuration is concerned. */
export interface ConfigChange {
  /** The change's project: canonical (`host/org/repo`) or short name. */
  project: string;
  /** Target branch; absent for refs that are not on a branch (tags). */
  branch?: string;
  /** Changed files; null or undefined when unknown (then the change counts as touching config). */
  files?: readonly string[] | null;
}

/**
 * Proposed configuration: project (canonical or short name) → branch →
 * path → content. For each project branch listed, the map holds its config
 * files as they are after the item and the items ahead are merged (what
 * Zuul's merger returns): every file under a config root or extra config
 * path. A project branch that is listed replaces the branch's current
 * configuration entirely (a root missing from it is deleted); a project
 * branch that is not listed keeps its current configuration.
 */
export type ProposedFiles = Readonly<
  Record<string, Readonly<Record<string, Readonly<Record<string, string | Uint8Array>>>>>
>;

function fullMatchesAny(patterns: readonly string[] | undefined, value: string): boolean {
  return (patterns ?? []).some((p) => regexFullMatches(compileZuulRegex(p), value));
}

/** Whether `branch` is one of the project's always-dynamic branches. */
export function isAlwaysDynamicBranch(project: TenantProjectConfig, branch: string): boolean {
  return fullMatchesAny(project.alwaysDynamicBranches, branch);
}

/** Whether a changed path is Zuul configuration for this project. */
export function isConfigPath(project: TenantProjectConfig, path: string): boolean {
  if (path === 'zuul.yaml' || path === '.zuul.yaml') return true;
  if (path.startsWith('zuul.d/') || path.startsWith('.zuul.d/')) return true;
  if (project.extraConfigFiles.includes(path)) return true;
  return project.extraConfigDirs.some((dir) => path.startsWith(`${dir}/`));
}

/**
 * Zuul's `Change.updatesConfig`: the change targets an always-dynamic
 * branch, or its file list is unknown, or it changes a config root or an
 * extra config path. `project` is the tenant's entry for the change's
 * project; a project outside the tenant never updates its configuration.
 */
export function changeUpdatesConfig(
  project: TenantProjectConfig | undefined,
  change: Pick<ConfigChange, 'branch' | 'files'>,
): boolean {
  if (!project) return false;
  if (change.branch !== undefined && isAlwaysDynamicBranch(project, change.branch)) return true;
  if (change.files === undefined || change.files === null) return true;
  return change.files.some((f) => isConfigPath(project, f));
}

/** Looks up tenant projects by canonical or short name. */
export class ProjectIndex {
  private readonly byName = new Map<string, ResolvedProject>();

  constructor(projects: readonly ResolvedProject[]) {
    for (const p of projects) {
      if (!this.byName.has(p.name)) this.byName.set(p.name, p);
    }
    for (const p of projects) this.byName.set(p.canonicalName, p);
  }

  get(name: string): ResolvedProject | undefined {
    return this.byName.get(name);
  }
}

/**
 * Zuul's `QueueItem.includesConfigUpdates` over an item and the items
 * ahead of it: whether any of their changes updates the configuration of a
 * config project (`trusted`) or of an untrusted project (`untrusted`).
 */
export function includesConfigUpdates(
  projects: ProjectIndex,
  changes: Iterable<ConfigChange>,
): { trusted: boolean; untrusted: boolean } {
  let trusted = false;
  let untrusted = false;
  for (const change of changes) {
    const project = projects.get(change.project);
    if (!changeUpdatesConfig(project?.config, change)) continue;
    if (project!.config.trusted) trusted = true;
    else untrusted = true;
    if (trusted && untrusted) break;
  }
  return { trusted, untrusted };
}

/**
 * The proposed config files of a project branch from its current state and
 * a change's edits (path → new content, or null when the change deletes
 * the file): what the merger would return for the branch after merging the
 * change. Only config roots and the project's extra config paths are kept;
 * a branch that does not exist yet starts empty.
 */
export async function proposedBranchFiles(
  reader: ConfigFileReader,
  project: ResolvedProject,
  branch: string,
  edits: Readonly<Record<string, string | Uint8Array | null>>,
): Promise<Record<string, string | Uint8Array>> {
  const ref = { connection: project.connection.name, project: project.name };
  const extra = project.config.extraConfigPaths;
  let current = new Map<string, Buffer>();
  const branches = await reader.branches(ref);
  if (branches.includes(branch)) {
    const paths = await reader.listFiles(ref, branch);
    current = await reader.readFiles(ref, branch, candidateConfigFiles(paths, extra));
    for (const path of paths) {
      if (path.endsWith('/.zuul.ignore') && underRoot(path, extra))
        current.set(path, Buffer.alloc(0));
    }
  }
  const out: Record<string, string | Uint8Array> = {};
  for (const [path, content] of current) out[path] = content;
  for (const [path, content] of Object.entries(edits)) {
    if (content === null) delete out[path];
    else out[path] = content;
  }
  const keep = new Set(candidateConfigFiles(Object.keys(out), extra));
  for (const path of Object.keys(out)) {
    // `.zuul.ignore` markers decide which files count, so they stay.
    const marker = path.endsWith('/.zuul.ignore') && underRoot(path, extra);
    if (!keep.has(path) && !marker) delete out[path];
  }
  return out;
}

function underRoot(path: string, extra: readonly string[]): boolean {
  return [...CONFIG_ROOTS, ...extra].some((root) => root.endsWith('/') && path.startsWith(root));
}
