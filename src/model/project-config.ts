// Project and project-template stanzas as written, before they are merged
// into the per-item project-pipeline configuration.

import type { SourceContext } from './config-error.js';
import type { JobVariant } from './job.js';
import type { ZuulRegex } from './regex.js';

/** One entry of a project-pipeline `jobs` list. */
export interface ProjectPipelineJob {
  name: string;
  /**
   * Attributes set on the entry (a project-pipeline variant), or undefined
   * for a bare job name. It has only explicit `branches`, never implied ones.
   */
  variant?: JobVariant;
}

export interface ProjectPipelineConfig {
  jobs: ProjectPipelineJob[];
  debug?: boolean;
  failFast?: boolean;
}

export type MergeModeName = 'merge' | 'merge-resolve' | 'cherry-pick' | 'squash-merge' | 'rebase';

interface ProjectLikeStanza {
  description?: string;
  queue?: string;
  vars: Record<string, unknown>;
  /** Pipeline name → configuration, in the order written. */
  pipelines: Map<string, ProjectPipelineConfig>;
  sourceContext: SourceContext;
  line?: number;
  /** Set by the layout builder when a matcher is implied (§D.5). */
  impliedBranches?: ZuulRegex[];
  /** Set from the file's pragma, consulted by the layout builder. */
  pragmaImpliedBranchMatchers?: boolean;
  /** The file's pragma `implied-branches`, used when a matcher is implied. */
  pragmaImpliedBranches?: ZuulRegex[];
}

export interface ProjectStanza extends ProjectLikeStanza {
  /** As written; undefined means the project holding the file. */
  name?: string;
  /** `name` starts with `^`: applies to every project it fully matches. */
  isRegex: boolean;
  branches?: ZuulRegex[];
  templates: string[];
  defaultBranch?: string;
  mergeMode?: MergeModeName;
}

export interface ProjectTemplate extends ProjectLikeStanza {
  name: string;
}
