// The `source:` section of a tenant: which projects the tenant has, from
// which connection, trusted or not, and each project's options. Mirrors
// Zuul's TenantParser._getProjects/_getProject/loadTenantProjects.

import { Type } from '@sinclair/typebox';
import {
  applyClassSelection,
  CONFIG_CLASSES,
  type ConfigClass,
  defaultLoadClasses,
  isConfigClass,
  type TenantProjectConfig,
} from '../model/tenant.js';
import { asList, Bool, ScalarOrList, Str } from './schema.js';
import {
  type CompiledPattern,
  compilePattern,
  isPlainObject,
  type Path,
  type TenantFileReader,
} from './tenant-file-support.js';

const StrList = ScalarOrList(Str);

// Options valid on both lists. Zuul's schema accepts `load-branch` on
// untrusted projects too (it is simply unused there); we keep that leniency.
// `allow-reporter-jobs` is documented for untrusted projects only, but it is
// harmless on a config project (they may always attach reporter jobs), so it
// is accepted on both. `allow-base-jobs` is accepted on both lists: on an
// untrusted project `true` permits base jobs there (semantics-zuul14 §B.3).
const commonOptions = {
  include: Type.Optional(StrList),
  exclude: Type.Optional(StrList),
  shadow: Type.Optional(StrList),
  'exclude-unprotected-branches': Type.Optional(Bool),
  'exclude-locked-branches': Type.Optional(Bool),
  'extra-config-paths': Type.Optional(StrList),
  'load-branch': Type.Optional(Str),
  'include-branches': Type.Optional(StrList),
  'exclude-branches': Type.Optional(StrList),
  'always-dynamic-branches': Type.Optional(StrList),
  'allow-circular-dependencies': Type.Optional(Bool),
  'implied-branch-matchers': Type.Optional(Bool),
  'include-provider-config': Type.Optional(Bool),
  'allow-reporter-jobs': Type.Optional(Bool),
  'allow-base-jobs': Type.Optional(Bool),
};

const ConfigProjectOptions = Type.Object(commonOptions, { additionalProperties: false });
// `configure-projects` only makes sense for untrusted projects (config
// projects may configure anything), and Zuul rejects it elsewhere.
const UntrustedProjectOptions = Type.Object(
  { ...commonOptions, 'configure-projects': Type.Optional(StrList) },
  { additionalProperties: false },
);

const ProjectGroup = Type.Object(
  {
    include: Type.Optional(StrList),
    exclude: Type.Optional(StrList),
    projects: Type.Union([Type.String(), Type.Object({}), Type.Array(Type.Unknown())]),
  },
  { additionalProperties: false },
);

const SourceSchema = Type.Object(
  {
    'config-projects': Type.Optional(Type.Unknown()),
    'untrusted-projects': Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);

/** The four standard config roots; loading them again as "extra" is refused. */
const STANDARD_ROOTS = new Set(['zuul.yaml', 'zuul.d/', '.zuul.yaml', '.zuul.d/']);

interface ProjectOptions {
  include?: string | string[];
  exclude?: string | string[];
  shadow?: string | string[];
  'exclude-unprotected-branches'?: boolean;
  'exclude-locked-branches'?: boolean;
  'extra-config-paths'?: string | string[];
  'load-branch'?: string;
  'include-branches'?: string | string[];
  'exclude-branches'?: string | string[];
  'always-dynamic-branches'?: string | string[];
  'implied-branch-matchers'?: boolean;
  'include-provider-config'?: boolean;
  'allow-reporter-jobs'?: boolean;
  'allow-base-jobs'?: boolean;
  'configure-projects'?: string | string[];
}

export interface SourceOptions {
  connectionNames: ReadonlySet<string>;
  /** connection → canonical hostname, when known, for exact duplicate detection. */
  canonicalHostnames?: ReadonlyMap<string, string>;
}

/** Tenant-level values projects inherit. */
export interface ProjectDefaults {
  excludeUnprotectedBranches: boolean;
  excludeLockedBranches: boolean;
}

interface Parsed {
  tpc: TenantProjectConfig;
  path: Path;
  configure?: { patterns: CompiledPattern[]; path: Path };
}

/**
 * Reads a tenant's `source:` mapping into project configs in load order:
 * every config project (connections in `source:` order, then list order),
 * then every untrusted project likewise.
 */
export function parseSources(
  r: TenantFileReader,
  source: Record<string, unknown>,
  path: Path,
  defaults: ProjectDefaults,
  opts: SourceOptions,
): TenantProjectConfig[] {
  for (const [conn, body] of Object.entries(source)) {
    if (!opts.connectionNames.has(conn))
      r.fail([...path, conn], `Unknown connection named "${conn}".`);
    r.check(SourceSchema, body, [...path, conn]);
  }
  const parsed: Parsed[] = [];
  for (const trusted of [true, false]) {
    const listKey = trusted ? 'config-projects' : 'untrusted-projects';
    for (const [conn, body] of Object.entries(source)) {
      const list = (body as Record<string, unknown>)[listKey];
      if (list === undefined) continue;
      const listPath = [...path, conn, listKey];
      const ctx: EntryContext = { r, conn, trusted, defaults };
      if (Array.isArray(list)) {
        list.forEach((entry, i) => {
          parseEntry(ctx, entry, [...listPath, i], defaultLoadClasses(trusted), false, parsed);
        });
      } else {
        // Zuul's to_list: a lone entry stands for a one-element list.
        parseEntry(ctx, list, listPath, defaultLoadClasses(trusted), false, parsed);
      }
    }
  }
  checkDuplicates(r, parsed, opts);
  checkConfigureProjects(r, parsed, opts);
  return parsed.map((p) => p.tpc);
}

interface EntryContext {
  r: TenantFileReader;
  conn: string;
  trusted: boolean;
  defaults: ProjectDefaults;
}

function parseEntry(
  ctx: EntryContext,
  entry: unknown,
  path: Path,
  inherited: ReadonlySet<ConfigClass>,
  inGroup: boolean,
  out: Parsed[],
): void {
  const r: TenantFileReader = ctx.r;
  if (typeof entry === 'string') {
    out.push(makeProject(ctx, entry, {}, [...path], inherited));
    return;
  }
  if (!isPlainObject(entry)) r.fail(path, `Unable to parse project ${JSON.stringify(entry)}`);
  const keys = Object.keys(entry);
  // A group is a mapping with `projects:` and at least one other key; a lone
  // `projects:` key reads as a project called "projects" (as in Zuul).
  if (keys.includes('projects') && keys.length > 1) {
    if (inGroup) r.fail(path, 'Project groups may not be nested inside project groups');
    r.check(ProjectGroup, entry, path);
    const groupClasses = applyClassSelection(inherited, {
      include: classList(r, entry.include, [...path, 'include']),
      exclude: classList(r, entry.exclude, [...path, 'exclude']),
    });
    const members = entry.projects;
    if (Array.isArray(members)) {
      members.forEach((m, i) => {
        parseEntry(ctx, m, [...path, 'projects', i], groupClasses, true, out);
      });
    } else {
      parseEntry(ctx, members, [...path, 'projects'], groupClasses, true, out);
    }
    return;
  }
  if (keys.length !== 1) r.fail(path, `Unable to parse project ${JSON.stringify(entry)}`);
  const name = keys[0]!;
  const options = entry[name];
  const optPath = [...path, name];
  if (!isPlainObject(options)) {
    r.fail(optPath, `expected a dictionary for the options of project "${name}"`);
  }
  out.push(makeProject(ctx, name, options, optPath, inherited));
}

function makeProject(
  ctx: EntryContext,
  name: string,
  raw: Record<string, unknown>,
  path: Path,
  inherited: ReadonlySet<ConfigClass>,
): Parsed {
  const { r, trusted, defaults } = ctx;
  checkExtraConfigPathTypes(r, raw['extra-config-paths'], [...path, 'extra-config-paths']);
  r.check(trusted ? ConfigProjectOptions : UntrustedProjectOptions, raw, path);
  const o = raw as ProjectOptions;
  const at = (key: string): Path => [...path, key];

  const loadClasses = applyClassSelection(inherited, {
    include: classList(r, o.include, at('include')),
    includeProviderConfig: o['include-provider-config'],
    exclude: classList(r, o.exclude, at('exclude')),
  });

  const extraConfigPaths = asList(o['extra-config-paths']);
  extraConfigPaths.forEach((p, i) => {
    if (STANDARD_ROOTS.has(p)) {
      r.fail(
        itemPath(o['extra-config-paths'], at('extra-config-paths'), i),
        `Default zuul configs are not allowed in extra-config-paths ("${p}")`,
      );
    }
  });

  const patterns = (key: keyof ProjectOptions): string[] | undefined => {
    const v = o[key] as string | string[] | undefined;
    if (v === undefined) return undefined;
    const list = asList(v);
    list.forEach((p, i) => {
      compilePattern(r, p, itemPath(v, at(key), i), key);
    });
    return list;
  };
  const includeBranches = patterns('include-branches');
  const alwaysDynamic = patterns('always-dynamic-branches');
  let excludeBranches = patterns('exclude-branches');
  if (alwaysDynamic) {
    // As Zuul does: always-dynamic branches are never loaded statically.
    const base = excludeBranches ?? [];
    excludeBranches = [...base, ...alwaysDynamic.filter((b) => !base.includes(b))];
  }

  let configure: Parsed['configure'];
  const configureProjects = o['configure-projects'];
  if (configureProjects !== undefined) {
    const list = asList(configureProjects);
    configure = {
      path: at('configure-projects'),
      patterns: list.map((p, i) =>
        compilePattern(
          r,
          p,
          itemPath(configureProjects, at('configure-projects'), i),
          'configure-projects',
        ),
      ),
    };
  }

  const tpc: TenantProjectConfig = {
    connectionName: ctx.conn,
    name,
    trusted,
    loadClasses,
    shadow: asList(o.shadow),
    excludeUnprotectedBranches:
      o['exclude-unprotected-branches'] ?? defaults.excludeUnprotectedBranches,
    excludeLockedBranches: o['exclude-locked-branches'] ?? defaults.excludeLockedBranches,
    includeBranches,
    excludeBranches,
    alwaysDynamicBranches: alwaysDynamic,
    impliedBranchMatchers: o['implied-branch-matchers'],
    extraConfigPaths,
    extraConfigFiles: extraConfigPaths.filter((p) => !p.endsWith('/')),
    extraConfigDirs: extraConfigPaths.filter((p) => p.endsWith('/')).map((p) => p.slice(0, -1)),
    loadBranch: o['load-branch'],
    configureProjects: configureProjects === undefined ? undefined : asList(configureProjects),
    includeProviderConfig: o['include-provider-config'] ?? false,
    allowReporterJobs: trusted || (o['allow-reporter-jobs'] ?? false),
    allowBaseJobs: o['allow-base-jobs'] ?? trusted,
  };
  return { tpc, path, configure };
}

/** Path of item `i` of a scalar-or-list value (the value itself when scalar). */
function itemPath(value: unknown, path: Path, i: number): Path {
  return Array.isArray(value) ? [...path, i] : path;
}

/** Validates class names of an include/exclude value (already known to be strings). */
function classList(r: TenantFileReader, value: unknown, path: Path): ConfigClass[] | undefined {
  if (value === undefined) return undefined;
  const list = asList(value as string | string[]);
  list.forEach((c, i) => {
    if (!isConfigClass(c)) {
      r.fail(
        itemPath(value, path, i),
        `"${c}" is not a configuration class; expected one of: ${CONFIG_CLASSES.join(', ')}`,
      );
    }
  });
  return list as ConfigClass[];
}

function checkExtraConfigPathTypes(r: TenantFileReader, v: unknown, path: Path): void {
  if (v === undefined) return;
  const ok = typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
  // Zuul's own wording for this attribute.
  if (!ok) r.fail(path, 'Expected str or list of str for extra-config-paths');
}

/** A project may appear in a tenant only once (Zuul: "already in project index"). */
function checkDuplicates(r: TenantFileReader, parsed: Parsed[], opts: SourceOptions): void {
  const seen = new Map<string, Parsed>();
  for (const p of parsed) {
    // Zuul indexes by canonical hostname + name, so two connections to the
    // same host collide; without hostnames the connection stands in.
    const host = opts.canonicalHostnames?.get(p.tpc.connectionName);
    const key =
      host !== undefined ? `${host}/${p.tpc.name}` : `${p.tpc.connectionName}\0${p.tpc.name}`;
    const first = seen.get(key);
    if (first) {
      const where = first.tpc.trusted ? 'config-projects' : 'untrusted-projects';
      r.fail(
        p.path,
        `Project ${host !== undefined ? key : p.tpc.name} is already in project index ` +
          `(first listed in ${where} of connection ${first.tpc.connectionName}` +
          `${r.line(first.path) === undefined ? '' : `, line ${r.line(first.path)}`}); ` +
          'a project may appear only once in a tenant',
      );
    }
    seen.set(key, p);
  }
}

/** An untrusted project's configure-projects may not match any config project. */
function checkConfigureProjects(r: TenantFileReader, parsed: Parsed[], opts: SourceOptions): void {
  const configProjects = parsed.filter((p) => p.tpc.trusted);
  for (const u of parsed) {
    if (!u.configure) continue;
    for (const c of configProjects) {
      const host = opts.canonicalHostnames?.get(c.tpc.connectionName);
      const names = host === undefined ? [c.tpc.name] : [c.tpc.name, `${host}/${c.tpc.name}`];
      if (u.configure.patterns.some((re) => names.some((n) => re.fullMatch(n)))) {
        r.fail(
          u.configure.path,
          `Untrusted-project ${u.tpc.name} may not configure config-project ${c.tpc.name}`,
        );
      }
    }
  }
}
