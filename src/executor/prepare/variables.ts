// The variables of a build (semantics §F.5, §F.6): include-vars files read
// from the workspace, the inventory, the `zuul` variable, and each
// playbook's secrets layered over the secret parent data.

import yaml from 'js-yaml';
import { runGit } from '../../merger/git-command.js';
import type { RepoCache } from '../../merger/repo-cache.js';
import type { BuildPaths } from '../build-dir.js';
import type { BuildRequest } from '../protocol.js';
import { buildInventory } from '../vars/inventory.js';
import {
  baseVars,
  definedNames,
  type JobVarsInput,
  playbookSecretVars,
  VarsError,
} from '../vars/variables.js';
import { zuulVars } from '../vars/zuul-vars.js';
import { PrepareError } from './checkout.js';
import { projectOf, type Workspace } from './repos.js';

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The include-vars files in order. Each is read from the project's
 * workspace repository: at the checked-out commit (the item's speculative
 * state for the item's own project) when `use-ref`, else at the branch as
 * it was before the items were merged.
 */
export async function loadIncludeVars(
  req: BuildRequest,
  ws: Workspace,
  cache: RepoCache,
): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (const iv of req.job.includeVars) {
    const p = projectOf(req, iv.project);
    const dir = ws.dirs.get(p.canonicalName);
    const wp = ws.projects.find(
      (w) => `${w.project.canonicalHostname}/${w.project.name}` === p.canonicalName,
    );
    if (!dir || !wp?.commit) {
      throw new PrepareError(
        `The project of include-vars file ${iv.name} (${iv.project}) is not in the workspace`,
      );
    }
    if (iv.name.startsWith('/') || iv.name.split('/').includes('..')) {
      throw new PrepareError(`Invalid include-vars path ${iv.name}`);
    }
    const rev = iv.useRef ? wp.commit : `refs/remotes/origin/${wp.checkout}`;
    const shown = await runGit(['show', `${rev}:${iv.name}`], {
      ...cache.gitOptions(),
      cwd: dir,
      okExitCodes: [128],
    });
    if (shown.exitCode !== 0) {
      if (iv.required) {
        throw new PrepareError(`Required vars file ${iv.name} not found in ${iv.project}`);
      }
      continue;
    }
    let data: unknown;
    try {
      data = yaml.load(shown.stdout.toString('utf8'));
    } catch (e) {
      throw new PrepareError(`Unable to parse vars file ${iv.name}: ${(e as Error).message}`);
    }
    if (data === undefined || data === null) continue;
    if (!isMapping(data)) throw new PrepareError(`Vars file ${iv.name} must hold a mapping`);
    out.push(data);
  }
  return out;
}

export function jobVarsInput(
  req: BuildRequest,
  includeVars: Record<string, unknown>[],
): JobVarsInput {
  return {
    parentData: req.parent.data,
    includeVars,
    vars: req.job.vars,
    groupVars: req.job.groupVars,
    hostVars: req.job.hostVars,
    extraVars: req.job.extraVars,
  };
}

export function inventoryFor(
  req: BuildRequest,
  input: JobVarsInput,
  defaultUsername: string,
): Record<string, unknown> {
  return buildInventory({ nodes: req.nodes, groups: req.groups, vars: input, defaultUsername });
}

export function zuulVarsFor(
  req: BuildRequest,
  ws: Workspace,
  paths: BuildPaths,
  hostname: string,
  ansibleVersion: string,
): Record<string, unknown> {
  const z = zuulVars({
    tenant: req.tenant,
    pipeline: req.pipeline,
    job: req.job,
    build: {
      uuid: req.uuid,
      buildsetUuid: req.buildsetUuid,
      attempt: req.attempt,
      eventId: req.eventId,
    },
    change: req.change,
    items: req.items,
    buildsetRefs: req.buildsetRefs,
    buildRefs: req.buildRefs,
    projects: ws.projects,
    childJobs: req.childJobs,
    artifacts: req.artifacts,
    includeVars: req.job.includeVars.map((iv) => {
      const p = projectOf(req, iv.project);
      return {
        name: iv.name,
        connection: p.connection,
        project: p.name,
        required: iv.required,
        useRef: iv.useRef,
      };
    }),
    executor: { hostname, paths },
    ansibleVersion,
  });
  return { zuul: z };
}

/** group_vars/all.yaml of one playbook: its secrets over the secret parent data. */
export function secretVarsFor(
  req: BuildRequest,
  input: JobVarsInput,
  secrets: Record<string, unknown>,
): Record<string, unknown> {
  const defined = definedNames(input, baseVars(input));
  const out = playbookSecretVars(secrets, req.parent.secretData, defined);
  for (const name of ['zuul', 'nodepool', 'unsafe_vars']) {
    if (Object.hasOwn(secrets, name)) {
      throw new VarsError(`Defining variables named '${name}' is not allowed (secrets)`);
    }
  }
  return out;
}
