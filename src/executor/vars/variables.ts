// Job variables by precedence (semantics §F.5): parent results, include-vars
// files, job vars, then per host group-vars, host-vars and extra-vars; and
// the secrets one playbook gets.

import { deepMerge } from '../../model/freeze/vars.js';

export class VarsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VarsError';
  }
}

/** Names no job may define: Zuul sets them. */
const RESERVED = ['zuul', 'nodepool', 'unsafe_vars'];
/** Dropped from returned data before it reaches a child job. */
const DROPPED_FROM_PARENT_DATA = new Set(RESERVED);

export interface JobVarsInput {
  /** Returned data of the job's ancestors, already merged in job-graph order. */
  parentData?: Record<string, unknown>;
  /** Contents of the include-vars files, in order. */
  includeVars?: Record<string, unknown>[];
  /** The frozen job's vars (project and template vars merged in at freeze). */
  vars: Record<string, unknown>;
  groupVars: Record<string, Record<string, unknown>>;
  hostVars: Record<string, Record<string, unknown>>;
  extraVars: Record<string, unknown>;
}

export function checkVarNames(vars: Record<string, unknown>, where: string): void {
  for (const name of RESERVED) {
    if (Object.hasOwn(vars, name)) {
      throw new VarsError(`Defining variables named '${name}' is not allowed (${where})`);
    }
  }
}

/** Steps 1–4: the variables every host starts from. */
export function baseVars(i: JobVarsInput): Record<string, unknown> {
  let out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(i.parentData ?? {})) {
    if (!DROPPED_FROM_PARENT_DATA.has(k)) out[k] = v;
  }
  for (const [n, file] of (i.includeVars ?? []).entries()) {
    checkVarNames(file, `include-vars file ${n + 1}`);
    out = deepMerge(out, file);
  }
  checkVarNames(i.vars, 'job vars');
  return deepMerge(out, i.vars);
}

/** Step 5: one host's variables (shallow updates, in Zuul's order). */
export function hostVariables(
  base: Record<string, unknown>,
  i: JobVarsInput,
  host: string,
  groups: readonly string[],
): Record<string, unknown> {
  const out = { ...base };
  const layers: [Record<string, unknown> | undefined, string][] = [
    [i.groupVars.all, 'group-vars for all'],
    ...[...groups]
      .sort()
      .map((g): [Record<string, unknown> | undefined, string] => [
        i.groupVars[g],
        `group-vars for ${g}`,
      ]),
    [i.hostVars[host], `host-vars for ${host}`],
    [i.extraVars, 'extra-vars'],
  ];
  for (const [layer, where] of layers) {
    if (!layer) continue;
    checkVarNames(layer, where);
    Object.assign(out, layer);
  }
  return out;
}

/** Every top-level variable name the job defines outside secrets. */
export function definedNames(i: JobVarsInput, base: Record<string, unknown>): Set<string> {
  const names = new Set(Object.keys(base));
  for (const layer of [...Object.values(i.groupVars), ...Object.values(i.hostVars), i.extraVars]) {
    for (const k of Object.keys(layer)) names.add(k);
  }
  return names;
}

/**
 * Step 6: a playbook's group_vars/all.yaml. Secret parent data is the
 * lowest layer and loses every name defined elsewhere; the playbook's own
 * secrets win over it.
 */
export function playbookSecretVars(
  secrets: Record<string, unknown>,
  secretParentData: Record<string, unknown>,
  defined: ReadonlySet<string>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(secretParentData)) {
    if (!defined.has(k) && !Object.hasOwn(secrets, k) && !DROPPED_FROM_PARENT_DATA.has(k)) {
      out[k] = v;
    }
  }
  return Object.assign(out, secrets);
}
