// The playbooks of a build in run order (semantics §F.4, §F.7): each read
// from the project and branch of the stanza that listed it, in its trust
// context, with its roles linked and its secrets attached.

import { statSync } from 'node:fs';
import type { BuildPaths, Phase, PreparedPlaybook } from '../build-dir.js';
import { playbookDir } from '../playbook-run.js';
import type { BuildPlaybook, BuildRequest } from '../protocol.js';
import { PrepareError } from './checkout.js';
import { type CodeCheckouts, fileIn } from './repos.js';
import { prepareRoles, roleBranch } from './roles.js';

export interface PhasePlaybooks {
  pre: BuildPlaybook[];
  run: BuildPlaybook[];
  post: BuildPlaybook[];
}

/**
 * Post-run and cleanup-run playbooks as one list: deeper inheritance
 * levels first (a child's post-run before its parent's), post-run before
 * cleanup-run within a level.
 */
export function phasePlaybooks(req: BuildRequest): PhasePlaybooks {
  const post = [
    ...req.job.postRun.map((pb) => ({ ...pb, cleanup: false })),
    ...req.job.cleanupRun.map((pb) => ({ ...pb, cleanup: true })),
  ]
    .map((pb, order) => ({ pb, order }))
    .sort((a, b) => b.pb.nestingLevel - a.pb.nestingLevel || a.order - b.order)
    .map((x) => x.pb);
  return { pre: req.job.preRun, run: req.job.run, post };
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export interface PreparedPhases {
  pre: PreparedPlaybook[];
  run: PreparedPlaybook[];
  post: PreparedPlaybook[];
  /** The same playbooks in the request's form, index for index. */
  source: PhasePlaybooks;
}

/**
 * Starts the checkouts preparePlaybooks will ask for, in the order it asks
 * (the same `project_N` numbers), so they are made while the workspace is.
 * Failures are left for preparePlaybooks to meet in its own order.
 */
export function startPlaybookCheckouts(req: BuildRequest, checkouts: CodeCheckouts): void {
  const source = phasePlaybooks(req);
  for (const pb of [...source.pre, ...source.run, ...source.post]) {
    try {
      checkouts.checkout(pb.project, pb.branch, pb.trusted).catch(() => undefined);
      for (const role of pb.roles) {
        const branch = roleBranch(req, pb, role.project, checkouts);
        checkouts.checkout(role.project, branch, pb.trusted).catch(() => undefined);
      }
    } catch {
      return; // preparePlaybooks stops here too, with the error
    }
  }
}

/** Checks out every playbook and its roles; PrepareError when one is missing. */
export async function preparePlaybooks(
  req: BuildRequest,
  paths: BuildPaths,
  checkouts: CodeCheckouts,
): Promise<PreparedPhases> {
  const source = phasePlaybooks(req);
  const prepare = async (phase: Phase, list: BuildPlaybook[]) => {
    const out: PreparedPlaybook[] = [];
    for (const [index, pb] of list.entries()) {
      const checkout = await checkouts.checkout(pb.project, pb.branch, pb.trusted);
      const file = fileIn(checkout, pb.path, 'playbook');
      if (!file || !isFile(file)) {
        throw new PrepareError(`Unable to find playbook ${pb.path} in ${pb.project}@${pb.branch}`);
      }
      const rolesPath = await prepareRoles(req, pb, playbookDir(paths, phase, index), checkouts);
      out.push({
        path: file,
        trusted: pb.trusted,
        canonicalNameAndPath: `${pb.project}/${pb.path}`,
        branch: pb.branch,
        rolesPath,
        cleanup: pb.cleanup,
        nestingLevel: pb.nestingLevel,
      });
    }
    return out;
  };
  return {
    pre: await prepare('pre', source.pre),
    run: await prepare('run', source.run),
    post: await prepare('post', source.post),
    source,
  };
}
