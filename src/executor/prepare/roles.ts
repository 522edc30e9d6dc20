// Roles of a playbook (semantics §F.4): each role's repository checked out
// in the playbook's trust context, linked as `role_N/<role name>` in the
// playbook's directory, and its place in the role path — the link's
// directory for a bare role (`tasks/` at the repository root), the
// repository's `roles/` directory for a collection. Earlier roles come
// first in the role path.

import { mkdirSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { BuildPlaybook, BuildRequest } from '../protocol.js';
import { chooseCheckout, PrepareError } from './checkout.js';
import { type CodeCheckouts, projectOf } from './repos.js';

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A role name is one directory name. */
function checkRoleName(name: string): void {
  if (!name || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) {
    throw new PrepareError(`Invalid role name ${name}`);
  }
}

/** Branch of a role repository: the playbook's when it is the same repository, else §F.3's order. */
export function roleBranch(
  req: BuildRequest,
  pb: BuildPlaybook,
  roleProject: string,
  checkouts: CodeCheckouts,
): string {
  if (roleProject === pb.project) return pb.branch;
  const p = projectOf(req, roleProject);
  const wp = req.workspace.find((w) => w.project === roleProject);
  return chooseCheckout({
    names: checkouts.refNames(roleProject),
    projectOverrideCheckout: wp?.overrideCheckout,
    projectOverrideBranch: wp?.overrideBranch,
    jobOverrideCheckout: req.job.overrideCheckout,
    jobOverrideBranch: req.job.overrideBranch,
    itemBranch: req.change.branch,
    playbookBranch: pb.branch,
    defaultBranch: p.defaultBranch,
    project: roleProject,
  }).ref;
}

/**
 * Links the playbook's roles into `pbDir` and returns its role path. An
 * implicit role (the job's own repository) that is neither a bare role nor
 * a collection is skipped; any other such role is an error.
 */
export async function prepareRoles(
  req: BuildRequest,
  pb: BuildPlaybook,
  pbDir: string,
  checkouts: CodeCheckouts,
): Promise<string[]> {
  const rolesPath: string[] = [];
  for (const [n, role] of pb.roles.entries()) {
    checkRoleName(role.targetName);
    const branch = roleBranch(req, pb, role.project, checkouts);
    const checkout = await checkouts.checkout(role.project, branch, pb.trusted);
    const root = join(pbDir, `role_${n}`);
    mkdirSync(root, { recursive: true, mode: 0o700 });
    const link = join(root, role.targetName);
    symlinkSync(checkout, link);
    if (isDir(join(checkout, 'tasks'))) {
      rolesPath.push(root);
    } else if (isDir(join(checkout, 'roles'))) {
      rolesPath.push(join(link, 'roles'));
    } else if (!role.implicit) {
      throw new PrepareError(`Unable to find role in ${role.project} (branch ${branch})`);
    }
  }
  return rolesPath;
}
