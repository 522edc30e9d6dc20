// State shared by the steps of building one layout: the tenant's projects,
// the objects added so far, the error list, and helpers to report an error
// at the stanza that caused it.

import type { ConfigError, SourceContext } from '../../model/config-error.js';
import type { JobVariant } from '../../model/job.js';
import type { Flavor, Image, Label, Provider, Section } from '../../model/launcher-objects.js';
import {
  builtinNoopJob,
  type Layout,
  type LayoutJobVariant,
  type LayoutProject,
  type LayoutProjectStanza,
  type LayoutSemaphore,
  type ProjectMetadata,
  resolveProjectName,
} from '../../model/layout.js';
import type { Nodeset } from '../../model/nodeset.js';
import type { Queue, Secret } from '../../model/objects.js';
import type { Pipeline } from '../../model/pipeline.js';
import type { ProjectStanza, ProjectTemplate } from '../../model/project-config.js';
import { compileZuulRegex, regexFullMatches } from '../../model/regex.js';
import type { GlobalSemaphore, TenantConfig } from '../../model/tenant.js';
import { stanzaLocationOf } from '../config-file.js';
import { type ConfigPath, makeConfigError, type StanzaLocation } from '../errors.js';
import type { ResolvedProject } from '../tenant-loader.js';
import { ValidationOutcomes, type ValidationReuse } from './reuse.js';

export interface BuildLayoutOptions {
  /** The tenant file's global semaphores (those the tenant lists in `semaphores` are used). */
  globalSemaphores?: ReadonlyMap<string, GlobalSemaphore>;
  /**
   * Checks that a secret a job uses can be decrypted with the using
   * project's key (the keystore plugs in here). Returns the problem, or
   * undefined when it decrypts. Without it, decryption is not checked.
   */
  checkSecretDecrypts?: (secret: Secret, project: LayoutProject) => string | undefined;
  /**
   * Speculative layouts of untrusted changes (semantics §D.11): pipelines,
   * semaphores (tenant and global) and launcher objects come from the
   * running layout; those stanzas of the configuration are ignored and not
   * validated again.
   */
  fixedObjects?: FixedObjects;
  /**
   * Speculative layouts: replay the reference validation of `base` for the
   * objects that do not depend on what changed (see reuse.ts).
   */
  reuse?: ValidationReuse;
}

/** The objects a speculative layout takes from the running layout. */
export type FixedObjects = Pick<
  Layout,
  'pipelines' | 'semaphores' | 'images' | 'flavors' | 'labels' | 'sections' | 'providers'
>;

/** A problem found while building; carries Zuul's error name and the attribute path. */
export class LayoutProblem extends Error {
  constructor(
    message: string,
    readonly errorName: string = 'Unknown',
    readonly path: ConfigPath = [],
  ) {
    super(message);
  }
}

/** The mutable maps the builder fills; frozen into a Layout at the end. */
export interface LayoutMaps {
  pipelines: Map<string, Pipeline>;
  jobs: Map<string, LayoutJobVariant[]>;
  nodesets: Map<string, Nodeset>;
  secrets: Map<string, Secret>;
  semaphores: Map<string, LayoutSemaphore>;
  queues: Map<string, Queue>;
  projectTemplates: Map<string, LayoutProjectStanza<ProjectTemplate>[]>;
  projectConfigs: Map<string, LayoutProjectStanza<ProjectStanza>[]>;
  projectMetadata: Map<
    string,
    { mergeMode?: ProjectMetadata['mergeMode']; defaultBranch?: string; queue?: string }
  >;
  images: Map<string, Image>;
  flavors: Map<string, Flavor>;
  labels: Map<string, Label>;
  sections: Map<string, Section>;
  providers: Map<string, Provider>;
}

/**
 * Work that depends only on a parsed object and the tenant's projects
 * (resolved copies of job variants and project stanzas, or the problem
 * found), kept between builds of the same tenant: a speculative layout
 * reuses it for every project branch it does not change. Parsed objects are
 * never changed, and neither are the copies placed in layouts.
 */
interface BuildMemo {
  readonly results: WeakMap<object, { value: unknown } | { problem: unknown }>;
  /** Regex project name → canonical names of the projects it fully matches. */
  readonly regexTargets: Map<string, string[]>;
}

const memos = new WeakMap<readonly ResolvedProject[], WeakMap<TenantConfig, BuildMemo>>();

function memoFor(tenant: TenantConfig, projects: readonly ResolvedProject[]): BuildMemo {
  let byTenant = memos.get(projects);
  if (!byTenant) {
    byTenant = new WeakMap();
    memos.set(projects, byTenant);
  }
  let memo = byTenant.get(tenant);
  if (!memo) {
    memo = { results: new WeakMap(), regexTargets: new Map() };
    byTenant.set(tenant, memo);
  }
  return memo;
}

export class BuildContext {
  readonly errors: ConfigError[] = [];
  private readonly memo: BuildMemo;
  /** Reference validation outcomes (replayed from a base layout where possible). */
  readonly outcomes: ValidationOutcomes;
  readonly maps: LayoutMaps = {
    pipelines: new Map(),
    jobs: new Map([['noop', [builtinNoopJob()]]]),
    nodesets: new Map(),
    secrets: new Map(),
    semaphores: new Map(),
    queues: new Map(),
    projectTemplates: new Map(),
    projectConfigs: new Map(),
    projectMetadata: new Map(),
    images: new Map(),
    flavors: new Map(),
    labels: new Map(),
    sections: new Map(),
    providers: new Map(),
  };
  /** Projects by canonical name, in tenant order. */
  readonly projects = new Map<string, LayoutProject>();
  /** The loader's view of each project (connection, source), by canonical name. */
  readonly resolved = new Map<string, ResolvedProject>();
  /** Canonical names of the projects each project's jobs yield to (tenant `shadow`). */
  readonly shadows = new Map<string, ReadonlySet<string>>();

  constructor(
    readonly tenant: TenantConfig,
    projects: readonly ResolvedProject[],
    readonly options: BuildLayoutOptions,
  ) {
    this.memo = memoFor(tenant, projects);
    this.outcomes = new ValidationOutcomes(options.reuse);
    for (const p of projects) {
      this.resolved.set(p.canonicalName, p);
      this.projects.set(p.canonicalName, {
        name: p.name,
        canonicalName: p.canonicalName,
        connectionName: p.connection.name,
        config: p.config,
        trusted: p.config.trusted,
        branches: p.branches,
        defaultBranch: p.defaultBranch,
      });
    }
  }

  /** The project a source context belongs to (always present for loaded objects). */
  projectOf(source: SourceContext): LayoutProject {
    const p = this.projects.get(source.projectCanonical);
    if (!p) throw new Error(`project ${source.projectCanonical} is not in the tenant`);
    return p;
  }

  /**
   * Resolves a project name as written (short or canonical). Undefined when
   * unknown; a LayoutProblem when a short name is ambiguous.
   */
  resolveProject(name: string, path: ConfigPath = []): LayoutProject | undefined {
    try {
      return resolveProjectName(this, name);
    } catch (err) {
      throw new LayoutProblem((err as Error).message, 'Unknown', path);
    }
  }

  /** Records an error located at the stanza `obj` was parsed from. */
  errorAt(obj: object, message: string, errorName = 'Unknown', path: ConfigPath = []): void {
    this.errors.push(
      makeConfigError({ message, errorName, severity: 'error', path }, locationOf(obj)),
    );
  }

  /** Records a thrown problem (LayoutProblem or anything else) against `obj`. */
  problemAt(obj: object, err: unknown, prefix: ConfigPath = []): void {
    if (err instanceof LayoutProblem) {
      this.errorAt(obj, err.message, err.errorName, [...prefix, ...err.path]);
    } else {
      this.errorAt(obj, err instanceof Error ? err.message : String(err), 'Unknown', prefix);
    }
  }

  /** Runs `fn`; a problem it throws becomes an error at `obj`. Returns whether it succeeded. */
  attempt(obj: object, fn: () => void, prefix: ConfigPath = []): boolean {
    try {
      fn();
      return true;
    } catch (err) {
      this.problemAt(obj, err, prefix);
      return false;
    }
  }

  /**
   * `compute()` for `obj`, once per tenant and projects: later builds get
   * the same value, or the same problem thrown again. Only for work that
   * depends on nothing but `obj` and the tenant's projects.
   */
  memoized<T>(obj: object, compute: () => T): T {
    const known = this.memo.results.get(obj);
    if (known) {
      if ('problem' in known) throw known.problem;
      return known.value as T;
    }
    try {
      const value = compute();
      this.memo.results.set(obj, { value });
      return value;
    } catch (problem) {
      this.memo.results.set(obj, { problem });
      throw problem;
    }
  }

  /** The projects whose short or canonical name the regex fully matches, in tenant order. */
  projectsMatching(pattern: string): LayoutProject[] {
    let names = this.memo.regexTargets.get(pattern);
    if (!names) {
      const regex = compileZuulRegex(pattern);
      names = [...this.projects.values()]
        .filter((p) => regexFullMatches(regex, p.name) || regexFullMatches(regex, p.canonicalName))
        .map((p) => p.canonicalName);
      this.memo.regexTargets.set(pattern, names);
    }
    return names.map((n) => this.projects.get(n)!);
  }

  /** An error about a project as a whole (tenant settings), not about a file. */
  projectError(project: LayoutProject, message: string, errorName = 'Unknown'): void {
    const source: SourceContext = {
      project: project.name,
      projectCanonical: project.canonicalName,
      connection: project.connectionName,
      branch: '',
      path: '',
      trusted: project.trusted,
    };
    this.errors.push(makeConfigError({ message, errorName, severity: 'error' }, { source }));
  }

  /** Whether a job name is defined in the layout (so far). */
  hasJob(name: string): boolean {
    return this.maps.jobs.has(name);
  }

  /** Throws Zuul's "Job X not defined" for unknown names. */
  requireJob(name: string, path: ConfigPath = []): readonly LayoutJobVariant[] {
    const variants = this.maps.jobs.get(name);
    if (!variants) throw new LayoutProblem(`Job ${name} not defined`, 'Unknown', path);
    return variants;
  }

  toLayout(): Layout {
    const m = this.maps;
    const metadata = new Map<string, ProjectMetadata>();
    for (const [name, md] of m.projectMetadata) {
      const project = this.resolved.get(name)!;
      metadata.set(name, {
        mergeMode: md.mergeMode ?? project.connection.source?.defaultMergeMode ?? 'merge',
        defaultBranch: md.defaultBranch ?? project.defaultBranch,
        ...(md.queue !== undefined ? { queue: md.queue } : {}),
      });
    }
    const layout: Layout = {
      tenant: this.tenant,
      projects: this.projects,
      pipelines: m.pipelines,
      jobs: m.jobs,
      nodesets: m.nodesets,
      secrets: m.secrets,
      semaphores: m.semaphores,
      queues: m.queues,
      projectTemplates: m.projectTemplates,
      projectConfigs: m.projectConfigs,
      projectMetadata: metadata,
      images: m.images,
      flavors: m.flavors,
      labels: m.labels,
      sections: m.sections,
      providers: m.providers,
      errors: this.errors,
    };
    this.outcomes.attach(layout);
    return layout;
  }
}

/** Where an object was written; objects without a recorded stanza fall back to their source. */
export function locationOf(obj: object): StanzaLocation {
  const where = stanzaLocationOf(obj);
  if (where) return where;
  const source = (obj as { sourceContext?: SourceContext }).sourceContext;
  if (!source) throw new Error('object without a source context');
  return { source };
}

/** Whether a job variant is a base job (`parent: null`). */
export function isBaseJob(job: JobVariant): boolean {
  return job.parent === null;
}
