// attribute-control and override control, and the `<Job …>` texts of the
// errors they raise (shared by the applyVariant modules).

import type { JobVariant, OverrideControlled } from '../job.js';
import { pyRepr, variantRepr } from './repr.js';
import { type AppliedVariant, FreezeError, type FrozenJob } from './types.js';

/** `<Job …>` of the job being frozen, named as it currently is. */
export function frozenRepr(frozen: FrozenJob): string {
  return variantRepr({ ...frozen.baseVariant, name: frozen.name });
}

/** `<Job …>` of the stanza being applied. */
export function otherRepr(av: AppliedVariant): string {
  return variantRepr(av.variant, av.projectPipeline);
}

// attribute-control keys (YAML names) → Zuul's attribute names, for texts.
const ZUUL_ATTR: Record<string, string> = {
  vars: 'variables',
  'extra-vars': 'extra_variables',
  'host-vars': 'host_variables',
  'group-vars': 'group_variables',
  'include-vars': 'include_vars',
  'required-projects': 'required_projects',
  'include-projects': 'include_projects',
  'exclude-projects': 'exclude_projects',
  'failure-output': 'failure_output',
  files: 'file_matcher',
  'irrelevant-files': 'irrelevant_file_matcher',
};

/**
 * attribute-control: setting an attribute a previous stanza finalized is
 * an error; a stanza that finalizes it passes that on. Zuul consults this
 * only where it handles the attribute, hence the `isSet` flag.
 */
export function finalControl(
  frozen: FrozenJob,
  av: AppliedVariant,
  attr: string,
  value: unknown,
  isSet: boolean,
): void {
  if (isSet && frozen.finalControl.has(attr)) {
    throw new FreezeError(
      `Unable to modify job ${frozenRepr(frozen)} final attribute ${ZUUL_ATTR[attr] ?? attr}=${pyRepr(value)} with variant ${otherRepr(av)}`,
    );
  }
  if (av.variant.attributeControl?.[attr]?.final) frozen.finalControl.add(attr);
}

/** `!override` (true) / `!inherit` (false) as written, else the attribute's default. */
export function overrides(v: JobVariant, attr: OverrideControlled, byDefault: boolean): boolean {
  return v.overrideControl[attr] ?? byDefault;
}
