// The `freeze-job` endpoint's JSON for one frozen job (api-reference §33):
// the executor parameters Zuul would send, for a build that does not exist
// (build id of zeros, no buildset), secrets redacted by default.

import type { Layout } from '../layout.js';
import { changeKey } from './frozen-job.js';
import {
  defaultBranch,
  type FreezeJobJsonContext,
  hostnameOf,
  nodesetJson,
  playbookJson,
  projectOf,
  srcDir,
} from './serialize-parts.js';
import type { FreezeChange, FrozenJob } from './types.js';

/** A change as `zuul.build_refs` / `zuul.buildset_refs` list it (Zuul's Ref.toDict). */
export function refJson(
  layout: Layout,
  change: FreezeChange,
  scheme: FrozenJob['workspaceScheme'],
): Record<string, unknown> {
  const p = projectOf(layout, change.project);
  const hostname = hostnameOf(p);
  const out: Record<string, unknown> = {
    project: {
      name: p.name,
      short_name: p.name.split('/').pop(),
      canonical_hostname: hostname,
      canonical_name: p.canonicalName,
    },
    change_url: change.url ?? null,
  };
  if (change.branch !== undefined) out.branch = change.branch;
  out.src_dir = srcDir(hostname, p.name, scheme);
  return out;
}

function projectDict(
  layout: Layout,
  canonical: string,
  overrideBranch: string | null = null,
  overrideCheckout: string | null = null,
): Record<string, unknown> {
  const p = projectOf(layout, canonical);
  return {
    connection: p.connectionName,
    name: p.name,
    canonical_name: p.canonicalName,
    override_branch: overrideBranch,
    override_checkout: overrideCheckout,
    default_branch: defaultBranch(layout, canonical),
  };
}

/** `freeze-job`: the executor parameters of `job` (secrets redacted unless `ctx.secret` says). */
export function frozenJobJson(ctx: FreezeJobJsonContext, job: FrozenJob): Record<string, unknown> {
  const { layout, pipeline } = ctx;
  const tenantName = layout.tenant.name;
  const change = ctx.changes.find((c) => changeKey(c) === job.ref) ?? ctx.changes[0];
  const p = projectOf(layout, change.project);
  const hostname = hostnameOf(p);
  const scheme = job.workspaceScheme;
  const refs = [job.ref, ...job.otherRefs];

  const includeVars = job.includeVars.map((iv) => {
    const canonical = iv.projectCanonicalName ?? change.project;
    const ivp = projectOf(layout, canonical);
    return {
      name: iv.name,
      connection: ivp.connectionName,
      project: ivp.name,
      project_default_branch: defaultBranch(layout, canonical),
      trusted: ivp.trusted,
      required: iv.required,
      use_ref: iv.useRef,
    };
  });

  // Required projects first, then each include-vars project (as Zuul lists them).
  const projects: Record<string, unknown>[] = [];
  const zuulProjects: Record<string, unknown> = {};
  const addZuulProject = (canonical: string, required: boolean) => {
    if (zuulProjects[canonical]) return;
    const rp = projectOf(layout, canonical);
    const host = hostnameOf(rp);
    zuulProjects[canonical] = {
      name: rp.name,
      short_name: rp.name.split('/').pop(),
      canonical_name: rp.canonicalName,
      canonical_hostname: host,
      src_dir: srcDir(host, rp.name, scheme),
      required,
    };
  };
  for (const rp of job.requiredProjects.values()) {
    projects.push(
      projectDict(layout, rp.projectCanonicalName, rp.overrideBranch, rp.overrideCheckout),
    );
    addZuulProject(rp.projectCanonicalName, true);
  }
  for (const iv of job.includeVars) {
    const canonical = iv.projectCanonicalName ?? change.project;
    projects.push(projectDict(layout, canonical));
    addZuulProject(canonical, false);
  }

  const zuul: Record<string, unknown> = {
    ...refJson(layout, change, scheme),
    build: '0'.repeat(32),
    buildset: null,
    ref: change.ref ?? null,
    buildset_refs: ctx.changes.map((c) => refJson(layout, c, scheme)),
    build_refs: ctx.changes
      .filter((c) => refs.includes(changeKey(c)))
      .map((c) => refJson(layout, c, scheme)),
    pipeline: pipeline.name,
    post_review: pipeline.postReview,
    job: job.name,
    project: {
      name: p.name,
      short_name: p.name.split('/').pop(),
      canonical_hostname: hostname,
      canonical_name: p.canonicalName,
      src_dir: srcDir(hostname, p.name, scheme),
    },
    tenant: tenantName,
    event_id: null,
    jobtags: [...job.tags].sort(),
    include_vars: includeVars,
    projects: zuulProjects,
    items: [],
    child_jobs: [...(ctx.childJobs ?? [])],
    voting: job.voting,
    pre_timeout: job.preTimeout,
    timeout: job.timeout,
    post_timeout: job.postTimeout,
    _inheritance_path: [...job.inheritancePath],
  };
  delete zuul.src_dir;
  if (job.overrideCheckout) zuul.override_checkout = job.overrideCheckout;

  const out: Record<string, unknown> = {
    items: [],
    projects,
    branch: change.branch ?? null,
    repo_state_keys: [],
    merge_repo_state_ref: null,
    extra_repo_state_ref: null,
    ssh_keys: pipeline.postReview ? ['REDACTED'] : [],
    zuul,
    job: job.name,
    pre_timeout: job.preTimeout,
    timeout: job.timeout,
    post_timeout: job.postTimeout,
    override_branch: job.overrideBranch,
    override_checkout: job.overrideCheckout,
    ansible_version: job.ansibleVersion,
    ansible_split_streams: job.ansibleSplitStreams,
    workspace_scheme: job.workspaceScheme,
    workspace_checkout: job.workspaceCheckout,
  };
  // The built-in noop job runs no playbook, and Zuul leaves these keys out.
  if (job.name !== 'noop') {
    const list = (pbs: FrozenJob['run']) =>
      pbs.filter((pb) => !pb.builtin).map((pb) => playbookJson(ctx, pb, tenantName));
    out.playbooks = list(job.run);
    out.pre_playbooks = list(job.preRun);
    out.post_playbooks = list(job.postRun);
    out.cleanup_playbooks = list(job.cleanupRun);
  }
  out.nodeset = nodesetJson(job.nodesetAlternatives[0] ?? { name: '', nodes: [], groups: [] });
  out.vars = job.vars;
  out.extra_vars = job.extraVars;
  out.host_vars = job.hostVars;
  out.group_vars = job.groupVars;
  out.secret_vars = null;
  out.failure_output = [...job.failureOutput];
  // Zuul 14 fields (api-reference: add them; emit both image names).
  out.type = job.type;
  out.include_projects = job.includeProjects;
  out.exclude_projects = job.excludeProjects;
  out.image_build_name = job.imageBuildName;
  out.image_name = job.imageBuildName;
  return out;
}
