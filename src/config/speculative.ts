// Speculative (dynamic) layouts (semantics §D.11): the layout a queue item
// would run with when it, or an item ahead of it, changes Zuul
// configuration. Only the project branches whose files the item and the
// items ahead change are parsed again; every other project branch reuses
// what the running layout was built from. Config-project changes are
// validated (phase 1) but never used before they merge; untrusted changes
// are used (phase 2) with the running layout's pipelines, semaphores and
// launcher objects. Which errors block the item follows Zuul's
// `_loadDynamicLayout` and `_findRelevantErrors`.

import type { ConfigError } from '../model/config-error.js';
import type { Layout } from '../model/layout.js';
import {
  appendParsedConfig,
  emptyParsedConfig,
  type ParsedConfig,
  type ParseOptions,
} from './config-file.js';
import { type BuildLayoutOptions, buildLayout, type DirtyNames } from './layout/index.js';
import { parseProjectBranch } from './project-branch.js';
import {
  type ConfigChange,
  changeUpdatesConfig,
  includesConfigUpdates,
  isAlwaysDynamicBranch,
  ProjectIndex,
  type ProposedFiles,
} from './speculative-changes.js';
import type { BranchConfig, LoadedTenant, ResolvedProject } from './tenant-loader.js';
import { applyTenantRules } from './tenant-rules.js';

export {
  type ConfigChange,
  changeUpdatesConfig,
  includesConfigUpdates,
  isAlwaysDynamicBranch,
  isConfigPath,
  ProjectIndex,
  type ProposedFiles,
  proposedBranchFiles,
} from './speculative-changes.js';

/** Zuul's item error when untrusted config only works with a config-project change ahead. */
export const CONFIG_PROJECT_DEPENDENCY_MESSAGE =
  'This change depends on a change to a config project.\n\n' +
  'The syntax of the configuration in this change has been verified to be\n' +
  'correct once the config project change upon which it depends is\n' +
  'merged, but it can not be used until that occurs.';

/** Zuul's item error when the item directly ahead has a blocking config error. */
export const INVALID_AHEAD_MESSAGE =
  'This change depends on a change with an invalid configuration.\n';

/** An error of the item as a whole (Zuul's `setConfigError`): no file, no position. */
export function itemConfigError(message: string): ConfigError {
  return { severity: 'error', name: 'Unknown', shortError: message, error: message };
}

/** What the running layout of a tenant was built from. */
export interface RunningTenant {
  /** The tenant as loaded (with its per-project-branch pieces). */
  loaded: LoadedTenant;
  /** The running layout, built from `loaded` with `build`. */
  layout: Layout;
  /** How the loader parsed files (connections for pipeline schemas). */
  parseOptions: ParseOptions;
  /** Options the running layout was built with (global semaphores, secret checks). */
  build?: BuildLayoutOptions;
}

/** An item ahead in the queue, nearest first. */
export interface ItemAhead {
  changes: readonly ConfigChange[];
  /** The configuration errors reported on that item. */
  errors?: readonly ConfigError[];
}

export interface SpeculativeRequest {
  /** The item's changes (several for a dependency cycle). */
  changes: readonly ConfigChange[];
  /** Items ahead of it, nearest first. */
  itemsAhead?: readonly ItemAhead[];
  /** Config files of every project branch the item and the items ahead change. */
  files: ProposedFiles;
  /** The layout of the item ahead, used when this item changes no configuration. */
  fallback?: Layout;
}

export type SpeculativeResult =
  | {
      /** Run the item with `layout` (the phase-2 layout). */
      use: 'speculative';
      layout: Layout;
      /** Relevant errors (warnings only here) to report on the item. */
      errors: ConfigError[];
      phase1?: Layout;
    }
  | {
      /** Run the item with the running layout (config-project changes). */
      use: 'running';
      layout: Layout;
      errors: ConfigError[];
      phase1: Layout;
    }
  | {
      /** The item changes no configuration: use the layout of the item ahead. */
      use: 'fallback';
      layout: Layout;
      errors: [];
    }
  | {
      /** The item gets these configuration errors and runs no jobs. */
      use: 'config-error';
      errors: ConfigError[];
      phase1?: Layout;
      phase2?: Layout;
    };

const key = (project: string, branch: string) => `${project}\0${branch}`;

/** Zuul's ConfigErrorKey: where (project, branch, file, line, snippet) and what. */
export function configErrorKey(e: ConfigError): string {
  const c = e.sourceContext;
  return JSON.stringify([
    c?.projectCanonical ?? null,
    c?.branch ?? null,
    c?.path ?? null,
    e.mark?.line ?? null,
    e.mark?.snippet ?? null,
    e.error,
  ]);
}

/** Builds speculative layouts for the items of one running layout. */
export class SpeculativeLayouts {
  readonly projects: ProjectIndex;
  private readonly pieces = new Map<string, BranchConfig>();
  private readonly runningKeys: ReadonlySet<string>;
  /** Reparsed project branches, by project, branch and content. */
  private readonly reparsed = new Map<string, { files: object; config: ParsedConfig }>();

  constructor(readonly running: RunningTenant) {
    const pieces = running.loaded.branchConfigs;
    if (!pieces) throw new Error('the loaded tenant has no per-branch configuration');
    for (const piece of pieces) {
      this.pieces.set(key(piece.project.canonicalName, piece.branch), piece);
    }
    this.projects = new ProjectIndex(running.loaded.projects);
    this.runningKeys = new Set(running.layout.errors.map(configErrorKey));
  }

  /** Zuul's `_getLayout` + `_loadDynamicLayout` for one item. */
  layoutFor(request: SpeculativeRequest): SpeculativeResult {
    const ahead = request.itemsAhead ?? [];
    if (ahead[0]?.errors?.some((e) => e.severity === 'error')) {
      return { use: 'config-error', errors: [itemConfigError(INVALID_AHEAD_MESSAGE)] };
    }
    const updates = request.changes.some((c) =>
      changeUpdatesConfig(this.projects.get(c.project)?.config, c),
    );
    if (!updates) {
      return { use: 'fallback', layout: request.fallback ?? this.running.layout, errors: [] };
    }
    const all = [...request.changes, ...ahead.flatMap((i) => i.changes)];
    const { trusted, untrusted } = includesConfigUpdates(this.projects, all);
    const extraBranches = this.queueBranches(all);
    const phase1 = trusted ? this.buildPhase(request.files, true, extraBranches) : undefined;
    const phase2 = untrusted ? this.buildPhase(request.files, false, extraBranches) : undefined;
    const p1Errors = phase1 ? hasErrors(phase1) : false;
    const p2Errors = phase2 ? hasErrors(phase2) : false;

    if (phase2 && !p2Errors && !p1Errors) {
      return { use: 'speculative', layout: phase2, errors: [], ...(phase1 ? { phase1 } : {}) };
    }
    if (phase1 && !phase2 && !p1Errors) {
      return { use: 'running', layout: this.running.layout, errors: [], phase1 };
    }
    if (phase1 && !p1Errors && phase2 && p2Errors) {
      return {
        use: 'config-error',
        errors: [itemConfigError(CONFIG_PROJECT_DEPENDENCY_MESSAGE)],
        phase1,
        phase2,
      };
    }
    if (phase2 && p2Errors) {
      const errors = this.relevantErrors(phase2, request.changes, ahead);
      if (errors.some((e) => e.severity === 'error')) {
        return { use: 'config-error', errors, phase2, ...(phase1 ? { phase1 } : {}) };
      }
      return { use: 'speculative', layout: phase2, errors, ...(phase1 ? { phase1 } : {}) };
    }
    if (phase1 && p1Errors) {
      const errors = this.relevantErrors(phase1, request.changes, ahead);
      if (errors.some((e) => e.severity === 'error')) {
        return { use: 'config-error', errors, phase1 };
      }
      return { use: 'running', layout: this.running.layout, errors, phase1 };
    }
    // Unreachable: some change updates configuration, so some phase ran.
    throw new Error('speculative layout: no phase was run');
  }

  /**
   * Zuul's `_findRelevantErrors`: errors of `layout` that the running
   * layout and the items ahead do not have, plus every error located in the
   * project branch of one of the item's changes.
   */
  relevantErrors(
    layout: Layout,
    changes: readonly ConfigChange[],
    itemsAhead: readonly ItemAhead[] = [],
  ): ConfigError[] {
    const known = new Set(this.runningKeys);
    for (const item of itemsAhead) for (const e of item.errors ?? []) known.add(configErrorKey(e));
    const touched = new Set<string>();
    for (const c of changes) {
      const project = this.projects.get(c.project);
      if (project && c.branch !== undefined) touched.add(key(project.canonicalName, c.branch));
    }
    return layout.errors.filter((e) => {
      const c = e.sourceContext;
      if (c && touched.has(key(c.projectCanonical, c.branch))) return true;
      return !known.has(configErrorKey(e));
    });
  }

  /**
   * One phase: config projects from `files` (phase 1) or as they are
   * (phase 2), untrusted projects from `files` where given, everything
   * else as loaded.
   */
  buildPhase(
    files: ProposedFiles,
    includeConfigProjects: boolean,
    extraBranches: ReadonlyMap<string, readonly string[]> = new Map(),
  ): Layout {
    const { loaded } = this.running;
    const proposed = this.indexFiles(files);
    const config = emptyParsedConfig();
    config.errors.push(...(loaded.projectErrors ?? []));
    const dirty = {
      jobs: new Set<string>(),
      nodesets: new Set<string>(),
      secrets: new Set<string>(),
      everything: false,
    };
    for (const project of loaded.projects) {
      if (project.config.loadClasses.size === 0) continue;
      const trusted = project.config.trusted;
      const branches = trusted
        ? [project.config.loadBranch ?? 'master']
        : [
            ...project.branches,
            ...project.dynamicBranches,
            ...(extraBranches.get(project.canonicalName) ?? []).filter(
              (b) => !project.branches.includes(b) && !project.dynamicBranches.includes(b),
            ),
          ];
      for (const branch of branches) {
        const entry = proposed.get(key(project.canonicalName, branch));
        if (entry && (includeConfigProjects || !trusted)) {
          const fresh = this.reparse(project, branch, entry);
          appendParsedConfig(config, fresh);
          addNames(dirty, fresh);
          const old = this.pieces.get(key(project.canonicalName, branch));
          if (old) addNames(dirty, old.config);
          continue;
        }
        // Always-dynamic branches have no static configuration to reuse.
        const piece = this.pieces.get(key(project.canonicalName, branch));
        if (piece) appendParsedConfig(config, piece.config);
      }
    }
    const tenant: LoadedTenant = {
      tenant: loaded.tenant,
      projects: loaded.projects,
      config,
      errors: config.errors,
    };
    const options: BuildLayoutOptions = {
      ...this.running.build,
      reuse: { base: this.running.layout, dirty },
    };
    if (!includeConfigProjects) {
      const r = this.running.layout;
      options.fixedObjects = {
        pipelines: r.pipelines,
        semaphores: r.semaphores,
        images: r.images,
        flavors: r.flavors,
        labels: r.labels,
        sections: r.sections,
        providers: r.providers,
      };
    }
    return buildLayout(tenant, options);
  }

  /** Proposed files by canonical project name and branch. */
  private indexFiles(
    files: ProposedFiles,
  ): Map<string, Readonly<Record<string, string | Uint8Array>>> {
    const out = new Map<string, Readonly<Record<string, string | Uint8Array>>>();
    for (const [name, branches] of Object.entries(files)) {
      const project = this.projects.get(name);
      if (!project) continue;
      for (const [branch, entry] of Object.entries(branches)) {
        out.set(key(project.canonicalName, branch), entry);
      }
    }
    return out;
  }

  /**
   * The always-dynamic branches of the item's and the items-ahead's
   * changes, which may not be known to the running layout yet.
   */
  private queueBranches(changes: readonly ConfigChange[]): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const c of changes) {
      const project = this.projects.get(c.project);
      if (!project || c.branch === undefined) continue;
      if (!isAlwaysDynamicBranch(project.config, c.branch)) continue;
      const list = out.get(project.canonicalName) ?? [];
      if (!list.includes(c.branch)) list.push(c.branch);
      out.set(project.canonicalName, list.sort());
    }
    return out;
  }

  /** Parses a project branch from proposed files (memoised per content) and applies the tenant's rules. */
  private reparse(
    project: ResolvedProject,
    branch: string,
    entry: Readonly<Record<string, string | Uint8Array>>,
  ): ParsedConfig {
    const k = key(project.canonicalName, branch);
    const cached = this.reparsed.get(k);
    if (cached && cached.files === entry) return cached.config;
    const contents = new Map(Object.entries(entry));
    const parsed = parseProjectBranch(
      project,
      branch,
      { paths: [...contents.keys()], contents },
      this.running.parseOptions,
      { reportIgnoredRoots: false },
    );
    const { loaded } = this.running;
    const config = applyTenantRules(parsed, project, loaded.projects, loaded.tenant);
    this.reparsed.set(k, { files: entry, config });
    return config;
  }
}

/** Records the names a project branch defines, which may validate differently now. */
function addNames(
  dirty: DirtyNames & { jobs: Set<string>; nodesets: Set<string>; secrets: Set<string> },
  config: ParsedConfig,
): void {
  for (const job of config.jobs) dirty.jobs.add(job.name);
  for (const nodeset of config.nodesets) dirty.nodesets.add(nodeset.name);
  for (const secret of config.secrets) dirty.secrets.add(secret.name);
  const launcher = [
    config.images,
    config.flavors,
    config.labels,
    config.sections,
    config.providers,
  ];
  if (launcher.some((list) => list.length > 0)) dirty.everything = true;
}

function hasErrors(layout: Layout): boolean {
  return layout.errors.some((e) => e.severity === 'error');
}
