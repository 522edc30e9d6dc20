// From a frozen job to the build request an executor runs (semantics §F.1
// and the Zuul 14 include-projects/exclude-projects filter): the
// scheduler's side of protocol.ts, also used by `zuul-ts run-job`. Pure:
// everything comes from the layout and the arguments.

import type { RepoState } from '../../merger/types.js';
import type { FreezePipeline, FrozenJob, FrozenPlaybook } from '../../model/freeze/types.js';
import type { ProjectFilter } from '../../model/job.js';
import { type Layout, resolveProjectName } from '../../model/layout.js';
import type {
  BuildJob,
  BuildPlaybook,
  BuildProject,
  BuildRequest,
  ParentData,
  WorkspaceProjectRequest,
} from '../protocol.js';
import type { NodeInfo } from '../vars/inventory.js';
import type { RefInfo } from '../vars/refs.js';
import type { ArtifactVar } from '../vars/zuul-vars.js';

export interface RequestInput {
  layout: Layout;
  pipeline: FreezePipeline;
  job: FrozenJob;
  /** Names of the job's direct dependents. */
  childJobs: string[];
  /** The git URL of a project (the connection source's gitUrl). */
  gitUrl: (connection: string, project: string) => string;
  uuid: string;
  buildsetUuid: string;
  /** 1-based try number (default 1). */
  attempt?: number;
  eventId?: string | null;
  zone?: string | null;
  /** The change the build is for. */
  change: RefInfo;
  /** Every change of every item ahead plus this item, head first (default: the change). */
  items?: RefInfo[];
  /** The item's changes (default: the change). */
  buildsetRefs?: RefInfo[];
  /** The changes the build runs for (default: the change). */
  buildRefs?: RefInfo[];
  repoState: RepoState;
  nodes: NodeInfo[];
  parent?: ParentData;
  artifacts?: ArtifactVar[];
}

const canonical = (r: RefInfo) => `${r.project.canonicalHostname}/${r.project.name}`;

function describeProject(i: RequestInput, name: string): BuildProject {
  const p = i.layout.projects.get(name);
  if (!p) throw new Error(`Project ${name} is not in tenant ${i.layout.tenant.name}`);
  return {
    connection: p.connectionName,
    name: p.name,
    canonicalName: p.canonicalName,
    canonicalHostname: p.canonicalName.slice(0, p.canonicalName.length - p.name.length - 1),
    url: i.gitUrl(p.connectionName, p.name),
    defaultBranch: i.layout.projectMetadata.get(p.canonicalName)?.defaultBranch ?? 'master',
  };
}

function playbook(pb: FrozenPlaybook): BuildPlaybook {
  return {
    project: pb.sourceContext.projectCanonical,
    branch: pb.sourceContext.branch,
    path: pb.path,
    trusted: pb.trusted,
    cleanup: pb.cleanup,
    nestingLevel: pb.nestingLevel,
    roles: pb.roles.map((r) => ({
      targetName: r.targetName,
      project: r.projectCanonicalName,
      implicit: r.implicit,
    })),
    // Still encrypted: EncryptedValue leaves serialise as {"__encrypted__": […]}.
    secrets: pb.secrets.map((s) => ({
      alias: s.alias,
      secretName: s.secretName,
      connection: s.connectionName,
      project: s.projectName,
      ...(s.secret.data !== undefined ? { data: JSON.parse(JSON.stringify(s.secret.data)) } : {}),
    })),
  };
}

export function buildJobOf(job: FrozenJob, itemProject: string): BuildJob {
  const list = (pbs: readonly FrozenPlaybook[]) => pbs.filter((p) => !p.builtin).map(playbook);
  return {
    name: job.name,
    voting: job.voting,
    timeout: job.timeout,
    preTimeout: job.preTimeout,
    postTimeout: job.postTimeout,
    tags: [...job.tags],
    attempts: job.attempts,
    overrideBranch: job.overrideBranch,
    overrideCheckout: job.overrideCheckout,
    inheritancePath: [...job.inheritancePath],
    workspaceScheme: job.workspaceScheme,
    workspaceCheckout: job.workspaceCheckout,
    imageBuildName: job.imageBuildName,
    failureOutput: [...job.failureOutput],
    ansibleVersion: job.ansibleVersion,
    vars: job.vars,
    extraVars: job.extraVars,
    hostVars: job.hostVars,
    groupVars: job.groupVars,
    includeVars: job.includeVars.map((iv) => ({
      name: iv.name,
      project: iv.projectCanonicalName ?? itemProject,
      required: iv.required,
      useRef: iv.useRef,
    })),
    preRun: list(job.preRun),
    run: list(job.run),
    postRun: list(job.postRun),
    cleanupRun: list(job.cleanupRun),
  };
}

function matchesFilter(
  layout: Layout,
  filters: readonly ProjectFilter[],
  project: string,
  change: string,
  itemProjects: ReadonlySet<string>,
): boolean {
  return filters.some((f) => {
    if (f.type === 'change') return project === change;
    if (f.type === 'item') return itemProjects.has(project);
    try {
      return resolveProjectName(layout, f.name)?.canonicalName === project;
    } catch {
      return false;
    }
  });
}

/** Workspace projects in Zuul's order, filtered by include-/exclude-projects. */
export function workspaceProjects(i: RequestInput, job: BuildJob): WorkspaceProjectRequest[] {
  const out = new Map<string, WorkspaceProjectRequest>();
  for (const rp of i.job.requiredProjects.values()) {
    out.set(rp.projectCanonicalName, {
      project: rp.projectCanonicalName,
      required: true,
      overrideBranch: rp.overrideBranch,
      overrideCheckout: rp.overrideCheckout,
    });
  }
  for (const iv of job.includeVars) {
    if (!out.has(iv.project)) out.set(iv.project, { project: iv.project, required: false });
  }
  for (const r of i.items ?? [i.change]) {
    const c = canonical(r);
    if (!out.has(c)) out.set(c, { project: c, required: false });
  }
  const { includeProjects, excludeProjects } = i.job;
  if (!includeProjects && !excludeProjects) return [...out.values()];
  // Repositories the job's code or variables come from are always kept.
  const kept = new Set<string>([
    ...i.job.requiredProjects.keys(),
    ...job.includeVars.map((iv) => iv.project),
  ]);
  for (const pb of [...job.preRun, ...job.run, ...job.postRun, ...job.cleanupRun]) {
    kept.add(pb.project);
    for (const r of pb.roles) kept.add(r.project);
  }
  const change = canonical(i.change);
  const itemProjects = new Set((i.buildsetRefs ?? [i.change]).map(canonical));
  return [...out.values()].filter((wp) => {
    if (kept.has(wp.project)) return true;
    if (
      includeProjects &&
      !matchesFilter(i.layout, includeProjects, wp.project, change, itemProjects)
    ) {
      return false;
    }
    return !(
      excludeProjects && matchesFilter(i.layout, excludeProjects, wp.project, change, itemProjects)
    );
  });
}

export function buildRequest(i: RequestInput): BuildRequest {
  const job = buildJobOf(i.job, canonical(i.change));
  const workspace = workspaceProjects(i, job);
  const names = new Set<string>(workspace.map((w) => w.project));
  for (const pb of [...job.preRun, ...job.run, ...job.postRun, ...job.cleanupRun]) {
    names.add(pb.project);
    for (const r of pb.roles) names.add(r.project);
  }
  for (const iv of job.includeVars) names.add(iv.project);
  const projects: Record<string, BuildProject> = {};
  for (const name of names) projects[name] = describeProject(i, name);
  const nodeset = i.job.nodesetAlternatives[0];
  return {
    uuid: i.uuid,
    buildsetUuid: i.buildsetUuid,
    tenant: i.layout.tenant.name,
    pipeline: { name: i.pipeline.name, postReview: i.pipeline.postReview },
    zone: i.zone ?? null,
    eventId: i.eventId ?? null,
    attempt: i.attempt ?? 1,
    job,
    projects,
    workspace,
    repoState: i.repoState,
    change: i.change,
    items: i.items ?? [i.change],
    buildsetRefs: i.buildsetRefs ?? [i.change],
    buildRefs: i.buildRefs ?? [i.change],
    nodes: i.nodes,
    groups: (nodeset?.groups ?? []).map((g) => ({ name: g.name, nodes: [...g.nodes] })),
    childJobs: [...i.childJobs],
    parent: i.parent ?? { data: {}, secretData: {} },
    artifacts: i.artifacts ?? [],
  };
}
