// Shared plumbing for reading the tenant file: the error that stops the load,
// turning paths into line numbers, schema checks and regex checks.

import type { TSchema } from '@sinclair/typebox';
import { RE2JS } from 're2js';
import type { TenantFileWarning } from '../model/tenant.js';
import { ConfigProblem } from './errors.js';
import { validateAt } from './schema.js';
import type { LoadedYaml } from './yaml.js';

/**
 * A problem in the tenant file. Unlike in-repo config errors these are not
 * collected per object: Zuul refuses the whole file, so we do too.
 */
export class TenantFileError extends Error {
  constructor(
    readonly fileName: string,
    /** 1-based; undefined when the position is unknown. */
    readonly line: number | undefined,
    /** The problem alone, without file and line. */
    readonly problem: string,
  ) {
    super(`${fileName}${line === undefined ? '' : `, line ${line}`}: ${problem}`);
    this.name = 'TenantFileError';
  }
}

export type Path = readonly (string | number)[];

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** voluptuous-style rendering of a path: `['source']['gerrit'][0]`. */
export function describePath(path: Path): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `['${p}']`)).join('');
}

/** Paths are absolute from the file's root list: `[itemIndex, objectKind, …]`. */
export class TenantFileReader {
  readonly warnings: TenantFileWarning[] = [];

  constructor(
    private readonly yaml: LoadedYaml,
    readonly fileName: string,
  ) {}

  line(path: Path): number | undefined {
    const offset = this.yaml.locate(this.yaml.value, path);
    return offset === undefined ? undefined : this.yaml.linePos(offset).line + 1;
  }

  fail(path: Path, problem: string): never {
    throw new TenantFileError(this.fileName, this.line(path), problem);
  }

  warn(path: Path, message: string): void {
    this.warnings.push({ message, line: this.line(path) });
  }

  /**
   * Validates `value` (found at `path`) against a strict schema. Messages
   * name the path inside the top-level object as voluptuous would
   * (`extra keys not allowed @ data['source']['gerrit']…`), and the line is
   * that of the offending key or item.
   */
  check(schema: TSchema, value: unknown, path: Path): void {
    try {
      // Paths in messages start inside the top-level object.
      validateAt(schema, value, path.slice(2));
    } catch (e) {
      if (e instanceof ConfigProblem) this.fail([...path.slice(0, 2), ...e.path], e.message);
      throw e;
    }
  }
}

export interface CompiledPattern {
  /** Full-string match, as Zuul's `fullmatch` for tenant-file regexes. */
  fullMatch(s: string): boolean;
}

/**
 * Compiles a tenant-file regex. Zuul compiles these with Python's `re`, so
 * anything RE2 or (failing that) JavaScript accepts is taken; a pattern only
 * JavaScript accepts gets a warning because RE2 is what zuul-ts prefers.
 */
export function compilePattern(
  r: TenantFileReader,
  pattern: string,
  path: Path,
  option: string,
): CompiledPattern {
  try {
    const re = RE2JS.compile(pattern);
    return { fullMatch: (s) => re.matches(s) };
  } catch (re2Error) {
    let js: RegExp;
    try {
      js = new RegExp(`^(?:${pattern})$`);
    } catch {
      const why = re2Error instanceof Error ? re2Error.message : String(re2Error);
      return r.fail(path, `Invalid regular expression "${pattern}" in ${option}: ${why}`);
    }
    r.warn(
      path,
      `The regular expression "${pattern}" in ${option} is not valid RE2 syntax; ` +
        'it is accepted for compatibility but should be rewritten.',
    );
    return { fullMatch: (s) => js.test(s) };
  }
}
