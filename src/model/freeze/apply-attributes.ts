// applyVariant for mapping- and list-valued attributes: variables,
// include-vars, required/allowed projects, semaphores, failure-output,
// include/exclude-projects and the context attributes.

import type { ProjectFilter } from '../job.js';
import type { Layout } from '../layout.js';
import type { ZuulRegex } from '../regex.js';
import { finalControl, overrides } from './apply-controls.js';
import { pyRepr } from './repr.js';
import {
  resolveAllowedProjects,
  resolveIncludeVars,
  resolveRequiredProjects,
  sameIncludeVars,
} from './resolve.js';
import { type AppliedVariant, FreezeError, type FrozenJob } from './types.js';
import { deepMerge, hasEntries } from './vars.js';

export function applyVariables(frozen: FrozenJob, av: AppliedVariant): void {
  const v = av.variant;
  const families = [
    ['vars', 'vars'],
    ['extra-vars', 'extraVars'],
    ['host-vars', 'hostVars'],
    ['group-vars', 'groupVars'],
  ] as const;
  for (const [yaml, key] of families) {
    const value = v[key] as Record<string, unknown> | undefined;
    finalControl(frozen, av, yaml, value, hasEntries(value));
    // `vars: !override {}` clears: override control counts even without content.
    const next = overrides(v, yaml, false)
      ? (value ?? {})
      : deepMerge(frozen[key] as Record<string, unknown>, value ?? {});
    (frozen as unknown as Record<string, unknown>)[key] = next;
  }
}

function filterKey(f: ProjectFilter): string {
  return f.type === 'name' ? `name:${f.name}` : f.type;
}

export function applyProjectLists(layout: Layout, frozen: FrozenJob, av: AppliedVariant): void {
  const v = av.variant;
  const sc = v.sourceContext;
  if (v.includeVars?.length) {
    finalControl(frozen, av, 'include-vars', v.includeVars, true);
    const resolved = resolveIncludeVars(layout, v.includeVars, sc);
    if (overrides(v, 'include-vars', false)) frozen.includeVars = resolved;
    else {
      const next = [...frozen.includeVars];
      for (const iv of resolved) if (!next.some((x) => sameIncludeVars(x, iv))) next.push(iv);
      frozen.includeVars = next;
    }
  }
  if (v.requiredProjects !== undefined) {
    finalControl(frozen, av, 'required-projects', v.requiredProjects, true);
    const next = overrides(v, 'required-projects', false)
      ? new Map()
      : new Map(frozen.requiredProjects);
    for (const [k, rp] of resolveRequiredProjects(layout, v.requiredProjects)) next.set(k, rp);
    frozen.requiredProjects = next;
  }
  if (v.allowedProjects?.length) {
    const other = resolveAllowedProjects(layout, v.allowedProjects, sc);
    frozen.allowedProjects = frozen.allowedProjects
      ? new Set([...frozen.allowedProjects].filter((p) => other.has(p)))
      : other;
  }
  if (v.semaphores?.length) {
    // Union, sorted by name so jobs acquire them in one order (no deadlock).
    const all = [...frozen.semaphores];
    for (const s of v.semaphores) {
      if (!all.some((x) => x.name === s.name && x.resourcesFirst === s.resourcesFirst)) all.push(s);
    }
    frozen.semaphores = all.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
  if (v.failureOutput !== undefined) {
    finalControl(frozen, av, 'failure-output', v.failureOutput, true);
    const next = overrides(v, 'failure-output', false)
      ? [...new Set(v.failureOutput)]
      : [...new Set([...frozen.failureOutput, ...v.failureOutput])];
    frozen.failureOutput = next.sort();
  }
  for (const [yaml, key] of [
    ['include-projects', 'includeProjects'],
    ['exclude-projects', 'excludeProjects'],
  ] as const) {
    const value = v[key];
    if (value === undefined) continue;
    finalControl(frozen, av, yaml, value, true);
    const base = overrides(v, yaml, false) ? [] : (frozen[key] ?? []);
    const seen = new Set(base.map(filterKey));
    frozen[key] = [...base, ...value.filter((f) => !seen.has(filterKey(f)))];
  }
}

/** A semaphore may guard the whole job or single playbooks, not both. */
export function checkSemaphores(frozen: FrozenJob): void {
  const pbSemaphores = new Set<string>();
  for (const pb of [...frozen.run, ...frozen.preRun, ...frozen.postRun, ...frozen.cleanupRun]) {
    for (const s of pb.semaphores) pbSemaphores.add(s.name);
  }
  const common = [...new Set(frozen.semaphores.map((s) => s.name))].filter((n) =>
    pbSemaphores.has(n),
  );
  if (common.length) {
    throw new FreezeError(
      `Semaphores ${pyRepr(new Set(common))} specified as both job and playbook semaphores but may only be used for one`,
    );
  }
}

function unionRegexes(a: readonly ZuulRegex[] | null, b: readonly ZuulRegex[]): ZuulRegex[] {
  const out = [...(a ?? [])];
  for (const r of b) {
    if (!out.some((x) => x.pattern === r.pattern && x.negate === r.negate)) out.push(r);
  }
  return out.sort((x, y) => (x.pattern < y.pattern ? -1 : x.pattern > y.pattern ? 1 : 0));
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])];
}

/**
 * Context attributes change whether and how a job is reported, not how it
 * runs, so even final jobs accept them (unless attribute-control says no).
 */
export function applyContextAttributes(frozen: FrozenJob, av: AppliedVariant): void {
  const v = av.variant;
  if (v.voting !== undefined) frozen.voting = v.voting;
  if (v.holdFollowingChanges !== undefined) frozen.holdFollowingChanges = v.holdFollowingChanges;
  if (v.failureMessage !== undefined) frozen.failureMessage = v.failureMessage;
  if (v.successMessage !== undefined) frozen.successMessage = v.successMessage;
  for (const [yaml, key] of [
    ['files', 'files'],
    ['irrelevant-files', 'irrelevantFiles'],
  ] as const) {
    const value = v[key];
    if (value === undefined) continue;
    finalControl(
      frozen,
      av,
      yaml,
      value.map((r) => r.pattern),
      true,
    );
    frozen[key] = overrides(v, yaml, true) ? [...value] : unionRegexes(frozen[key], value);
  }
  if (v.matchOnConfigUpdates !== undefined) frozen.matchOnConfigUpdates = v.matchOnConfigUpdates;
  if (v.deduplicate !== undefined) frozen.deduplicate = v.deduplicate;
  for (const key of ['tags', 'provides', 'requires'] as const) {
    const value = v[key];
    // Empty lists are ignored, as Zuul's parser never sets them.
    if (!value?.length) continue;
    finalControl(frozen, av, key, value, true);
    frozen[key] = overrides(v, key, false) ? [...new Set(value)] : union(frozen[key], value);
  }
  if (v.dependencies !== undefined) {
    finalControl(
      frozen,
      av,
      'dependencies',
      v.dependencies.map((d) => d.name),
      true,
    );
    if (overrides(v, 'dependencies', true)) frozen.dependencies = [...v.dependencies];
    else {
      const next = [...frozen.dependencies];
      for (const d of v.dependencies) {
        if (!next.some((x) => x.name === d.name && x.soft === d.soft)) next.push(d);
      }
      frozen.dependencies = next;
    }
  }
}
