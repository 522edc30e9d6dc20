// Parsing the configuration of one project branch from its files: which
// files count (semantics §C.0: the first config root with data, then the
// extra-config-paths) and the parse itself. Shared by the static tenant
// loader and speculative layouts, so both select files the same way.

import type { SourceContext } from '../model/config-error.js';
import {
  appendParsedConfig,
  emptyParsedConfig,
  type ParsedConfig,
  type ParseOptions,
  parseConfigFileChecked,
} from './config-file.js';
import { makeConfigError } from './errors.js';
import type { LastGoodBranch } from './last-good.js';
import { selectConfigFiles } from './project-files.js';
import type { ResolvedProject } from './tenant-loader.js';

/** The files of a project branch that may hold configuration. */
export interface ProjectBranchFiles {
  /** Every path of the branch (at least every path under a config root or extra path). */
  paths: readonly string[];
  /** Contents of the candidate paths; paths without content are treated as absent. */
  contents: ReadonlyMap<string, string | Uint8Array>;
}

export interface ParseBranchOptions {
  /**
   * Record a "Multiple Project Configurations" warning for every ignored
   * root. The static loader does; Zuul's speculative loading only logs it.
   */
  reportIgnoredRoots: boolean;
  /**
   * The static loader's memory of last good files: a file that fails as a
   * whole contributes its last good version instead (with its new errors).
   * Speculative layouts pass none: a proposed broken file is just broken.
   */
  lastGood?: LastGoodBranch;
}

/** Where the objects of a project branch come from (path filled in per file). */
export function branchSourceContext(project: ResolvedProject, branch: string): SourceContext {
  return {
    project: project.name,
    projectCanonical: project.canonicalName,
    connection: project.connection.name,
    branch,
    path: '',
    trusted: project.config.trusted,
  };
}

function text(content: string | Uint8Array): string {
  return typeof content === 'string' ? content : Buffer.from(content).toString('utf8');
}

/** Parses the configuration files of one project branch, in Zuul's file order. */
export function parseProjectBranch(
  project: ResolvedProject,
  branch: string,
  files: ProjectBranchFiles,
  parseOptions: ParseOptions,
  options: ParseBranchOptions,
): ParsedConfig {
  const source = branchSourceContext(project, branch);
  const result = emptyParsedConfig();
  const texts = new Map<string, string>();
  for (const [path, content] of files.contents) texts.set(path, text(content));
  const extra = project.config.extraConfigPaths;
  const selection = selectConfigFiles(files.paths, texts, extra);
  if (options.reportIgnoredRoots) {
    for (const ignored of selection.ignoredRoots) {
      result.errors.push(
        makeConfigError(
          {
            message: `Configuration in ${ignored} ignored because project-branch is already configured.`,
            errorName: 'Multiple Project Configurations',
            severity: 'warning',
          },
          { source: { ...source, path: ignored } },
        ),
      );
    }
  }
  for (const path of selection.files) {
    const content = files.contents.get(path);
    if (content === undefined) continue;
    const file = parseConfigFileChecked(content, { ...source, path }, parseOptions);
    appendParsedConfig(result, options.lastGood ? options.lastGood.take(path, file) : file.config);
  }
  options.lastGood?.commit();
  return result;
}
