// The pipeline stanza parser: defaults, the errors a user can make (with the
// message and the path that locates the line) and how sections are gathered.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { makeConfigError } from '../../src/config/errors.js';
import { loadYaml } from '../../src/config/yaml.js';
import { DEFAULT_MERGE_CONFLICT_MESSAGE } from '../../src/model/pipeline.js';
import { parseText, parseValue, SOURCE, stanza } from './pipeline-helpers.js';

describe('defaults', () => {
  test('a stanza with only name, manager and trigger gets Zuul’s defaults', () => {
    const { pipeline: p } = parseValue(stanza());
    assert.ok(p);
    assert.equal(p.precedence, 'normal');
    assert.equal(p.postReview, false);
    assert.equal(p.dequeueOnNewPatchset, true);
    assert.equal(p.ignoreDependencies, false);
    assert.equal(p.allowOtherConnections, true);
    assert.equal(p.successMessage, 'Build succeeded.');
    assert.equal(p.failureMessage, 'Build failed.');
    assert.equal(p.startMessage, 'Starting {pipeline.name} jobs.');
    assert.equal(p.enqueueMessage, '');
    assert.equal(p.noJobsMessage, '');
    assert.equal(p.dequeueMessage, 'Build canceled.');
    assert.equal(p.footerMessage, '');
    assert.match(p.mergeConflictMessage, /^Merge Failed\.\n\nThis change or one of its cross-repo/);
    assert.equal(p.mergeConflictMessage, DEFAULT_MERGE_CONFLICT_MESSAGE);
    assert.equal(p.window, 20);
    assert.equal(p.windowFloor, 3);
    assert.equal(p.windowCeiling, null);
    assert.equal(p.windowIncreaseType, 'linear');
    assert.equal(p.windowIncreaseFactor, 1);
    assert.equal(p.windowDecreaseType, 'exponential');
    assert.equal(p.windowDecreaseFactor, 2);
    assert.equal(p.disableAfterConsecutiveFailures, null);
    assert.deepEqual(p.supercedes, []);
    assert.equal(p.description, undefined);
    assert.deepEqual(p.sourceContext, SOURCE);
  });

  test('given values replace the defaults', () => {
    const { pipeline: p } = parseValue(
      stanza({
        manager: 'dependent',
        precedence: 'high',
        'post-review': true,
        'dequeue-on-new-patchset': false,
        window: 0,
        'window-floor': 2,
        'window-ceiling': 8,
        'window-increase-type': 'exponential',
        'window-decrease-type': 'linear',
        'window-decrease-factor': 3,
        'disable-after-consecutive-failures': 4,
        'footer-message': 'See the docs.',
        description: 'Gating',
      }),
    );
    assert.ok(p);
    assert.equal(p.manager, 'dependent');
    assert.equal(p.precedence, 'high');
    assert.equal(p.postReview, true);
    assert.equal(p.dequeueOnNewPatchset, false);
    assert.equal(p.window, 0);
    assert.equal(p.windowFloor, 2);
    assert.equal(p.windowCeiling, 8);
    assert.equal(p.windowIncreaseType, 'exponential');
    assert.equal(p.windowDecreaseType, 'linear');
    assert.equal(p.windowDecreaseFactor, 3);
    assert.equal(p.disableAfterConsecutiveFailures, 4);
    assert.equal(p.footerMessage, 'See the docs.');
    assert.equal(p.description, 'Gating');
  });

  test('supercedes accepts one name or a list and is always a list', () => {
    assert.deepEqual(parseValue(stanza({ supercedes: 'check' })).pipeline?.supercedes, ['check']);
    assert.deepEqual(parseValue(stanza({ supercedes: ['a', 'b'] })).pipeline?.supercedes, [
      'a',
      'b',
    ]);
  });

  test('window-ceiling: null means unlimited', () => {
    assert.equal(parseValue(stanza({ 'window-ceiling': null })).pipeline?.windowCeiling, null);
  });
});

describe('schema errors', () => {
  test('variant-description is a job attribute and is rejected on a pipeline', () => {
    const { error } = parseValue(stanza({ 'variant-description': 'x' }));
    assert.equal(error?.message, "extra keys not allowed @ data['variant-description']");
    assert.deepEqual(error?.path, ['variant-description']);
  });

  test('name, manager and trigger are required', () => {
    for (const key of ['name', 'manager', 'trigger']) {
      const s = stanza();
      delete s[key];
      const { error } = parseValue(s);
      assert.equal(error?.message, `required key not provided @ data['${key}']`);
      assert.deepEqual(error?.path, [key]);
    }
  });

  test('an unknown manager or precedence is not a valid value', () => {
    assert.equal(
      parseValue(stanza({ manager: 'gating' })).error?.message,
      "not a valid value for dictionary value @ data['manager']",
    );
    assert.deepEqual(parseValue(stanza({ precedence: 'urgent' })).error?.path, ['precedence']);
  });

  test('a stanza that is not a mapping is an error', () => {
    assert.equal(parseValue(['check']).error?.message, 'expected a dictionary');
  });

  test('!override has no meaning on a pipeline', () => {
    const r = parseText(
      '- pipeline:\n    name: check\n    manager: independent\n    supercedes: !override [gate]\n    trigger: {}\n',
    );
    assert.match(r.error?.message ?? '', /!override tag is only supported on job attributes/);
    assert.deepEqual(r.error?.path, ['supercedes']);
  });

  test('a key under trigger that is not a connection names it', () => {
    const { error } = parseValue(stanza({ trigger: { gerit: [{ event: 'patchset-created' }] } }));
    assert.equal(
      error?.message,
      "extra keys not allowed @ data['trigger']['gerit']: there is no connection named \"gerit\"",
    );
    assert.deepEqual(error?.path, ['trigger', 'gerit']);
  });

  test('a key under a reporter action or require that is not a connection is an error', () => {
    assert.deepEqual(parseValue(stanza({ success: { nowhere: {} } })).error?.path, [
      'success',
      'nowhere',
    ]);
    assert.deepEqual(parseValue(stanza({ require: { nowhere: {} } })).error?.path, [
      'require',
      'nowhere',
    ]);
  });

  test('errors inside a list item point at the item and attribute', () => {
    const { error } = parseValue(
      stanza({
        trigger: {
          gerrit: [
            { event: 'patchset-created' },
            { event: 'comment-added', approval: [{ 'Code-Review': 'two' }] },
          ],
        },
      }),
    );
    assert.equal(
      error?.message,
      "not a valid value for dictionary value @ data['trigger']['gerrit'][1]['approval'][0]['Code-Review']",
    );
    assert.deepEqual(error?.path, ['trigger', 'gerrit', 1, 'approval', 0, 'Code-Review']);
  });

  test('the error path finds the offending line of the file', () => {
    const text = [
      '- pipeline:',
      '    name: check',
      '    manager: independent',
      '    trigger:',
      '      gerrit:',
      '        - event: patchset-created',
      '          branch: "(unclosed"',
      '',
    ].join('\n');
    const yaml = loadYaml(text);
    const value = (yaml.value as { pipeline: unknown }[])[0].pipeline;
    const { error } = parseValue(value);
    assert.ok(error);
    const record = makeConfigError(error, {
      source: SOURCE,
      yaml,
      stanza: value,
      kind: 'pipeline',
      name: 'check',
    });
    assert.equal(record.mark?.line, 6);
    assert.match(
      record.error,
      /The problem appears in the "trigger" attribute of the "check" pipeline stanza/,
    );
  });
});

describe('connections and roles', () => {
  test('a driver that cannot play a role is named in the error', () => {
    const smtp = parseValue(stanza({ trigger: { smtp: { to: 'a@b' } } })).error;
    assert.match(
      smtp?.message ?? '',
      /the connection "smtp" \(driver smtp\) cannot be used as a trigger/,
    );
    assert.deepEqual(smtp?.path, ['trigger', 'smtp']);
    const timer = parseValue(stanza({ success: { timer: {} } })).error;
    assert.match(timer?.message ?? '', /"timer" \(driver timer\) cannot be used as a reporter/);
    const git = parseValue(stanza({ require: { git: {} } })).error;
    assert.match(
      git?.message ?? '',
      /"git" \(driver git\) cannot be used as a requirement \(require\)/,
    );
  });

  test('a trigger outside allowed-triggers is an Unknown Connection error', () => {
    const { error } = parseValue(stanza({ trigger: { github: [{ event: 'push' }] } }), {
      allowedTriggers: ['gerrit'],
    });
    assert.equal(error?.message, 'Unknown connection named "github".');
    assert.equal(error?.errorName, 'Unknown Connection');
    assert.equal(error?.severity, 'error');
    assert.deepEqual(error?.path, ['trigger', 'github']);
  });

  test('allowed-triggers also restricts the built-in timer', () => {
    const { error } = parseValue(stanza({ trigger: { timer: [{ time: '0 0 * * *' }] } }), {
      allowedTriggers: ['gerrit'],
    });
    assert.equal(error?.errorName, 'Unknown Connection');
  });

  test('a reporter outside allowed-reporters is an Unknown Connection error', () => {
    const { error } = parseValue(stanza({ failure: { smtp: { to: 'x@example.com' } } }), {
      allowedReporters: ['gerrit'],
    });
    assert.equal(error?.message, 'Unknown connection named "smtp".');
    assert.deepEqual(error?.path, ['failure', 'smtp']);
  });

  test('allowed lists do not restrict require/reject', () => {
    const r = parseValue(stanza({ require: { github: { open: true } } }), {
      allowedTriggers: ['gerrit'],
      allowedReporters: ['gerrit'],
    });
    assert.equal(r.error, undefined);
  });

  test('one filter or a list of filters per trigger connection', () => {
    const { pipeline: p } = parseValue(
      stanza({
        trigger: {
          gerrit: { event: 'ref-updated', ref: '^refs/tags/' },
          timer: [{ time: '0 0 * * *' }, { time: '0 12 * * *' }],
        },
      }),
    );
    assert.deepEqual(
      p?.triggers.map((t) => [t.connection, t.filter.event ?? t.filter.time]),
      [
        ['gerrit', 'ref-updated'],
        ['timer', '0 0 * * *'],
        ['timer', '0 12 * * *'],
      ],
    );
  });

  test('requirements, rejections and reporters keep each connection’s settings', () => {
    const { pipeline: p } = parseValue(
      stanza({
        require: { gerrit: { open: true } },
        reject: { gerrit: { wip: true } },
        start: { gerrit: { Verified: 0 } },
        success: { gerrit: { Verified: 2, submit: true }, smtp: { to: 'ci@example.com' } },
      }),
    );
    assert.ok(p);
    assert.deepEqual(p.requires, [{ connection: 'gerrit', config: { open: true } }]);
    assert.deepEqual(p.rejects, [{ connection: 'gerrit', config: { wip: true } }]);
    assert.deepEqual(p.reporters.start, [{ connection: 'gerrit', config: { Verified: 0 } }]);
    assert.deepEqual(
      p.reporters.success.map((r) => r.connection),
      ['gerrit', 'smtp'],
    );
    assert.deepEqual(p.connections, ['gerrit', 'smtp']);
  });

  test('merge-conflict and config-error report through failure unless given their own', () => {
    const fallback = parseValue(stanza({ failure: { gerrit: { Verified: -1 } } })).pipeline;
    assert.deepEqual(fallback?.reporters['merge-conflict'], fallback?.reporters.failure);
    assert.deepEqual(fallback?.reporters['config-error'], fallback?.reporters.failure);
    const own = parseValue(
      stanza({
        failure: { gerrit: { Verified: -1 } },
        'merge-conflict': { smtp: { to: 'a@b.c' } },
      }),
    ).pipeline;
    assert.deepEqual(
      own?.reporters['merge-conflict'].map((r) => r.connection),
      ['smtp'],
    );
    assert.deepEqual(
      own?.reporters['config-error'].map((r) => r.connection),
      ['gerrit'],
    );
  });

  test('an empty trigger mapping is allowed (a pipeline only fed by enqueue)', () => {
    const r = parseValue(stanza({ trigger: {} }));
    assert.deepEqual(r.pipeline?.triggers, []);
  });
});

describe('windows', () => {
  test('window-ceiling below window-floor is an error on window-ceiling', () => {
    const { error } = parseValue(stanza({ 'window-floor': 5, 'window-ceiling': 4 }));
    assert.equal(error?.message, 'Pipeline window-ceiling may not be less than window-floor');
    assert.deepEqual(error?.path, ['window-ceiling']);
  });

  test('window-ceiling below the default floor (3) is an error too; equal is fine', () => {
    assert.deepEqual(parseValue(stanza({ 'window-ceiling': 2 })).error?.path, ['window-ceiling']);
    assert.equal(parseValue(stanza({ 'window-ceiling': 3 })).pipeline?.windowCeiling, 3);
  });

  test('values below their minimum are rejected with voluptuous’ wording', () => {
    const cases: [string, number, number][] = [
      ['window', -1, 0],
      ['window-floor', 0, 1],
      ['window-ceiling', 0, 1],
      ['window-increase-factor', 0, 1],
      ['window-decrease-factor', 0, 1],
      ['disable-after-consecutive-failures', 0, 1],
    ];
    for (const [attr, value, min] of cases) {
      const { error } = parseValue(stanza({ [attr]: value }));
      assert.equal(
        error?.message,
        `value must be at least ${min} for dictionary value @ data['${attr}']`,
      );
      assert.deepEqual(error?.path, [attr]);
    }
  });

  test('window values must be integers', () => {
    assert.equal(
      parseValue(stanza({ window: '20' })).error?.message,
      "expected int for dictionary value @ data['window']",
    );
    assert.equal(
      parseValue(stanza({ 'window-floor': 1.5 })).error?.message,
      "expected int for dictionary value @ data['window-floor']",
    );
  });
});

describe('messages', () => {
  for (const field of ['change', 'changes', 'status_url']) {
    test(`{${field}} (removed in Zuul 12.0) is an error in start/enqueue/no-jobs messages`, () => {
      for (const attr of ['start-message', 'enqueue-message', 'no-jobs-message']) {
        const { error } = parseValue(stanza({ [attr]: `Starting {pipeline.name} for {${field}}` }));
        assert.equal(
          error?.message,
          `The field "{${field}}" in ${attr} was removed in Zuul 12.0; use {pipeline.name} or {item_url}`,
        );
        assert.deepEqual(error?.path, [attr]);
      }
    });
  }

  test('attribute access on a removed field is caught too', () => {
    assert.match(
      parseValue(stanza({ 'start-message': '{change.number}' })).error?.message ?? '',
      /\{change\}/,
    );
  });

  test('{pipeline.name}, {item_url} and doubled braces are fine', () => {
    const r = parseValue(
      stanza({
        'start-message': 'Jobs for {pipeline.name}: {item_url} {{literal}}',
        'enqueue-message': '{pipeline}',
      }),
    );
    assert.equal(r.error, undefined);
    assert.equal(r.pipeline?.startMessage, 'Jobs for {pipeline.name}: {item_url} {{literal}}');
  });

  test('unknown fields, attributes and broken templates are errors', () => {
    assert.match(
      parseValue(stanza({ 'start-message': '{tenant}' })).error?.message ?? '',
      /Unknown field "\{tenant\}"/,
    );
    assert.match(
      parseValue(stanza({ 'start-message': '{pipeline.manager}' })).error?.message ?? '',
      /only \{pipeline.name\}/,
    );
    assert.match(
      parseValue(stanza({ 'no-jobs-message': 'oops {' })).error?.message ?? '',
      /Single '\{'/,
    );
    assert.match(
      parseValue(stanza({ 'enqueue-message': '{}' })).error?.message ?? '',
      /positional/,
    );
  });

  test('messages Zuul does not format may contain any braces', () => {
    const r = parseValue(stanza({ 'success-message': 'ok {change}', 'failure-message': '}{' }));
    assert.equal(r.error, undefined);
  });
});

describe('regexes in triggers', () => {
  test('an invalid branch regex names the pattern and its place', () => {
    const { error } = parseValue(
      stanza({
        trigger: { gerrit: [{ event: 'patchset-created', branch: ['master', '(unclosed'] }] },
      }),
    );
    assert.match(error?.message ?? '', /^Invalid regular expression "\(unclosed": missing \)/);
    assert.deepEqual(error?.path, ['trigger', 'gerrit', 0, 'branch', 1]);
  });

  test('an invalid ref regex in the {regex, negate} form is an error too', () => {
    const { error } = parseValue(
      stanza({
        trigger: { gerrit: [{ event: 'ref-updated', ref: { regex: '[z-a]', negate: true } }] },
      }),
    );
    assert.match(error?.message ?? '', /bad character range/);
    assert.deepEqual(error?.path, ['trigger', 'gerrit', 0, 'ref']);
  });

  test('Python named groups are accepted', () => {
    const r = parseValue(
      stanza({
        trigger: { gerrit: [{ event: 'ref-updated', ref: '^refs/tags/(?P<v>[0-9.]+)$' }] },
      }),
    );
    assert.equal(r.error, undefined);
    assert.deepEqual(r.warnings, []);
  });

  test('a regex only Python accepts loads with a Regex Deprecation warning', () => {
    const r = parseValue(
      stanza({ trigger: { gerrit: [{ event: 'ref-updated', ref: '^(?!refs/).*$' }] } }),
    );
    assert.ok(r.pipeline);
    assert.equal(r.warnings.length, 1);
    assert.equal(r.warnings[0].errorName, 'Regex Deprecation');
    assert.equal(r.warnings[0].severity, 'warning');
    assert.deepEqual(r.warnings[0].path, ['trigger', 'gerrit', 0, 'ref']);
    assert.match(r.warnings[0].message, /The RE2 syntax error is: .*\(\?!/);
  });
});
