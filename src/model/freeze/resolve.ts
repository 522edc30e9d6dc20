// Project references in a stanza resolved in the tenant, as Zuul resolves
// them while freezing (the layout builder normally did it already; doing it
// again is cheap and keeps hand-built layouts working).

import type { SourceContext } from '../config-error.js';
import type { IncludeVarsRef, RequiredProjectRef } from '../job.js';
import { type Layout, type LayoutProject, resolveProjectName } from '../layout.js';
import { FreezeError, type FrozenIncludeVars, type FrozenRequiredProject } from './types.js';

function lookup(layout: Layout, name: string): LayoutProject | undefined {
  try {
    return resolveProjectName(layout, name);
  } catch (err) {
    throw new FreezeError((err as Error).message);
  }
}

/** Zuul's "Project Not Found" text for one or several names. */
export function projectNotFound(names: readonly string[]): FreezeError {
  const tail =
    'All projects referenced within a Zuul configuration must first be added to the main configuration file by the Zuul administrator.';
  if (names.length > 1) {
    return new FreezeError(
      `The projects ${names.map((n) => `"${n}"`).join(', ')} were not found.  ${tail}`,
    );
  }
  return new FreezeError(`The project "${names[0]}" was not found.  ${tail}`);
}

export function resolveRequiredProjects(
  layout: Layout,
  refs: readonly RequiredProjectRef[],
): Map<string, FrozenRequiredProject> {
  const out = new Map<string, FrozenRequiredProject>();
  const unknown: string[] = [];
  for (const rp of refs) {
    const project = lookup(layout, rp.project);
    if (!project) {
      unknown.push(rp.project);
      continue;
    }
    out.set(project.canonicalName, {
      projectCanonicalName: project.canonicalName,
      overrideBranch: rp.overrideBranch ?? null,
      overrideCheckout: rp.overrideCheckout ?? null,
    });
  }
  if (unknown.length) throw projectNotFound(unknown);
  return out;
}

export function resolveIncludeVars(
  layout: Layout,
  refs: readonly IncludeVarsRef[],
  sc: SourceContext,
): FrozenIncludeVars[] {
  return refs.map((iv) => {
    let projectCanonicalName: string | null = null;
    if (!iv.zuulProject) {
      const name = iv.project ?? sc.projectCanonical;
      const project = lookup(layout, name);
      if (!project) throw projectNotFound([name]);
      projectCanonicalName = project.canonicalName;
    }
    return { name: iv.name, projectCanonicalName, required: iv.required, useRef: iv.useRef };
  });
}

export function sameIncludeVars(a: FrozenIncludeVars, b: FrozenIncludeVars): boolean {
  return (
    a.name === b.name &&
    a.projectCanonicalName === b.projectCanonicalName &&
    a.required === b.required &&
    a.useRef === b.useRef
  );
}

/**
 * allowed-projects as short names: Zuul compares unqualified names, so a
 * project on another connection with the same name is allowed too.
 */
export function resolveAllowedProjects(
  layout: Layout,
  names: readonly string[],
  sc: SourceContext,
): Set<string> {
  const out = new Set<string>();
  for (const name of names) {
    // The defining project (set automatically for secrets) needs no lookup.
    if (name === sc.project) {
      out.add(name);
      continue;
    }
    const project = lookup(layout, name);
    if (!project) throw projectNotFound([name]);
    out.add(project.name);
  }
  return out;
}
