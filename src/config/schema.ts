// Schema helpers for configuration objects: TypeBox schemas compiled once,
// and validation failures turned into Zuul-style messages with a path.

import { type TSchema, Type } from '@sinclair/typebox';
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler';
import { type ValueError, ValueErrorType } from '@sinclair/typebox/errors';
import { type ConfigPath, ConfigProblem } from './errors.js';
import { EncryptedValue, TaggedValue } from './yaml.js';

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

/** The compiled checker of a schema (compiled once, then cached). */
export function compile(schema: TSchema): TypeCheck<TSchema> {
  let check = compiled.get(schema);
  if (!check) {
    check = TypeCompiler.Compile(schema);
    compiled.set(schema, check);
  }
  return check;
}

/** A JSON pointer (`/a/0/b`) as a config path (`['a', 0, 'b']`). */
export function pointerToPath(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

function describePath(path: ConfigPath): string {
  return path.map((p) => `[${typeof p === 'number' ? p : `'${p}'`}]`).join('');
}

/**
 * A schema failure in voluptuous' words, which Zuul users know from Zuul's
 * own errors: e.g. "expected str for dictionary value @ data['name']".
 */
export function voluptuousMessage(error: ValueError, path: ConfigPath): string {
  let message: string;
  let typed = true;
  switch (error.type) {
    case ValueErrorType.ObjectAdditionalProperties:
      message = 'extra keys not allowed';
      typed = false;
      break;
    case ValueErrorType.ObjectRequiredProperty:
      message = 'required key not provided';
      typed = false;
      break;
    case ValueErrorType.String:
      message = 'expected str';
      break;
    case ValueErrorType.Integer:
    case ValueErrorType.Number:
      message = 'expected int';
      break;
    case ValueErrorType.Boolean:
      message = 'expected bool';
      break;
    case ValueErrorType.Array:
      message = 'expected a list';
      break;
    case ValueErrorType.Object:
      message = 'expected a dictionary';
      break;
    case ValueErrorType.Literal:
    case ValueErrorType.Union:
      message = 'not a valid value';
      break;
    default:
      message = error.message;
      typed = false;
  }
  // voluptuous says where a wrong value sits when it is a mapping's value.
  if (typed && typeof path[path.length - 1] === 'string') message += ' for dictionary value';
  return `${message} @ data${describePath(path)}`;
}

/**
 * Validates `value` against `schema`; throws a ConfigProblem naming the
 * first (deepest) failing path.
 */
export function validate(schema: TSchema, value: unknown): void {
  validateAt(schema, value, []);
}

/** Override-control tags found on a stanza, keyed by top-level attribute. */
export type OverrideTags = Map<string, 'override' | 'inherit'>;

/**
 * Removes `!override` / `!inherit` wrappers from a stanza's attributes so the
 * schema sees plain values; returns where they were. Tags deeper than the
 * attribute level are not meaningful in Zuul and are rejected.
 */
export function stripOverrideTags(stanza: Record<string, unknown>): {
  value: Record<string, unknown>;
  tags: OverrideTags;
} {
  const tags: OverrideTags = new Map();
  const value: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(stanza)) {
    if (v instanceof TaggedValue) {
      tags.set(k, v.tag);
      value[k] = v.value;
    } else {
      value[k] = v;
    }
    assertNoNestedTags(value[k], [k]);
  }
  return { value, tags };
}

/** Rejects `!override` / `!inherit` anywhere in `v` (they only mean something on job attributes). */
export function assertNoNestedTags(v: unknown, path: (string | number)[]): void {
  if (v instanceof TaggedValue) {
    throw new ConfigProblem(
      `The !${v.tag} tag is only supported on job attributes`,
      'Unknown',
      path,
    );
  }
  if (v instanceof EncryptedValue || v === null || typeof v !== 'object') return;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) assertNoNestedTags(v[i], [...path, i]);
  } else {
    for (const [k, c] of Object.entries(v)) assertNoNestedTags(c, [...path, k]);
  }
}

// ---- common schema pieces --------------------------------------------------

export const Str = Type.String();
export const Bool = Type.Boolean();
export const Int = Type.Integer();

export function ScalarOrList<T extends TSchema>(item: T) {
  return Type.Union([item, Type.Array(item)]);
}

/** A regex: a plain string or `{regex, negate}`. */
export const RegexItem = Type.Union([
  Type.String(),
  Type.Object(
    { regex: Type.String(), negate: Type.Optional(Type.Boolean()) },
    { additionalProperties: false },
  ),
]);
export const RegexList = ScalarOrList(RegexItem);

/** Any YAML mapping (string keys, any values). */
export const AnyMap = Type.Record(Type.String(), Type.Unknown());

/** Normalises a scalar-or-list value into a list. */
export function asList<T>(v: T | T[] | undefined | null): T[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

/** Like validate(), for a value nested at `path` inside a stanza. */
export function validateAt(schema: TSchema, value: unknown, path: ConfigPath): void {
  const check = compile(schema);
  if (check.Check(value)) return;
  let best: { path: (string | number)[]; error: ValueError } | undefined;
  for (const err of check.Errors(value)) {
    const here = [...path, ...pointerToPath(err.path)];
    // Prefer the deepest problem: it is the most specific one to show.
    if (!best || here.length > best.path.length) best = { path: here, error: err };
  }
  if (!best)
    throw new ConfigProblem(`invalid value @ data${describePath(path)}`, 'Unknown', [...path]);
  throw new ConfigProblem(voluptuousMessage(best.error, best.path), 'Unknown', best.path);
}
