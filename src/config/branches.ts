// Which branches of a project a tenant loads (semantics §D.1 step 1).

import { compileZuulRegex, regexFullMatches } from '../model/regex.js';
import type { TenantProjectConfig } from '../model/tenant.js';

/** Alphabetical, with the default branch moved to the front. */
export function sortBranches(branches: readonly string[], defaultBranch: string): string[] {
  const sorted = [...branches].sort();
  const i = sorted.indexOf(defaultBranch);
  if (i > 0) {
    sorted.splice(i, 1);
    sorted.unshift(defaultBranch);
  }
  return sorted;
}

function fullMatchesAny(patterns: readonly string[] | undefined, branch: string): boolean {
  return (patterns ?? []).some((p) => regexFullMatches(compileZuulRegex(p), branch));
}

/**
 * Splits branches into those loaded statically and the always-dynamic ones,
 * whose config only exists in speculative layouts. Otherwise
 * `include-branches` wins over `exclude-branches`.
 */
export function staticBranches(
  sorted: readonly string[],
  project: TenantProjectConfig,
): { branches: string[]; dynamicBranches: string[] } {
  const branches: string[] = [];
  const dynamicBranches: string[] = [];
  for (const branch of sorted) {
    if (fullMatchesAny(project.alwaysDynamicBranches, branch)) {
      dynamicBranches.push(branch);
    } else if (project.includeBranches) {
      if (fullMatchesAny(project.includeBranches, branch)) branches.push(branch);
    } else if (!fullMatchesAny(project.excludeBranches, branch)) {
      branches.push(branch);
    }
  }
  return { branches, dynamicBranches };
}
