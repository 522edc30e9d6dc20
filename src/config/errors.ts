// Turning problems found while reading configuration into Zuul-style
// configuration error records (see model/config-error.ts).

import {
  type ConfigError,
  type ErrorMark,
  type Severity,
  type SourceContext,
  WARNING_NAMES,
} from '../model/config-error.js';
import type { LoadedYaml } from './yaml.js';

export type ConfigPath = readonly (string | number)[];

/**
 * A problem with one configuration object. Parsers throw it; the loading
 * loop catches it, records an error and moves on to the next object.
 */
export class ConfigProblem extends Error {
  constructor(
    message: string,
    /** Error category, e.g. `Duplicate Node`; `Unknown` when uncategorised. */
    readonly errorName: string = 'Unknown',
    /** Path below the stanza where the problem is, for the line number. */
    readonly path: ConfigPath = [],
    readonly severity: Severity = WARNING_NAMES.has(errorName) ? 'warning' : 'error',
  ) {
    super(message);
  }
}

/** Where a stanza is, for building error text. */
export interface StanzaLocation {
  source: SourceContext;
  yaml?: LoadedYaml;
  /** The stanza's value (to find positions of paths below it). */
  stanza?: unknown;
  /** Character offset of the stanza when there is no value to look up. */
  offset?: number;
  /** Object kind and name, e.g. `job` / `unit-tests`. */
  kind?: string;
  name?: string;
}

const SNIPPET_LINES_BEFORE = 3;
const SNIPPET_LINES_AFTER = 5;

function makeMark(yaml: LoadedYaml, offset: number): ErrorMark {
  const { line, col } = yaml.linePos(offset);
  const lines = yaml.text.split('\n');
  const first = Math.max(0, line - SNIPPET_LINES_BEFORE);
  const last = Math.min(lines.length - 1, line + SNIPPET_LINES_AFTER);
  return {
    line,
    column: col,
    endLine: line,
    endColumn: col,
    snippet: lines.slice(first, last + 1).join('\n'),
  };
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => (l.length ? `  ${l}` : l))
    .join('\n');
}

/** Builds the full error record for a problem at a location. */
export function makeConfigError(
  problem: { message: string; errorName: string; severity: Severity; path?: ConfigPath },
  where: StanzaLocation,
): ConfigError {
  const src = where.source;
  let mark: ErrorMark | undefined;
  if (where.yaml) {
    // A problem with the stanza as a whole (or a key it lacks) points at its
    // `- kind:` line, as in Zuul; anything else at the deepest part found.
    const first = problem.path?.[0];
    const inStanza =
      first !== undefined &&
      where.yaml.positions.get(where.stanza as object)?.keys?.has(String(first)) === true;
    const offset =
      where.stanza !== undefined && (inStanza || where.offset === undefined)
        ? (where.yaml.locate(where.stanza, problem.path ?? []) ?? where.offset)
        : where.offset;
    if (offset !== undefined) mark = makeMark(where.yaml, offset);
  }
  // Zuul words the introduction after what kind of problem it is.
  const what =
    problem.errorName === 'Multiple Project Configurations'
      ? 'a configuration error'
      : problem.severity === 'warning'
        ? 'a deprecated syntax'
        : 'a syntax error';
  const parts = [
    `Zuul encountered ${what} while parsing its configuration in the repo ${src.project} on branch ${src.branch}.  The problem was:`,
    '',
    indent(problem.message),
  ];
  if (where.kind) {
    const attr = problem.path?.length ? `the "${problem.path[0]}" attribute of ` : '';
    const name = where.name ? `"${where.name}" ` : '';
    parts.push('', `The problem appears in ${attr}the ${name}${where.kind} stanza:`);
  }
  if (mark) {
    parts.push(
      '',
      indent(mark.snippet),
      '',
      `  in "${src.project}/${src.path}@${src.branch}", line ${mark.line + 1}`,
    );
  } else if (src.path) {
    parts.push('', `  in "${src.project}/${src.path}@${src.branch}"`);
  }
  return {
    severity: problem.severity,
    name: problem.errorName,
    shortError: problem.message,
    error: parts.join('\n'),
    sourceContext: src,
    mark,
  };
}

/** Collects errors for one tenant (or one file) in the order they are found. */
export class ConfigErrorList {
  readonly errors: ConfigError[] = [];

  add(error: ConfigError): void {
    this.errors.push(error);
  }

  /** Records a thrown problem; anything not a ConfigProblem is still recorded, never rethrown. */
  addProblem(err: unknown, where: StanzaLocation): void {
    if (err instanceof ConfigProblem) {
      this.add(
        makeConfigError(
          {
            message: err.message,
            errorName: err.errorName,
            severity: err.severity,
            path: err.path,
          },
          where,
        ),
      );
    } else {
      const message = err instanceof Error ? err.message : String(err);
      this.add(makeConfigError({ message, errorName: 'Unknown', severity: 'error' }, where));
    }
  }

  get hasErrors(): boolean {
    return this.errors.some((e) => e.severity === 'error');
  }
}

/** `project@branch:file:line: severity name: message` — the CLI's one-line form. */
export function formatErrorLine(e: ConfigError): string {
  const src = e.sourceContext;
  const where = src
    ? `${src.project}@${src.branch}:${src.path}${e.mark ? `:${e.mark.line + 1}` : ''}`
    : '<tenant>';
  const msg = e.shortError.split('\n')[0];
  return `${where}: ${e.severity} ${e.name}: ${msg}`;
}
