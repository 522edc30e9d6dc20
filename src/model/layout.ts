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
import type { TenantConfig, TenantProjectConfig } from './tenant.js';

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

/** A job variant placed in a layout, with its effective branch matcher. */
export interface LayoutJobVariant {
  variant: JobVariant;
  /** Canonical name of the project that defined it. */
  projectCanonicalName: string;
  /** Undefined: applies to every branch. */
  branchMatcher?: BranchMatcher;
}

/** A project or template stanza placed in a layout. */
export interface LayoutProjectStanza<T extends ProjectStanza | ProjectTemplate> {
  stanza: T;
  projectCanonicalName: string;
  branchMatcher?: BranchMatcher;
}

/** Values for a project that come from the first stanza that sets them. */
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
  semaphores: ReadonlyMap<string, Semaphore>;
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
  const matches = [...layout.projects.values()].filter((p) => p.name === name);
  if (matches.length > 1) {
    throw new Error(
      `Project name "${name}" is ambiguous, please fully qualify the project with a hostname. Valid hostnames are: ${matches.map((m) => m.canonicalName.slice(0, -name.length - 1)).join(', ')}`,
    );
  }
  return matches[0];
}
