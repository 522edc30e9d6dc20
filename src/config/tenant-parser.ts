// One `tenant` object of the tenant file: strict schema, defaults, checks
// against the file's other objects (global semaphores, rules, roles), then
// its projects.

import { Type } from '@sinclair/typebox';
import { TENANT_DEFAULTS, type TenantConfig } from '../model/tenant.js';
import { AnyMap, asList, Bool, Int, ScalarOrList, Str } from './schema.js';
import { isPlainObject, type Path, type TenantFileReader } from './tenant-file-support.js';
import { parseSources, type SourceOptions } from './tenant-projects.js';

const StrList = ScalarOrList(Str);
const PositiveInt = Type.Integer({ minimum: 1 });

const TenantSchema = Type.Object(
  {
    name: Str,
    source: Type.Optional(AnyMap),
    'max-changes-per-pipeline': Type.Optional(Int),
    'max-dependencies': Type.Optional(Int),
    'max-nodes-per-job': Type.Optional(Int),
    'max-job-timeout': Type.Optional(Int),
    'exclude-unprotected-branches': Type.Optional(Bool),
    'exclude-locked-branches': Type.Optional(Bool),
    'allowed-triggers': Type.Optional(StrList),
    'allowed-reporters': Type.Optional(StrList),
    'allowed-labels': Type.Optional(StrList),
    'disallowed-labels': Type.Optional(StrList),
    'allow-circular-dependencies': Type.Optional(Bool),
    'default-parent': Type.Optional(Str),
    'default-ansible-version': Type.Optional(Type.Union([Str, Type.Number()])),
    'access-rules': Type.Optional(StrList),
    'admin-rules': Type.Optional(StrList),
    semaphores: Type.Optional(StrList),
    'authentication-realm': Type.Optional(Str),
    'report-build-page': Type.Optional(Bool),
    'web-root': Type.Optional(Str),
    'use-nodepool': Type.Optional(Bool),
    'max-oidc-ttl': Type.Optional(PositiveInt),
    // Missing from Zuul's own schema although its loader reads it; accepted.
    'default-oidc-ttl': Type.Optional(PositiveInt),
    // Documented as a list; a lone string is taken as one issuer, like other lists here.
    'allowed-oidc-issuers': Type.Optional(StrList),
    'role-mappings': Type.Optional(Type.Record(Type.String(), StrList)),
    'anonymous-read-access': Type.Optional(Bool),
  },
  { additionalProperties: false },
);

interface RawTenant {
  name: string;
  source?: Record<string, unknown>;
  'max-changes-per-pipeline'?: number;
  'max-dependencies'?: number;
  'max-nodes-per-job'?: number;
  'max-job-timeout'?: number;
  'exclude-unprotected-branches'?: boolean;
  'exclude-locked-branches'?: boolean;
  'allowed-triggers'?: string | string[];
  'allowed-reporters'?: string | string[];
  'allowed-labels'?: string | string[];
  'disallowed-labels'?: string | string[];
  'allow-circular-dependencies'?: boolean;
  'default-parent'?: string;
  'default-ansible-version'?: string | number;
  'access-rules'?: string | string[];
  'admin-rules'?: string | string[];
  semaphores?: string | string[];
  'authentication-realm'?: string;
  'report-build-page'?: boolean;
  'web-root'?: string;
  'use-nodepool'?: boolean;
  'max-oidc-ttl'?: number;
  'default-oidc-ttl'?: number;
  'allowed-oidc-issuers'?: string | string[];
  'role-mappings'?: Record<string, string | string[]>;
  'anonymous-read-access'?: boolean;
}

/** What a tenant may refer to elsewhere in the file. */
export interface TenantContext extends SourceOptions {
  globalSemaphores: ReadonlySet<string>;
  ruleNames: ReadonlySet<string>;
  roleNames: ReadonlySet<string>;
}

const optList = (v: string | string[] | undefined): string[] | undefined =>
  v === undefined ? undefined : asList(v);

/** `path` is `[itemIndex, 'tenant']`. */
export function parseTenant(
  r: TenantFileReader,
  conf: unknown,
  path: Path,
  ctx: TenantContext,
): TenantConfig {
  r.check(TenantSchema, conf, path);
  const t = conf as RawTenant;
  const at = (...rest: (string | number)[]): Path => [...path, ...rest];

  const maxOidcTtl = t['max-oidc-ttl'] ?? TENANT_DEFAULTS.maxOidcTtl;
  // An unset default never exceeds the maximum: it is capped to it (our
  // choice; the docs only say the default must not exceed the maximum).
  const defaultOidcTtl =
    t['default-oidc-ttl'] ?? Math.min(TENANT_DEFAULTS.defaultOidcTtl, maxOidcTtl);
  if (defaultOidcTtl > maxOidcTtl) {
    r.fail(
      at('default-oidc-ttl'),
      `default-oidc-ttl (${defaultOidcTtl}) may not exceed max-oidc-ttl (${maxOidcTtl})`,
    );
  }

  const semaphores = asList(t.semaphores);
  semaphores.forEach((s, i) => {
    if (!ctx.globalSemaphores.has(s)) {
      r.fail(
        Array.isArray(t.semaphores) ? at('semaphores', i) : at('semaphores'),
        `The global semaphore "${s}" was not found.  All global semaphores must be added ` +
          'to the main configuration file by the Zuul administrator.',
      );
    }
  });

  // Zuul only logs references to undefined rules and skips them when
  // authorizing; we keep them and report a warning.
  const adminRules = asList(t['admin-rules']);
  const accessRules = asList(t['access-rules']);
  warnUnknownRules(r, t['admin-rules'], at('admin-rules'), ctx, t.name);
  warnUnknownRules(r, t['access-rules'], at('access-rules'), ctx, t.name);

  let roleMappings: Map<string, string[]> | undefined;
  if (t['role-mappings'] !== undefined) {
    roleMappings = new Map();
    for (const [rule, roles] of Object.entries(t['role-mappings'])) {
      const rulePath = at('role-mappings', rule);
      if (!ctx.ruleNames.has(rule)) {
        r.warn(
          rulePath,
          `Tenant ${t.name}: role-mappings names undefined authorization rule "${rule}"`,
        );
      }
      const list = asList(roles);
      for (const role of list) {
        if (!ctx.roleNames.has(role)) {
          r.warn(rulePath, `Tenant ${t.name}: role-mappings names undefined role "${role}"`);
        }
      }
      roleMappings.set(rule, list);
    }
  }

  const excludeUnprotectedBranches =
    t['exclude-unprotected-branches'] ?? TENANT_DEFAULTS.excludeUnprotectedBranches;
  const excludeLockedBranches =
    t['exclude-locked-branches'] ?? TENANT_DEFAULTS.excludeLockedBranches;

  let webRoot = t['web-root'];
  if (webRoot !== undefined && !webRoot.endsWith('/')) webRoot += '/';

  const source = t.source ?? {};
  if (t.source !== undefined && !isPlainObject(t.source))
    r.fail(at('source'), 'Invalid tenant source');
  const projects = parseSources(
    r,
    source,
    at('source'),
    { excludeUnprotectedBranches, excludeLockedBranches },
    ctx,
  );

  const ansible = t['default-ansible-version'];
  return {
    name: t.name,
    projects,
    maxNodesPerJob: t['max-nodes-per-job'] ?? TENANT_DEFAULTS.maxNodesPerJob,
    maxJobTimeout: t['max-job-timeout'] ?? TENANT_DEFAULTS.maxJobTimeout,
    maxChangesPerPipeline: t['max-changes-per-pipeline'],
    maxDependencies: t['max-dependencies'],
    excludeUnprotectedBranches,
    excludeLockedBranches,
    defaultParent: t['default-parent'] ?? TENANT_DEFAULTS.defaultParent,
    // YAML reads `default-ansible-version: 9` as a number; Zuul uses str().
    defaultAnsibleVersion: ansible === undefined ? undefined : String(ansible),
    allowedTriggers: optList(t['allowed-triggers']),
    allowedReporters: optList(t['allowed-reporters']),
    allowedLabels: optList(t['allowed-labels']),
    disallowedLabels: optList(t['disallowed-labels']),
    webRoot,
    adminRules,
    accessRules,
    authenticationRealm: t['authentication-realm'],
    semaphores,
    useNodepool: t['use-nodepool'] ?? TENANT_DEFAULTS.useNodepool,
    maxOidcTtl,
    defaultOidcTtl,
    allowedOidcIssuers: asList(t['allowed-oidc-issuers']),
    roleMappings,
    anonymousReadAccess: t['anonymous-read-access'] ?? TENANT_DEFAULTS.anonymousReadAccess,
    reportBuildPage: t['report-build-page'],
    allowCircularDependencies: t['allow-circular-dependencies'],
  };
}

function warnUnknownRules(
  r: TenantFileReader,
  value: string | string[] | undefined,
  path: Path,
  ctx: TenantContext,
  tenant: string,
): void {
  asList(value).forEach((rule, i) => {
    if (!ctx.ruleNames.has(rule)) {
      r.warn(
        Array.isArray(value) ? [...path, i] : path,
        `Tenant ${tenant}: ${String(path[path.length - 1])} names undefined authorization rule "${rule}"`,
      );
    }
  });
}
