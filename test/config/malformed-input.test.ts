// Whatever bytes a repository holds, parseConfigFile returns (never throws,
// never hangs, never exhausts memory or the stack) and reports problems as
// error records a user can act on: a severity, a plain message and, where
// one makes sense, the 1-based line.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ParsedConfig } from '../../src/config/config-file.js';
import { formatErrorLine } from '../../src/config/errors.js';
import type { ConfigError } from '../../src/model/config-error.js';
import { lineOf, objectCount, parse, parseClean, SOURCE, y } from './parsers-helpers.js';

/** Every test here must finish quickly; a hang is a failure, not a stuck run. */
const QUICK = { timeout: 15_000 };

/** Parses, failing the test (instead of crashing it) if parseConfigFile throws. */
function safeParse(input: string | Uint8Array): ParsedConfig {
  try {
    return parse(input);
  } catch (err) {
    assert.fail(`parseConfigFile threw: ${(err as Error).stack}`);
  }
}

/** Checks that an error record is something a user can read and act on. */
function assertUsable(e: ConfigError, line?: number): void {
  const where = formatErrorLine(e);
  assert.equal(e.severity, 'error', where);
  assert.equal(typeof e.name, 'string');
  assert.ok(e.shortError.trim().length >= 10, `message too short: ${where}`);
  assert.doesNotMatch(
    e.shortError,
    /Maximum call stack|RangeError|TypeError|Cannot read propert|undefined|\[object Object\]|\bat .*\.js:\d+/,
    `internal detail leaked: ${where}`,
  );
  assert.deepEqual(e.sourceContext, SOURCE);
  assert.ok(e.error.includes(e.shortError.split('\n')[0]!), 'full text includes the problem');
  assert.ok(e.error.includes(`${SOURCE.project}/${SOURCE.path}@${SOURCE.branch}`), e.error);
  if (line !== undefined) {
    assert.ok(e.mark, `no position: ${where}`);
    assert.equal(e.mark.line + 1, line, `wrong line: ${where}`);
    assert.ok(e.mark.snippet.length > 0, 'a snippet of the file is shown');
  }
}

/** Exactly one usable error, at `line` when given; nothing else is loaded. */
function assertFileError(
  input: string | Uint8Array,
  want: { message: RegExp; line?: number },
): ConfigError {
  const r = safeParse(input);
  assert.equal(r.errors.length, 1, r.errors.map(formatErrorLine).join('\n') || '(no errors)');
  const e = r.errors[0]!;
  assert.match(e.shortError, want.message);
  assertUsable(e, want.line);
  assert.equal(objectCount(r), 0, 'a file that is not valid YAML loads nothing');
  return e;
}

function assertNoConfig(input: string | Uint8Array): void {
  const r = safeParse(input);
  assert.deepEqual(r.errors.map(formatErrorLine), []);
  assert.equal(objectCount(r), 0);
}

describe('invalid YAML', QUICK, () => {
  test('an unclosed flow sequence', () => {
    const text = y`
      - job:
          name: a
          tags: [one, two
      - job:
          name: b
    `;
    const e = assertFileError(text, { message: /flow collection|comma/ });
    assert.ok(e.mark!.line + 1 >= lineOf(text, 'tags:'), formatErrorLine(e));
  });

  test('an unclosed flow mapping', () => {
    assertFileError('- job: {name: a\n- job:\n    name: b\n', {
      message: /flow collection|comma/,
      line: 2,
    });
  });

  test('an unclosed bracket at the very end of a long file', () => {
    const good = Array.from({ length: 40 }, (_, i) => `- job:\n    name: j${i}\n`).join('');
    const text = `${good}- job:\n    name: [oops\n`;
    const e = assertFileError(text, { message: /end of the stream|flow collection/ });
    assert.ok(e.mark!.line + 1 >= lineOf(text, '[oops'), formatErrorLine(e));
  });

  test('an unclosed quoted string', () => {
    const e = assertFileError('- job:\n    name: "a\n    run: x\n', { message: /quoted scalar/ });
    assert.ok(e.mark!.line + 1 >= 2);
  });

  test('bad indentation', () => {
    assertFileError('- job:\n    name: a\n   run: x\n', { message: /indentation/, line: 3 });
  });

  test('a mapping key after a scalar value at the same indentation', () => {
    assertFileError('- job:\n    name: a\n    run: x\n      extra: y\n', {
      message: /mapping|indentation/,
      line: 4,
    });
  });

  test('tabs used for indentation', () => {
    assertFileError('- job:\n\tname: a\n', { message: /tab/i, line: 2 });
    assertFileError('- job:\n    name: a\n    vars:\n    \tx: 1\n', { message: /tab/i, line: 4 });
  });

  test('several documents in one file', () => {
    assertFileError('- job:\n    name: a\n---\n- job:\n    name: b\n', {
      message: /single document/,
    });
  });

  test('an alias to an undefined anchor', () => {
    assertFileError('- job:\n    name: a\n    vars: *nope\n', { message: /alias.*nope/, line: 3 });
  });

  test('a stray closing bracket', () => {
    assertFileError('- job:\n    name: a]\n    run: ]x\n', {
      message: /.{10,}/,
    });
  });
});

describe('wrong file shapes', QUICK, () => {
  test('a mapping instead of a list', () => {
    assertFileError('job:\n  name: a\n', { message: /must be a list/, line: 1 });
  });

  test('a scalar instead of a list', () => {
    assertFileError('just some text\n', { message: /must be a list/, line: 1 });
    assertFileError('42\n', { message: /must be a list/, line: 1 });
  });

  test('a list of scalars: one error per item, the good items still load', () => {
    const text = y`
      - job:
          name: good
      - just-a-string
      - 42
      - [nested, list]
    `;
    const r = safeParse(text);
    assert.deepEqual(
      r.jobs.map((j) => j.name),
      ['good'],
    );
    assert.equal(r.errors.length, 3);
    const lines = [lineOf(text, 'just-a-string'), lineOf(text, '42'), lineOf(text, 'nested')];
    r.errors.forEach((e, i) => {
      assert.match(e.shortError, /must be a mapping with one key/);
      assertUsable(e, lines[i]);
    });
  });

  test('an item with two keys (usually wrong indentation)', () => {
    const text = y`
      - job:
          name: a
        nodeset:
          name: b
      - job:
          name: c
    `;
    const r = safeParse(text);
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0]!.shortError, /more than one key \(job, nodeset\).*indentation/);
    assertUsable(r.errors[0]!, 1);
    assert.deepEqual(
      r.jobs.map((j) => j.name),
      ['c'],
    );
  });

  test('an unknown object type', () => {
    const r = safeParse('- jobb:\n    name: a\n- job:\n    name: b\n');
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0]!.shortError, /Unknown configuration item type: jobb/);
    assertUsable(r.errors[0]!, 1);
    assert.equal(r.jobs.length, 1);
  });

  test('an object whose value is not a mapping', () => {
    for (const [text, line] of [
      ['- job: a-name\n', 1],
      ['- job:\n    - name: a\n', 1],
      ['- job:\n', 1],
      ['- semaphore: 5\n', 1],
    ] as const) {
      const r = safeParse(text);
      assert.equal(r.errors.length, 1, text);
      assert.match(r.errors[0]!.shortError, /must be a mapping/);
      assertUsable(r.errors[0]!, line);
    }
  });

  test('a YAML set is not a stanza', () => {
    const r = safeParse('- !!set {a, b}\n');
    assert.equal(r.errors.length, 1);
    assertUsable(r.errors[0]!, 1);
  });
});

describe('wrong attribute types and unknown attributes', QUICK, () => {
  const cases: [string, string, RegExp][] = [
    ['- job:\n    name: [a, b]\n', 'name', /expected str for dictionary value @ data\['name'\]/],
    [
      '- job:\n    name: a\n    timeout: soon\n',
      'timeout',
      /expected int for dictionary value @ data\['timeout'\]/,
    ],
    [
      '- job:\n    name: a\n    voting: 2\n',
      'voting',
      /expected bool for dictionary value @ data\['voting'\]/,
    ],
    [
      '- job:\n    name: a\n    vars: 5\n',
      'vars',
      /expected a dictionary for dictionary value @ data\['vars'\]/,
    ],
    [
      '- job:\n    name: a\n    colour: red\n',
      'colour',
      /extra keys not allowed @ data\['colour'\]/,
    ],
    [
      '- semaphore:\n    name: s\n    max: [1]\n',
      'max',
      /expected int for dictionary value @ data\['max'\]/,
    ],
    ['- nodeset:\n    name: n\n    nodes: abc\n', 'nodes: abc', /data\['nodes'\]/],
    ['- project:\n    check: 5\n', 'check', /data\['check'\]/],
    ['- queue:\n    name: q\n    per-branch: maybe\n', 'per-branch', /expected bool/],
    [
      '- pipeline:\n    name: p\n    manager: independent\n    trigger: {}\n    bogus: 1\n',
      'bogus',
      /extra keys not allowed @ data\['bogus'\]/,
    ],
  ];
  for (const [text, at, message] of cases) {
    test(text.split('\n').slice(-2)[0]!.trim(), () => {
      const r = safeParse(text);
      assert.equal(r.errors.length, 1, r.errors.map(formatErrorLine).join('\n'));
      assert.match(r.errors[0]!.shortError, message);
      assertUsable(r.errors[0]!, lineOf(text, at));
    });
  }

  test('a binary value is not a string', () => {
    const r = safeParse('- job:\n    name: !!binary aGVsbG8=\n');
    assert.equal(r.errors.length, 1);
    assertUsable(r.errors[0]!, 2);
  });
});

describe('duplicate keys', QUICK, () => {
  const cases: [string, string, string][] = [
    ['in a stanza', '- job:\n    name: a\n    run: x\n    name: b\n', 'name'],
    ['nested in vars', '- job:\n    name: a\n    vars:\n      x: 1\n      y: 2\n      x: 3\n', 'x'],
    ['quoted differently', '- job:\n    "name": a\n    \'name\': b\n', 'name'],
    ['in a flow mapping', '- job: {name: a, run: x, name: b}\n', 'name'],
    ['the object type of an item', '- job:\n    name: a\n  job:\n    name: b\n', 'job'],
    ['a key with spaces', '- job:\n    name: a\n    vars:\n      "a b": 1\n      a b: 2\n', 'a b'],
  ];
  for (const [label, text, key] of cases) {
    test(label, () => {
      const e = assertFileError(text, {
        message: new RegExp(
          `^The key "${key}" appears more than once; duplicate keys are not permitted\\.$`,
        ),
      });
      // The error points at the repeated key, i.e. its last occurrence.
      const lines = text.split('\n');
      let last = 0;
      lines.forEach((l, i) => {
        if (new RegExp(`["']?${key}["']?\\s*:`).test(l)) last = i + 1;
      });
      assert.equal(e.mark!.line + 1, last, formatErrorLine(e));
    });
  }

  test('merge keys (<<) are not duplicates and are honoured', () => {
    const r = parseClean(y`
      - job:
          name: base
          vars: &defaults
            a: 1
            b: 1
      - job:
          name: child
          vars:
            <<: *defaults
            b: 2
    `);
    assert.deepEqual(r.jobs[1]!.vars, { a: 1, b: 2 });
  });
});

describe('YAML tags', QUICK, () => {
  for (const [label, tag] of [
    ['a local tag', '!foo'],
    ['a Python object tag', '!!python/object:os.system'],
    ['a Python name tag', '!!python/name:os.system'],
    ['Ansible !unsafe (not part of Zuul config)', '!vault'],
  ] as const) {
    test(`an unknown tag: ${label}`, () => {
      assertFileError(`- job:\n    name: a\n    description: ${tag} x\n`, {
        message: /Unknown tag/,
        line: 3,
      });
    });
  }

  test('an encrypted value that is a mapping', () => {
    assertFileError('- secret:\n    name: s\n    data:\n      k: !encrypted/pkcs1-oaep {a: 1}\n', {
      message: /!encrypted\/pkcs1-oaep.*string or a list of strings/,
      line: 4,
    });
  });
});

describe('size and resource bounds', QUICK, () => {
  test('a 5 MB file of valid jobs parses completely, and quickly', () => {
    const parts: string[] = [];
    let size = 0;
    for (let i = 0; size < 5 * 1024 * 1024; i++) {
      const s = y`
        - job:
            name: job-${i}
            parent: base
            description: Job number ${i}, with some text to make the stanza a realistic size.
            run: playbooks/run-${i}.yaml
            timeout: 3600
            vars:
              n: ${i}
              env: {a: 1, b: [x, y]}
            files:
              - ^src/.*$
              - ^tests/
            required-projects:
              - org/a
              - name: org/b
                override-checkout: main
      `;
      parts.push(s);
      size += s.length;
    }
    const bytes = Buffer.from(parts.join(''));
    assert.ok(bytes.length >= 5 * 1024 * 1024);
    const start = performance.now();
    const r = safeParse(bytes);
    const ms = performance.now() - start;
    assert.equal(r.errors.length, 0);
    assert.equal(r.jobs.length, parts.length);
    assert.equal(r.jobs.at(-1)!.name, `job-${parts.length - 1}`);
    assert.ok(ms < 10_000, `5 MB took ${Math.round(ms)} ms`);
  });

  test('a billion-laughs document becomes an error quickly, with bounded memory', () => {
    // Nine levels of ten aliases each: 10^9 values if expanded.
    const lines = ['- job:', '    name: lol', '    vars:'];
    lines.push(`      a0: &a0 [${Array(10).fill('"lol"').join(', ')}]`);
    for (let i = 1; i <= 9; i++) {
      lines.push(
        `      a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    }
    const text = `${lines.join('\n')}\n`;
    const rss = process.memoryUsage().rss;
    const start = performance.now();
    const e = assertFileError(text, { message: /expands to more than .* values/ });
    const ms = performance.now() - start;
    const grown = (process.memoryUsage().rss - rss) / 1024 / 1024;
    assert.ok(ms < 2000, `took ${Math.round(ms)} ms`);
    assert.ok(grown < 200, `memory grew by ${Math.round(grown)} MB`);
    // It points into the alias structure, not at line 1.
    assert.ok(e.mark!.line + 1 >= lineOf(text, 'a0:'), formatErrorLine(e));
  });

  test('billion laughs as top-level stanzas', () => {
    const lines = [`- &a0 {job: {name: x}}`];
    for (let i = 1; i <= 9; i++)
      lines.push(
        `- &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    const r = safeParse(`${lines.join('\n')}\n`);
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0]!.shortError, /expands to more than/);
    assertUsable(r.errors[0]!);
  });

  test('a moderately aliased document is fine', () => {
    const r = parseClean(y`
      - job:
          name: j
          vars:
            a: &a [1, 2, 3]
            b: [*a, *a, *a]
            c: {x: *a, y: *a}
    `);
    assert.deepEqual((r.jobs[0]!.vars as { b: unknown }).b, [
      [1, 2, 3],
      [1, 2, 3],
      [1, 2, 3],
    ]);
  });

  const deep: [string, (n: number) => string, number][] = [
    ['10,000 nested flow lists', (n) => `${'['.repeat(n)}${']'.repeat(n)}\n`, 10_000],
    ['100,000 nested flow lists', (n) => `${'['.repeat(n)}${']'.repeat(n)}\n`, 100_000],
    ['10,000 nested flow mappings', (n) => `${'{a: '.repeat(n)}1${'}'.repeat(n)}\n`, 10_000],
    [
      '2,000 nested block lists',
      (n) => `${Array.from({ length: n }, (_, i) => `${' '.repeat(i * 2)}-`).join('\n')} x\n`,
      2_000,
    ],
    [
      '2,000 nested block mappings',
      (n) => `${Array.from({ length: n }, (_, i) => `${' '.repeat(i * 2)}a:`).join('\n')} x\n`,
      2_000,
    ],
    [
      'deep nesting inside a job',
      (n) => `- job:\n    name: j\n    vars:\n      x: ${'['.repeat(n)}${']'.repeat(n)}\n`,
      10_000,
    ],
  ];
  for (const [label, make, n] of deep) {
    test(`${label}: an error, not a stack overflow`, () => {
      const start = performance.now();
      const e = assertFileError(make(n), { message: /nested more than \d+ levels/ });
      assert.ok(performance.now() - start < 2000);
      assert.ok(e.mark, 'the error has a position');
    });
  }

  test('deep nesting built from aliases is bounded too', () => {
    // Each anchor nests the previous one 150 levels deeper: the text is
    // shallow, the value a consumer walks is not.
    const d = 150;
    const lines = ['- job:', '    name: j', '    vars:'];
    lines.push(`      a0: &a0 ${'['.repeat(d)}1${']'.repeat(d)}`);
    for (let i = 1; i <= 100; i++) {
      lines.push(`      a${i}: &a${i} ${'['.repeat(d)}*a${i - 1}${']'.repeat(d)}`);
    }
    const start = performance.now();
    assertFileError(`${lines.join('\n')}\n`, { message: /nested more than \d+ levels/ });
    assert.ok(performance.now() - start < 2000);
  });

  test('reasonable nesting (50 levels) is fine', () => {
    const r = parseClean(
      `- job:\n    name: j\n    vars:\n      x: ${'['.repeat(50)}1${']'.repeat(50)}\n`,
    );
    assert.equal(r.jobs.length, 1);
  });
});

describe('encodings and special characters', QUICK, () => {
  const bytes = (...parts: (string | number[])[]) =>
    Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));

  test('an invalid UTF-8 byte: the error names its line', () => {
    assertFileError(bytes('- job:\n    name: a\n    description: caf', [0xe9], '\n'), {
      message: /not valid UTF-8 \(invalid byte 0xe9\)/,
      line: 3,
    });
  });

  test('invalid UTF-8 after valid multi-byte characters', () => {
    assertFileError(
      bytes('- job:\n    name: ünïcødé\n    description: ok\n  # ', [0xff, 0xfe], '\n'),
      {
        message: /not valid UTF-8 \(invalid byte 0xff\)/,
        line: 4,
      },
    );
  });

  test('a truncated multi-byte sequence at the end of the file', () => {
    assertFileError(bytes('- job:\n    name: a\n', [0xe2, 0x82]), {
      message: /not valid UTF-8 \(invalid byte 0xe2\)/,
      line: 3,
    });
  });

  test('an overlong encoding and an encoded surrogate are rejected', () => {
    assertFileError(bytes('- job:\n    name: a', [0xc0, 0x80], '\n'), {
      message: /not valid UTF-8/,
      line: 2,
    });
    assertFileError(bytes('- job:\n    name: a', [0xed, 0xa0, 0x80], '\n'), {
      message: /not valid UTF-8/,
      line: 2,
    });
  });

  test('a NUL byte', () => {
    assertFileError(bytes('- job:\n    name: a', [0x00], 'b\n'), { message: /null byte/, line: 2 });
    assertFileError('- job:\n    name: a\n    run: x\u0000\n', { message: /null byte/, line: 3 });
  });

  test('other control characters', () => {
    for (const c of ['\u0001', '\u0007', '\u001b', '\u007f']) {
      assertFileError(`- job:\n    name: a${c}b\n`, { message: /non-printable/, line: 2 });
    }
  });

  test('a UTF-8 byte order mark is fine', () => {
    const r = safeParse(bytes([0xef, 0xbb, 0xbf], '- job:\n    name: a\n    bogus: 1\n'));
    assert.equal(r.errors.length, 1);
    assertUsable(r.errors[0]!, 3);
  });

  test('Windows line endings are fine, lines still count right', () => {
    const r = safeParse('- job:\r\n    name: a\r\n    bogus: 1\r\n');
    assert.equal(r.errors.length, 1);
    assertUsable(r.errors[0]!, 3);
  });

  test('non-ASCII text is kept', () => {
    const r = parseClean(bytes('- job:\n    name: a\n    description: Ünïcødé ✓ 日本語 🚀\n'));
    assert.equal(r.jobs[0]!.description, 'Ünïcødé ✓ 日本語 🚀');
  });
});

describe('files without configuration', QUICK, () => {
  for (const [label, text] of [
    ['an empty file', ''],
    ['only whitespace', '\n  \n\t\n'],
    ['only comments', '# This file is intentionally empty.\n  # indented comment\n'],
    ['an empty document marker', '---\n'],
    ['an explicit null', '~\n'],
    ['an empty list', '[]\n'],
  ] as const) {
    test(label, () => {
      assertNoConfig(text);
      assertNoConfig(Buffer.from(text));
    });
  }
});
