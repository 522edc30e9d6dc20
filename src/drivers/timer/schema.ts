// The built-in `timer` connection's part of a pipeline: trigger entries that
// fire on a cron schedule. `dereference` (Zuul 12.1) records the branch tip
// at each firing so a new item is enqueued only when the tip moved.

import { ConfigProblem } from '../../config/errors.js';
import { Bool, Str } from '../../config/schema.js';
import type { DriverPipelineSchemas } from '../schema-checks.js';
import { DebugFlag, Opt, Strict } from '../schema-common.js';
import { CronSpecError, parseCronSpec } from './cron.js';

const Trigger = Strict({
  time: Str,
  dereference: Opt(Bool),
  debug: DebugFlag,
});

/** The `time` of a timer trigger filter must be a valid cron string. */
export function checkTimerTrigger(filter: Readonly<Record<string, unknown>>): ConfigProblem[] {
  const time = filter.time as string;
  try {
    parseCronSpec(time);
    return [];
  } catch (err) {
    if (!(err instanceof CronSpecError)) throw err;
    return [new ConfigProblem(`Invalid timer time "${time}": ${err.message}`, 'Unknown', ['time'])];
  }
}

export const timerPipelineSchemas: DriverPipelineSchemas = {
  trigger: Trigger,
  checks: { trigger: checkTimerTrigger },
};
