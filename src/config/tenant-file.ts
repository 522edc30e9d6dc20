// Reads Zuul's tenant file (`main.yaml`, or a tenant config script's
// output): tenants, authorization rules, roles, global semaphores and the
// api-root. Any problem stops the load with a TenantFileError naming the file
// and line, as Zuul refuses a broken tenant file as a whole.

import { Type } from '@sinclair/typebox';
import type { AuthorizationRule } from '../model/authorization.js';
import {
  BUILTIN_ROLES,
  CONDITIONAL_PERMISSIONS,
  type GlobalSemaphore,
  PERMISSIONS,
  type Permission,
  type PermissionGrant,
  type Role,
  type TenantConfig,
  type TenantFile,
} from '../model/tenant.js';
import { AnyMap, asList, Bool, Int, ScalarOrList, Str } from './schema.js';
import {
  isPlainObject,
  type Path,
  TenantFileError,
  TenantFileReader,
} from './tenant-file-support.js';
import { parseTenant } from './tenant-parser.js';
import { loadYaml, YamlError } from './yaml.js';

export { TenantFileError } from './tenant-file-support.js';

export interface ParseTenantFileOptions {
  /** Shown in error messages. */
  fileName: string;
  /** Connections that can be a source of projects (from zuul.conf). */
  connectionNames: ReadonlySet<string>;
  /**
   * connection → canonical hostname. Optional: when given, duplicates across
   * two connections to one host and canonical names in configure-projects
   * are checked too.
   */
  canonicalHostnames?: ReadonlyMap<string, string>;
}

// Zuul's wording (model.ConfigItem*Error), adapted to this file.
const NOT_LIST =
  'Configuration file is not a list.  Each tenant configuration file must be a list of ' +
  'items, for example "- tenant: {name: foo}".  Ensure that every item starts with "- " ' +
  'so that it is parsed as a YAML list.';
const NOT_DICT =
  'Configuration item is not a dictionary.  Each tenant configuration file must be a list ' +
  'of dictionaries with one key (for example "tenant" or "authorization-rule").';
const MULTIPLE_KEYS =
  'Configuration item has more than one key.  Each tenant configuration file must be a ' +
  'list of dictionaries with a single key.  This error may be caused by insufficient ' +
  'indentation of the keys under the configuration item.';
const UNKNOWN_ITEM =
  'Configuration item not recognized.  The dictionary keys must be one of the ' +
  'configuration item types recognized in the tenant file: tenant, authorization-rule, ' +
  'admin-rule, global-semaphore, api-root, role.';

const RuleSchema = Type.Object(
  { name: Str, conditions: ScalarOrList(AnyMap) },
  { additionalProperties: false },
);
const GlobalSemaphoreSchema = Type.Object(
  { name: Str, max: Type.Optional(Int) },
  { additionalProperties: false },
);
const ApiRootSchema = Type.Object(
  { 'authentication-realm': Type.Optional(Str), 'access-rules': Type.Optional(ScalarOrList(Str)) },
  { additionalProperties: false },
);
const ScopedGrant = Type.Union([
  Bool,
  Type.Object(
    {
      conditions: Type.Object(
        { project: Type.Optional(Str), ref: Type.Optional(Str) },
        { additionalProperties: false },
      ),
    },
    { additionalProperties: false },
  ),
]);
const RoleSchema = Type.Object(
  {
    name: Str,
    permissions: Type.Optional(
      Type.Object(
        Object.fromEntries(
          PERMISSIONS.map((p) => [
            p,
            Type.Optional(CONDITIONAL_PERMISSIONS.has(p) ? ScopedGrant : Bool),
          ]),
        ),
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

interface Item {
  value: unknown;
  path: Path;
}

export function parseTenantFile(text: string, opts: ParseTenantFileOptions): TenantFile {
  let yaml: ReturnType<typeof loadYaml>;
  try {
    yaml = loadYaml(text);
  } catch (e) {
    if (!(e instanceof YamlError)) throw e;
    const line = text.slice(0, e.offset).split('\n').length;
    throw new TenantFileError(opts.fileName, line, e.message);
  }
  const r: TenantFileReader = new TenantFileReader(yaml, opts.fileName);
  const root = yaml.value;
  if (!Array.isArray(root)) r.fail([], NOT_LIST);

  // Pass 1, like Zuul's UnparsedAbideConfig.extend: sort items by kind and
  // check the file's shape before looking inside any object.
  const kinds = new Map<string, Item[]>();
  const tenantNames = new Set<string>();
  root.forEach((item, i) => {
    if (!isPlainObject(item)) r.fail([i], NOT_DICT);
    const keys = Object.keys(item);
    if (keys.length > 1) r.fail([i], MULTIPLE_KEYS);
    const key = keys[0];
    if (key === undefined) r.fail([i], UNKNOWN_ITEM);
    const value = item[key];
    const path = [i, key];
    switch (key) {
      case 'tenant': {
        const name = isPlainObject(value) ? value.name : undefined;
        if (typeof name === 'string') {
          if (tenantNames.has(name))
            r.fail([...path, 'name'], `Duplicate configuration for tenant ${name}`);
          tenantNames.add(name);
        }
        break;
      }
      case 'admin-rule':
        r.warn(path, 'The "admin-rule" object is deprecated; use "authorization-rule" instead');
        break;
      case 'api-root':
        if (kinds.has('api-root')) r.fail(path, 'More than one api-root object');
        break;
      case 'authorization-rule':
      case 'global-semaphore':
      case 'role':
        break;
      default:
        r.fail([i], UNKNOWN_ITEM);
    }
    const kind = key === 'admin-rule' ? 'authorization-rule' : key;
    const list = kinds.get(kind) ?? [];
    list.push({ value, path });
    kinds.set(kind, list);
  });
  const items = (kind: string): Item[] => kinds.get(kind) ?? [];

  // Pass 2: the objects tenants refer to, then the tenants.
  const authorizationRules = new Map<string, AuthorizationRule>();
  for (const { value, path } of items('authorization-rule')) {
    r.check(RuleSchema, value, path);
    const v = value as {
      name: string;
      conditions: Record<string, unknown> | Record<string, unknown>[];
    };
    // Zuul keeps the last definition of a name; say so, since it is rarely intended.
    if (authorizationRules.has(v.name)) {
      r.warn(
        path,
        `Authorization rule "${v.name}" is defined more than once; the last one is used`,
      );
    }
    authorizationRules.set(v.name, { name: v.name, conditions: asList(v.conditions) });
  }

  const globalSemaphores = new Map<string, GlobalSemaphore>();
  for (const { value, path } of items('global-semaphore')) {
    r.check(GlobalSemaphoreSchema, value, path);
    const v = value as { name: string; max?: number };
    if (globalSemaphores.has(v.name)) {
      r.warn(path, `Global semaphore "${v.name}" is defined more than once; the last one is used`);
    }
    globalSemaphores.set(v.name, { name: v.name, max: v.max ?? 1 });
  }

  // Role names are unique, and the built-in `admin` and `read` count: the
  // docs do not say a file may redefine them, so we refuse it (our choice).
  const roles = new Map<string, Role>(BUILTIN_ROLES);
  for (const { value, path } of items('role')) {
    const role = parseRole(r, value, path);
    if (roles.has(role.name)) {
      const builtin = roles.get(role.name)?.builtin ? ' (a built-in role)' : '';
      r.fail([...path, 'name'], `Duplicate configuration for role ${role.name}${builtin}`);
    }
    roles.set(role.name, role);
  }

  let apiRoot: TenantFile['apiRoot'];
  for (const { value, path } of items('api-root')) {
    r.check(ApiRootSchema, value, path);
    const v = value as { 'authentication-realm'?: string; 'access-rules'?: string | string[] };
    const accessRules = asList(v['access-rules']);
    accessRules.forEach((rule, i) => {
      if (!authorizationRules.has(rule)) {
        const at = Array.isArray(v['access-rules'])
          ? [...path, 'access-rules', i]
          : [...path, 'access-rules'];
        r.warn(at, `api-root: access-rules names undefined authorization rule "${rule}"`);
      }
    });
    apiRoot = { authenticationRealm: v['authentication-realm'], accessRules };
  }

  const ctx = {
    connectionNames: opts.connectionNames,
    canonicalHostnames: opts.canonicalHostnames,
    globalSemaphores: new Set(globalSemaphores.keys()),
    ruleNames: new Set(authorizationRules.keys()),
    roleNames: new Set(roles.keys()),
  };
  const tenants: TenantConfig[] = items('tenant').map(({ value, path }) =>
    parseTenant(r, value, path, ctx),
  );

  return { tenants, authorizationRules, roles, globalSemaphores, apiRoot, warnings: r.warnings };
}

function parseRole(r: TenantFileReader, value: unknown, path: Path): Role {
  r.check(RoleSchema, value, path);
  const v = value as {
    name: string;
    permissions?: Partial<
      Record<Permission, boolean | { conditions: { project?: string; ref?: string } }>
    >;
  };
  const permissions = new Map<Permission, PermissionGrant>();
  for (const p of PERMISSIONS) {
    const grant = v.permissions?.[p];
    if (grant === true) permissions.set(p, true);
    else if (typeof grant === 'object') permissions.set(p, { ...grant.conditions });
  }
  return { name: v.name, builtin: false, allPermissions: false, permissions };
}
