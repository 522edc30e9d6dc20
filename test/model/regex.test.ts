// Zuul regexes: anchoring, negation, and the RE2 / Python syntax Zuul
// configurations use, matched the way Zuul would match them.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  compileZuulRegex,
  RegexSyntaxError,
  regexError,
  regexFullMatches,
  regexMatches,
  regexSearches,
  translatePythonRegex,
} from '../../src/model/regex.js';

const re = compileZuulRegex;

/** What a pattern matches in re.match mode, for a list of subjects. */
function matching(pattern: string, subjects: string[]): string[] {
  const r = re(pattern);
  return subjects.filter((s) => regexMatches(r, s));
}

describe('anchoring', () => {
  test('match is anchored at the start only: `stable` matches stable, stable/2024 and stable-x', () => {
    assert.deepEqual(
      matching('stable', ['stable', 'stable/2024', 'stable-x', 'old-stable', 'Stable']),
      ['stable', 'stable/2024', 'stable-x'],
    );
  });

  test('full match needs the whole string (tenant branch filters, regex project names)', () => {
    const r = re('stable');
    assert.equal(regexFullMatches(r, 'stable'), true);
    assert.equal(regexFullMatches(r, 'stable/2024'), false);
    assert.equal(regexFullMatches(re('stable/.*'), 'stable/2024'), true);
  });

  test('full match backtracks into alternatives', () => {
    assert.equal(regexFullMatches(re('a|ab'), 'ab'), true);
  });

  test('search finds the pattern anywhere (comment, email, username filters)', () => {
    const r = re('recheck');
    assert.equal(regexSearches(r, 'please recheck this'), true);
    assert.equal(regexMatches(r, 'please recheck this'), false);
  });

  test('alternation stays inside the anchor', () => {
    assert.deepEqual(matching('master|stable', ['xstable', 'stable', 'master']), [
      'stable',
      'master',
    ]);
  });

  test('$ is the end of the string only (RE2), not before a final newline (Python)', () => {
    assert.equal(regexSearches(re('done$'), 'done\n'), false);
    assert.equal(regexSearches(re('done$'), 'done'), true);
  });
});

describe('negate', () => {
  test('inverts every mode', () => {
    const r = re({ regex: '^zuul$', negate: true });
    assert.equal(regexMatches(r, 'zuul'), false);
    assert.equal(regexMatches(r, 'alice'), true);
    assert.equal(regexFullMatches(r, 'zuul'), false);
    assert.equal(regexSearches(r, 'x zuul'), true);
  });

  test('a plain string is not negated; negate defaults to false', () => {
    assert.deepEqual(re('a'), { pattern: 'a', negate: false, re2Incompatible: false });
    assert.equal(re({ regex: 'a' }).negate, false);
  });
});

describe('Python and RE2 syntax', () => {
  test('Python named groups and named back-references', () => {
    assert.deepEqual(matching('(?P<v>[0-9]+)-(?P=v)$', ['12-12', '12-13']), ['12-12']);
    assert.equal(re('(?P<v>a)').re2Incompatible, false);
  });

  test('a leading (?i) makes the whole pattern case-insensitive', () => {
    const comment = re('(?i)^(Patch Set [0-9]+:)?( [\\w\\\\+-]*)*(\\n\\n)?\\s*recheck');
    assert.equal(regexSearches(comment, 'Patch Set 3:\n\nRECHECK'), true);
    assert.equal(regexSearches(comment, 'recheck'), true);
    assert.equal(regexSearches(comment, 'check'), false);
  });

  test('scoped and mid-pattern flags apply only where RE2 applies them', () => {
    assert.deepEqual(matching('(?i:ab)c', ['ABc', 'abC']), ['ABc']);
    assert.deepEqual(matching('x(?i)y', ['xY', 'XY']), ['xY']);
    assert.deepEqual(matching('(a(?i)b)B', ['aBB', 'aBb']), ['aBB']);
    assert.deepEqual(matching('(?i)a(?-i:b)', ['Ab', 'AB']), ['Ab']);
  });

  test('case-insensitive classes and ranges, negated too', () => {
    assert.deepEqual(matching('(?i)[a-c]$', ['B', 'b', 'd']), ['B', 'b']);
    assert.deepEqual(matching('(?i)[^a]$', ['A', 'b']), ['b']);
    assert.deepEqual(matching('(?i)é', ['É']), ['É']);
  });

  test('(?s) lets . match newlines; without it . matches anything but \\n', () => {
    assert.equal(regexFullMatches(re('a.b'), 'a\nb'), false);
    assert.equal(regexFullMatches(re('a.b'), 'a\rb'), true);
    assert.equal(regexFullMatches(re('(?s)a.b'), 'a\nb'), true);
  });

  test('(?m) makes ^ and $ match at line breaks', () => {
    assert.equal(regexSearches(re('^recheck$'), 'hi\nrecheck\nbye'), false);
    assert.equal(regexSearches(re('(?m)^recheck$'), 'hi\nrecheck\nbye'), true);
  });

  test('(?x) ignores whitespace and comments outside classes', () => {
    assert.equal(regexFullMatches(re('(?x) a b  # letters\n [ ]c'), 'ab c'), true);
  });

  test('\\A and \\Z anchor the whole string', () => {
    assert.equal(regexSearches(re('(?m)\\Afoo'), 'x\nfoo'), false);
    assert.equal(regexSearches(re('foo\\Z'), 'foo\n'), false);
    assert.equal(regexSearches(re('foo\\Z'), 'a foo'), true);
  });

  test("RE2's {,n} is literal text, like RE2 (Python would repeat)", () => {
    assert.equal(regexFullMatches(re('a{,2}'), 'a{,2}'), true);
    assert.equal(regexFullMatches(re('a{2}'), 'aa'), true);
  });

  test('a ] first in a class is literal', () => {
    assert.deepEqual(matching('[]a]+$', [']a]', 'b']), [']a]']);
    assert.deepEqual(matching('[^]]$', [']', 'x']), ['x']);
  });

  test('POSIX classes, Unicode classes, \\Q…\\E and escaped punctuation', () => {
    assert.deepEqual(matching('[[:digit:][:upper:]]+$', ['A1', 'a1']), ['A1']);
    assert.deepEqual(matching('\\pL+$', ['héllo', 'h3llo']), ['héllo']);
    assert.deepEqual(matching('\\p{Greek}', ['αβ', 'ab']), ['αβ']);
    assert.equal(regexFullMatches(re('\\Qa.b*\\E'), 'a.b*'), true);
    assert.equal(regexFullMatches(re('\\Qa.b*\\E'), 'axb'), false);
    assert.equal(regexFullMatches(re('\\-\\ \\#'), '- #'), true);
  });

  test('escapes by value: \\x41, \\x{263a}, \\u00e9, octal and \\a', () => {
    assert.equal(regexFullMatches(re('\\x41\\x{263a}\\u00e9'), 'A☺é'), true);
    assert.equal(regexFullMatches(re('\\101'), 'A'), true);
    assert.equal(regexFullMatches(re('\\a'), '\x07'), true);
  });

  test('numbered back-references keep their numbers', () => {
    assert.equal(regexFullMatches(re('(a)(b)\\2\\1'), 'abba'), true);
  });
});

describe('RE2 compatibility (Regex Deprecation)', () => {
  test('Perl-only syntax still matches but is flagged with RE2’s reason', () => {
    const r = re('^(?!refs/).*$');
    assert.equal(r.re2Incompatible, true);
    assert.match(r.re2Error ?? '', /\(\?!/);
    assert.equal(regexMatches(r, 'master'), true);
    assert.equal(regexMatches(r, 'refs/tags/1.0'), false);
  });

  test('back-references are Python-only too', () => {
    assert.equal(re('(a)\\1').re2Incompatible, true);
  });

  test('plain RE2 patterns are not flagged', () => {
    assert.equal(re('^refs/tags/[0-9]+(\\.[0-9]+)*(a|b|rc)[0-9]+$').re2Incompatible, false);
  });
});

describe('invalid patterns', () => {
  const invalid: [string, RegExp][] = [
    ['(unclosed', /missing \)/],
    ['a)', /unbalanced parenthesis/],
    ['[z-a]', /bad character range/],
    ['[abc', /unterminated character set/],
    ['a**', /Nothing to repeat/],
    ['\\k', /bad escape \\k/],
    ['abc\\', /bad escape \(end of pattern\)/],
    ['(?L)a', /LOCALE/],
    ['(?>a)', /atomic groups/],
    ['(?(1)a|b)', /conditional groups/],
    ['\\N{DASH}', /\\N\{\.\.\.\}/],
    ['(a)\\2', /invalid group reference 2/],
    ['(?P=nope)', /unknown group name 'nope'/],
    ['(?P<x>a)(?P<x>b)', /redefinition of group name 'x'/],
  ];
  for (const [pattern, reason] of invalid) {
    test(JSON.stringify(pattern), () => {
      assert.throws(
        () => re(pattern),
        (err: unknown) =>
          err instanceof RegexSyntaxError &&
          err.pattern === pattern &&
          reason.test(err.message) &&
          err.message.startsWith(`Invalid regular expression "${pattern}"`),
      );
      assert.match(regexError(pattern) ?? '', reason);
    });
  }

  test('regexError is undefined for a valid pattern', () => {
    assert.equal(regexError('^stable/.*'), undefined);
  });
});

describe('translatePythonRegex', () => {
  test('gives JavaScript source for the u flag', () => {
    assert.equal(translatePythonRegex('(?P<name>a)(?P=name)'), '(?<name>a)\\k<name>');
    assert.equal(translatePythonRegex('(?i)ab'), '[aA][bB]');
    assert.equal(translatePythonRegex('refs/tags/.*'), 'refs\\/tags\\/[^\\n]*');
    for (const p of [
      '(?i)^(Patch Set [0-9]+:)?( [\\w\\\\+-]*)*(\\n\\n)?\\s*recheck',
      '\\pL',
      '[[:alpha:]]',
    ]) {
      assert.doesNotThrow(() => new RegExp(translatePythonRegex(p), 'u'), p);
    }
  });
});

test('patterns only RE2 accepts (OpenDev uses `^*/…`) compile and match with RE2', () => {
  const r = compileZuulRegex('^*/(victoria|2024.1)$');
  assert.equal(r.re2Incompatible, false);
  assert.equal(regexMatches(r, '*/victoria'), false);
  assert.equal(regexMatches(r, '/victoria'), true);
  assert.equal(regexMatches(r, 'stable/victoria'), false);
  assert.equal(regexFullMatches(r, '/2024.1'), true);
});
