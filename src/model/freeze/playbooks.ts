// What a stanza contributes to a frozen job's execution context: its roles,
// its playbooks (frozen with the roles of that moment, its secrets and
// semaphores), and nodeset resolution.

import type { SourceContext } from '../config-error.js';
import type { JobSecretRef, PlaybookRef } from '../job.js';
import { type Layout, resolveProjectName } from '../layout.js';
import type { InlineNodeset, Nodeset } from '../nodeset.js';
import { isBuiltinSource } from './collect.js';
import {
  type AppliedVariant,
  FreezeError,
  type FrozenJob,
  type FrozenNodeset,
  type FrozenPlaybook,
  type FrozenRole,
  type FrozenSecretUse,
  type FrozenSemaphore,
} from './types.js';

function canonicalOf(layout: Layout, name: string): string | undefined {
  try {
    return resolveProjectName(layout, name)?.canonicalName;
  } catch {
    return undefined;
  }
}

/** Whether the tenant treats a project as trusted (a config project). */
export function isTrusted(layout: Layout, sc: SourceContext): boolean {
  if (isBuiltinSource(sc)) return false;
  return layout.projects.get(sc.projectCanonical)?.trusted ?? sc.trusted;
}

// Zuul strips "ansible-" / "role-" style prefixes from a repository name
// to name the implicit role it provides.
const ANSIBLE_ROLE_PREFIX = /^(ansible[-_.+]*)*(role[-_.+]*)*/;

/** The role a job's own repository implicitly provides. */
export function implicitRole(sc: SourceContext): FrozenRole {
  const last = sc.project.split('/').pop() ?? sc.project;
  return {
    targetName: last.replace(ANSIBLE_ROLE_PREFIX, '') || last,
    projectCanonicalName: sc.projectCanonical,
    implicit: true,
  };
}

/**
 * The Zuul roles a stanza lists, resolved in the tenant (unknown projects
 * are dropped silently, galaxy roles ignored). Job stanzas always carry the
 * implicit role of their project first; the layout builder normally adds it,
 * and it is added here when a hand-built layout did not.
 */
export function variantRoles(layout: Layout, av: AppliedVariant): FrozenRole[] {
  const out: FrozenRole[] = [];
  const sc = av.variant.sourceContext;
  for (const r of av.variant.roles ?? []) {
    if (r.type !== 'zuul') continue;
    const canonical = canonicalOf(layout, r.project);
    if (!canonical) continue;
    out.push({
      targetName: r.name ?? r.project.split('/').pop() ?? r.project,
      projectCanonicalName: canonical,
      implicit: r.implicit ?? false,
    });
  }
  if (!av.projectPipeline && !isBuiltinSource(sc) && !out.some((r) => r.implicit)) {
    out.unshift(implicitRole(sc));
  }
  return out;
}

function sameRole(a: FrozenRole, b: FrozenRole): boolean {
  // `implicit` does not count, so an explicit role can replace an implicit one.
  return a.targetName === b.targetName && a.projectCanonicalName === b.projectCanonicalName;
}

/**
 * Adds a later stanza's roles: an implicit role already present is replaced
 * by the same role listed explicitly, and new roles go in front, in the
 * order listed (newer stanzas' roles are searched first).
 */
export function addRoles(frozen: FrozenJob, roles: readonly FrozenRole[]): void {
  const next = frozen.roles.map((existing) => {
    const replacement = roles.find((r) => sameRole(r, existing));
    return replacement && existing.implicit && !replacement.implicit ? replacement : existing;
  });
  for (let i = roles.length - 1; i >= 0; i--) {
    if (!next.some((r) => sameRole(r, roles[i]))) next.unshift(roles[i]);
  }
  frozen.roles = next;
}

/** The secrets a stanza lists, as its playbooks receive them. */
export function stanzaSecrets(
  layout: Layout,
  refs: readonly JobSecretRef[],
  sc: SourceContext,
  strict: boolean,
): FrozenSecretUse[] {
  const out: FrozenSecretUse[] = [];
  // Decrypted with the key of the project using the secret, which the
  // layout already required to be the one defining it.
  const project = layout.projects.get(sc.projectCanonical);
  for (const ref of refs) {
    const secret = layout.secrets.get(ref.secret);
    if (!secret) {
      // Unknown secrets were reported when the layout was built; only the
      // pass-to-parent path raises, as in Zuul.
      if (strict) throw new FreezeError(`Secret ${ref.secret} not found`);
      continue;
    }
    out.push({
      alias: ref.name,
      secretName: ref.secret,
      secret,
      projectCanonicalName: sc.projectCanonical,
      projectName: project?.name ?? sc.project,
      connectionName: project?.connectionName ?? sc.connection,
    });
  }
  return out;
}

function frozenSemaphore(layout: Layout, name: string): FrozenSemaphore {
  const sem = layout.semaphores.get(name);
  return {
    name,
    resourcesFirst: false,
    // An undefined semaphore is an implicit one with max 1.
    max: sem?.max ?? 1,
    global: sem !== undefined && 'global' in sem && sem.global === true,
  };
}

/**
 * Freezes the playbooks a stanza adds: they see the job's roles as they are
 * now (never a later child's), the stanza's secrets, and their nesting level.
 */
export function freezePlaybooks(
  layout: Layout,
  frozen: FrozenJob,
  refs: readonly PlaybookRef[],
  sc: SourceContext,
  secrets: readonly FrozenSecretUse[],
): FrozenPlaybook[] {
  const trusted = isTrusted(layout, sc);
  return refs.map((ref) => ({
    path: ref.path,
    sourceContext: sc,
    trusted,
    cleanup: ref.cleanup,
    nestingLevel: frozen.inheritancePath.length,
    roles: frozen.roles,
    secrets: [...secrets],
    semaphores: [...ref.semaphores].sort().map((s) => frozenSemaphore(layout, s)),
    ...(isBuiltinSource(sc) ? { builtin: true } : {}),
  }));
}

const EMPTY_NODESET: InlineNodeset = Object.freeze({ nodes: [], groups: [], alternatives: [] });

export function emptyNodeset(): InlineNodeset {
  return EMPTY_NODESET;
}

/** A nodeset reference resolved to the nodeset (named ones from the layout). */
export function resolveNodeset(layout: Layout, ns: string | InlineNodeset): InlineNodeset {
  if (typeof ns !== 'string') return ns;
  const found = layout.nodesets.get(ns);
  if (!found) throw new FreezeError(`The nodeset "${ns}" was not found.`);
  return found;
}

/** Nodeset alternatives flattened depth first in listed order (semantics §C.5). */
export function flattenNodeset(layout: Layout, ns: string | InlineNodeset): FrozenNodeset[] {
  const out: FrozenNodeset[] = [];
  // The chain of nodesets being expanded: a nodeset among its own
  // alternatives is a cycle, the same one under two branches is not.
  const stack: InlineNodeset[] = [];
  const walk = (ref: string | InlineNodeset): void => {
    const resolved = resolveNodeset(layout, ref);
    if (stack.includes(resolved)) {
      throw new FreezeError(`Nodeset cycle detected on "${typeof ref === 'string' ? ref : ''}"`);
    }
    if (resolved.alternatives.length) {
      stack.push(resolved);
      for (const alt of resolved.alternatives) walk(alt);
      stack.pop();
    } else {
      out.push({
        name: (resolved as Partial<Nodeset>).name ?? '',
        nodes: resolved.nodes,
        groups: resolved.groups,
      });
    }
  };
  walk(ns);
  return out;
}
