// Pieces of the executor-parameter JSON shared by the `freeze-job` form:
// projects, roles, playbooks, nodesets and workspace paths as Zuul renders
// them.

import type { Layout, LayoutProject } from '../layout.js';
import type {
  FreezeChange,
  FreezePipeline,
  FrozenJob,
  FrozenNodeset,
  FrozenPlaybook,
  FrozenRole,
  FrozenSecretUse,
} from './types.js';

/** How a playbook secret appears in JSON: redacted unless the caller decrypts. */
export type SecretRenderer = (use: FrozenSecretUse) => unknown;

export interface FreezeJobJsonContext {
  layout: Layout;
  pipeline: FreezePipeline;
  /** The item's changes; the job's own change is found by its ref. */
  changes: readonly FreezeChange[];
  /** Names of the jobs depending directly on this one (`zuul.child_jobs`). */
  childJobs?: readonly string[];
  /** Default: every secret is "REDACTED", as the web API shows it. */
  secret?: SecretRenderer;
}

function hostnameOf(p: { name: string; canonicalName: string }): string {
  return p.canonicalName.slice(0, p.canonicalName.length - p.name.length - 1);
}

// Python's urllib.parse.quote_plus.
function quotePlus(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** Workspace path of a project's repository (§F.3). */
export function srcDir(
  hostname: string,
  name: string,
  scheme: FrozenJob['workspaceScheme'],
): string {
  if (scheme === 'flat') return `src/${name.split('/').pop()}`;
  if (scheme === 'unique') return `src/${hostname}/${name.split('/')[0]}/${quotePlus(name)}`;
  return `src/${hostname}/${name}`;
}

function projectOf(layout: Layout, canonical: string): LayoutProject {
  const p = layout.projects.get(canonical);
  if (p) return p;
  // Only reachable for projects outside the tenant (foreign changes).
  const slash = canonical.indexOf('/');
  return {
    name: canonical.slice(slash + 1),
    canonicalName: canonical,
    connectionName: '',
    trusted: false,
    branches: [],
    defaultBranch: 'master',
  } as unknown as LayoutProject;
}

function defaultBranch(layout: Layout, canonical: string): string {
  return layout.projectMetadata.get(canonical)?.defaultBranch ?? 'master';
}

function roleJson(layout: Layout, r: FrozenRole): Record<string, unknown> {
  const p = projectOf(layout, r.projectCanonicalName);
  return {
    target_name: r.targetName,
    type: 'zuul',
    project_canonical_name: r.projectCanonicalName,
    implicit: r.implicit,
    project_default_branch: defaultBranch(layout, r.projectCanonicalName),
    connection: p.connectionName,
    project: p.name,
  };
}

function playbookJson(
  ctx: FreezeJobJsonContext,
  pb: FrozenPlaybook,
  tenantName: string,
): Record<string, unknown> {
  const render = ctx.secret ?? (() => 'REDACTED');
  const secrets: Record<string, unknown> = {};
  for (const s of pb.secrets) secrets[s.alias] = render(s);
  const project = projectOf(ctx.layout, pb.sourceContext.projectCanonical);
  return {
    connection: project.connectionName || pb.sourceContext.connection,
    project: pb.sourceContext.project,
    branch: pb.sourceContext.branch,
    trusted: pb.trusted,
    roles: pb.roles.map((r) => roleJson(ctx.layout, r)),
    secrets,
    semaphores: pb.semaphores.map((s) => ({
      name: s.name,
      path: s.global
        ? `/zuul/global-semaphores/${quotePlus(s.name)}`
        : `/zuul/semaphores/${tenantName}/${quotePlus(s.name)}`,
      resources_first: s.resourcesFirst,
      max: s.max,
    })),
    path: pb.path,
    cleanup: pb.cleanup,
    nesting_level: pb.nestingLevel,
  };
}

/** A nodeset as Zuul's NodeSet.toDict shows it. */
export function nodesetJson(ns: FrozenNodeset): Record<string, unknown> {
  return {
    name: ns.name,
    nodes: ns.nodes.map((n) => ({
      name: n.names[0],
      aliases: n.names.slice(1),
      label: n.label,
      id: null,
      state: 'unknown',
      hold_job: null,
      comment: null,
      user_data: null,
      tenant_name: null,
      requestor: null,
    })),
    groups: ns.groups.map((g) => ({ name: g.name, nodes: [...g.nodes] })),
    alternatives: [],
  };
}

export { defaultBranch, hostnameOf, playbookJson, projectOf };
