// Resolving the project names a job variant mentions, in this tenant
// (Zuul 14 resolves them when a stanza is added to a tenant's layout,
// because parsed objects are shared by tenants). The result is a copy; the
// parsed variant is never changed.

import type { IncludeVarsRef, JobVariant, RequiredProjectRef, RoleRef } from '../../model/job.js';
import type { LayoutProject } from '../../model/layout.js';
import { inheritStanzaLocation } from '../config-file.js';
import type { ConfigPath } from '../errors.js';
import { type BuildContext, LayoutProblem } from './context.js';

const NOT_FOUND_TAIL =
  'All projects referenced within a Zuul configuration must first be added to the main configuration file by the Zuul administrator.';

/** Zuul's ProjectNotFoundError text for one or several names. */
export function projectNotFound(names: readonly string[], path: ConfigPath = []): LayoutProblem {
  const message =
    names.length > 1
      ? `The projects ${names.map((n) => `"${n}"`).join(', ')} were not found.  ${NOT_FOUND_TAIL}`
      : `The project "${names[0]}" was not found.  ${NOT_FOUND_TAIL}`;
  return new LayoutProblem(message, 'Project Not Found', path);
}

// Zuul strips these prefixes from a repository name to name its implicit role.
const ANSIBLE_ROLE_PREFIX = /^(ansible[-_.+]*)*(role[-_.+]*)*/;

/** The implicit role of a project: its repository, named as Zuul names it. */
export function implicitRole(project: LayoutProject): RoleRef {
  const last = project.name.split('/').pop() ?? project.name;
  const name = last.replace(ANSIBLE_ROLE_PREFIX, '') || last;
  return { type: 'zuul', project: project.canonicalName, name, implicit: true };
}

function resolveRequiredProjects(
  ctx: BuildContext,
  refs: readonly RequiredProjectRef[],
  path: ConfigPath,
): RequiredProjectRef[] {
  const unknown: string[] = [];
  const out: RequiredProjectRef[] = [];
  for (const ref of refs) {
    const project = ctx.resolveProject(ref.project, path);
    if (!project) unknown.push(ref.project);
    else out.push({ ...ref, project: project.canonicalName });
  }
  if (unknown.length) throw projectNotFound(unknown, path);
  return out;
}

function resolveIncludeVars(
  ctx: BuildContext,
  refs: readonly IncludeVarsRef[],
  definer: LayoutProject,
  path: ConfigPath,
): IncludeVarsRef[] {
  return refs.map((ref) => {
    // No project: the defining project, unless the file comes from the item's project.
    if (ref.zuulProject) return { ...ref, project: undefined };
    if (ref.project === undefined) return { ...ref, project: definer.canonicalName };
    const project = ctx.resolveProject(ref.project, path);
    if (!project) throw projectNotFound([ref.project], path);
    return { ...ref, project: project.canonicalName };
  });
}

function resolveAllowedProjects(
  ctx: BuildContext,
  names: readonly string[],
  definer: LayoutProject,
  path: ConfigPath,
): string[] {
  const out: string[] = [];
  for (const name of names) {
    // The defining project needs no lookup (it is in the tenant, and an
    // ambiguous short name does not matter for it).
    let short = name;
    if (name !== definer.name) {
      const project = ctx.resolveProject(name, path);
      if (!project) throw projectNotFound([name], path);
      short = project.name;
    }
    if (!out.includes(short)) out.push(short);
  }
  return out;
}

function resolveRoles(ctx: BuildContext, roles: readonly RoleRef[], path: ConfigPath): RoleRef[] {
  const out: RoleRef[] = [];
  for (const role of roles) {
    if (role.type !== 'zuul') {
      out.push(role);
      continue;
    }
    const project = ctx.resolveProject(role.project, path);
    // Unknown role projects have always been ignored silently by Zuul.
    if (!project) continue;
    const name = role.name ?? role.project.split('/').pop() ?? role.project;
    out.push({ ...role, project: project.canonicalName, name });
  }
  return out;
}

/**
 * The variant with its project references resolved. Top-level variants
 * (`implicitRoleOf` given) also get their project's implicit role first, as
 * Zuul's parser adds it; project-pipeline variants do not. Throws a
 * LayoutProblem for unknown required-projects, include-vars or
 * allowed-projects.
 */
export function resolveVariant(
  ctx: BuildContext,
  job: JobVariant,
  definer: LayoutProject,
  prefix: ConfigPath,
  implicitRoleOf?: LayoutProject,
): JobVariant {
  const copy: JobVariant = { ...job };
  if (job.requiredProjects) {
    copy.requiredProjects = resolveRequiredProjects(ctx, job.requiredProjects, [
      ...prefix,
      'required-projects',
    ]);
  }
  if (job.includeVars) {
    copy.includeVars = resolveIncludeVars(ctx, job.includeVars, definer, [
      ...prefix,
      'include-vars',
    ]);
  }
  if (job.allowedProjects) {
    copy.allowedProjects = resolveAllowedProjects(ctx, job.allowedProjects, definer, [
      ...prefix,
      'allowed-projects',
    ]);
  }
  const roles = job.roles ? resolveRoles(ctx, job.roles, [...prefix, 'roles']) : [];
  if (implicitRoleOf) roles.unshift(implicitRole(implicitRoleOf));
  if (job.roles || implicitRoleOf) copy.roles = roles;
  inheritStanzaLocation(copy, job);
  return copy;
}
