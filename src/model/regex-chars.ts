// Character-level pieces of the regex translation (regex-translate.ts):
// escaping for JavaScript's `u` mode, case variants for case-insensitive
// matching without JavaScript's `i` flag, and rendering of character classes.

const MAX_FOLD_RANGE = 2000;

// JavaScript `u`-mode identity escapes are only allowed for these.
export const JS_SYNTAX = new Set('^$\\.*+?()[]{}|/'.split(''));

export const GENERAL_CATEGORIES = new Set(
  (
    'L Lu Ll Lt Lm Lo M Mn Mc Me N Nd Nl No P Pc Pd Ps Pe Pi Pf Po ' +
    'S Sm Sc Sk So Z Zs Zl Zp C Cc Cf Cs Co Cn'
  ).split(' '),
);

// RE2's POSIX classes (ASCII only), as JavaScript class contents.
export const POSIX_CLASSES: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

export function hexEscape(cp: number): string {
  return `\\u{${cp.toString(16)}}`;
}

/** The other-case forms of a single character (empty when it has none). */
export function caseVariants(ch: string): string[] {
  const out = new Set<string>();
  for (const v of [ch.toLowerCase(), ch.toUpperCase()]) {
    if (v !== ch && [...v].length === 1) out.add(v);
  }
  return [...out];
}

/** Escapes one literal character for use outside a class. */
export function literal(ch: string): string {
  return JS_SYNTAX.has(ch) ? `\\${ch}` : ch;
}

/** Escapes one literal character for use inside a class. */
export function classLiteral(ch: string): string {
  return JS_SYNTAX.has(ch) || ch === '-' ? `\\${ch}` : ch;
}

/** One element of a character class: a single code point or a preset. */
export type ClassItem = { kind: 'char'; cp: number } | { kind: 'set'; text: string };

/** A class in JavaScript syntax; `fold` adds other-case forms (for `(?i)`). */
export function renderClass(
  negated: boolean,
  items: ClassItem[],
  ranges: [number, number][],
  fold: boolean,
): string {
  const parts: string[] = [];
  const extra = new Set<string>();
  for (const item of items) {
    if (item.kind === 'set') {
      parts.push(item.text);
      // POSIX [:upper:]/[:lower:] fold like ranges under (?i).
      if (fold && (item.text === 'A-Z' || item.text === 'a-z')) parts.push('A-Za-z');
      continue;
    }
    const ch = String.fromCodePoint(item.cp);
    parts.push(classChar(item.cp));
    if (fold) for (const v of caseVariants(ch)) extra.add(v);
  }
  for (const [lo, hi] of ranges) {
    parts.push(`${classChar(lo)}-${classChar(hi)}`);
    if (fold) foldRange(lo, hi, parts, extra);
  }
  for (const v of extra) parts.push(classChar(v.codePointAt(0)!));
  return `[${negated ? '^' : ''}${parts.join('')}]`;
}

export function classChar(cp: number): string {
  if (cp < 0x20 || cp === 0x7f) return hexEscape(cp);
  return classLiteral(String.fromCodePoint(cp));
}

/** Adds the other-case counterparts of a range (ASCII exactly, others per char). */
function foldRange(lo: number, hi: number, parts: string[], extra: Set<string>): void {
  const overlap = (a: number, b: number, shift: number) => {
    const from = Math.max(lo, a);
    const to = Math.min(hi, b);
    if (from <= to) parts.push(`${classChar(from + shift)}-${classChar(to + shift)}`);
  };
  overlap(0x41, 0x5a, 0x20); // A-Z -> a-z
  overlap(0x61, 0x7a, -0x20); // a-z -> A-Z
  const from = Math.max(lo, 0x80);
  if (from > hi || hi - from > MAX_FOLD_RANGE) return;
  for (let cp = from; cp <= hi; cp++) {
    for (const v of caseVariants(String.fromCodePoint(cp))) extra.add(v);
  }
}
