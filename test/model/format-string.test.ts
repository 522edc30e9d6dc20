// Reading the fields of Python format templates (report messages, MQTT
// topics, SMTP subjects) with Python's own error wording.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FormatStringError, formatStringFields } from '../../src/model/format-string.js';

function names(template: string): string[] {
  return formatStringFields(template).map((f) => f.argName);
}

describe('formatStringFields', () => {
  test('named fields with attributes, indexes, conversions and specs', () => {
    const fields = formatStringFields('{pipeline.name} {changes[0].project!r:>10} {x:{width}}');
    assert.deepEqual(
      fields.map((f) => [f.argName, f.steps, f.positional]),
      [
        ['pipeline', [{ attr: 'name' }], false],
        ['changes', [{ index: '0' }, { attr: 'project' }], false],
        ['x', [], false],
        ['width', [], false],
      ],
    );
  });

  test('doubled braces are text, not fields', () => {
    assert.deepEqual(names('{{not a field}} {real}'), ['real']);
  });

  test('positional fields are marked', () => {
    assert.deepEqual(
      formatStringFields('{} {0}').map((f) => f.positional),
      [true, true],
    );
  });

  test("Python's errors for broken templates", () => {
    const cases: [string, string][] = [
      ['abc {', "Single '{' encountered in format string"],
      ['abc }', "Single '}' encountered in format string"],
      ['{abc', "expected '}' before end of string"],
      ['{a!x}', 'Unknown conversion specifier x'],
      ['{a.}', 'Empty attribute in format string'],
      ['{a[0}', "expected '}' before end of string"],
    ];
    for (const [template, message] of cases) {
      assert.throws(
        () => formatStringFields(template),
        (err: unknown) => err instanceof FormatStringError && err.message === message,
        template,
      );
    }
  });
});
