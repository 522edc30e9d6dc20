// JSON forms of frozen jobs and job graphs: what the `freeze-jobs` and
// `freeze-job` endpoints return (api-reference §33–34), plus the stable
// comparison form used for deduplication and config-change detection.

import type { FrozenJob, FrozenPlaybook } from './types.js';

export { frozenJobJson, refJson } from './serialize-job.js';
export {
  type FreezeJobJsonContext,
  nodesetJson,
  type SecretRenderer,
  srcDir,
} from './serialize-parts.js';

/** `freeze-jobs`: the graph's jobs in order with their declared dependencies. */
export function jobGraphJson(jobs: readonly FrozenJob[]): {
  name: string;
  dependencies: { name: string; soft: boolean }[];
}[] {
  return jobs.map((j) => ({
    name: j.name,
    dependencies: [...j.dependencies]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((d) => ({ name: d.name, soft: d.soft })),
  }));
}

/**
 * Everything that defines what a frozen job does, in a stable form: equal
 * forms mean equal jobs (Zuul's FrozenJob.isEqual). Bookkeeping (refs,
 * inheritance path, graph state) and where the job was defined are left out.
 */
export function comparableJob(job: FrozenJob): Record<string, unknown> {
  const pb = (p: FrozenPlaybook) => ({
    path: p.path,
    project: p.sourceContext.projectCanonical,
    branch: p.sourceContext.branch,
    trusted: p.trusted,
    cleanup: p.cleanup,
    nesting: p.nestingLevel,
    roles: p.roles,
    secrets: p.secrets.map((s) => [
      s.alias,
      s.secretName,
      s.projectCanonicalName,
      s.secret.fingerprint,
    ]),
    semaphores: p.semaphores,
  });
  return {
    name: job.name,
    voting: job.voting,
    holdFollowingChanges: job.holdFollowingChanges,
    successMessage: job.successMessage,
    failureMessage: job.failureMessage,
    files: job.files,
    irrelevantFiles: job.irrelevantFiles,
    matchOnConfigUpdates: job.matchOnConfigUpdates,
    deduplicate: job.deduplicate,
    tags: [...job.tags].sort(),
    provides: [...job.provides].sort(),
    requires: [...job.requires].sort(),
    dependencies: [...job.dependencies].sort((a, b) => (a.name < b.name ? -1 : 1)),
    preTimeout: job.preTimeout,
    timeout: job.timeout,
    postTimeout: job.postTimeout,
    vars: job.vars,
    extraVars: job.extraVars,
    hostVars: job.hostVars,
    groupVars: job.groupVars,
    includeVars: job.includeVars,
    nodesets: job.nodesetAlternatives,
    preRun: job.preRun.map(pb),
    run: job.run.map(pb),
    postRun: job.postRun.map(pb),
    cleanupRun: job.cleanupRun.map(pb),
    ansibleSplitStreams: job.ansibleSplitStreams,
    ansibleVersion: job.ansibleVersion,
    semaphores: job.semaphores,
    attempts: job.attempts,
    requiredProjects: [...job.requiredProjects.values()],
    overrideBranch: job.overrideBranch,
    overrideCheckout: job.overrideCheckout,
    workspaceScheme: job.workspaceScheme,
    workspaceCheckout: job.workspaceCheckout,
    failureOutput: job.failureOutput,
    imageBuildName: job.imageBuildName,
    type: job.type,
    includeProjects: job.includeProjects,
    excludeProjects: job.excludeProjects,
  };
}

/**
 * The job's configuration for `match-on-config-updates` (§D.8 step 9):
 * two layouts give the same key when the item does not change the job.
 * File matchers do not count. Callers may hash it.
 */
export function jobConfigKey(job: FrozenJob): string {
  const c = comparableJob(job);
  delete c.files;
  delete c.irrelevantFiles;
  return JSON.stringify(c);
}
