// YAML files handed to Ansible (inventory, extra-vars, secrets). Strings
// wrapped in `Unsafe` are written with Ansible's `!unsafe` tag, so Ansible
// never templates them: secrets, commit messages and other text a user
// controls must not be able to run Jinja on the executor.

import yaml from 'js-yaml';

/** A string Ansible must take literally (`!unsafe`). */
export class Unsafe {
  constructor(readonly value: string) {}
}

const UNSAFE = new yaml.Type('!unsafe', {
  kind: 'scalar',
  instanceOf: Unsafe,
  represent: (u) => (u as Unsafe).value,
  resolve: () => true,
  construct: (data: string) => new Unsafe(data ?? ''),
});

const SCHEMA = yaml.DEFAULT_SCHEMA.extend([UNSAFE]);

/** Every string in `value` (not the mapping keys) wrapped as `Unsafe`. */
export function markUnsafe(value: unknown): unknown {
  if (typeof value === 'string') return new Unsafe(value);
  if (Array.isArray(value)) return value.map(markUnsafe);
  if (value instanceof Unsafe || value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = markUnsafe(v);
  return out;
}

export function toAnsibleYaml(value: unknown): string {
  return yaml.dump(value, { schema: SCHEMA, noRefs: true, lineWidth: -1, sortKeys: false });
}
