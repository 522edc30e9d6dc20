// Branch matchers of stanzas in a layout (semantics §D.5, Zuul 14 nuance):
// an explicit `branches` always wins; otherwise whether a matcher is implied
// depends on the file's pragma, the tenant's per-project setting (job
// stanzas only), the defining project's trust and its number of branches.

import type { SourceContext } from '../../model/config-error.js';
import type { JobVariant } from '../../model/job.js';
import type { BranchMatcher, LayoutProject } from '../../model/layout.js';
import type { ProjectStanza, ProjectTemplate } from '../../model/project-config.js';
import type { ZuulRegex } from '../../model/regex.js';

/** What is known about the file a stanza came from. */
interface StanzaOrigin {
  sourceContext: SourceContext;
  pragmaImpliedBranchMatchers?: boolean;
  pragmaImpliedBranches?: ZuulRegex[];
}

function explicit(regexes: readonly ZuulRegex[] | undefined): BranchMatcher | undefined {
  return regexes ? { kind: 'regex', regexes, implied: false } : undefined;
}

/**
 * The implied matcher itself: the pragma's `implied-branches` (start-anchored
 * regexes) when given, else an exact comparison with the file's branch.
 */
function impliedMatcher(origin: StanzaOrigin): BranchMatcher {
  if (origin.pragmaImpliedBranches) {
    return { kind: 'regex', regexes: origin.pragmaImpliedBranches, implied: true };
  }
  return { kind: 'exact', branch: origin.sourceContext.branch };
}

/**
 * The heuristic: pragma, then (jobs only) the tenant's per-project
 * `implied-branch-matchers`, then none for config projects, then (jobs
 * only) implied for projects with always-dynamic-branches, then none for
 * projects with a single branch, else implied.
 */
function heuristic(
  origin: StanzaOrigin,
  project: LayoutProject,
  useTenantSetting: boolean,
): BranchMatcher | undefined {
  const forced =
    origin.pragmaImpliedBranchMatchers ??
    (useTenantSetting ? project.config.impliedBranchMatchers : undefined);
  if (forced === true) return impliedMatcher(origin);
  if (forced === false) return undefined;
  if (project.trusted) return undefined;
  // Jobs only (Zuul 14 Job.getBranchMatcher): a project with
  // always-dynamic-branches is no shared job library, whatever its number
  // of static branches.
  if (useTenantSetting && project.config.alwaysDynamicBranches?.length) {
    return impliedMatcher(origin);
  }
  if (project.branches.length === 1) return undefined;
  return impliedMatcher(origin);
}

/** A top-level job stanza's matcher; `project` is the defining project. */
export function jobBranchMatcher(
  job: JobVariant,
  project: LayoutProject,
): BranchMatcher | undefined {
  return explicit(job.branches) ?? heuristic(job, project, true);
}

/** A project-template stanza's matcher (no tenant setting, per Zuul 14). */
export function templateBranchMatcher(
  template: ProjectTemplate,
  project: LayoutProject,
): BranchMatcher | undefined {
  return heuristic(template, project, false);
}

/**
 * A project stanza's matcher. A stanza for the project holding it is
 * always exact for untrusted projects and never for config projects
 * (pragmas ignored); stanzas for other projects and regex stanzas use the
 * heuristic.
 */
export function projectBranchMatcher(
  stanza: ProjectStanza,
  definer: LayoutProject,
  target: LayoutProject,
): BranchMatcher | undefined {
  // Unlike jobs, an empty `branches: []` on a project counts as absent.
  if (stanza.branches?.length) return explicit(stanza.branches);
  if (!stanza.isRegex && target === definer) {
    return definer.trusted ? undefined : { kind: 'exact', branch: stanza.sourceContext.branch };
  }
  return heuristic(stanza, definer, false);
}
