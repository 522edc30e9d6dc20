// Freezing jobs and job graphs (semantics §D.6–§D.10): pure functions over a
// built Layout. See job-graph.ts for the entry point.

export { applyVariant } from './apply-variant.js';
export {
  type BranchFreeze,
  freezeBranch,
  freezeJobJson,
  freezeJobsJson,
} from './branch-item.js';
export {
  collectJobVariants,
  entryOverrides,
  jobVariants,
  NOOP_JOB,
  type OverrideCheckouts,
} from './collect.js';
export {
  baseJob,
  changeKey,
  DEFAULT_ANSIBLE_VERSION,
  type FreezeJobOutcome,
  type FreezeOptions,
  freezeJob,
} from './frozen-job.js';
export {
  type FreezeItem,
  freezeJobGraph,
  type GraphEdge,
  graphJob,
  type JobGraph,
  type JobGraphOptions,
  type JobGraphResult,
  transitive,
} from './job-graph.js';
export {
  COMMIT_MSG,
  changeMatchesFiles,
  changeTouchesJobFiles,
  matcherMatchesChange,
} from './matching.js';
export { type Ppc, type PpcEntry, projectPipelineConfig } from './project-pipeline.js';
export { playbookSecretVars } from './secrets.js';
export {
  comparableJob,
  type FreezeJobJsonContext,
  frozenJobJson,
  jobConfigKey,
  jobGraphJson,
  nodesetJson,
  refJson,
  type SecretRenderer,
  srcDir,
} from './serialize.js';
export * from './types.js';
export { deepMerge } from './vars.js';
