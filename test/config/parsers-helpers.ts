// Shared set-up for the in-repo object parser tests: YAML text goes through
// parseConfigFile exactly as a project's configuration file would, and the
// helpers check the resulting objects and error records.

import assert from 'node:assert/strict';
import { type ParsedConfig, parseConfigFile } from '../../src/config/config-file.js';
import { formatErrorLine } from '../../src/config/errors.js';
import { parseOptionsFor } from '../../src/config/system.js';
import type { Connection } from '../../src/drivers/driver.js';
import type { ConfigError, Severity, SourceContext } from '../../src/model/config-error.js';

export const SOURCE: SourceContext = {
  project: 'org/project',
  projectCanonical: 'review.example.com/org/project',
  connection: 'gerrit',
  branch: 'master',
  path: 'zuul.d/config.yaml',
  trusted: false,
};

export const OPTIONS = parseOptionsFor(
  new Map(
    Object.entries({ gerrit: 'gerrit', github: 'github', timer: 'timer', zuul: 'zuul' }).map(
      ([name, driverName]) => [name, { driverName } as Connection],
    ),
  ),
);

/**
 * YAML from an indented template literal: drops the first newline and the
 * common indentation, ends with exactly one newline. Backslashes are kept
 * as written (String.raw), so regexes read naturally.
 */
export function y(strings: TemplateStringsArray, ...values: unknown[]): string {
  const raw = String.raw({ raw: strings.raw }, ...values).replace(/^\n/, '');
  const lines = raw.split('\n');
  const indents = lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)![0].length);
  const indent = indents.length ? Math.min(...indents) : 0;
  return `${lines
    .map((l) => l.slice(indent))
    .join('\n')
    .trimEnd()}\n`;
}

export function parse(
  text: string | Uint8Array,
  source: Partial<SourceContext> = {},
): ParsedConfig {
  return parseConfigFile(text, { ...SOURCE, ...source }, OPTIONS);
}

/** 1-based line of the nth line of `text` containing `needle`. */
export function lineOf(text: string, needle: string, nth = 1): number {
  let seen = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.includes(needle) && ++seen === nth) return i + 1;
  }
  throw new Error(`"${needle}" (#${nth}) not in text`);
}

function describe(errors: readonly ConfigError[]): string {
  return errors.map((e) => formatErrorLine(e)).join('\n') || '(none)';
}

/** Asserts the file parsed without any error or warning. */
export function assertClean(r: ParsedConfig): ParsedConfig {
  assert.equal(r.errors.length, 0, `unexpected errors:\n${describe(r.errors)}`);
  return r;
}

/** Parses text that must produce no error or warning. */
export function parseClean(
  text: string | Uint8Array,
  source: Partial<SourceContext> = {},
): ParsedConfig {
  return assertClean(parse(text, source));
}

export interface ExpectedError {
  /** Error category; `Unknown` by default. */
  name?: string;
  severity?: Severity;
  /** Matched against the short error text. */
  message: RegExp;
  /** 1-based line the error must point at. */
  line?: number;
  source?: SourceContext;
}

/** Checks one error record, including the text a user reads. */
export function checkError(e: ConfigError, want: ExpectedError): void {
  const source = want.source ?? SOURCE;
  assert.equal(e.name, want.name ?? 'Unknown', formatErrorLine(e));
  assert.equal(e.severity, want.severity ?? 'error', formatErrorLine(e));
  assert.match(e.shortError, want.message);
  assert.deepEqual(e.sourceContext, source);
  assert.ok(e.error.includes(`in the repo ${source.project} on branch ${source.branch}`), e.error);
  for (const line of e.shortError.split('\n')) {
    assert.ok(e.error.includes(line), 'the full text repeats the problem');
  }
  if (want.line !== undefined) {
    assert.ok(e.mark, `error has no position: ${formatErrorLine(e)}`);
    assert.equal(e.mark.line + 1, want.line, `wrong line for: ${formatErrorLine(e)}`);
    assert.ok(
      e.error.includes(`"${source.project}/${source.path}@${source.branch}", line ${want.line}`),
      e.error,
    );
  }
}

/** Asserts exactly one error (or warning) and checks it. */
export function oneError(r: ParsedConfig, want: ExpectedError): ConfigError {
  assert.equal(r.errors.length, 1, `expected exactly one error, got:\n${describe(r.errors)}`);
  checkError(r.errors[0]!, want);
  return r.errors[0]!;
}

/** Total number of objects of every kind in a parse result. */
export function objectCount(r: ParsedConfig): number {
  let n = 0;
  for (const [key, list] of Object.entries(r))
    if (key !== 'errors') n += (list as unknown[]).length;
  return n;
}

const BEFORE = y`
  - job:
      name: neighbour-before
`;
const AFTER = y`
  - semaphore:
      name: neighbour-after
`;

export interface IsolationExpectation extends Omit<ExpectedError, 'line'> {
  /** Where the error must point: a line of `stanza` (1-based) or text on that line. */
  at: number | string;
  /** The stanza survives (warnings) instead of being dropped. */
  kept?: boolean;
}

/**
 * Puts `stanza` between two valid stanzas, parses the file and checks that
 * it produced exactly the expected error, that the error points at the right
 * line, and that both neighbours were still loaded.
 */
export function assertIsolatedError(stanza: string, want: IsolationExpectation): ParsedConfig {
  const text = BEFORE + stanza + AFTER;
  const offset = BEFORE.split('\n').length - 1;
  const line = typeof want.at === 'number' ? offset + want.at : offset + lineOf(stanza, want.at);
  const r = parse(text);
  oneError(r, { ...want, line });
  assert.ok(
    r.jobs.some((j) => j.name === 'neighbour-before'),
    'the stanza before was lost',
  );
  assert.ok(
    r.semaphores.some((s) => s.name === 'neighbour-after'),
    'the stanza after was lost',
  );
  assert.equal(objectCount(r), want.kept ? 3 : 2, 'the failing stanza must be dropped');
  return r;
}
