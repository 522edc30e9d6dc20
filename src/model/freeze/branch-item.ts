// What the web API's freeze endpoints and `show-jobs` freeze: a synthetic
// item for the tip of a project branch, file matchers skipped (so jobs
// limited by `files` are listed too).

import { type Layout, type LayoutProject, resolveProjectName } from '../layout.js';
import type { FreezeOptions } from './frozen-job.js';
import { freezeJobGraph, type JobGraphResult } from './job-graph.js';
import { frozenJobJson, jobGraphJson } from './serialize.js';
import type { FreezeChange, FreezePipeline, SecretDecryptor } from './types.js';

export type BranchFreeze =
  | { ok: false; notFound: 'Unknown project' | 'Unknown pipeline' }
  | (JobGraphResult & { change: FreezeChange; pipeline: FreezePipeline; project: LayoutProject });

/**
 * Freezes the job graph of `pipelineName` for the tip of `branch` of
 * `projectName` (short or canonical name); an empty branch means master.
 */
export function freezeBranch(
  layout: Layout,
  pipelineName: string,
  projectName: string,
  branch: string,
  options: FreezeOptions = {},
): BranchFreeze {
  let project: LayoutProject | undefined;
  try {
    project = resolveProjectName(layout, projectName);
  } catch {
    project = undefined;
  }
  if (!project) return { ok: false, notFound: 'Unknown project' };
  const pl = layout.pipelines.get(pipelineName);
  if (!pl) return { ok: false, notFound: 'Unknown pipeline' };
  const pipeline: FreezePipeline = { name: pl.name, postReview: pl.postReview };
  const change: FreezeChange = {
    project: project.canonicalName,
    branch: branch || 'master',
    ref: null,
    files: null,
    key: `${project.canonicalName}@${branch || 'master'}`,
  };
  const result = freezeJobGraph(
    layout,
    pipeline,
    { changes: [change] },
    {
      skipFileMatcher: true,
      ...options,
    },
  );
  return { ...result, change, pipeline, project };
}

function failure(r: Exclude<BranchFreeze, { ok: true }>): {
  ok: false;
  status: 404 | 500;
  error: string;
} {
  // Unknown names are 404s; a configuration error while freezing is a 500.
  if ('notFound' in r) return { ok: false, status: 404, error: r.notFound };
  return { ok: false, status: 500, error: r.message };
}

/** `freeze-jobs` JSON, or the error to report. */
export function freezeJobsJson(
  layout: Layout,
  pipelineName: string,
  projectName: string,
  branch: string,
):
  | { ok: true; json: ReturnType<typeof jobGraphJson> }
  | { ok: false; status: 404 | 500; error: string } {
  const r = freezeBranch(layout, pipelineName, projectName, branch);
  if (!r.ok) return failure(r);
  return { ok: true, json: jobGraphJson(r.graph.jobs) };
}

/**
 * `freeze-job` JSON for one job of the branch's graph. Secrets are
 * "REDACTED" unless `decrypt` is given (the keystore's seam).
 */
export function freezeJobJson(
  layout: Layout,
  pipelineName: string,
  projectName: string,
  branch: string,
  jobName: string,
  decrypt?: SecretDecryptor,
): { ok: true; json: Record<string, unknown> } | { ok: false; status: 404 | 500; error: string } {
  const r = freezeBranch(layout, pipelineName, projectName, branch);
  if (!r.ok) return failure(r);
  const job = r.graph.jobs.find((j) => j.name === jobName);
  if (!job) return { ok: false, status: 404, error: '' };
  const childJobs = (r.graph.dependents.get(job) ?? []).map((e) => e.job.name);
  return {
    ok: true,
    json: frozenJobJson(
      { layout, pipeline: r.pipeline, changes: [r.change], childJobs, secret: decrypt },
      job,
    ),
  };
}
