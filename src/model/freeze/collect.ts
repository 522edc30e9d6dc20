// Steps 1 and 2 of freezing a job (semantics §D.8): the override checkouts
// the project-pipeline entries ask for, and the recursive collection of the
// variants to apply, oldest ancestor first.

import type { SourceContext } from '../config-error.js';
import type { JobVariant } from '../job.js';
import {
  builtinNoopJob,
  type Layout,
  type LayoutJobVariant,
  resolveProjectName,
} from '../layout.js';
import { matcherMatchesChange } from './matching.js';
import type { PpcEntry } from './project-pipeline.js';
import { pyRepr, variantRepr } from './repr.js';
import { type FreezeChange, FreezeError } from './types.js';

/** Canonical project name (or null for "every project") → branch or tag to check out. */
export type OverrideCheckouts = Map<string | null, string>;

/** Zuul's built-in `noop` job, for layouts built without it. */
export const NOOP_JOB: LayoutJobVariant = builtinNoopJob();

/** The built-in noop job's source: it belongs to no project. */
export function isBuiltinSource(sc: SourceContext): boolean {
  return sc.projectCanonical === '';
}

/** The variants of a job in definition order (the built-in noop when the layout has none). */
export function jobVariants(layout: Layout, name: string): readonly LayoutJobVariant[] {
  const variants = layout.jobs.get(name);
  if (variants) return variants;
  return name === 'noop' ? [NOOP_JOB] : [];
}

function canonicalProject(layout: Layout, name: string): string | undefined {
  try {
    return resolveProjectName(layout, name)?.canonicalName;
  } catch {
    // An ambiguous short name was reported when the layout was built.
    return undefined;
  }
}

/** Records a stanza's override-checkout and per-project ones into `overrides`. */
export function recordOverrides(
  layout: Layout,
  overrides: OverrideCheckouts,
  variant: JobVariant,
): void {
  if (variant.overrideCheckout) overrides.set(null, variant.overrideCheckout);
  for (const rp of variant.requiredProjects ?? []) {
    if (!rp.overrideCheckout) continue;
    const canonical = canonicalProject(layout, rp.project);
    if (canonical) overrides.set(canonical, rp.overrideCheckout);
  }
}

/** Step 1: the override checkouts of every PPC entry of the job that matches the change. */
export function entryOverrides(
  layout: Layout,
  entries: readonly PpcEntry[],
  change: FreezeChange,
): OverrideCheckouts {
  const overrides: OverrideCheckouts = new Map();
  for (const e of entries) {
    if (e.variant && matcherMatchesChange(e.branchMatcher, change)) {
      recordOverrides(layout, overrides, e.variant);
    }
  }
  return overrides;
}

class NoMatchingParent extends Error {}

interface CollectState {
  layout: Layout;
  change: FreezeChange;
  /** Job names examined; grows only, so a shared ancestor is collected once. */
  path: string[];
  jobs: LayoutJobVariant[];
  debug: string[] | undefined;
}

/**
 * Step 2: every variant to apply for `jobName`, oldest ancestor first, each
 * level's matching variants in definition order with the parent chain
 * inserted before the variant that introduced it. Undefined when some level
 * has no matching variant: the job silently does not run.
 */
export function collectJobVariants(
  layout: Layout,
  jobName: string,
  change: FreezeChange,
  overrides: OverrideCheckouts,
  debug?: string[],
): LayoutJobVariant[] | undefined {
  const state: CollectState = { layout, change, path: [], jobs: [], debug };
  try {
    collect(state, jobName, [], overrides);
  } catch (err) {
    if (err instanceof NoMatchingParent) return undefined;
    throw err;
  }
  return state.jobs;
}

function addDebug(state: CollectState, msg: string, indent: number): void {
  state.debug?.push('  '.repeat(indent) + msg);
}

function collect(
  state: CollectState,
  jobName: string,
  stack: string[],
  overrides: OverrideCheckouts,
): void {
  const { layout, change, path, jobs } = state;
  path.push(jobName);
  const indent = path.length + 1;
  addDebug(state, `Collecting job variants for ${jobName}`, indent);
  // Copied so that what this level records reaches its parents but never
  // the levels below it.
  const local: OverrideCheckouts = new Map(overrides);
  let project: string | undefined;
  let overrideBranch: string | null = null;
  let matched = false;
  for (const lv of jobVariants(layout, jobName)) {
    if (project === undefined) {
      // The override applies to the branches of the job's own project.
      project = lv.projectCanonicalName;
      overrideBranch = overrides.get(project) ?? overrides.get(null) ?? null;
      const branches = layout.projects.get(project)?.branches ?? [];
      if (overrideBranch !== null && !branches.includes(overrideBranch)) overrideBranch = null;
    }
    const repr = state.debug ? variantRepr(lv.variant) : '';
    if (!matcherMatchesChange(lv.branchMatcher, change, overrideBranch)) {
      addDebug(state, `Variant ${repr} did not match`, indent);
      continue;
    }
    addDebug(state, `Variant ${repr} matched`, indent);
    let parent: string | null | undefined = null;
    if (lv.variant.parent !== null) {
      parent = lv.variant.parent;
      // The default parent only for the first variant collected at all.
      if (parent === undefined && jobs.length === 0) parent = layout.tenant.defaultParent;
    }
    recordOverrides(layout, local, lv.variant);
    if (parent && !path.includes(parent)) {
      if (stack.includes(parent)) {
        throw new FreezeError(`Dependency cycle in jobs: ${pyRepr(stack)}`);
      }
      collect(state, parent, [...stack, jobName], local);
    }
    matched = true;
    if (!jobs.includes(lv)) jobs.push(lv);
  }
  if (!matched) {
    addDebug(state, `No matching parents for ${pyRepr(jobName)}`, indent);
    throw new NoMatchingParent();
  }
}
