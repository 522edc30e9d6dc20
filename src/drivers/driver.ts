// The one interface every connection driver implements. The scheduler,
// config loader and reporters only ever see these types; a new driver is a
// new folder under drivers/ plus a line in registry.ts.

import type { TSchema } from '@sinclair/typebox';
import type { PipelineChecks } from './schema-checks.js';

/** A `[connection NAME]` section of zuul.conf. */
export interface ConnectionConfig {
  name: string;
  driver: string;
  /** Every key of the section, lower-cased, already interpolated. */
  options: Readonly<Record<string, string>>;
  /** The zuul.conf section it came from, for error messages. */
  section?: string;
}

/**
 * Schemas for a driver's part of a pipeline definition. Each validates the
 * value found under the connection name, e.g. `trigger: {gerrit: <this>}`.
 * A trigger/require/reject/reporter schema that is absent means the driver
 * cannot be used in that role (a config error names the connection).
 */
export interface PipelineSchemas {
  /** One trigger filter; the pipeline may give a single one or a list. */
  trigger?: TSchema;
  require?: TSchema;
  reject?: TSchema;
  reporter?: TSchema;
  /** Checks a schema cannot express (regexes, crons, deprecations). */
  checks?: PipelineChecks;
}

export type MergeMode =
  | 'merge'
  | 'merge-resolve'
  | 'cherry-pick'
  | 'squash-merge'
  | 'rebase'
  | 'merge-recursive'
  | 'merge-ort';

/** The source side of a connection: where projects' git repositories live. */
export interface Source {
  readonly connectionName: string;
  /** Host that qualifies project names: `<canonicalHostname>/<project>`. */
  readonly canonicalHostname: string;
  /** Merge mode used when a project sets none. */
  readonly defaultMergeMode: MergeMode;
  /** URL git can fetch the project from. */
  gitUrl(project: string): string;
  /** Branch names of a project (unsorted; the loader sorts). */
  getBranches(project: string): Promise<string[]>;
  /** The project's default branch as the code review system reports it. */
  getDefaultBranch(project: string): Promise<string | undefined>;
  /**
   * Merge modes the code review system allows for the project (GitHub
   * repository settings); undefined or absent: every mode is allowed.
   */
  getProjectMergeModes?(project: string): Promise<readonly MergeMode[] | undefined>;
}

export interface Connection {
  readonly name: string;
  readonly driverName: string;
  readonly config: ConnectionConfig;
  readonly source?: Source;
}

export interface Driver {
  /** Value of `driver=` in zuul.conf. */
  readonly name: string;
  readonly pipelineSchemas: PipelineSchemas;
  /**
   * The connection exists without configuration, named after the driver
   * (`zuul`, `timer`); it cannot be declared as a `[connection …]`.
   */
  readonly builtin?: boolean;
  /** Builds a connection; throws an Error naming the missing/bad key. */
  createConnection(config: ConnectionConfig, deps: DriverDeps): Connection;
}

/** What drivers may use from the rest of the system. */
export interface DriverDeps {
  /** Reads a project repository (a bare mirror under [merger] git_dir). */
  repos: RepoReader;
}

export interface RepoRefs {
  branches: string[];
  tags: string[];
  /** The default branch (the remote's HEAD), when known. */
  head?: string;
}

/** The part of the repository cache that sources need. */
export interface RepoReader {
  /**
   * Fetches the project (cloning on first use) from `url` into the mirror
   * named `key` (`<connection>/<project>`) and lists its refs.
   */
  listRefs(url: string, key: string): Promise<RepoRefs>;
}
