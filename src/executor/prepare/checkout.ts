// Which branch or tag a build checks out in a repository (semantics §F.3
// step 5, §F.4 roles, and the Zuul 14 role rule for tag/ref items). Pure:
// decided from the names the repo state records for the project.

import type { ProjectRepoState } from '../../merger/types.js';

/** A preparation problem Zuul reports as the build result ERROR (never retried). */
export class PrepareError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrepareError';
  }
}

export interface ProjectRefNames {
  /** Branch names. */
  branches: Set<string>;
  /** Branch and tag names (refs without their `refs/<kind>/` prefix). */
  refs: Set<string>;
}

export function refNames(state: ProjectRepoState): ProjectRefNames {
  const branches = new Set<string>();
  const refs = new Set<string>();
  const all = [
    ...Object.keys(state.refs),
    ...Object.keys(state.merged ?? {}).map((b) => `refs/heads/${b}`),
  ];
  for (const ref of all) {
    const parts = ref.split('/');
    if (parts.length < 3) continue;
    const name = parts.slice(2).join('/');
    refs.add(name);
    if (parts[1] === 'heads') branches.add(name);
  }
  return { branches, refs };
}

export interface CheckoutInput {
  names: ProjectRefNames;
  /** required-projects overrides of this project. */
  projectOverrideCheckout?: string | null;
  projectOverrideBranch?: string | null;
  jobOverrideCheckout?: string | null;
  jobOverrideBranch?: string | null;
  /** The item's ref, given only for the item's own project when the item has no branch. */
  itemRef?: string | null;
  /** The item's branch. */
  itemBranch?: string | null;
  /** Roles (Zuul 14): the playbook project's branch, when the role repository has it. */
  playbookBranch?: string | null;
  defaultBranch: string;
  /** Canonical name, for the error message. */
  project: string;
}

export interface Checkout {
  /** Branch or tag name. */
  ref: string;
  /** Why it was chosen (`zuul.projects[].checkout_description`). */
  description: string;
}

const has = (set: Set<string>, name: string | null | undefined): name is string =>
  typeof name === 'string' && name !== '' && set.has(name);

/** The first match of Zuul's order; a PrepareError when not even the default branch exists. */
export function chooseCheckout(i: CheckoutInput): Checkout {
  const { branches, refs } = i.names;
  if (has(refs, i.projectOverrideCheckout)) {
    return { ref: i.projectOverrideCheckout, description: 'project override ref' };
  }
  if (has(branches, i.projectOverrideBranch)) {
    return { ref: i.projectOverrideBranch, description: 'project override branch' };
  }
  if (has(refs, i.jobOverrideCheckout)) {
    return { ref: i.jobOverrideCheckout, description: 'job override ref' };
  }
  if (has(branches, i.jobOverrideBranch)) {
    return { ref: i.jobOverrideBranch, description: 'job override branch' };
  }
  if (i.itemRef?.startsWith('refs/heads/')) {
    return { ref: i.itemRef.slice('refs/heads/'.length), description: 'branch ref' };
  }
  if (i.itemRef?.startsWith('refs/tags/')) {
    return { ref: i.itemRef.slice('refs/tags/'.length), description: 'tag ref' };
  }
  if (has(branches, i.itemBranch)) return { ref: i.itemBranch, description: 'zuul branch' };
  if (has(branches, i.playbookBranch)) {
    return { ref: i.playbookBranch, description: 'playbook branch' };
  }
  if (has(branches, i.defaultBranch)) {
    return { ref: i.defaultBranch, description: 'project default branch' };
  }
  throw new PrepareError(
    `Project ${i.project} does not have the default branch ${i.defaultBranch}`,
  );
}
