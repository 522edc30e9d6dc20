// The parsed tenant file (`main.yaml`): tenants, the projects each tenant
// loads and how, authorization rules, roles, global semaphores and the
// api-root. Pure data plus the few pure rules that decide its shape (which
// object classes a project loads, built-in roles). Reading the file lives in
// config/tenant-file.ts; authorization-rule matching in model/authorization.ts.

import type { AuthorizationRule } from './authorization.js';

export type { AuthorizationRule, ClaimCondition, Claims } from './authorization.js';
export { ruleMatches } from './authorization.js';

// ---- configuration object classes -----------------------------------------

/** The object classes a project's in-repo configuration may contribute. */
export const CONFIG_CLASSES = [
  'pipeline',
  'job',
  'semaphore',
  'project',
  'project-template',
  'nodeset',
  'secret',
  'queue',
  'image',
  'flavor',
  'label',
  'section',
  'provider',
] as const;

export type ConfigClass = (typeof CONFIG_CLASSES)[number];

export function isConfigClass(name: string): name is ConfigClass {
  return (CONFIG_CLASSES as readonly string[]).includes(name);
}

/** The launcher ("provider config") classes `include-provider-config` adds. */
export const PROVIDER_CONFIG_CLASSES: readonly ConfigClass[] = [
  'image',
  'flavor',
  'label',
  'section',
  'provider',
];

const BASE_CLASSES: readonly ConfigClass[] = [
  'pipeline',
  'job',
  'semaphore',
  'project',
  'project-template',
  'nodeset',
  'secret',
  'queue',
];

// Zuul 14.x: config projects load the provider classes by default, untrusted
// projects do not. Untrusted projects do load `pipeline` (its stanzas are
// then a "Pipeline Forbidden" error unless the class is excluded).
const DEFAULT_TRUSTED_CLASSES: ReadonlySet<ConfigClass> = new Set([
  ...BASE_CLASSES,
  ...PROVIDER_CONFIG_CLASSES,
]);
const DEFAULT_UNTRUSTED_CLASSES: ReadonlySet<ConfigClass> = new Set(BASE_CLASSES);

/** The class set a project starts from before any include/exclude. */
export function defaultLoadClasses(trusted: boolean): ReadonlySet<ConfigClass> {
  return trusted ? DEFAULT_TRUSTED_CLASSES : DEFAULT_UNTRUSTED_CLASSES;
}

/** include/exclude as written on a project group or a project entry. */
export interface ClassSelection {
  /** Replaces the inherited set when present (an empty list loads nothing). */
  include?: readonly ConfigClass[];
  /** Adds the provider classes (project entries only). */
  includeProviderConfig?: boolean;
  /** Removed last. */
  exclude?: readonly ConfigClass[];
}

/**
 * Applies one level of include / include-provider-config / exclude to an
 * inherited class set. Called once for a group (with the list's default set)
 * and once for each entry (with the group's result), which gives the 14.x
 * order: group include → group exclude → entry include →
 * include-provider-config → entry exclude.
 */
export function applyClassSelection(
  inherited: ReadonlySet<ConfigClass>,
  sel: ClassSelection,
): Set<ConfigClass> {
  const result = new Set(sel.include ?? inherited);
  if (sel.includeProviderConfig) for (const c of PROVIDER_CONFIG_CLASSES) result.add(c);
  for (const c of sel.exclude ?? []) result.delete(c);
  return result;
}

// ---- tenants and their projects -------------------------------------------

/** How one tenant uses one project (Zuul's TenantProjectConfig). */
export interface TenantProjectConfig {
  connectionName: string;
  /** The project name exactly as listed (tenant lists take names, not regexes). */
  name: string;
  /** Listed under config-projects. */
  trusted: boolean;
  /** Object classes loaded from this project; empty means its files are never read. */
  loadClasses: ReadonlySet<ConfigClass>;
  /** Projects whose jobs this project's same-named jobs silently yield to. */
  shadow: readonly string[];
  /** Effective value: the project's own setting, else the tenant's. */
  excludeUnprotectedBranches: boolean;
  /** Effective value: the project's own setting, else the tenant's. */
  excludeLockedBranches: boolean;
  /** Full-match regexes; undefined means every branch. Wins over excludeBranches. */
  includeBranches?: readonly string[];
  /**
   * Full-match regexes of branches not loaded statically. As in Zuul this
   * already contains every always-dynamic-branches pattern, so static branch
   * selection only needs include/exclude.
   */
  excludeBranches?: readonly string[];
  /** Full-match regexes of branches whose config exists only speculatively. */
  alwaysDynamicBranches?: readonly string[];
  /** Forces implied branch matchers on/off; undefined = Zuul's heuristic. */
  impliedBranchMatchers?: boolean;
  /** As written (files, and directories with a trailing `/`). */
  extraConfigPaths: readonly string[];
  /** extraConfigPaths entries without a trailing `/`. */
  extraConfigFiles: readonly string[];
  /** extraConfigPaths entries that end in `/`, with the slash removed. */
  extraConfigDirs: readonly string[];
  /** Config projects: branch to read config from; undefined means `master`. */
  loadBranch?: string;
  /** Untrusted projects: full-match regexes of projects it may configure. */
  configureProjects?: readonly string[];
  /** The option as written (already folded into loadClasses). */
  includeProviderConfig: boolean;
  /** Effective: config projects always may; untrusted only when enabled. */
  allowReporterJobs: boolean;
  /** Effective: option if given, else true for config projects, false otherwise. */
  allowBaseJobs: boolean;
}

/** One `tenant` object with Zuul's defaults applied. */
export interface TenantConfig {
  name: string;
  /** Load order: all config projects (source order, then list order), then untrusted ones. */
  projects: TenantProjectConfig[];
  /** -1 = unlimited. */
  maxNodesPerJob: number;
  /** -1 = unlimited. */
  maxJobTimeout: number;
  maxChangesPerPipeline?: number;
  maxDependencies?: number;
  excludeUnprotectedBranches: boolean;
  excludeLockedBranches: boolean;
  defaultParent: string;
  /** Undefined: the scheduler's default. Numbers are turned into strings. */
  defaultAnsibleVersion?: string;
  /** Undefined: every connection is allowed. */
  allowedTriggers?: string[];
  allowedReporters?: string[];
  allowedLabels?: string[];
  disallowedLabels?: string[];
  /** As configured, with a trailing `/`; undefined: derive from `[web] root`. */
  webRoot?: string;
  adminRules: string[];
  accessRules: string[];
  authenticationRealm?: string;
  /** Global semaphores this tenant may use. */
  semaphores: string[];
  useNodepool: boolean;
  maxOidcTtl: number;
  defaultOidcTtl: number;
  allowedOidcIssuers: string[];
  /** rule name → role names. When present, adminRules/accessRules are ignored. */
  roleMappings?: Map<string, string[]>;
  anonymousReadAccess: boolean;
  /** Legacy, accepted and ignored by Zuul; kept only so tools can show it. */
  reportBuildPage?: boolean;
  /** Legacy (replaced by `queue`), accepted and ignored. */
  allowCircularDependencies?: boolean;
}

export const TENANT_DEFAULTS = {
  maxNodesPerJob: 5,
  maxJobTimeout: 10800,
  excludeUnprotectedBranches: false,
  excludeLockedBranches: false,
  defaultParent: 'base',
  useNodepool: true,
  maxOidcTtl: 10800,
  defaultOidcTtl: 3600,
  anonymousReadAccess: true,
} as const;

// ---- roles -----------------------------------------------------------------

/** Permissions a role may grant (Zuul 14.1). */
export const PERMISSIONS = [
  'read',
  'promote',
  'set-tenant-state',
  'build-image',
  'upload-image',
  'delete-image-build-artifact',
  'delete-image-upload',
  'validate-image-upload',
  'modify-node',
  'modify-nodeset-request',
  'autohold',
  'dequeue',
  'enqueue',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

/** Permissions that may be limited to a project and/or ref. */
export const CONDITIONAL_PERMISSIONS: ReadonlySet<Permission> = new Set(['dequeue', 'enqueue']);

/** `true`, or (enqueue/dequeue) only for this project and/or ref. */
export type PermissionGrant = true | { project?: string; ref?: string };

export interface Role {
  name: string;
  builtin: boolean;
  /** The built-in `admin`: every permission, including ones added later. */
  allPermissions: boolean;
  /** Granted permissions only (a `false` in the file grants nothing). */
  permissions: ReadonlyMap<Permission, PermissionGrant>;
}

export const BUILTIN_ROLES: ReadonlyMap<string, Role> = new Map<string, Role>([
  ['admin', { name: 'admin', builtin: true, allPermissions: true, permissions: new Map() }],
  [
    'read',
    {
      name: 'read',
      builtin: true,
      allPermissions: false,
      permissions: new Map<Permission, PermissionGrant>([['read', true]]),
    },
  ],
]);

/** What a role grants for a permission (undefined: nothing). */
export function roleGrant(role: Role, permission: Permission): PermissionGrant | undefined {
  if (role.allPermissions) return true;
  return role.permissions.get(permission);
}

// ---- the whole file --------------------------------------------------------

export interface GlobalSemaphore {
  name: string;
  max: number;
}

export interface ApiRoot {
  authenticationRealm?: string;
  accessRules: string[];
}

/** Something Zuul only logs (unknown rule names, deprecated spellings, …). */
export interface TenantFileWarning {
  message: string;
  /** 1-based line in the tenant file, when known. */
  line?: number;
}

export interface TenantFile {
  /** In file order. */
  tenants: TenantConfig[];
  /** `authorization-rule` and `admin-rule` objects; a later same-named one wins. */
  authorizationRules: Map<string, AuthorizationRule>;
  /** The built-in roles plus the file's `role` objects. */
  roles: Map<string, Role>;
  globalSemaphores: Map<string, GlobalSemaphore>;
  apiRoot?: ApiRoot;
  warnings: TenantFileWarning[];
}
