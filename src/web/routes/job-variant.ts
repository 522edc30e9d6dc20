// One job variant as Zuul's `Job.toDict` shows it (reference §25), shared by
// `/job/{job_name}` and the project-pipeline variants of
// `/project/{project_name}` (§37). Unset attributes get Zuul's defaults;
// roles, nodesets and the nodeset JSON reuse the freezing code.

import type { SourceContext } from '../../model/config-error.js';
import { flattenNodeset, variantRoles } from '../../model/freeze/playbooks.js';
import { nodesetJson } from '../../model/freeze/serialize.js';
import type { JobVariant, PlaybookRef } from '../../model/job.js';
import type { BranchMatcher, Layout } from '../../model/layout.js';
import type { ZuulRegex } from '../../model/regex.js';

/** A variant to render, from the layout's jobs or from a project-pipeline entry. */
export interface VariantToRender {
  variant: JobVariant;
  projectCanonicalName: string;
  /** Effective branch matcher (layout variants); project-pipeline entries use explicit branches only. */
  branchMatcher?: BranchMatcher;
  projectPipeline: boolean;
  /** Zuul's built-in `noop` job: no source context. */
  builtin?: boolean;
}

/** A source context as Zuul's SourceContext.toDict shows it. */
export function sourceContextJson(sc: SourceContext): Record<string, unknown> {
  return { project: sc.project, branch: sc.branch, path: sc.path };
}

function regexJson(r: ZuulRegex): Record<string, unknown> {
  return { regex: r.pattern, negate: r.negate };
}

function branchesJson(v: VariantToRender): string[] | null {
  if (v.projectPipeline || !v.branchMatcher) {
    return v.variant.branches?.length ? v.variant.branches.map((r) => r.pattern) : null;
  }
  const m = v.branchMatcher;
  return m.kind === 'exact' ? [m.branch] : m.regexes.map((r) => r.pattern);
}

function nodesetKeys(layout: Layout, variant: JobVariant): Record<string, unknown> {
  if (variant.nodeset === undefined) return {};
  let alts: ReturnType<typeof flattenNodeset>;
  try {
    alts = flattenNodeset(layout, variant.nodeset);
  } catch {
    // An unknown nodeset or a cycle: the layout already reported it.
    return {};
  }
  if (alts.length === 1 && alts[0]!.nodes.length) return { nodeset: nodesetJson(alts[0]!) };
  if (alts.length > 1) return { nodeset_alternatives: alts.map(nodesetJson) };
  return {};
}

/** Zuul's `Job.toDict(tenant)` for one variant. */
export function jobVariantJson(layout: Layout, v: VariantToRender): Record<string, unknown> {
  const j = v.variant;
  const sc = v.builtin ? null : sourceContextJson(j.sourceContext);
  const roles = variantRoles(layout, {
    variant: j,
    projectCanonicalName: v.projectCanonicalName,
    projectPipeline: v.projectPipeline,
    untrustedSecrets: false,
  }).map((r) => ({
    target_name: r.targetName,
    type: 'zuul',
    project_canonical_name: r.projectCanonicalName,
    implicit: r.implicit,
  }));
  const secrets = (j.secrets ?? []).map((s) => ({ name: s.secret, alias: s.name }));
  const playbooks = (pbs: PlaybookRef[] | undefined) =>
    (pbs ?? []).map((pb) => ({
      path: pb.path,
      roles,
      secrets,
      semaphores: pb.semaphores.map((name) => ({ name })),
      source_context: sc,
      cleanup: pb.cleanup,
    }));
  return {
    name: j.name,
    branches: branchesJson(v),
    override_checkout: j.overrideCheckout ?? null,
    files: (j.files ?? []).map(regexJson),
    irrelevant_files: (j.irrelevantFiles ?? []).map(regexJson),
    variant_description: j.variantDescription ?? (j.branches ?? []).map((r) => r.pattern).join(' '),
    source_context: sc,
    description: j.description ?? null,
    required_projects: (j.requiredProjects ?? []).map((p) => ({
      project_name: p.project,
      override_branch: p.overrideBranch ?? null,
      override_checkout: p.overrideCheckout ?? null,
    })),
    semaphores: (j.semaphores ?? []).map((s) => ({
      name: s.name,
      resources_first: s.resourcesFirst,
    })),
    variables: j.vars ?? {},
    extra_variables: j.extraVars ?? {},
    host_variables: j.hostVars ?? {},
    group_variables: j.groupVars ?? {},
    final: j.final ?? false,
    abstract: j.abstract ?? false,
    intermediate: j.intermediate ?? false,
    protected: j.protected ?? null,
    voting: j.voting ?? true,
    pre_timeout: j.preTimeout ?? null,
    timeout: j.timeout ?? null,
    post_timeout: j.postTimeout ?? null,
    tags: [...(j.tags ?? [])],
    provides: [...(j.provides ?? [])],
    requires: [...(j.requires ?? [])],
    dependencies: (j.dependencies ?? []).map((d) => ({ name: d.name, soft: d.soft })),
    attempts: j.attempts ?? 3,
    roles,
    run: playbooks(j.run),
    pre_run: playbooks(j.preRun),
    post_run: playbooks(j.postRun),
    cleanup_run: playbooks(j.cleanupRun),
    post_review: j.postReview ?? null,
    match_on_config_updates: j.matchOnConfigUpdates ?? true,
    deduplicate: j.deduplicate ?? 'auto',
    failure_output: [...(j.failureOutput ?? [])],
    image_build_name: j.imageName ?? null,
    include_vars: (j.includeVars ?? []).map((iv) => ({
      name: iv.name,
      project_name: iv.project ?? null,
      required: iv.required,
      use_ref: iv.useRef,
    })),
    parent: j.parent === null ? null : (j.parent ?? layout.tenant.defaultParent),
    ...nodesetKeys(layout, j),
    ansible_split_streams: j.ansibleSplitStreams ?? null,
    ansible_version: j.ansibleVersion ?? null,
    workspace_scheme: j.workspaceScheme ?? 'golang',
    workspace_checkout: j.workspaceCheckout ?? true,
    // Zuul 14 attributes (semantics-zuul14 "API"): added, and both image names.
    type: j.type ?? 'regular',
    include_projects: j.includeProjects ?? null,
    exclude_projects: j.excludeProjects ?? null,
    image_name: j.imageName ?? null,
  };
}

/** Response schema of one variant: the listed fields, open for the rest. */
export const JOB_VARIANT_SCHEMA = {
  type: 'object',
  additionalProperties: true,
  properties: {
    name: { type: 'string' },
    parent: { type: ['string', 'null'] },
    branches: { type: ['array', 'null'], items: { type: 'string' } },
    voting: { type: 'boolean' },
    attempts: { type: 'integer' },
    abstract: { type: 'boolean' },
    final: { type: 'boolean' },
  },
  required: ['name', 'parent', 'branches', 'voting', 'attempts'],
} as const;
