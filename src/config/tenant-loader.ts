// Loads the configuration of each tenant from its projects' repositories
// (semantics §D.1): resolves projects and branches, reads the config files
// at each branch tip, parses them (once per project branch, shared by
// tenants) and applies the tenant's rules about what each project may load.
// Building the layout from the result is the layout builder's job. Files
// come through a ConfigFileReader: git repositories, or memory (tests and
// speculative layouts).

import type { Connection, MergeMode } from '../drivers/driver.js';
import type { RepoCache } from '../merger/repo-cache.js';
import type { ConfigError } from '../model/config-error.js';
import type { TenantConfig, TenantProjectConfig } from '../model/tenant.js';
import { sortBranches, staticBranches } from './branches.js';
import {
  appendParsedConfig,
  emptyParsedConfig,
  type ParsedConfig,
  type ParseOptions,
} from './config-file.js';
import { makeConfigError } from './errors.js';
import { type ConfigFileReader, type ProjectRef, RepoCacheFileReader } from './file-reader.js';
import type { LastGoodConfigs } from './last-good.js';
import {
  branchSourceContext,
  type ProjectBranchFiles,
  parseProjectBranch,
} from './project-branch.js';
import { candidateConfigFiles } from './project-files.js';
import { applyTenantRules } from './tenant-rules.js';

/** A tenant project with what its source told us. */
export interface ResolvedProject {
  config: TenantProjectConfig;
  connection: Connection;
  /** Short name, without the hostname. */
  name: string;
  canonicalName: string;
  /** Branches loaded statically, default branch first. */
  branches: string[];
  /** Branches left out only because they are always-dynamic. */
  dynamicBranches: string[];
  defaultBranch: string;
  /** Merge modes the code review system allows; undefined: all. */
  mergeModes?: readonly MergeMode[];
}

/** What one project branch contributes to a tenant. */
export interface BranchConfig {
  project: ResolvedProject;
  branch: string;
  /** As parsed, without the tenant (shared between tenants; never changed). */
  parsed: ParsedConfig;
  /** What this tenant takes from it: the tenant's rules applied, their errors included. */
  config: ParsedConfig;
}

export interface LoadedTenant {
  tenant: TenantConfig;
  projects: ResolvedProject[];
  /** Every loaded object, in definition order. */
  config: ParsedConfig;
  errors: ConfigError[];
  /**
   * The pieces `config` was assembled from, in load order (config projects'
   * load-branch, then every static branch of each untrusted project), so a
   * speculative layout can replace some and reuse the rest.
   */
  branchConfigs?: BranchConfig[];
  /** Errors about whole projects (unreadable repositories); they come first in `errors`. */
  projectErrors?: ConfigError[];
}

export interface TenantLoaderDeps {
  /** Connections by name; a project's connection must have a source. */
  connections: ReadonlyMap<string, Connection>;
  /** Where branches and files come from; defaults to the repository cache. */
  reader?: ConfigFileReader;
  /** Needed when no reader is given. */
  repos?: RepoCache;
  parseOptions: ParseOptions;
  /** How many projects to read at once. */
  concurrency?: number;
  /**
   * The last good parse of each file, kept by the caller across loads (a
   * loader lives for one reconfiguration). With it, a file that now fails
   * as a whole keeps its last good objects in effect (its new error is
   * still reported); without it, such a file contributes nothing.
   */
  lastGood?: LastGoodConfigs;
}

/** Runs `fn` over `items` with at most `limit` in flight, keeping order. */
async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (t: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export class TenantLoader {
  /** Parsed config per `connection/project@branch`, shared between tenants of one load. */
  private readonly parsed = new Map<string, Promise<ParsedConfig>>();
  private readonly reader: ConfigFileReader;

  constructor(private readonly deps: TenantLoaderDeps) {
    if (deps.reader) this.reader = deps.reader;
    else if (deps.repos) this.reader = new RepoCacheFileReader(deps.connections, deps.repos);
    else throw new Error('TenantLoader needs a reader or a repository cache');
  }

  async loadTenant(tenant: TenantConfig): Promise<LoadedTenant> {
    const errors: ConfigError[] = [];
    const resolved = await mapLimited(tenant.projects, this.deps.concurrency ?? 8, (p) =>
      this.resolveProject(p).catch((err: Error) => {
        errors.push(repoAccessError(p, err.message));
        return undefined;
      }),
    );
    const projects = resolved.filter((p): p is ResolvedProject => p !== undefined);

    const branchConfigs = await mapLimited(
      projects,
      this.deps.concurrency ?? 8,
      async (project) => {
        const out: ParsedConfig[] = [];
        for (const branch of branchesToLoad(project)) {
          out.push(await this.projectBranchConfig(project, branch));
        }
        return out;
      },
    );

    const config = emptyParsedConfig();
    const pieces: BranchConfig[] = [];
    projects.forEach((project, i) => {
      const branches = branchesToLoad(project);
      branchConfigs[i]!.forEach((parsed, j) => {
        const own = applyTenantRules(parsed, project, projects, tenant);
        pieces.push({ project, branch: branches[j]!, parsed, config: own });
        appendParsedConfig(config, own);
      });
    });
    const projectErrors = [...errors];
    errors.push(...config.errors);
    config.errors = errors;
    return { tenant, projects, config, errors, branchConfigs: pieces, projectErrors };
  }

  private async resolveProject(p: TenantProjectConfig): Promise<ResolvedProject> {
    const connection = this.deps.connections.get(p.connectionName);
    const source = connection?.source;
    if (!connection || !source) {
      throw new Error(`the connection "${p.connectionName}" has no source`);
    }
    const host = source.canonicalHostname;
    const name = p.name.startsWith(`${host}/`) ? p.name.slice(host.length + 1) : p.name;
    if (p.loadClasses.size === 0) {
      // Nothing to load: the project is only known by name (e.g. for
      // required-projects), so its repository is not even contacted.
      return {
        config: p,
        connection,
        name,
        canonicalName: `${host}/${name}`,
        branches: [],
        dynamicBranches: [],
        defaultBranch: 'master',
      };
    }
    const ref: ProjectRef = { connection: connection.name, project: name };
    const [all, head, mergeModes] = await Promise.all([
      this.reader.branches(ref),
      this.reader.defaultBranch(ref),
      source.getProjectMergeModes?.(name),
    ]);
    const defaultBranch = head ?? 'master';
    const sorted = sortBranches(all, defaultBranch);
    const { branches, dynamicBranches } = staticBranches(sorted, p);
    return {
      config: p,
      connection,
      name,
      canonicalName: `${host}/${name}`,
      branches,
      dynamicBranches,
      defaultBranch,
      ...(mergeModes ? { mergeModes } : {}),
    };
  }

  private projectBranchConfig(project: ResolvedProject, branch: string): Promise<ParsedConfig> {
    const key = `${project.connection.name}/${project.name}@${branch}\0${project.config.trusted}\0${project.config.extraConfigPaths.join(',')}`;
    let p = this.parsed.get(key);
    if (!p) {
      p = this.readAndParse(project, branch, key);
      this.parsed.set(key, p);
    }
    return p;
  }

  private async readAndParse(
    project: ResolvedProject,
    branch: string,
    key: string,
  ): Promise<ParsedConfig> {
    const ref: ProjectRef = { connection: project.connection.name, project: project.name };
    let files: ProjectBranchFiles;
    try {
      const extra = project.config.extraConfigPaths;
      if (this.reader.readConfigFiles) {
        files = await this.reader.readConfigFiles(ref, branch, extra);
      } else {
        const paths = await this.reader.listFiles(ref, branch);
        const candidates = candidateConfigFiles(paths, extra);
        files = { paths, contents: await this.reader.readFiles(ref, branch, candidates) };
      }
    } catch (err) {
      // The branch may have gone away between listing and reading: that is
      // an error for this project branch only.
      const result = emptyParsedConfig();
      result.errors.push(
        makeConfigError(
          {
            message: `Unable to read ${project.name}@${branch}: ${(err as Error).message}`,
            errorName: 'Unknown',
            severity: 'error',
          },
          { source: branchSourceContext(project, branch) },
        ),
      );
      return result;
    }
    // Begun after reading, so the session's parse and commit are synchronous.
    const lastGood = this.deps.lastGood?.begin(key);
    return parseProjectBranch(project, branch, files, this.deps.parseOptions, {
      reportIgnoredRoots: true,
      ...(lastGood ? { lastGood } : {}),
    });
  }
}

/** The branches a tenant loads statically from a project, in load order. */
export function branchesToLoad(project: ResolvedProject): string[] {
  if (project.config.loadClasses.size === 0) return [];
  if (project.config.trusted) {
    // Config projects are read from load-branch, literally `master` by
    // default, not from the repository's default branch.
    const branch = project.config.loadBranch ?? 'master';
    return project.branches.includes(branch) ? [branch] : [];
  }
  return project.branches;
}

/** Zuul's wording when a listed project's repository cannot be read at all. */
function repoAccessError(p: TenantProjectConfig, reason: string): ConfigError {
  const text = `Zuul encountered an error while accessing the repo ${p.name}.  The error was:\n\n  ${reason}`;
  return {
    severity: 'error',
    name: 'Unknown',
    shortError: text,
    error: text,
    sourceContext: {
      project: p.name,
      projectCanonical: p.name,
      connection: p.connectionName,
      branch: '',
      path: '',
      trusted: p.trusted,
    },
  };
}
