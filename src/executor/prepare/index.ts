// Build preparation (semantics §F.2–§F.6): from a build request to a
// prepared build directory the runner can run — repositories, playbooks
// and roles, inventory, `zuul` variables, site variables and secrets.

import type { RepoCache } from '../../merger/repo-cache.js';
import type { BuildPaths, PreparedBuild } from '../build-dir.js';
import type { JobOutput } from '../job-output.js';
import type { BuildRequest } from '../protocol.js';
import { type PreparedPhases, preparePlaybooks, startPlaybookCheckouts } from './playbooks.js';
import {
  CHECKOUTS_AT_ONCE,
  CodeCheckouts,
  completeRepoState,
  Limiter,
  prepareWorkspace,
  type Workspace,
} from './repos.js';
import { type BuildKeys, SecretDecrypter } from './secrets.js';
import {
  inventoryFor,
  jobVarsInput,
  loadIncludeVars,
  secretVarsFor,
  zuulVarsFor,
} from './variables.js';

export { PrepareError } from './checkout.js';
export type { BuildKeys } from './secrets.js';

export interface PrepareContext {
  repoCache: RepoCache;
  keystore?: BuildKeys;
  hostname: string;
  defaultUsername: string;
  /** `[executor] variables`: the site variables file. */
  variablesFile?: string;
  /** Zuul's name for the Ansible version that will run (`9`, `11`). */
  ansibleVersion: string;
  /** Stops preparation between steps. */
  signal: AbortSignal;
}

export interface PreparedBuildInfo {
  build: PreparedBuild;
  workspace: Workspace;
}

export class PrepareAborted extends Error {
  constructor() {
    super('Build aborted while it was being prepared');
    this.name = 'PrepareAborted';
  }
}

/** The workspace gets a work tree unless workspace-checkout says no (`auto`: only without nodes). */
export function checksOutWorkspace(req: BuildRequest): boolean {
  const wc = req.job.workspaceCheckout;
  return wc === 'auto' ? req.nodes.length === 0 : wc;
}

export async function prepareBuild(
  req: BuildRequest,
  paths: BuildPaths,
  out: JobOutput,
  ctx: PrepareContext,
): Promise<PreparedBuildInfo> {
  const step = (message: string) => {
    if (ctx.signal.aborted) throw new PrepareAborted();
    out.line(message);
  };
  step('Updating git repos');
  const state = await completeRepoState(req, ctx.repoCache);
  const limiter = new Limiter(CHECKOUTS_AT_ONCE);
  const checkouts = new CodeCheckouts(req, state, ctx.repoCache, paths, limiter);
  let workspace: Workspace;
  let phases: PreparedPhases;
  let input: ReturnType<typeof jobVarsInput>;
  try {
    step('Cloning repos into workspace');
    const cloned = prepareWorkspace(
      req,
      state,
      ctx.repoCache,
      paths,
      checksOutWorkspace(req),
      limiter,
    );
    // Playbook and role checkouts do not depend on the workspace.
    startPlaybookCheckouts(req, checkouts);
    workspace = await cloned;
    step('Loading include-vars files');
    input = jobVarsInput(req, await loadIncludeVars(req, workspace, ctx.repoCache));
    step('Preparing playbooks');
    phases = await preparePlaybooks(req, paths, checkouts);
  } catch (e) {
    // Nothing may still be writing when the caller removes the build directory.
    await checkouts.settled();
    throw e;
  }
  const decrypter = new SecretDecrypter(ctx.keystore);
  for (const phase of ['pre', 'run', 'post'] as const) {
    for (const [i, pb] of phases.source[phase].entries()) {
      const secrets = await decrypter.playbookSecrets(pb);
      const vars = secretVarsFor(req, input, secrets);
      if (Object.keys(vars).length) phases[phase][i]!.secrets = vars;
    }
  }
  step('Preparing inventory');
  const build: PreparedBuild = {
    uuid: req.uuid,
    root: paths.root,
    pre: phases.pre,
    run: phases.run,
    post: phases.post,
    inventory: inventoryFor(req, input, ctx.defaultUsername),
    zuulVars: zuulVarsFor(req, workspace, paths, ctx.hostname, ctx.ansibleVersion),
    extraVarsFiles: ctx.variablesFile ? [ctx.variablesFile] : [],
    timeout: req.job.timeout,
    preTimeout: req.job.preTimeout,
    postTimeout: req.job.postTimeout,
    failureOutput: req.job.failureOutput,
  };
  return { build, workspace };
}
