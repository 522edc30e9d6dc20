// Freezing one job for one change (semantics §D.8 steps 1–8): collect the
// variants, start from the base job, apply every variant, the project's
// variables and the project-pipeline entries, then record file matching
// and the errors to raise if the job ends up running.

import type { Layout, LayoutJobVariant } from '../layout.js';
import { applyVariant } from './apply-variant.js';
import { collectJobVariants, entryOverrides } from './collect.js';
import { changeMatchesFiles, changeTouchesJobFiles, matcherMatchesChange } from './matching.js';
import {
  emptyNodeset,
  flattenNodeset,
  freezePlaybooks,
  isTrusted,
  stanzaSecrets,
  variantRoles,
} from './playbooks.js';
import type { Ppc, PpcEntry } from './project-pipeline.js';
import { variantRepr } from './repr.js';
import { resolveAllowedProjects, resolveIncludeVars, resolveRequiredProjects } from './resolve.js';
import {
  type AppliedVariant,
  type FreezeChange,
  FreezeError,
  type FreezePipeline,
  type FrozenJob,
} from './types.js';
import { deepMerge } from './vars.js';

/** The scheduler's default Ansible version in Zuul 14. */
export const DEFAULT_ANSIBLE_VERSION = '9';

export interface FreezeOptions {
  /** Do not evaluate file matchers (the web API's freeze endpoints do this). */
  skipFileMatcher?: boolean;
  /**
   * match-on-config-updates (§D.8 step 9): whether the item changes this
   * job's definition, playbooks or include-vars files, in which case its
   * file matchers are ignored. Comparing against the layout without the
   * item's changes needs more than one layout, so the caller answers;
   * without an answer, only changes to the job's own playbook and
   * include-vars files count (checked here).
   */
  updatesJobConfig?: (job: FrozenJob, change: FreezeChange) => boolean;
  /** Image-build events: only jobs building these images run. */
  imageNames?: readonly string[];
  /** Ansible version when neither the job nor the tenant sets one. */
  defaultAnsibleVersion?: string;
}

export type FreezeJobOutcome =
  | { status: 'frozen'; job: FrozenJob }
  | {
      status: 'not-run';
      reason: 'no-matching-variant' | 'no-matching-pipeline-variant' | 'image';
    };

/** A job stanza from the layout, as applyVariant takes it. */
export function layoutVariant(layout: Layout, lv: LayoutJobVariant): AppliedVariant {
  return {
    variant: lv.variant,
    projectCanonicalName: lv.projectCanonicalName,
    projectPipeline: false,
    untrustedSecrets:
      lv.untrustedSecrets ??
      ((lv.variant.secrets?.length ?? 0) > 0 && !isTrusted(layout, lv.variant.sourceContext)),
  };
}

/** A project-pipeline entry (a bare name applies an empty variant). */
export function entryVariant(layout: Layout, entry: PpcEntry): AppliedVariant {
  const variant = entry.variant ?? {
    name: entry.name,
    sourceContext: entry.sourceContext,
    line: entry.line,
    overrideControl: {},
  };
  return {
    variant,
    projectCanonicalName: entry.projectCanonicalName,
    projectPipeline: true,
    untrustedSecrets:
      (variant.secrets?.length ?? 0) > 0 && !isTrusted(layout, variant.sourceContext),
  };
}

/** The frozen job as the base (first collected) variant defines it. */
export function baseJob(layout: Layout, av: AppliedVariant, ref: string): FrozenJob {
  const v = av.variant;
  const sc = v.sourceContext;
  const frozen: FrozenJob = {
    name: v.name,
    ref,
    otherRefs: [],
    sourceContext: sc,
    parent: v.parent ?? null,
    description: v.description ?? null,
    abstract: v.abstract ?? false,
    final: v.final ?? false,
    intermediate: v.intermediate ?? false,
    // As in Zuul, only a later stanza records the protected origin.
    protectedOrigin: null,
    voting: v.voting ?? true,
    holdFollowingChanges: v.holdFollowingChanges ?? false,
    successMessage: v.successMessage ?? null,
    failureMessage: v.failureMessage ?? null,
    files: v.files ? [...v.files] : null,
    irrelevantFiles: v.irrelevantFiles ? [...v.irrelevantFiles] : null,
    matchOnConfigUpdates: v.matchOnConfigUpdates ?? true,
    deduplicate: v.deduplicate ?? 'auto',
    tags: [...new Set(v.tags ?? [])],
    provides: [...new Set(v.provides ?? [])],
    requires: [...new Set(v.requires ?? [])],
    dependencies: [...(v.dependencies ?? [])],
    ignoreAllowedProjects: false,
    preTimeout: v.preTimeout ?? null,
    timeout: v.timeout ?? null,
    postTimeout: v.postTimeout ?? null,
    vars: v.vars ?? {},
    extraVars: v.extraVars ?? {},
    hostVars: v.hostVars ?? {},
    groupVars: v.groupVars ?? {},
    includeVars: resolveIncludeVars(layout, v.includeVars ?? [], sc),
    nodeset: v.nodeset ?? emptyNodeset(),
    preRun: [],
    run: [],
    postRun: [],
    cleanupRun: [],
    ansibleSplitStreams: v.ansibleSplitStreams ?? null,
    ansibleVersion: v.ansibleVersion ?? null,
    semaphores: [...(v.semaphores ?? [])].sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    ),
    attempts: v.attempts ?? 3,
    roles: variantRoles(layout, av),
    requiredProjects: resolveRequiredProjects(layout, v.requiredProjects ?? []),
    allowedProjects: v.allowedProjects?.length
      ? resolveAllowedProjects(layout, v.allowedProjects, sc)
      : null,
    overrideBranch: v.overrideBranch ?? null,
    overrideCheckout: v.overrideCheckout ?? null,
    postReview: v.postReview ?? false,
    workspaceScheme: v.workspaceScheme ?? 'golang',
    workspaceCheckout: v.workspaceCheckout ?? true,
    failureOutput: [...new Set(v.failureOutput ?? [])].sort(),
    imageBuildName: v.imageName ?? null,
    type: v.type ?? 'regular',
    includeProjects: v.includeProjects ? [...v.includeProjects] : null,
    excludeProjects: v.excludeProjects ? [...v.excludeProjects] : null,
    finalControl: new Set(
      Object.entries(v.attributeControl ?? {})
        .filter(([, c]) => c.final)
        .map(([attr]) => attr),
    ),
    inheritancePath: [],
    nodesetAlternatives: [],
    baseVariant: v,
    matchesChange: true,
    pendingError: null,
  };
  if (!frozen.postReview && av.untrustedSecrets) {
    frozen.postReview = true;
    frozen.allowedProjects = new Set([
      layout.projects.get(sc.projectCanonical)?.name ?? sc.project,
    ]);
  }
  const secrets = stanzaSecrets(layout, v.secrets ?? [], sc, false);
  frozen.run = freezePlaybooks(layout, frozen, v.run ?? [], sc, secrets);
  frozen.preRun = freezePlaybooks(layout, frozen, v.preRun ?? [], sc, secrets);
  frozen.postRun = freezePlaybooks(layout, frozen, v.postRun ?? [], sc, secrets);
  frozen.cleanupRun = freezePlaybooks(layout, frozen, v.cleanupRun ?? [], sc, secrets);
  frozen.inheritancePath.push(variantRepr(v, av.projectPipeline));
  return frozen;
}

/** Key identifying a change among an item's changes. */
export function changeKey(change: FreezeChange): string {
  return change.key ?? `${change.project}@${change.ref ?? change.branch ?? ''}`;
}

/**
 * Freezes `jobName` of the PPC for `change`. Returns "not-run" when no
 * variant (at some level) or no project-pipeline entry matches; throws
 * FreezeError for configuration errors that stop the whole item.
 */
export function freezeJob(
  layout: Layout,
  pipeline: FreezePipeline,
  ppc: Ppc,
  jobName: string,
  change: FreezeChange,
  options: FreezeOptions = {},
  debug?: string[],
): FreezeJobOutcome {
  const entries = ppc.jobs.get(jobName) ?? [];
  const overrides = entryOverrides(layout, entries, change);
  const variants = collectJobVariants(layout, jobName, change, overrides, debug);
  if (!variants?.length) {
    debug?.push(`    No matching variants for ${jobName}`);
    return { status: 'not-run', reason: 'no-matching-variant' };
  }
  let frozen: FrozenJob | undefined;
  for (const lv of variants) {
    const av = layoutVariant(layout, lv);
    if (!frozen) frozen = baseJob(layout, av, changeKey(change));
    else applyVariant(layout, frozen, av);
    frozen.name = lv.variant.name;
  }
  const job = frozen!;
  job.name = jobName;
  // Job variables win over project and template variables.
  job.vars = deepMerge(ppc.vars, job.vars);
  job.ansibleVersion ??=
    layout.tenant.defaultAnsibleVersion ?? options.defaultAnsibleVersion ?? DEFAULT_ANSIBLE_VERSION;

  let matched = false;
  for (const entry of entries) {
    const av = entryVariant(layout, entry);
    const repr = debug ? variantRepr(av.variant, true) : '';
    if (!matcherMatchesChange(entry.branchMatcher, change)) {
      debug?.push(`    Pipeline variant ${repr} did not match`);
      continue;
    }
    applyVariant(layout, job, av);
    // A config project attaching the job overrides allowed-projects.
    if (isTrusted(layout, entry.sourceContext)) job.ignoreAllowedProjects = true;
    matched = true;
    debug?.push(`    Pipeline variant ${repr} matched`);
    if (job.imageBuildName) assertImagePermissions(layout, job, entry);
  }
  if (!matched) {
    debug?.push(`    No matching pipeline variants for ${jobName}`);
    return { status: 'not-run', reason: 'no-matching-pipeline-variant' };
  }
  if (job.imageBuildName && options.imageNames?.length) {
    if (!options.imageNames.includes(job.imageBuildName)) {
      debug?.push(`    Job ${jobName} did not match images`);
      return { status: 'not-run', reason: 'image' };
    }
  }

  job.matchesChange = true;
  if (!options.skipFileMatcher && !changeMatchesFiles(job.files, job.irrelevantFiles, change)) {
    if (
      job.matchOnConfigUpdates &&
      (changeTouchesJobFiles(job, change) || options.updatesJobConfig?.(job, change))
    ) {
      debug?.push(`    The configuration of job ${jobName} is changed; ignoring file matcher`);
    } else {
      debug?.push(`    Job ${jobName} did not match files`);
      // Only a first decision: a dependent that runs may force it back in.
      job.matchesChange = false;
    }
  }
  job.pendingError = pendingError(layout, pipeline, job, change);
  job.nodesetAlternatives = flattenNodeset(layout, job.nodeset);
  return { status: 'frozen', job };
}

function assertImagePermissions(layout: Layout, job: FrozenJob, entry: PpcEntry): void {
  const imageName = job.imageBuildName!;
  const image = layout.images.get(imageName);
  if (!image) {
    throw new FreezeError(`The job "${job.name}" references an unknown image "${imageName}"`);
  }
  const ppcOrigin = entry.sourceContext.projectCanonical;
  const imageOrigin = image.sourceContext.projectCanonical;
  if (ppcOrigin !== imageOrigin) {
    throw new FreezeError(
      `The image build job "${job.name}" may not be attached to a pipeline in ${ppcOrigin} while referencing the image "${imageName}" defined in ${imageOrigin}`,
    );
  }
}

/** Step 8: the first error that stops the job if it stays in the graph. */
function pendingError(
  layout: Layout,
  pipeline: FreezePipeline,
  job: FrozenJob,
  change: FreezeChange,
): string | null {
  const projectName = layout.projects.get(change.project)?.name ?? change.project;
  if (job.abstract) return `Job ${job.name} is abstract and may not be directly run`;
  if (
    !job.ignoreAllowedProjects &&
    job.allowedProjects !== null &&
    !job.allowedProjects.has(projectName)
  ) {
    return `Project ${projectName} is not allowed to run job ${job.name}`;
  }
  if (!pipeline.postReview && job.postReview) {
    return `Pre-review pipeline ${pipeline.name} does not allow post-review job ${job.name}`;
  }
  if (!job.run.length) return `Job ${job.name} does not specify a run playbook`;
  return null;
}
