// Job variants in a layout: the checks made when one is added (inline
// nodeset labels, project references), same-name variants from the same
// project vs. shadowing across projects, and the reference validation made
// once every job, nodeset, secret and launcher object is known.

import type { JobVariant } from '../../model/job.js';
import type { LayoutJobVariant, LayoutProject } from '../../model/layout.js';
import type { ConfigPath } from '../errors.js';
import { type BuildContext, LayoutProblem } from './context.js';
import { jobBranchMatcher } from './matchers.js';
import { checkAllowedLabels, checkLabelsExist, flattenAlternatives } from './nodesets.js';
import { resolveVariant } from './resolve.js';
import { variantClean } from './reuse.js';

/**
 * Zuul's `_checkAddJob`, for top-level variants and for the job entries of
 * project and template stanzas: inline nodeset labels, then the project
 * names it mentions. Returns the resolved copy. (Timeouts and base jobs are
 * checked by the tenant rules when the stanza is loaded.)
 */
export function checkAddJob(
  ctx: BuildContext,
  job: JobVariant,
  definer: LayoutProject,
  prefix: ConfigPath,
  topLevel: boolean,
): JobVariant {
  if (job.nodeset !== undefined && typeof job.nodeset !== 'string') {
    checkAllowedLabels(ctx, job.nodeset, [...prefix, 'nodeset']);
  }
  return resolveVariant(ctx, job, definer, prefix, topLevel ? definer : undefined);
}

/** The canonical names a project's jobs yield to; unknown names are reported once. */
export function resolveShadows(ctx: BuildContext): void {
  for (const project of ctx.projects.values()) {
    const names = project.config.shadow;
    if (!names.length) continue;
    const resolved: string[] = [];
    const unknown: string[] = [];
    for (const name of names) {
      let p: LayoutProject | undefined;
      try {
        p = ctx.resolveProject(name);
      } catch (err) {
        ctx.projectError(project, (err as Error).message);
        unknown.push(name);
        continue;
      }
      if (p) resolved.push(p.canonicalName);
      else unknown.push(name);
    }
    if (unknown.length) {
      ctx.projectError(
        project,
        `The project "${unknown[0]}" was not found.  All projects referenced within a Zuul configuration must first be added to the main configuration file by the Zuul administrator.`,
        'Project Not Found',
      );
    }
    ctx.shadows.set(project.canonicalName, new Set([...resolved, ...unknown]));
  }
}

/** Adds a top-level job stanza, or records why it cannot be added. */
export function addJob(ctx: BuildContext, job: JobVariant): void {
  const definer = ctx.projectOf(job.sourceContext);
  ctx.attempt(job, () => {
    const variant = ctx.memoized(job, () => checkAddJob(ctx, job, definer, [], true));
    const prior = ctx.maps.jobs.get(job.name);
    if (prior?.length) {
      const first = prior[0]!;
      if (first.builtin) {
        // Zuul fails with an internal error here; say what is wrong instead.
        throw new LayoutProblem(
          `Job ${job.name} in ${definer.name} is not permitted to shadow the built-in job ${job.name}`,
        );
      }
      if (first.projectCanonicalName !== definer.canonicalName) {
        // A project listed in this project's `shadow` wins silently.
        if (ctx.shadows.get(definer.canonicalName)?.has(first.projectCanonicalName)) return;
        throw new LayoutProblem(
          `Job ${job.name} in ${definer.name} is not permitted to shadow job ${job.name} in ${first.variant.sourceContext.project}`,
        );
      }
    }
    const placed: LayoutJobVariant = {
      variant,
      projectCanonicalName: definer.canonicalName,
    };
    const matcher = jobBranchMatcher(job, definer);
    if (matcher) placed.branchMatcher = matcher;
    if (job.secrets?.length && !definer.trusted) placed.untrustedSecrets = true;
    if (prior) prior.push(placed);
    else ctx.maps.jobs.set(job.name, [placed]);
  });
}

function playbookCount(job: JobVariant): number {
  return (
    (job.preRun?.length ?? 0) +
    (job.run?.length ?? 0) +
    (job.postRun?.length ?? 0) +
    (job.cleanupRun?.length ?? 0)
  );
}

function validateParent(ctx: BuildContext, job: JobVariant, projectCanonical: string): void {
  if (typeof job.parent !== 'string') return;
  const parents = ctx.requireJob(job.parent, ['parent']);
  // Only fail when no variant of the parent could possibly work; the rest
  // is decided when freezing, when the matching variants are known.
  const all = (test: (v: JobVariant) => boolean) => parents.every((p) => test(p.variant));
  const prefix = `The parent of job "${job.name}", "${job.parent}"`;
  if (all((v) => v.final === true)) {
    throw new LayoutProblem(`${prefix} is final and can not act as a parent`, 'Unknown', [
      'parent',
    ]);
  }
  if (all((v) => v.intermediate === true) && !job.abstract) {
    throw new LayoutProblem(
      `${prefix} is intermediate but "${job.name}" is not abstract`,
      'Unknown',
      ['parent'],
    );
  }
  if (all((v) => v.protected === true) && parents[0]!.projectCanonicalName !== projectCanonical) {
    throw new LayoutProblem(`${prefix} is a protected job in a different project`, 'Unknown', [
      'parent',
    ]);
  }
}

function validateNodesetRef(ctx: BuildContext, job: JobVariant): void {
  if (job.nodeset === undefined) return;
  const alternatives = flattenAlternatives(ctx, job.nodeset, ['nodeset']);
  const max = ctx.tenant.maxNodesPerJob;
  for (const ns of alternatives) {
    if (max !== -1 && ns.nodes.length > max) {
      throw new LayoutProblem(
        `The job "${job.name}" exceeds tenant max-nodes-per-job ${max}.`,
        'Unknown',
        ['nodeset'],
      );
    }
  }
  checkLabelsExist(ctx, alternatives, ['nodeset']);
}

function validateSecrets(ctx: BuildContext, job: JobVariant, user: LayoutProject): void {
  // Zuul checks secrets through the stanza's playbooks, so a stanza without
  // playbooks has its secrets checked by no one.
  if (!job.secrets?.length || playbookCount(job) === 0) return;
  for (const ref of job.secrets) {
    const secret = ctx.maps.secrets.get(ref.secret);
    if (!secret) {
      throw new LayoutProblem(`The secret "${ref.secret}" was not found.`, 'Unknown', ['secrets']);
    }
    if (secret.sourceContext.projectCanonical !== user.canonicalName) {
      throw new LayoutProblem(
        `Unable to use secret ${ref.secret}.  Secrets must be defined in the same project in which they are used`,
        'Unknown',
        ['secrets'],
      );
    }
    const problem = ctx.options.checkSecretDecrypts?.(secret, user);
    if (problem !== undefined) throw new LayoutProblem(problem, 'Unknown', ['secrets']);
  }
}

/**
 * Zuul's `Job.validateReferences`: parent, nodeset (every alternative,
 * max-nodes-per-job, labels), dependencies, secrets, and (Zuul 14) the
 * image an image-build job names. `user` is the project of the stanza.
 */
export function validateJobReferences(
  ctx: BuildContext,
  job: JobVariant,
  user: LayoutProject,
): void {
  validateParent(ctx, job, user.canonicalName);
  validateNodesetRef(ctx, job);
  for (const dep of job.dependencies ?? []) ctx.requireJob(dep.name, ['dependencies']);
  validateSecrets(ctx, job, user);
  if (job.imageName !== undefined && !ctx.maps.images.has(job.imageName)) {
    throw new LayoutProblem(
      `The job "${job.name}" references an unknown image "${job.imageName}"`,
      'Unknown',
      ['image-name'],
    );
  }
}

/** Validates every job variant of the layout; a failing variant is reported and kept, as in Zuul. */
export function validateJobs(ctx: BuildContext): void {
  for (const variants of ctx.maps.jobs.values()) {
    for (const lv of variants) {
      if (lv.builtin) continue;
      const user = ctx.projects.get(lv.projectCanonicalName)!;
      ctx.attempt(lv.variant, () =>
        ctx.outcomes.check(lv.variant, variantClean, () =>
          validateJobReferences(ctx, lv.variant, user),
        ),
      );
    }
  }
}
