// `zuul-ts show-jobs -c zuul.conf TENANT PIPELINE PROJECT BRANCH
// [--files a,b] [--job NAME]`: loads the tenant from git, builds its layout
// (secrets checked with the keystore when jobs use them) and prints the job
// graph Zuul would freeze for the project's branch in that pipeline, as
// JSON in the shape of the web API's `freeze-jobs` endpoint — or, with
// --job, that job's `freeze-job` parameters (secrets redacted, as the API
// shows them).
//
// Without --files the item is the branch itself, as the API's freeze
// endpoints use: file matchers are skipped and every job is listed. With
// --files it is a change to those files, and file matchers decide.
//
// Exit 1, with the reason on standard error, for an unknown tenant,
// pipeline, project, branch or job, and when the graph cannot be frozen
// ("Unable to freeze job graph: …").

import { type Deployment, openDeployment } from '../config/tenant-layout.js';
import {
  type FreezeChange,
  type FreezePipeline,
  freezeBranch,
  freezeJobGraph,
  frozenJobJson,
  type JobGraphResult,
  jobGraphJson,
} from '../model/freeze/index.js';
import { type Layout, type LayoutProject, resolveProjectName } from '../model/layout.js';

export interface ShowJobsOptions {
  config: string;
  tenant: string;
  pipeline: string;
  project: string;
  branch: string;
  /** Comma-separated changed files; absent: the branch itself. */
  files?: string;
  job?: string;
}

export interface ShowJobsRequest {
  pipeline: string;
  /** Short or canonical name. */
  project: string;
  branch: string;
  /** Changed files of a change; undefined: the branch itself (every job runs). */
  files?: readonly string[];
  /** One job's freeze-job parameters instead of the graph. */
  job?: string;
}

export type ShowJobsResult = { ok: true; json: unknown } | { ok: false; error: string };

/** Splits `--files a,b` (blanks dropped). */
export function parseFileList(text: string): string[] {
  return text
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f.length > 0);
}

function names(items: Iterable<string>): string {
  const list = [...items];
  return list.length ? list.join(', ') : 'none';
}

/** The freeze-jobs (or freeze-job) JSON for a project branch of a built layout. */
export function showJobs(layout: Layout, req: ShowJobsRequest): ShowJobsResult {
  const pl = layout.pipelines.get(req.pipeline);
  if (!pl) {
    return {
      ok: false,
      error: `Unknown pipeline: ${req.pipeline} (pipelines of tenant ${layout.tenant.name}: ${names(layout.pipelines.keys())})`,
    };
  }
  let project: LayoutProject | undefined;
  try {
    project = resolveProjectName(layout, req.project);
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
  if (!project) {
    return {
      ok: false,
      error: `Unknown project: ${req.project} (not in tenant ${layout.tenant.name})`,
    };
  }
  if (!project.branches.includes(req.branch)) {
    return {
      ok: false,
      error: `Unknown branch: ${req.branch} (branches of ${project.name}: ${names(project.branches)})`,
    };
  }

  let result: JobGraphResult;
  let change: FreezeChange;
  let pipeline: FreezePipeline;
  if (req.files === undefined) {
    const r = freezeBranch(layout, pl.name, project.canonicalName, req.branch);
    // Project and pipeline were found above.
    if ('notFound' in r) return { ok: false, error: r.notFound };
    result = r;
    change = r.change;
    pipeline = r.pipeline;
  } else {
    pipeline = { name: pl.name, postReview: pl.postReview };
    change = {
      project: project.canonicalName,
      branch: req.branch,
      ref: null,
      files: req.files,
      key: `${project.canonicalName}@${req.branch}`,
    };
    result = freezeJobGraph(layout, pipeline, { changes: [change] });
  }
  if (!result.ok) return { ok: false, error: result.message };

  if (req.job === undefined) return { ok: true, json: jobGraphJson(result.graph.jobs) };
  const job = result.graph.jobs.find((j) => j.name === req.job);
  if (!job) {
    return {
      ok: false,
      error: `Job ${req.job} is not in the job graph of ${project.name}@${req.branch} in pipeline ${pl.name} (jobs: ${names(result.graph.jobs.map((j) => j.name))})`,
    };
  }
  const childJobs = (result.graph.dependents.get(job) ?? []).map((e) => e.job.name);
  // No `secret` renderer: secrets are "REDACTED", never decrypted into output.
  return {
    ok: true,
    json: frozenJobJson({ layout, pipeline, changes: [change], childJobs }, job),
  };
}

export async function showJobsCommand(opts: ShowJobsOptions): Promise<number> {
  let deployment: Deployment | undefined;
  try {
    deployment = await openDeployment(opts.config);
    for (const w of deployment.system.warnings) console.error(`warning: ${w}`);
    const tenant = deployment.tenantFile.tenants.find((t) => t.name === opts.tenant);
    if (!tenant) {
      console.error(
        `Unknown tenant: ${opts.tenant} (tenants: ${names(deployment.tenantFile.tenants.map((t) => t.name))})`,
      );
      return 1;
    }
    const layout = await deployment.layout(tenant);
    const errors = layout.errors.filter((e) => e.severity === 'error').length;
    if (errors) {
      console.error(
        `warning: tenant ${tenant.name} has ${errors} configuration error(s); run config-check to see them`,
      );
    }
    const result = showJobs(layout, {
      pipeline: opts.pipeline,
      project: opts.project,
      branch: opts.branch,
      ...(opts.files !== undefined ? { files: parseFileList(opts.files) } : {}),
      ...(opts.job !== undefined ? { job: opts.job } : {}),
    });
    if (!result.ok) {
      console.error(result.error);
      return 1;
    }
    process.stdout.write(`${JSON.stringify(result.json, null, 2)}\n`);
    return 0;
  } catch (err) {
    console.error((err as Error).message);
    return 1;
  } finally {
    await deployment?.close();
  }
}
