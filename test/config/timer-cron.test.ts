// The timer trigger's cron strings, read the way APScheduler reads them.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CronSpecError, parseCronSpec } from '../../src/drivers/timer/cron.js';

function error(spec: string): string {
  try {
    parseCronSpec(spec);
  } catch (err) {
    assert.ok(err instanceof CronSpecError);
    return err.message;
  }
  assert.fail(`"${spec}" was accepted`);
}

describe('parseCronSpec', () => {
  test('five fields: no second and no jitter', () => {
    assert.deepEqual(parseCronSpec('0 8 * * 5'), {
      minute: '0',
      hour: '8',
      day: '*',
      month: '*',
      dayOfWeek: '5',
    });
  });

  test('a sixth field is the second, a seventh the jitter', () => {
    assert.deepEqual(parseCronSpec('0 * * * * * 120'), {
      minute: '0',
      hour: '*',
      day: '*',
      month: '*',
      dayOfWeek: '*',
      second: '*',
      jitter: 120,
    });
    assert.equal(parseCronSpec('* * * * * */1').second, '*/1');
  });

  test('lists, ranges, steps, names and last', () => {
    for (const spec of [
      '0,15,30,45 */2 1-15/3 jan-jun,dec mon-fri',
      '5/10 0 last * sun',
      '0 0 * * 0-6',
      '30 23 31 12 *',
    ]) {
      assert.doesNotThrow(() => parseCronSpec(spec), spec);
    }
  });

  test('values outside a field’s range are rejected with the field name', () => {
    assert.equal(
      error('60 * * * *'),
      'the last value (60) is higher than the maximum value (59) of field "minute"',
    );
    assert.equal(
      error('0 24 * * *'),
      'the last value (24) is higher than the maximum value (23) of field "hour"',
    );
    assert.equal(
      error('0 0 0 * *'),
      'the first value (0) is lower than the minimum value (1) of field "day"',
    );
    // APScheduler numbers weekdays 0 (Monday) to 6 (Sunday); 7 is not Sunday.
    assert.equal(
      error('0 0 * * 7'),
      'the last value (7) is higher than the maximum value (6) of field "day_of_week"',
    );
    assert.match(error('* * * * * 300'), /field "second"/);
  });

  test('bad ranges, steps and names', () => {
    assert.match(error('0 5-1 * * *'), /minimum value in a range must not be higher/);
    assert.match(error('*/0 * * * *'), /step in field "minute" must be higher than 0/);
    assert.match(error('*/90 * * * *'), /step value \(90\) is higher than the total range/);
    assert.match(error('0 0 * foo *'), /invalid name "foo" in field "month"/);
    assert.match(error('0 0 * * monday'), /invalid name "monday"/);
    assert.match(error('0 0 last * last'), /invalid name "last" in field "day_of_week"/);
    assert.match(error('0 0 ? * *'), /unrecognized expression "\?" for field "day"/);
  });

  test('the jitter must be a whole number of seconds', () => {
    assert.match(
      error('0 0 * * * 0 1.5'),
      /jitter .* must be a whole number of seconds, not "1.5"/,
    );
    assert.match(error('0 0 * * * 0 -5'), /jitter/);
  });

  test('the number of fields', () => {
    assert.match(error(''), /found 0/);
    assert.match(error('* * * *'), /expected 5 fields .* found 4/);
    assert.match(error('* * * * * * * *'), /found 8/);
  });
});
