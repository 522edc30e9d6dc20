// The `zuul` variable every playbook of a build sees (semantics §F.6 and
// the Zuul 14 additions): a pure function of the frozen job, the item's
// refs, the workspace projects and the build. The result is written to
// ansible/zuul_vars.yaml and passed as extra-vars.

import { Buffer } from 'node:buffer';
import type { FrozenJob } from '../../model/freeze/types.js';
import type { BuildPaths } from '../build-dir.js';
import { type ProjectInfo, projectDict, type RefInfo, refDict } from './refs.js';

/** A repository prepared in work/src. */
export interface WorkspaceProject {
  project: ProjectInfo;
  /** Listed in the job's required-projects. */
  required: boolean;
  /** Branch or tag checked out (set once the workspace is prepared). */
  checkout?: string;
  /** How the checkout was chosen, e.g. `zuul branch`, `project default branch`. */
  checkoutDescription?: string;
  commit?: string;
}

/** An artifact handed to this build by a provider or an ancestor build. */
export interface ArtifactVar {
  name: string;
  url: string;
  metadata?: Record<string, unknown>;
  project: string;
  job: string;
  branch?: string;
  change?: string;
  patchset?: string;
  ref?: string;
  oldrev?: string;
  newrev?: string;
  tag?: string;
}

/** An include-vars entry after freezing resolved its project. */
export interface IncludeVarsVar {
  name: string;
  connection: string;
  project: string;
  required: boolean;
  useRef: boolean;
}

export type ZuulVarsJob = Pick<
  FrozenJob,
  | 'name'
  | 'voting'
  | 'timeout'
  | 'preTimeout'
  | 'postTimeout'
  | 'tags'
  | 'attempts'
  | 'overrideCheckout'
  | 'inheritancePath'
  | 'workspaceScheme'
  | 'imageBuildName'
>;

export interface ZuulVarsInput {
  tenant: string;
  pipeline: { name: string; postReview: boolean };
  job: ZuulVarsJob;
  build: {
    uuid: string;
    buildsetUuid: string;
    /** This try's number, 1-based. */
    attempt: number;
    eventId?: string | null;
  };
  /** The change this build is for (for a deduplicated build: one of them, preferring the triggering one). */
  change: RefInfo;
  /** Every change of every item ahead plus this item, head first. */
  items: RefInfo[];
  /** Every change of this item (cycle members). */
  buildsetRefs: RefInfo[];
  /** The changes this build runs for. */
  buildRefs: RefInfo[];
  projects: WorkspaceProject[];
  /** Names of the job's direct dependents. */
  childJobs: string[];
  artifacts?: ArtifactVar[];
  includeVars?: IncludeVarsVar[];
  executor: { hostname: string; paths: BuildPaths };
  /** Zuul's name for the Ansible version in use (`9`, `11`). */
  ansibleVersion: string;
  playbookContext?: Record<string, unknown>;
  resources?: Record<string, unknown>;
  imageFormats?: string[];
}

export function zuulVars(i: ZuulVarsInput): Record<string, unknown> {
  const scheme = i.job.workspaceScheme;
  // The change's own fields first: the build fields below take precedence.
  const z: Record<string, unknown> = refDict(i.change, scheme);
  if (i.change.kind === 'change' && i.change.message !== undefined) {
    z.message = Buffer.from(i.change.message, 'utf8').toString('base64');
  }
  Object.assign(z, {
    build: i.build.uuid,
    buildset: i.build.buildsetUuid,
    ref: i.change.ref,
    buildset_refs: i.buildsetRefs.map((r) => refDict(r, scheme, { legacySrcDir: true })),
    build_refs: i.buildRefs.map((r) => refDict(r, scheme, { legacySrcDir: true })),
    pipeline: i.pipeline.name,
    post_review: i.pipeline.postReview,
    job: i.job.name,
    voting: i.job.voting,
    project: projectDict(i.change.project, scheme),
    tenant: i.tenant,
    event_id: i.build.eventId ?? null,
    jobtags: [...i.job.tags].sort(),
    include_vars: (i.includeVars ?? []).map((v) => ({
      name: v.name,
      connection: v.connection,
      project: v.project,
      required: v.required,
      use_ref: v.useRef,
    })),
    pre_timeout: i.job.preTimeout,
    timeout: i.job.timeout,
    post_timeout: i.job.postTimeout,
    _inheritance_path: [...i.job.inheritancePath],
    items: i.items.map((r) => refDict(r, scheme)),
    child_jobs: [...i.childJobs],
    projects: projectsVar(i.projects, scheme),
    attempts: i.build.attempt,
    max_attempts: i.job.attempts,
    ansible_version: i.ansibleVersion,
    executor: {
      hostname: i.executor.hostname,
      src_root: i.executor.paths.src,
      log_root: i.executor.paths.logs,
      work_root: i.executor.paths.work,
      inventory_file: i.executor.paths.inventory,
      result_data_file: i.executor.paths.results,
    },
  });
  if (i.artifacts?.length) z.artifacts = i.artifacts.map((a) => ({ ...a }));
  if (i.job.overrideCheckout) z.override_checkout = i.job.overrideCheckout;
  if (i.playbookContext) z.playbook_context = i.playbookContext;
  if (i.resources) z.resources = i.resources;
  if (i.job.imageBuildName) {
    z.image_build_name = i.job.imageBuildName;
    z.image_formats = [...(i.imageFormats ?? [])];
  }
  return z;
}

function projectsVar(
  projects: WorkspaceProject[],
  scheme: ZuulVarsJob['workspaceScheme'],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const wp of projects) {
    const d: Record<string, unknown> = {
      ...projectDict(wp.project, scheme),
      required: wp.required,
    };
    if (wp.checkout !== undefined) d.checkout = wp.checkout;
    if (wp.checkoutDescription !== undefined) d.checkout_description = wp.checkoutDescription;
    if (wp.commit !== undefined) d.commit = wp.commit;
    out[d.canonical_name as string] = d;
  }
  return out;
}
