// A tenant's layout: every configuration object of the tenant, validated
// and indexed, as the layout builder (config/layout/) produces it and as
// freezing (model/freeze/) reads it. Pure data.

import type { ConfigError } from './config-error.js';
import type { JobVariant } from './job.js';
import type { Flavor, Image, Label, Provider, Section } from './launcher-objects.js';
import type { Nodeset } from './nodeset.js';
import type { Queue, Secret, Semaphore } from './objects.js';
import type { Pipeline } from './pipeline.js';
import type { MergeModeName, ProjectStanza, ProjectTemplate } from './project-config.js';
import { regexMatches, type ZuulRegex } from './regex.js';
import type { GlobalSemaphore, TenantConfig, TenantProjectConfig } from './tenant.js';

/**
 * Which branches a variant or stanza applies to. Explicit `branches` and
 * pragma `implied-branches` are start-anchored regexes; an implied matcher
 * without a pragma is an exact comparison with the branch the file came
 * from (semantics §D.5).
 */
export type BranchMatcher =
  | { kind: 'regex'; regexes: readonly ZuulRegex[]; implied: boolean }
  | { kind: 'exact'; branch: string };

/** Whether a matcher accepts a branch (undefined matcher: every branch). */
export function branchMatches(matcher: BranchMatcher | undefined, branch: string): boolean {
  if (!matcher) return true;
  if (matcher.kind === 'exact') return matcher.branch === branch;
  return matcher.regexes.some((r) => regexMatches(r, branch));
}

/** A project of the tenant, as the layout knows it. */
export interface LayoutProject {
  /** Short name, e.g. `org/project`. */
  name: string;
  /** `<canonical hostname>/<name>`. */
  canonicalName: string;
  connectionName: string;
  /** The tenant file's settings for it. */
  config: TenantProjectConfig;
  trusted: boolean;
  /** Branches loaded statically, default branch first. */
  branches: readonly string[];
  defaultBranch: string;
}

/**
 * A job variant placed in a layout, with its effective branch matcher.
 *
 * `variant` is the layout's own copy of the parsed stanza (parsed objects are
 * shared between tenants and never changed), with project names resolved in
 * this tenant: `requiredProjects[].project`, `includeVars[].project` and
 * `roles[].project` are canonical names (include-vars without a project get
 * the defining project unless `zuulProject`; roles whose project is not in
 * the tenant are dropped, as Zuul does), `allowedProjects` are short names
 * (Zuul compares unqualified names), and the implicit role of the defining
 * project comes first in `roles` (`implicit: true`, named as Zuul names it).
 * Project-pipeline variants inside LayoutProjectStanza are resolved the same
 * way, without the implicit role.
 */
export interface LayoutJobVariant {
  variant: JobVariant;
  /** Canonical name of the project that defined it. */
  projectCanonicalName: string;
  /** Undefined: applies to every branch. */
  branchMatcher?: BranchMatcher;
  /**
   * The stanza uses secrets and comes from an untrusted project. Zuul's rule
   * when freezing: applying such a variant while the job is not yet
   * post-review makes it post-review and intersects its allowed-projects
   * with [the defining project's short name]; a job that is already
   * post-review at that point is left alone.
   */
  untrustedSecrets?: boolean;
  /** Zuul's built-in `noop` job (no project, no file). */
  builtin?: boolean;
}

/**
 * Zuul's built-in `noop` job: present in every layout, a base job that
 * always succeeds (its `noop.yaml` playbook is never looked up in a
 * repository). It has no source: its source context is empty and untrusted.
 */
export function builtinNoopJob(): LayoutJobVariant {
  return {
    variant: {
      name: 'noop',
      sourceContext: {
        project: '',
        projectCanonical: '',
        connection: '',
        branch: '',
        path: '',
        trusted: false,
      },
      parent: null,
      description: 'A job that will always succeed, no operation.',
      deduplicate: true,
      run: [{ path: 'noop.yaml', semaphores: [], cleanup: false }],
      overrideControl: {},
    },
    projectCanonicalName: '',
    builtin: true,
  };
}

/** A project or template stanza placed in a layout (a resolved copy, see LayoutJobVariant). */
export interface LayoutProjectStanza<T extends ProjectStanza | ProjectTemplate> {
  stanza: T;
  projectCanonicalName: string;
  branchMatcher?: BranchMatcher;
}

/** A tenant semaphore, or a global one (tenant file) granted to the tenant. */
export type LayoutSemaphore = Semaphore | (GlobalSemaphore & { global: true });

/**
 * Values for a project that come from the first stanza that sets them. As in
 * Zuul, only projects with at least one project stanza have metadata; the
 * unset values are filled from the source (driver merge mode, default branch).
 */
export interface ProjectMetadata {
  mergeMode: MergeModeName | 'merge-recursive' | 'merge-ort';
  defaultBranch: string;
  queue?: string;
}

export interface Layout {
  tenant: TenantConfig;
  /** Projects by canonical name, in tenant order. */
  projects: ReadonlyMap<string, LayoutProject>;
  pipelines: ReadonlyMap<string, Pipeline>;
  /** Job name → variants in definition order. */
  jobs: ReadonlyMap<string, readonly LayoutJobVariant[]>;
  nodesets: ReadonlyMap<string, Nodeset>;
  secrets: ReadonlyMap<string, Secret>;
  /** Tenant semaphores and the global semaphores the tenant may use. */
  semaphores: ReadonlyMap<string, LayoutSemaphore>;
  queues: ReadonlyMap<string, Queue>;
  /** Template name → definitions (one per branch of its project) in definition order. */
  projectTemplates: ReadonlyMap<string, readonly LayoutProjectStanza<ProjectTemplate>[]>;
  /**
   * Project canonical name → the stanzas configuring it, in definition
   * order: explicitly named stanzas first, then regex stanzas.
   */
  projectConfigs: ReadonlyMap<string, readonly LayoutProjectStanza<ProjectStanza>[]>;
  projectMetadata: ReadonlyMap<string, ProjectMetadata>;
  images: ReadonlyMap<string, Image>;
  flavors: ReadonlyMap<string, Flavor>;
  labels: ReadonlyMap<string, Label>;
  sections: ReadonlyMap<string, Section>;
  providers: ReadonlyMap<string, Provider>;
  /** Every error and warning found while loading and building, in order. */
  errors: readonly ConfigError[];
}

/**
 * Resolves a project name as written in configuration: canonical
 * (`host/org/repo`) or short (`org/repo`). Undefined when unknown; throws
 * when a short name is ambiguous (two hostnames), as Zuul does.
 */
export function resolveProjectName(
  layout: Pick<Layout, 'projects'>,
  name: string,
): LayoutProject | undefined {
  const direct = layout.projects.get(name);
  if (direct) return direct;
  const matches = shortNameIndex(layout.projects).get(name) ?? [];
  if (matches.length > 1) {
    throw new Error(
      `Project name "${name}" is ambiguous, please fully qualify the project with a hostname. Valid hostnames are: ${matches.map((m) => m.canonicalName.slice(0, -name.length - 1)).join(', ')}`,
    );
  }
  return matches[0];
}

// Short name → projects, built once per projects map: names are resolved for
// every reference of every job, so a scan per lookup would be quadratic.
const shortNames = new WeakMap<ReadonlyMap<string, LayoutProject>, Map<string, LayoutProject[]>>();

function shortNameIndex(
  projects: ReadonlyMap<string, LayoutProject>,
): Map<string, LayoutProject[]> {
  let index = shortNames.get(projects);
  if (!index) {
    index = new Map();
    for (const p of projects.values()) {
      const list = index.get(p.name);
      if (list) list.push(p);
      else index.set(p.name, [p]);
    }
    shortNames.set(projects, index);
  }
  return index;
}
