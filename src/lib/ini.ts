// An INI reader with the semantics of Python's `configparser.ConfigParser`
// (strict mode, BasicInterpolation), which is what Zuul uses for zuul.conf.
//
// Why not an npm package: none of them reads zuul.conf the way Python does.
// The `ini` package treats `;` and `#` inside a value as the start of a
// comment, which truncates Gerrit's default
// `gitweb_url_template={baseurl}/gitweb?p={project.name}.git;a=commitdiff;h={sha}`;
// `configparser` (npm) and `config-ini-parser` reject indented continuation
// lines; none does `%(name)s` interpolation with configparser's rules.
//
// Rules implemented (from CPython's Lib/configparser.py):
// * `[header]`: everything between the first `[` and the last `]`; section
//   names are case-sensitive; `[DEFAULT]` holds fallbacks for every section.
// * `key = value` or `key: value`; the key ends at the first `=` or `:`;
//   keys are lower-cased; key and value are stripped.
// * Only whole-line comments: a line whose first non-blank character is `#`
//   or `;`. Inline `;`/`#` stay part of the value.
// * A line indented deeper than its key line continues the value (joined
//   with `\n`); blank lines inside a value are kept, trailing ones dropped.
// * Strict mode: a section or a key repeated in one file is an error.
// * Values are interpolated when read: `%(name)s` is the (interpolated)
//   value of `name` in the same section, then `[DEFAULT]`, then environment
//   variables starting with `ZUUL_` (Zuul passes those as parser defaults);
//   `%%` is a literal `%`; any other `%` is an error.

/** A problem in an INI file; the message starts with `file:line:`. */
export class IniError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly reason: string,
  ) {
    super(`${file}${line !== undefined ? `:${line}` : ''}: ${reason}`);
    this.name = 'IniError';
  }
}

export interface IniEntry {
  /** Lower-cased key. */
  readonly key: string;
  /** Value as written (continuations joined), not interpolated. */
  readonly raw: string;
  /** 1-based line of the key. */
  readonly line: number;
}

export interface IniSection {
  /** Name between the brackets, exactly as written. */
  readonly name: string;
  /** 1-based line of the header (0 for the implicit DEFAULT section). */
  readonly line: number;
  readonly entries: ReadonlyMap<string, IniEntry>;
}

export interface ParseIniOptions {
  /** File name used in error messages. */
  file?: string;
  /** Environment; only variables starting with `ZUUL_` are used. */
  env?: Readonly<Record<string, string | undefined>>;
}

const DEFAULT_SECTION = 'DEFAULT';
/** configparser's MAX_INTERPOLATION_DEPTH. */
const MAX_DEPTH = 10;
const OPTION_RE = /^(.*?)\s*([=:])\s*(.*)$/;

/** A parsed INI file. Sections keep file order. */
export class IniFile {
  /** Variables available to `%(name)s` after the file's own keys. */
  private readonly envDefaults: Map<string, string>;

  constructor(
    readonly file: string,
    /** Every section except DEFAULT, in file order. */
    readonly sections: ReadonlyMap<string, IniSection>,
    /** The `[DEFAULT]` section (empty when absent). */
    readonly defaults: IniSection,
    env: Readonly<Record<string, string | undefined>> = {},
  ) {
    this.envDefaults = new Map();
    for (const [name, value] of Object.entries(env)) {
      if (name.startsWith('ZUUL_') && value !== undefined) {
        this.envDefaults.set(name.toLowerCase(), value);
      }
    }
  }

  sectionNames(): string[] {
    return [...this.sections.keys()];
  }

  hasSection(section: string): boolean {
    return this.sections.has(section);
  }

  /** The entry written in the section itself or in [DEFAULT]. */
  entry(section: string, key: string): IniEntry | undefined {
    const k = key.toLowerCase();
    return this.sections.get(section)?.entries.get(k) ?? this.defaults.entries.get(k);
  }

  has(section: string, key: string): boolean {
    return this.entry(section, key) !== undefined;
  }

  /** Interpolated value, or undefined when the key is not set. */
  get(section: string, key: string): string | undefined {
    const e = this.entry(section, key);
    return e === undefined ? undefined : this.interpolate(section, e.raw, e.line, 1);
  }

  /** All keys of a section (without [DEFAULT] or environment), interpolated. */
  items(section: string): Record<string, string> {
    const out: Record<string, string> = {};
    const s = this.sections.get(section);
    if (!s) return out;
    for (const e of s.entries.values()) {
      out[e.key] = this.interpolate(section, e.raw, e.line, 1);
    }
    return out;
  }

  private interpolate(section: string, raw: string, line: number, depth: number): string {
    if (!raw.includes('%')) return raw;
    if (depth > MAX_DEPTH) {
      throw new IniError(
        this.file,
        line,
        `[${section}]: interpolation nested more than ${MAX_DEPTH} levels deep (a reference loop?): ${JSON.stringify(raw)}`,
      );
    }
    let out = '';
    let i = 0;
    while (i < raw.length) {
      const pct = raw.indexOf('%', i);
      if (pct < 0) {
        out += raw.slice(i);
        break;
      }
      out += raw.slice(i, pct);
      const next = raw[pct + 1];
      if (next === '%') {
        out += '%';
        i = pct + 2;
        continue;
      }
      if (next !== '(') {
        throw new IniError(
          this.file,
          line,
          `[${section}]: '%' must be followed by '%' or '(', found ${JSON.stringify(raw.slice(pct))} (write %% for a literal %)`,
        );
      }
      const m = /^%\(([^)]+)\)s/.exec(raw.slice(pct));
      if (!m) {
        throw new IniError(
          this.file,
          line,
          `[${section}]: bad interpolation reference ${JSON.stringify(raw.slice(pct))}; expected %(name)s`,
        );
      }
      out += this.lookup(section, m[1], raw, line, depth);
      i = pct + m[0].length;
    }
    return out;
  }

  private lookup(section: string, name: string, raw: string, line: number, depth: number): string {
    const key = name.toLowerCase();
    const e = this.sections.get(section)?.entries.get(key) ?? this.defaults.entries.get(key);
    if (e) return this.interpolate(section, e.raw, e.line, depth + 1);
    const env = this.envDefaults.get(key);
    // Like configparser, values from the environment are interpolated too.
    if (env !== undefined) return this.interpolate(section, env, line, depth + 1);
    throw new IniError(
      this.file,
      line,
      `[${section}]: %(${name})s in ${JSON.stringify(raw)} names no key of this section and no ZUUL_* environment variable`,
    );
  }
}

const BOOLEAN_STATES = new Map([
  ['1', true],
  ['yes', true],
  ['true', true],
  ['on', true],
  ['0', false],
  ['no', false],
  ['false', false],
  ['off', false],
]);

/** configparser's getboolean words, any case; undefined for anything else. */
export function parseBoolean(value: string): boolean | undefined {
  return BOOLEAN_STATES.get(value.trim().toLowerCase());
}

/** Splits `kind NAME` / `kind "NAME"` / `kind 'NAME'` (as Zuul's regexes do). */
export function splitSectionName(header: string): { kind: string; name?: string } {
  const m = /^(\S+) (['"]?)(.*)\2$/s.exec(header);
  if (!m) return { kind: header.toLowerCase() };
  return { kind: m[1].toLowerCase(), name: m[3] };
}

interface MutableSection {
  name: string;
  line: number;
  entries: Map<string, { key: string; lines: string[]; line: number }>;
}

/** Parses INI text. Throws IniError on the first malformed line. */
export function parseIni(text: string, options: ParseIniOptions = {}): IniFile {
  const file = options.file ?? '<string>';
  const sections = new Map<string, MutableSection>();
  const defaults: MutableSection = { name: DEFAULT_SECTION, line: 0, entries: new Map() };
  let current: MutableSection | undefined;
  let currentEntry: { lines: string[] } | undefined;
  let indentLevel = 0;

  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  // A final newline does not start another line.
  if (lines.length && lines[lines.length - 1] === '') lines.pop();

  lines.forEach((rawLine, idx) => {
    const lineNo = idx + 1;
    const stripped = rawLine.trim();
    const isComment = stripped.startsWith('#') || stripped.startsWith(';');
    if (stripped === '' || isComment) {
      // A blank line inside a value is part of it; a comment is not, but it
      // does not end the value either (configparser's empty_lines_in_values).
      if (!isComment && currentEntry) currentEntry.lines.push('');
      return;
    }
    const indent = rawLine.length - rawLine.trimStart().length;
    if (currentEntry && indent > indentLevel) {
      currentEntry.lines.push(stripped);
      return;
    }
    indentLevel = indent;
    currentEntry = undefined;

    if (stripped.startsWith('[') && stripped.lastIndexOf(']') > 1) {
      const name = stripped.slice(1, stripped.lastIndexOf(']'));
      if (name === DEFAULT_SECTION) {
        current = defaults;
        return;
      }
      const existing = sections.get(name);
      if (existing) {
        throw new IniError(
          file,
          lineNo,
          `section [${name}] already appeared on line ${existing.line}; merge the two sections`,
        );
      }
      current = { name, line: lineNo, entries: new Map() };
      sections.set(name, current);
      return;
    }
    if (!current) {
      throw new IniError(
        file,
        lineNo,
        `${JSON.stringify(rawLine)} comes before any [section] header`,
      );
    }
    const m = OPTION_RE.exec(stripped);
    if (!m || m[1] === '') {
      throw new IniError(
        file,
        lineNo,
        `cannot parse ${JSON.stringify(rawLine)} in [${current.name}]: expected "key = value", "key: value" or "[section]"`,
      );
    }
    const key = m[1].toLowerCase();
    const prev = current.entries.get(key);
    if (prev) {
      throw new IniError(
        file,
        lineNo,
        `key "${key}" in [${current.name}] is already set on line ${prev.line}`,
      );
    }
    const entry = { key, lines: [m[3]], line: lineNo };
    current.entries.set(key, entry);
    currentEntry = entry;
  });

  const freeze = (s: MutableSection): IniSection => ({
    name: s.name,
    line: s.line,
    entries: new Map(
      [...s.entries].map(([k, e]) => [
        k,
        { key: e.key, raw: e.lines.join('\n').trimEnd(), line: e.line },
      ]),
    ),
  });
  return new IniFile(
    file,
    new Map([...sections].map(([k, s]) => [k, freeze(s)])),
    freeze(defaults),
    options.env,
  );
}
