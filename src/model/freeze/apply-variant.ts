// Step 3 and 5 of freezing (semantics §D.8): applying one more variant,
// child or project-pipeline entry to a frozen job, with Zuul's rules for
// execution attributes (guarded by final/protected) and context attributes.

import type { Layout } from '../layout.js';
import {
  applyContextAttributes,
  applyProjectLists,
  applyVariables,
  checkSemaphores,
} from './apply-attributes.js';
import { finalControl, frozenRepr, otherRepr } from './apply-controls.js';
import {
  addRoles,
  freezePlaybooks,
  resolveNodeset,
  stanzaSecrets,
  variantRoles,
} from './playbooks.js';
import { pyRepr } from './repr.js';
import { type AppliedVariant, FreezeError, type FrozenJob } from './types.js';
import { hasEntries } from './vars.js';

/** Whether the stanza sets roles: job stanzas always do (their implicit role). */
function setsRoles(av: AppliedVariant): boolean {
  if (!av.projectPipeline && av.variant.sourceContext.projectCanonical !== '') return true;
  return (av.variant.roles ?? []).some((r) => r.type === 'zuul');
}

/**
 * The execution attributes a stanza sets, in Zuul's order (the first one
 * names a final-job error), under Zuul's attribute names. "Set" follows
 * Zuul's parser: empty mappings, empty playbook lists, empty semaphore and
 * allowed-projects lists count as unset.
 */
function setExecutionAttributes(av: AppliedVariant): [string, unknown][] {
  const v = av.variant;
  const out: [string, unknown][] = [];
  const add = (name: string, value: unknown, isSet: boolean) => {
    if (isSet) out.push([name, value]);
  };
  add('parent', v.parent, v.parent !== undefined);
  add('pre_timeout', v.preTimeout, v.preTimeout !== undefined);
  add('timeout', v.timeout, v.timeout !== undefined);
  add('post_timeout', v.postTimeout, v.postTimeout !== undefined);
  add('variables', v.vars, hasEntries(v.vars));
  add('extra_variables', v.extraVars, hasEntries(v.extraVars));
  add('host_variables', v.hostVars, hasEntries(v.hostVars));
  add('group_variables', v.groupVars, hasEntries(v.groupVars));
  add('include_vars', v.includeVars, (v.includeVars?.length ?? 0) > 0);
  add('nodeset', v.nodeset, v.nodeset !== undefined);
  add(
    'pre_run',
    v.preRun?.map((p) => p.path),
    (v.preRun?.length ?? 0) > 0,
  );
  add(
    'post_run',
    v.postRun?.map((p) => p.path),
    (v.postRun?.length ?? 0) > 0,
  );
  add(
    'cleanup_run',
    v.cleanupRun?.map((p) => p.path),
    (v.cleanupRun?.length ?? 0) > 0,
  );
  add(
    'run',
    v.run?.map((p) => p.path),
    (v.run?.length ?? 0) > 0,
  );
  add('ansible_split_streams', v.ansibleSplitStreams, v.ansibleSplitStreams !== undefined);
  add('ansible_version', v.ansibleVersion, v.ansibleVersion !== undefined);
  add(
    'semaphores',
    v.semaphores?.map((s) => s.name),
    (v.semaphores?.length ?? 0) > 0,
  );
  add('attempts', v.attempts, v.attempts !== undefined);
  add('roles', v.roles, setsRoles(av));
  add('required_projects', v.requiredProjects, v.requiredProjects !== undefined);
  add('allowed_projects', v.allowedProjects, (v.allowedProjects?.length ?? 0) > 0);
  add('override_branch', v.overrideBranch, v.overrideBranch !== undefined);
  add('override_checkout', v.overrideCheckout, v.overrideCheckout !== undefined);
  add('post_review', v.postReview, v.postReview !== undefined);
  add('workspace_scheme', v.workspaceScheme, v.workspaceScheme !== undefined);
  add('workspace_checkout', v.workspaceCheckout, v.workspaceCheckout !== undefined);
  add('failure_output', v.failureOutput, v.failureOutput !== undefined);
  add('image_build_name', v.imageName, v.imageName !== undefined);
  // Zuul 14 additions, execution attributes as well.
  add('type', v.type, v.type !== undefined);
  add('include_projects', v.includeProjects, v.includeProjects !== undefined);
  add('exclude_projects', v.excludeProjects, v.excludeProjects !== undefined);
  return out;
}

function shortProjectName(layout: Layout, av: AppliedVariant): string {
  return layout.projects.get(av.projectCanonicalName)?.name ?? av.variant.sourceContext.project;
}

/** Applies one stanza to the job being frozen (Zuul's Job.applyVariant). */
export function applyVariant(layout: Layout, frozen: FrozenJob, av: AppliedVariant): void {
  const v = av.variant;
  const otherProject = av.projectCanonicalName;
  for (const [attr, value] of setExecutionAttributes(av)) {
    if (frozen.final) {
      throw new FreezeError(
        `Unable to modify final job ${frozenRepr(frozen)} attribute ${attr}=${pyRepr(value)} with variant ${otherRepr(av)}`,
      );
    }
    if (frozen.protectedOrigin !== null && frozen.protectedOrigin !== otherProject) {
      throw new FreezeError(
        `Job ${frozenRepr(frozen)} which is defined in ${frozen.protectedOrigin} is protected and cannot be inherited from other projects.`,
      );
    }
  }
  // Simple execution attributes replace.
  if (v.parent !== undefined) frozen.parent = v.parent;
  if (v.preTimeout !== undefined) frozen.preTimeout = v.preTimeout;
  if (v.timeout !== undefined) frozen.timeout = v.timeout;
  if (v.postTimeout !== undefined) frozen.postTimeout = v.postTimeout;
  if (v.nodeset !== undefined) frozen.nodeset = v.nodeset;
  if (v.ansibleSplitStreams !== undefined) frozen.ansibleSplitStreams = v.ansibleSplitStreams;
  if (v.ansibleVersion !== undefined) frozen.ansibleVersion = v.ansibleVersion;
  if (v.attempts !== undefined) frozen.attempts = v.attempts;
  if (v.overrideBranch !== undefined) frozen.overrideBranch = v.overrideBranch;
  if (v.overrideCheckout !== undefined) frozen.overrideCheckout = v.overrideCheckout;
  if (v.postReview !== undefined) frozen.postReview = frozen.postReview || v.postReview;
  if (v.workspaceScheme !== undefined) frozen.workspaceScheme = v.workspaceScheme;
  if (v.workspaceCheckout !== undefined) frozen.workspaceCheckout = v.workspaceCheckout;
  if (v.imageName !== undefined) frozen.imageBuildName = v.imageName;
  if (v.type !== undefined) {
    finalControl(frozen, av, 'type', v.type, true);
    frozen.type = v.type;
  }

  applyFlags(frozen, av);

  // Roles first: the playbooks added below are frozen with them.
  if (setsRoles(av)) addRoles(frozen, variantRoles(layout, av));
  frozen.nodeset = resolveNodeset(layout, frozen.nodeset);

  passSecretsToParents(layout, frozen, av);
  // An untrusted stanza with secrets must not run pre-review, nor for other
  // projects (a Depends-On could otherwise reach the secret).
  if (!frozen.postReview && av.untrustedSecrets) {
    frozen.postReview = true;
    const own = new Set([shortProjectName(layout, av)]);
    frozen.allowedProjects = frozen.allowedProjects
      ? new Set([...frozen.allowedProjects].filter((p) => own.has(p)))
      : own;
  }

  const sc = v.sourceContext;
  const secrets = stanzaSecrets(layout, v.secrets ?? [], sc, false);
  if (v.run?.length) frozen.run = freezePlaybooks(layout, frozen, v.run, sc, secrets);
  if (v.preRun?.length) {
    frozen.preRun = [...frozen.preRun, ...freezePlaybooks(layout, frozen, v.preRun, sc, secrets)];
  }
  if (v.postRun?.length) {
    frozen.postRun = [
      ...freezePlaybooks(layout, frozen, v.postRun, sc, secrets),
      ...frozen.postRun,
    ];
  }
  if (v.cleanupRun?.length) {
    const added = freezePlaybooks(layout, frozen, v.cleanupRun, sc, secrets);
    frozen.cleanupRun = [...added, ...frozen.cleanupRun];
  }

  applyVariables(frozen, av);
  applyProjectLists(layout, frozen, av);
  checkSemaphores(frozen);
  applyContextAttributes(frozen, av);
  frozen.inheritancePath.push(otherRepr(av));
}

function applyFlags(frozen: FrozenJob, av: AppliedVariant): void {
  const v = av.variant;
  if (v.final) frozen.final = true;
  // A child's value replaces (children are concrete unless they say
  // otherwise); a later variant of the same job can only turn it on.
  const child = v.name !== frozen.name;
  if (child) frozen.abstract = v.abstract ?? false;
  else if (v.abstract) frozen.abstract = true;
  if (frozen.intermediate && !v.abstract) {
    throw new FreezeError(
      `Intermediate job ${frozenRepr(frozen)} may only be inherited by another abstract job`,
    );
  }
  if (child) frozen.intermediate = v.intermediate ?? false;
  else if (v.intermediate) frozen.intermediate = true;
  if (v.protected !== undefined) {
    if (!v.protected && frozen.protectedOrigin !== null) {
      throw new FreezeError(
        `Unable to reset protected attribute of job ${frozenRepr(frozen)} by job ${otherRepr(av)}`,
      );
    }
    // As in Zuul, the first stanza that mentions `protected` at all records its project.
    if (frozen.protectedOrigin === null) frozen.protectedOrigin = av.projectCanonicalName;
  }
}

function passSecretsToParents(layout: Layout, frozen: FrozenJob, av: AppliedVariant): void {
  const refs = (av.variant.secrets ?? []).filter((s) => s.passToParent);
  if (!refs.length) return;
  const secrets = stanzaSecrets(layout, refs, av.variant.sourceContext, true);
  for (const pb of [...frozen.preRun, ...frozen.run, ...frozen.postRun, ...frozen.cleanupRun]) {
    const have = new Set(pb.secrets.map((s) => s.alias));
    pb.secrets.push(...secrets.filter((s) => !have.has(s.alias)));
    // A secret in a playbook that can run speculatively: only post-review is safe.
    if (!pb.trusted) frozen.postReview = true;
  }
}
