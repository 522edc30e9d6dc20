// Translates a regular expression written for Zuul (RE2 syntax, with the
// Python `re` extensions Zuul still honours) into an equivalent JavaScript
// pattern for `new RegExp(source, 'u')`.
//
// Zuul compiles every pattern with RE2 and falls back to Python's `re` when
// RE2 rejects it, so where the two disagree and RE2 accepts, RE2's meaning
// wins (e.g. `a{,3}` is literal text). Node 20's RegExp lacks inline flags
// (`(?i)`, `(?i:...)`), Python's `(?P<name>...)` / `(?P=name)`, `\A`, `\Z`,
// POSIX classes and RE2's `\pL`, so those are rewritten here:
//
// * flags never become JavaScript flags; they are applied while rewriting:
//   case-insensitive letters become `[aA]`, `.` becomes `[^\n]` or `[\s\S]`,
//   multi-line `^`/`$` become look-arounds on `\n`, verbose mode drops
//   whitespace and comments. That gives RE2's scoped-flag semantics for free.
// * the `u` flag is always used (real code points, `\p{..}`), so escapes that
//   are only legal without it (`\-`, `\ `, a lone `{` or `]`) are normalised.
//
// Known limits (rare in CI configuration): case-insensitive back-references
// and case-folding of non-ASCII ranges wider than MAX_FOLD_RANGE code points
// (regex-chars.ts). Unsupported Python-only constructs (atomic groups,
// conditionals, `\N{..}`) are errors rather than silently changing meaning.

import {
  type ClassItem,
  caseVariants,
  classLiteral,
  GENERAL_CATEGORIES,
  literal,
  POSIX_CLASSES,
  renderClass,
} from './regex-chars.js';

/** A pattern that cannot be used; `position` is the offset in the pattern. */
export class RegexTranslateError extends Error {
  constructor(
    readonly reason: string,
    readonly position: number,
  ) {
    super(`${reason} at position ${position}`);
  }
}

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  x: boolean;
}

class Translator {
  private pos = 0;
  private out = '';
  private readonly groups: Flags[] = [];
  private flags: Flags = { i: false, m: false, s: false, x: false };
  private capturing = 0;
  private readonly groupNames = new Set<string>();
  /** Back-references, checked once every group is known (Python's rule). */
  private readonly references: { ref: number | string; at: number }[] = [];

  constructor(private readonly src: string) {}

  run(): string {
    while (this.pos < this.src.length) this.step();
    if (this.groups.length) {
      throw new RegexTranslateError('missing ), unterminated subpattern', this.src.length);
    }
    for (const { ref, at } of this.references) {
      if (typeof ref === 'number' && ref > this.capturing)
        this.fail(`invalid group reference ${ref}`, at);
      if (typeof ref === 'string' && !this.groupNames.has(ref))
        this.fail(`unknown group name '${ref}'`, at);
    }
    return this.out;
  }

  private fail(reason: string, at = this.pos): never {
    throw new RegexTranslateError(reason, at);
  }

  private peek(n = 0): string {
    return this.src[this.pos + n] ?? '';
  }

  /** Reads one code point (surrogate pairs stay together). */
  private nextChar(): string {
    const cp = this.src.codePointAt(this.pos);
    if (cp === undefined) this.fail('unexpected end of pattern');
    const ch = String.fromCodePoint(cp);
    this.pos += ch.length;
    return ch;
  }

  private emitLiteral(ch: string): void {
    const variants = this.flags.i ? caseVariants(ch) : [];
    if (variants.length) {
      this.out += `[${[ch, ...variants].map(classLiteral).join('')}]`;
    } else {
      this.out += literal(ch);
    }
  }

  private step(): void {
    const start = this.pos;
    const ch = this.nextChar();
    if (this.flags.x && /\s/.test(ch)) return;
    if (this.flags.x && ch === '#') {
      while (this.pos < this.src.length && this.peek() !== '\n') this.pos++;
      return;
    }
    switch (ch) {
      case '\\':
        this.escape(start);
        return;
      case '[':
        this.charClass(start);
        return;
      case '(':
        this.openGroup(start);
        return;
      case ')':
        if (!this.groups.length) this.fail('unbalanced parenthesis', start);
        this.flags = this.groups.pop()!;
        this.out += ')';
        return;
      case '.':
        this.out += this.flags.s ? '[\\s\\S]' : '[^\\n]';
        return;
      case '^':
        this.out += this.flags.m ? '(?<![^\\n])' : '^';
        return;
      case '$':
        this.out += this.flags.m ? '(?![^\\n])' : '$';
        return;
      case '{': {
        // RE2 only treats {n}, {n,} and {n,m} as repetition; anything else
        // (including Python's {,m}) is literal text.
        const m = /^\{\d+(?:,\d*)?\}/.exec(this.src.slice(start));
        if (m) {
          this.out += m[0];
          this.pos = start + m[0].length;
        } else {
          this.out += '\\{';
        }
        return;
      }
      case '}':
        this.out += '\\}';
        return;
      case ']':
        this.out += '\\]';
        return;
      case '*':
      case '+':
      case '?':
      case '|':
        this.out += ch;
        return;
      default:
        this.emitLiteral(ch);
    }
  }

  private openGroup(start: number): void {
    if (this.peek() !== '?') {
      this.groups.push({ ...this.flags });
      this.capturing++;
      this.out += '(';
      return;
    }
    const rest = this.src.slice(this.pos + 1);
    if (rest.startsWith('#')) {
      const end = this.src.indexOf(')', this.pos);
      if (end < 0) this.fail('missing ), unterminated comment', start);
      this.pos = end + 1;
      return;
    }
    const named = /^(?:P)?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
    if (named) {
      if (this.groupNames.has(named[1]))
        this.fail(`redefinition of group name '${named[1]}'`, start);
      this.groups.push({ ...this.flags });
      this.capturing++;
      this.groupNames.add(named[1]);
      this.out += `(?<${named[1]}>`;
      this.pos += 1 + named[0].length;
      return;
    }
    const backref = /^P=([A-Za-z_][A-Za-z0-9_]*)\)/.exec(rest);
    if (backref) {
      this.references.push({ ref: backref[1], at: start });
      this.out += `\\k<${backref[1]}>`;
      this.pos += 1 + backref[0].length;
      return;
    }
    const look = /^(?::|=|!|<=|<!)/.exec(rest);
    if (look) {
      this.groups.push({ ...this.flags });
      this.out += `(?${look[0]}`;
      this.pos += 1 + look[0].length;
      return;
    }
    const flags = /^([aiLmsux]*)(?:-([imsx]*))?([:)])/.exec(rest);
    if (flags && (flags[1] || flags[2] !== undefined)) {
      this.applyFlags(flags[1] ?? '', flags[2] ?? '', flags[3] === ':', start);
      this.pos += 1 + flags[0].length;
      return;
    }
    if (rest.startsWith('>')) this.fail('atomic groups (?>...) are not supported', start);
    if (rest.startsWith('(')) this.fail('conditional groups (?(...)...) are not supported', start);
    if (rest.startsWith('P')) this.fail('unknown extension ?P', start);
    this.fail(`unknown extension ?${rest[0] ?? ''}`, start);
  }

  private applyFlags(on: string, off: string, scoped: boolean, start: number): void {
    if (on.includes('L'))
      this.fail('bad inline flag: cannot use LOCALE flag with a str pattern', start);
    const next = { ...this.flags };
    // `a` (ASCII) and `u` (Unicode) change nothing here: JavaScript's \w, \d
    // and \b are ASCII-only, which is RE2's behaviour.
    for (const f of on) if (f in next) next[f as keyof Flags] = true;
    for (const f of off) next[f as keyof Flags] = false;
    if (scoped) {
      this.groups.push({ ...this.flags });
      this.out += '(?:';
    }
    // Unscoped flags last until the end of the enclosing group (RE2).
    this.flags = next;
  }

  /** An escape outside a class; `start` is the offset of the backslash. */
  private escape(start: number): void {
    if (this.pos >= this.src.length) this.fail('bad escape (end of pattern)', start);
    const c = this.nextChar();
    switch (c) {
      case 'd':
      case 'D':
      case 's':
      case 'S':
      case 'w':
      case 'W':
      case 'b':
      case 'B':
      case 'n':
      case 't':
      case 'r':
      case 'f':
      case 'v':
        this.out += `\\${c}`;
        return;
      case 'A':
        this.out += '(?<![\\s\\S])';
        return;
      case 'Z':
      case 'z':
        this.out += '(?![\\s\\S])';
        return;
      case 'C':
        this.out += '[\\s\\S]';
        return;
      case 'Q': {
        const end = this.src.indexOf('\\E', this.pos);
        const text = this.src.slice(this.pos, end < 0 ? undefined : end);
        for (const ch of text) this.emitLiteral(ch);
        this.pos = end < 0 ? this.src.length : end + 2;
        return;
      }
      case 'p':
      case 'P':
        this.out += this.unicodeClass(c === 'P', start, false);
        return;
      default:
        break;
    }
    if (/[1-9]/.test(c) && !this.isOctal(c)) {
      // A back-reference: Python reads up to two digits.
      let num = c;
      if (/[0-9]/.test(this.peek())) num += this.nextChar();
      this.references.push({ ref: Number(num), at: start });
      this.out += `\\${num}`;
      return;
    }
    const cp = this.charEscapeValue(c, start);
    this.emitLiteral(String.fromCodePoint(cp));
  }

  /** Python: `\0`, or three octal digits starting 0-3, is an octal escape. */
  private isOctal(first: string): boolean {
    if (first === '0') return true;
    return /[0-3]/.test(first) && /^[0-7]{2}/.test(this.src.slice(this.pos, this.pos + 2));
  }

  /** Value of a single-character escape (after the backslash and `c`). */
  private charEscapeValue(c: string, start: number): number {
    switch (c) {
      case 'a':
        return 7;
      case 'n':
        return 10;
      case 't':
        return 9;
      case 'r':
        return 13;
      case 'f':
        return 12;
      case 'v':
        return 11;
      case 'x': {
        const braced = /^\{([0-9A-Fa-f]{1,6})\}/.exec(this.src.slice(this.pos));
        if (braced) {
          this.pos += braced[0].length;
          return this.checkCodePoint(Number.parseInt(braced[1], 16), start);
        }
        return this.hexDigits(2, start);
      }
      case 'u':
        return this.hexDigits(4, start);
      case 'U':
        return this.checkCodePoint(this.hexDigits(8, start), start);
      case 'N':
        return this.fail('named Unicode escapes \\N{...} are not supported', start);
      default:
        break;
    }
    if (/[0-7]/.test(c)) {
      let digits = c;
      while (digits.length < 3 && /[0-7]/.test(this.peek())) digits += this.nextChar();
      return this.checkCodePoint(Number.parseInt(digits, 8), start);
    }
    if (/[A-Za-z0-9]/.test(c)) this.fail(`bad escape \\${c}`, start);
    return c.codePointAt(0)!;
  }

  private hexDigits(n: number, start: number): number {
    const digits = this.src.slice(this.pos, this.pos + n);
    if (!new RegExp(`^[0-9A-Fa-f]{${n}}$`).test(digits)) {
      this.fail(`incomplete escape \\${this.src.slice(start + 1, this.pos + n)}`, start);
    }
    this.pos += n;
    return Number.parseInt(digits, 16);
  }

  private checkCodePoint(cp: number, start: number): number {
    if (cp > 0x10ffff) this.fail('escape value outside the Unicode range', start);
    return cp;
  }

  /** RE2 `\pL`, `\p{Greek}`, `\p{^Greek}`, `\PL` as a JavaScript escape. */
  private unicodeClass(negated: boolean, start: number, inClass: boolean): string {
    let name: string;
    if (this.peek() === '{') {
      const end = this.src.indexOf('}', this.pos);
      if (end < 0) this.fail('missing } in \\p{...}', start);
      name = this.src.slice(this.pos + 1, end);
      this.pos = end + 1;
    } else {
      name = this.nextChar();
    }
    if (name.startsWith('^')) {
      negated = !negated;
      name = name.slice(1);
    }
    if (!/^[A-Za-z_]+$/.test(name)) this.fail(`invalid Unicode class name "${name}"`, start);
    if (name === 'Any') {
      if (negated) this.fail('\\P{Any} matches nothing', start);
      return inClass ? '\\u{0}-\\u{10ffff}' : '[\\s\\S]';
    }
    const prop = GENERAL_CATEGORIES.has(name) ? name : `Script=${name}`;
    return `\\${negated ? 'P' : 'p'}{${prop}}`;
  }

  private charClass(start: number): void {
    let negated = false;
    if (this.peek() === '^') {
      negated = true;
      this.pos++;
    }
    const items: ClassItem[] = [];
    const ranges: [number, number][] = [];
    let first = true;
    for (;;) {
      if (this.pos >= this.src.length) this.fail('unterminated character set', start);
      // A `]` straight after `[` or `[^` is a literal in Python and RE2.
      if (this.peek() === ']' && !first) {
        this.pos++;
        break;
      }
      first = false;
      const item = this.classItem(start);
      if (item.kind === 'char' && this.peek() === '-' && this.peek(1) !== ']' && this.peek(1)) {
        const dashAt = this.pos;
        this.pos++;
        const hi = this.classItem(start);
        if (hi.kind !== 'char') this.fail('bad character range', dashAt);
        if (hi.cp < item.cp) this.fail('bad character range', dashAt);
        ranges.push([item.cp, hi.cp]);
        continue;
      }
      if (item.kind === 'set' && this.peek() === '-' && this.peek(1) !== ']') {
        this.fail('bad character range', this.pos);
      }
      items.push(item);
    }
    this.out += renderClass(negated, items, ranges, this.flags.i);
  }

  private classItem(start: number): ClassItem {
    const here = this.pos;
    const ch = this.nextChar();
    if (ch === '[') {
      const posix = /^:(\^?)([a-z]+):\]/.exec(this.src.slice(this.pos));
      if (posix) {
        const text = POSIX_CLASSES[posix[2]];
        if (!text) this.fail(`invalid POSIX class [:${posix[2]}:]`, here);
        if (posix[1]) this.fail('negated POSIX classes are not supported', here);
        this.pos += posix[0].length;
        return { kind: 'set', text };
      }
      return { kind: 'char', cp: 0x5b };
    }
    if (ch !== '\\') return { kind: 'char', cp: ch.codePointAt(0)! };
    if (this.pos >= this.src.length) this.fail('unterminated character set', start);
    const c = this.nextChar();
    if ('dDsSwW'.includes(c)) return { kind: 'set', text: `\\${c}` };
    if (c === 'p' || c === 'P') {
      return { kind: 'set', text: this.unicodeClass(c === 'P', here, true) };
    }
    if (c === 'b') return { kind: 'char', cp: 8 };
    if (/[A-Za-z]/.test(c) && !'axuUntrfvN'.includes(c)) this.fail(`bad escape \\${c}`, here);
    return { kind: 'char', cp: this.charEscapeValue(c, here) };
  }
}

/**
 * Rewrites a Zuul (RE2 / Python `re`) pattern as JavaScript source for
 * `new RegExp(source, 'u')`. Throws RegexTranslateError for constructs that
 * are invalid or that JavaScript cannot express.
 */
export function translatePythonRegex(pattern: string): string {
  return new Translator(pattern).run();
}
