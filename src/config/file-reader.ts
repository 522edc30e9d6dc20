// Where the tenant loader gets project branches and configuration files
// from. The loader only sees this interface, so the same loading code serves
// real repositories (through the repository cache) and in-memory contents
// (tests, and the proposed files of a change for speculative layouts).

import type { Connection } from '../drivers/driver.js';
import type { RepoCache } from '../merger/repo-cache.js';
import { CONFIG_ROOTS, candidateConfigFiles } from './project-files.js';

/** A project as the reader knows it: connection name and short project name. */
export interface ProjectRef {
  connection: string;
  project: string;
}

export interface ConfigFileReader {
  /** Branch names of the project (any order; the loader sorts). */
  branches(ref: ProjectRef): Promise<string[]>;
  /** The project's default branch, when the code review system says. */
  defaultBranch(ref: ProjectRef): Promise<string | undefined>;
  /** Every file path at the tip of `branch`. */
  listFiles(ref: ProjectRef, branch: string): Promise<string[]>;
  /** Contents of `paths` at the tip of `branch`; missing paths are left out. */
  readFiles(
    ref: ProjectRef,
    branch: string,
    paths: readonly string[],
  ): Promise<Map<string, Buffer>>;
  /**
   * Optional, for readers that can do it in one go: the paths under the
   * config roots and `extraConfigPaths` at the tip of `branch` (other paths
   * may be left out), with the contents of those that may hold
   * configuration (candidateConfigFiles).
   */
  readConfigFiles?(
    ref: ProjectRef,
    branch: string,
    extraConfigPaths: readonly string[],
  ): Promise<{ paths: string[]; contents: Map<string, Buffer> }>;
}

/** Reads through the connections' sources (branches) and the repository cache (files). */
export class RepoCacheFileReader implements ConfigFileReader {
  constructor(
    private readonly connections: ReadonlyMap<string, Connection>,
    private readonly repos: RepoCache,
  ) {}

  private source(ref: ProjectRef) {
    const source = this.connections.get(ref.connection)?.source;
    if (!source) throw new Error(`the connection "${ref.connection}" has no source`);
    return source;
  }

  branches(ref: ProjectRef): Promise<string[]> {
    return this.source(ref).getBranches(ref.project);
  }

  defaultBranch(ref: ProjectRef): Promise<string | undefined> {
    return this.source(ref).getDefaultBranch(ref.project);
  }

  listFiles(ref: ProjectRef, branch: string): Promise<string[]> {
    return this.repos.readTree(`${ref.connection}/${ref.project}`, branch);
  }

  readFiles(
    ref: ProjectRef,
    branch: string,
    paths: readonly string[],
  ): Promise<Map<string, Buffer>> {
    return this.repos.readFiles(`${ref.connection}/${ref.project}`, branch, paths);
  }

  readConfigFiles(
    ref: ProjectRef,
    branch: string,
    extraConfigPaths: readonly string[],
  ): Promise<{ paths: string[]; contents: Map<string, Buffer> }> {
    return this.repos.readPaths(
      `${ref.connection}/${ref.project}`,
      branch,
      [...CONFIG_ROOTS, ...extraConfigPaths],
      (paths) => candidateConfigFiles(paths, extraConfigPaths),
    );
  }
}

/** connection → project → branch → path → content. */
export type InMemoryFiles = Record<
  string,
  Record<string, Record<string, Record<string, string | Buffer>>>
>;

/**
 * Contents held in memory. A project that is not listed exists with a
 * single empty `master` branch (like a repository with only a README), so
 * tests need to spell out only projects that carry configuration.
 */
export class InMemoryFileReader implements ConfigFileReader {
  constructor(
    private readonly files: InMemoryFiles,
    /** `connection/project` or `project` → default branch; else master (or the first listed). */
    private readonly defaultBranches: Readonly<Record<string, string>> = {},
  ) {}

  private project(ref: ProjectRef): Record<string, Record<string, string | Buffer>> {
    return this.files[ref.connection]?.[ref.project] ?? { master: {} };
  }

  private branch(ref: ProjectRef, branch: string): Record<string, string | Buffer> {
    const files = this.project(ref)[branch];
    if (!files) throw new Error(`no branch ${branch} in ${ref.connection}/${ref.project}`);
    return files;
  }

  async branches(ref: ProjectRef): Promise<string[]> {
    return Object.keys(this.project(ref));
  }

  async defaultBranch(ref: ProjectRef): Promise<string | undefined> {
    const explicit =
      this.defaultBranches[`${ref.connection}/${ref.project}`] ?? this.defaultBranches[ref.project];
    if (explicit) return explicit;
    const branches = Object.keys(this.project(ref));
    return branches.includes('master') ? 'master' : branches[0];
  }

  async listFiles(ref: ProjectRef, branch: string): Promise<string[]> {
    return Object.keys(this.branch(ref, branch));
  }

  async readFiles(
    ref: ProjectRef,
    branch: string,
    paths: readonly string[],
  ): Promise<Map<string, Buffer>> {
    const files = this.branch(ref, branch);
    const out = new Map<string, Buffer>();
    for (const path of paths) {
      const content = files[path];
      if (content !== undefined) out.set(path, Buffer.from(content));
    }
    return out;
  }
}
