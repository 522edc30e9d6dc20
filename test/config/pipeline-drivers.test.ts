// Each driver's part of a pipeline: what its trigger, require/reject and
// reporter accept (every documented attribute) and the mistakes they catch.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type ParseResult, parseValue, stanza } from './pipeline-helpers.js';

function withTrigger(
  connection: string,
  filter: unknown,
  extra: Record<string, unknown> = {},
): ParseResult {
  return parseValue(stanza({ trigger: { [connection]: [filter] }, ...extra }));
}

function ok(r: ParseResult): void {
  assert.equal(r.error, undefined, r.error?.message);
}

describe('every trigger accepts debug (Zuul 12.1)', () => {
  const filters: Record<string, Record<string, unknown>> = {
    gerrit: { event: 'patchset-created' },
    github: { event: 'pull_request' },
    gitlab: { event: 'gl_merge_request' },
    git: { event: 'ref-updated' },
    timer: { time: '0 0 * * *' },
    zuul: { event: 'parent-change-enqueued' },
  };
  for (const [connection, filter] of Object.entries(filters)) {
    test(connection, () => {
      const r = withTrigger(connection, { ...filter, debug: true });
      ok(r);
      assert.equal(r.pipeline?.triggers[0].filter.debug, true);
      assert.equal(
        withTrigger(connection, { ...filter, debug: 'yes' }).error?.path.at(-1),
        'debug',
      );
    });
  }
});

describe('gerrit', () => {
  test('accepts every trigger attribute', () => {
    ok(
      withTrigger('gerrit', {
        event: ['comment-added', 'patchset-created'],
        branch: ['^master$', { regex: '^stable/', negate: true }],
        ref: 'refs/heads/.*',
        'ignore-deletes': false,
        approval: [{ 'Code-Review': 2 }, { Workflow: '+1' }],
        'approval-change': { 'Code-Review': 2 },
        comment: '(?i)^\\s*recheck\\s*$',
        email: '.*@example\\.com',
        username: { regex: '^zuul$', negate: true },
        added: 'hashtag-a',
        removed: ['hashtag-b'],
        require: {
          approval: { Verified: [1, 2], username: 'zuul', 'newer-than': '48h' },
          open: true,
        },
        reject: {
          wip: true,
          hashtags: 'do-not-merge',
          status: 'MERGED',
          'current-patchset': false,
        },
        uuid: 'zuul:check',
        scheme: 'zuul',
      }),
    );
  });

  test('every documented event name is accepted, others are not', () => {
    for (const event of [
      'patchset-created',
      'draft-published',
      'change-abandoned',
      'change-restored',
      'change-merged',
      'comment-added',
      'ref-updated',
      'pending-check',
      'vote-deleted',
      'hashtags-changed',
      'wip-state-changed',
    ]) {
      ok(withTrigger('gerrit', { event }));
    }
    const { error } = withTrigger('gerrit', { event: 'patchset-uploaded' });
    assert.equal(
      error?.message,
      "not a valid value for dictionary value @ data['trigger']['gerrit'][0]['event']",
    );
  });

  test('event is required and unknown attributes are rejected', () => {
    assert.equal(
      withTrigger('gerrit', { branch: 'master' }).error?.message,
      "required key not provided @ data['trigger']['gerrit'][0]['event']",
    );
    assert.equal(
      withTrigger('gerrit', { event: 'patchset-created', brnach: 'master' }).error?.message,
      "extra keys not allowed @ data['trigger']['gerrit'][0]['brnach']",
    );
  });

  test('reporter: any label votes an integer, plus submit, comment, notify and checks-api', () => {
    const r = parseValue(
      stanza({
        success: {
          gerrit: {
            Verified: 2,
            'Code-Review': -1,
            submit: true,
            comment: false,
            notify: 'OWNER_REVIEWERS',
            'checks-api': { uuid: 'zuul:check', state: 'SUCCESSFUL', message: 'ok' },
          },
        },
      }),
    );
    ok(r);
    assert.equal(r.pipeline?.reporters.success[0].config.Verified, 2);
  });

  test('reporter mistakes are caught', () => {
    assert.equal(
      parseValue(stanza({ success: { gerrit: { Verified: 'yes' } } })).error?.message,
      "expected int for dictionary value @ data['success']['gerrit']['Verified']",
    );
    assert.deepEqual(
      parseValue(stanza({ success: { gerrit: { notify: 'everyone' } } })).error?.path,
      ['success', 'gerrit', 'notify'],
    );
    assert.deepEqual(
      parseValue(stanza({ start: { gerrit: { 'checks-api': { uuid: 'x', state: 'DONE' } } } }))
        .error?.path,
      ['start', 'gerrit', 'checks-api', 'state'],
    );
    assert.equal(
      parseValue(stanza({ success: { gerrit: { submit: 'true' } } })).error?.message,
      "expected bool for dictionary value @ data['success']['gerrit']['submit']",
    );
  });

  test('require: approval ages must read like 48h', () => {
    const { error } = parseValue(
      stanza({ require: { gerrit: { approval: [{ Verified: 1, 'older-than': '2 days' }] } } }),
    );
    assert.equal(error?.message, 'Unable to parse time value: 2 days');
    assert.deepEqual(error?.path, ['require', 'gerrit', 'approval', 0, 'older-than']);
  });

  test('require: approval votes are integers or lists of integers', () => {
    const { error } = parseValue(stanza({ require: { gerrit: { approval: { Verified: 'ok' } } } }));
    assert.deepEqual(error?.path, ['require', 'gerrit', 'approval', 'Verified']);
  });

  test('deprecated require-approval / reject-approval still work, with warnings', () => {
    const r = withTrigger('gerrit', {
      event: 'comment-added',
      'require-approval': { Verified: 1 },
      'reject-approval': [{ Verified: -1 }],
    });
    ok(r);
    assert.deepEqual(
      r.warnings.map((w) => [w.errorName, w.path.at(-1)]),
      [
        ['Gerrit require-approval Deprecation', 'require-approval'],
        ['Gerrit reject-approval Deprecation', 'reject-approval'],
      ],
    );
  });
});

describe('github', () => {
  test('accepts every trigger attribute, including permission (Zuul 14.1)', () => {
    ok(
      withTrigger('github', {
        event: 'pull_request',
        action: ['opened', 'changed'],
        branch: '^main$',
        permission: ['write', 'admin'],
        require: {
          review: [{ type: 'approved', permission: 'write', username: 'bot.*' }],
          label: 'ready',
        },
        reject: { status: 'zuul:check:failure', draft: true, merged: false },
      }),
    );
    ok(withTrigger('github', { event: 'push', ref: '^refs/tags/' }));
    ok(withTrigger('github', { event: 'check_run', action: 'rerequested', check: '.*/check:.*' }));
    ok(
      withTrigger('github', {
        event: 'pull_request_review',
        action: 'submitted',
        state: 'approved',
      }),
    );
  });

  test('an unknown permission is rejected', () => {
    assert.deepEqual(withTrigger('github', { event: 'push', permission: 'owner' }).error?.path, [
      'trigger',
      'github',
      0,
      'permission',
    ]);
  });

  test('actions Zuul does not list are accepted with a configuration warning, as in Zuul', () => {
    const r = withTrigger('github', { event: 'pull_request', action: 'edited' });
    ok(r);
    assert.equal(r.warnings[0]?.errorName, 'Github Trigger Configuration Warning');
    assert.match(
      r.warnings[0].message,
      /not a valid value for dictionary value @ data\['action'\]/,
    );
  });

  test('reporter: check accepts queued (Zuul 13.1); status-url was removed (13.0)', () => {
    ok(parseValue(stanza({ enqueue: { github: { check: 'queued', comment: false } } })));
    ok(
      parseValue(
        stanza({
          success: {
            github: {
              status: 'success',
              merge: true,
              label: 'merged',
              review: 'approve',
              'review-body': 'lgtm',
            },
          },
        }),
      ),
    );
    assert.equal(
      parseValue(stanza({ success: { github: { 'status-url': 'https://x' } } })).error?.message,
      "extra keys not allowed @ data['success']['github']['status-url']",
    );
    assert.deepEqual(parseValue(stanza({ success: { github: { check: 'done' } } })).error?.path, [
      'success',
      'github',
      'check',
    ]);
  });

  test('require: review conditions are strict', () => {
    assert.deepEqual(
      parseValue(stanza({ require: { github: { review: { user: 'x' } } } })).error?.path,
      ['require', 'github', 'review', 'user'],
    );
  });
});

describe('gitlab', () => {
  test('trigger accepts branch (Zuul 13.1), labels and comments', () => {
    ok(
      withTrigger('gitlab', {
        event: 'gl_merge_request',
        action: ['opened', 'changed', 'comment', 'labeled'],
        branch: '^main$',
        comment: 'recheck',
        labels: 'gate',
        unlabels: ['wip'],
      }),
    );
    ok(withTrigger('gitlab', { event: 'gl_push', ref: '^refs/heads/main$' }));
    assert.deepEqual(withTrigger('gitlab', { event: 'gl_note' }).error?.path, [
      'trigger',
      'gitlab',
      0,
      'event',
    ]);
  });

  test('reject (Zuul 13.0) mirrors require', () => {
    ok(
      parseValue(
        stanza({
          require: { gitlab: { open: true, approved: true } },
          reject: { gitlab: { labels: 'wip', merged: true } },
        }),
      ),
    );
    assert.deepEqual(parseValue(stanza({ reject: { gitlab: { draft: true } } })).error?.path, [
      'reject',
      'gitlab',
      'draft',
    ]);
  });

  test('reporter keys', () => {
    ok(
      parseValue(
        stanza({
          success: {
            gitlab: { comment: true, approval: true, merge: true, label: 'ok', unlabel: 'wip' },
          },
        }),
      ),
    );
    assert.deepEqual(
      parseValue(stanza({ success: { gitlab: { status: 'success' } } })).error?.path,
      ['success', 'gitlab', 'status'],
    );
  });
});

describe('git', () => {
  test('only ref-updated events', () => {
    ok(
      withTrigger('git', { event: 'ref-updated', ref: '^refs/heads/.*$', 'ignore-deletes': false }),
    );
    assert.deepEqual(withTrigger('git', { event: 'patchset-created' }).error?.path, [
      'trigger',
      'git',
      0,
      'event',
    ]);
  });

  test('git cannot report', () => {
    assert.match(
      parseValue(stanza({ success: { git: {} } })).error?.message ?? '',
      /cannot be used as a reporter/,
    );
  });
});

describe('timer', () => {
  test('5, 6 and 7 field crons (OpenDev uses all three)', () => {
    for (const time of [
      '0 2 * * *',
      '0 * * * * 30',
      '0 * * * * * 120',
      '*/30 8-18 * jan-jun mon-fri',
    ]) {
      ok(withTrigger('timer', { time }));
    }
  });

  test('dereference (Zuul 12.1) is a boolean', () => {
    ok(withTrigger('timer', { time: '0 0 * * *', dereference: true }));
    assert.equal(
      withTrigger('timer', { time: '0 0 * * *', dereference: 'yes please' }).error?.message,
      "expected bool for dictionary value @ data['trigger']['timer'][0]['dereference']",
    );
  });

  test('a wrong number of fields is explained', () => {
    const { error } = withTrigger('timer', { time: '0 2 * *' });
    assert.equal(
      error?.message,
      'Invalid timer time "0 2 * *": expected 5 fields (minute hour day month day-of-week), ' +
        'optionally followed by second and jitter, but found 4',
    );
    assert.deepEqual(error?.path, ['trigger', 'timer', 0, 'time']);
    assert.match(withTrigger('timer', { time: '0 0 * * * * 1 1' }).error?.message ?? '', /found 8/);
  });

  test('time is required and must be a string', () => {
    assert.equal(
      withTrigger('timer', { dereference: true }).error?.message,
      "required key not provided @ data['trigger']['timer'][0]['time']",
    );
    assert.equal(
      withTrigger('timer', { time: 5 }).error?.message,
      "expected str for dictionary value @ data['trigger']['timer'][0]['time']",
    );
  });
});

describe('zuul', () => {
  test('trigger events, including the image events of Zuul 14', () => {
    for (const event of [
      'parent-change-enqueued',
      'project-change-merged',
      'image-build',
      'image-validate',
    ]) {
      ok(withTrigger('zuul', { event }));
    }
    ok(withTrigger('zuul', { event: 'parent-change-enqueued', pipeline: ['check', 'gate'] }));
    assert.deepEqual(withTrigger('zuul', { event: 'timer' }).error?.path, [
      'trigger',
      'zuul',
      0,
      'event',
    ]);
  });

  test('image pipelines report image-built / image-validated', () => {
    const r = parseValue(
      stanza({
        trigger: { zuul: [{ event: 'image-build' }] },
        success: { zuul: { 'image-built': true, 'image-validated': true } },
      }),
    );
    ok(r);
    assert.deepEqual(r.pipeline?.reporters.success, [
      { connection: 'zuul', config: { 'image-built': true, 'image-validated': true } },
    ]);
    assert.deepEqual(
      parseValue(stanza({ success: { zuul: { 'image-uploaded': true } } })).error?.path,
      ['success', 'zuul', 'image-uploaded'],
    );
  });
});

describe('smtp', () => {
  test('to, from and a subject using {change.*} fields', () => {
    ok(
      parseValue(
        stanza({
          failure: {
            smtp: {
              from: 'zuul@example.org',
              to: 'release@example.org',
              subject: 'Release of {change.project} for ref {change.ref} failed in {pipeline.name}',
            },
          },
        }),
      ),
    );
  });

  test('an unknown subject field would fail every report: it is an error', () => {
    const { error } = parseValue(stanza({ failure: { smtp: { subject: 'Failed: {project}' } } }));
    assert.match(error?.message ?? '', /Unknown field "\{project\}" in subject/);
    assert.deepEqual(error?.path, ['failure', 'smtp', 'subject']);
  });

  test('unknown keys are rejected', () => {
    assert.deepEqual(parseValue(stanza({ failure: { smtp: { cc: 'x@y' } } })).error?.path, [
      'failure',
      'smtp',
      'cc',
    ]);
  });
});

describe('mqtt', () => {
  test('topic with the documented fields, qos and include-returned-data', () => {
    ok(
      parseValue(
        stanza({
          success: {
            mqtt: {
              topic: '{tenant}/zuul_buildset/{pipeline}/{project}/{branch}/{change}',
              qos: 2,
              'include-returned-data': true,
            },
          },
        }),
      ),
    );
  });

  test('topic is required', () => {
    assert.equal(
      parseValue(stanza({ success: { mqtt: { qos: 1 } } })).error?.message,
      "required key not provided @ data['success']['mqtt']['topic']",
    );
  });

  test("Zuul's own topic and qos checks", () => {
    assert.equal(
      parseValue(stanza({ success: { mqtt: { topic: 'zuul/{bogus}' } } })).error?.message,
      "topic component 'bogus' is invalid",
    );
    const qos = parseValue(stanza({ success: { mqtt: { topic: 'zuul', qos: 3 } } })).error;
    assert.equal(qos?.message, 'qos can only be 0, 1 or 2');
    assert.deepEqual(qos?.path, ['success', 'mqtt', 'qos']);
  });
});
