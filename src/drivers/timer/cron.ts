// Reads a timer trigger's `time`: an APScheduler cron string of 5 fields
// (minute hour day month day-of-week), an optional 6th (second) and an
// optional 7th (jitter in seconds), e.g. OpenDev's '0 * * * * * 120'.
// Day-of-week follows APScheduler: 0 = Monday … 6 = Sunday (or mon…sun).
//
// Zuul only logs a bad spec when it schedules timers, so the pipeline
// silently never fires; here it is a configuration error the user sees.

export class CronSpecError extends Error {}

export interface CronSpec {
  minute: string;
  hour: string;
  day: string;
  month: string;
  dayOfWeek: string;
  /** Absent when the spec has 5 fields (APScheduler then fires at second 0). */
  second?: string;
  /** Maximum random delay in seconds, from the 7th field. */
  jitter?: number;
}

interface FieldRule {
  name: string;
  min: number;
  max: number;
  /** Names allowed in place of numbers (month, day_of_week). */
  names?: readonly string[];
  /** `last` (last day of the month) is allowed. */
  allowLast?: boolean;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

const RULES: Record<keyof Omit<CronSpec, 'jitter'>, FieldRule> = {
  minute: { name: 'minute', min: 0, max: 59 },
  hour: { name: 'hour', min: 0, max: 23 },
  day: { name: 'day', min: 1, max: 31, allowLast: true },
  month: { name: 'month', min: 1, max: 12, names: MONTHS },
  dayOfWeek: { name: 'day_of_week', min: 0, max: 6, names: WEEKDAYS },
  second: { name: 'second', min: 0, max: 59 },
};

function checkRange(rule: FieldRule, first: number, last: number): void {
  if (first < rule.min) {
    throw new CronSpecError(
      `the first value (${first}) is lower than the minimum value (${rule.min}) of field "${rule.name}"`,
    );
  }
  if (last > rule.max) {
    throw new CronSpecError(
      `the last value (${last}) is higher than the maximum value (${rule.max}) of field "${rule.name}"`,
    );
  }
  if (first > last) {
    throw new CronSpecError(
      `the minimum value in a range must not be higher than the maximum in field "${rule.name}"`,
    );
  }
}

/** APScheduler refuses a step of 0 or one larger than what it steps over. */
function checkStep(rule: FieldRule, step: number | undefined, span: number): void {
  if (step === undefined) return;
  if (step === 0) throw new CronSpecError(`the step in field "${rule.name}" must be higher than 0`);
  if (step > span) {
    throw new CronSpecError(
      `the step value (${step}) is higher than the total range of the expression (${span}) in field "${rule.name}"`,
    );
  }
}

/** One comma-separated part of a field, as APScheduler's expressions read it. */
function checkExpression(rule: FieldRule, expr: string): void {
  const all = /^\*(?:\/(\d+))?$/.exec(expr);
  if (all) {
    checkStep(rule, all[1] === undefined ? undefined : Number(all[1]), rule.max - rule.min);
    return;
  }
  const range = /^(\d+)(?:-(\d+))?(?:\/(\d+))?$/.exec(expr);
  if (range) {
    const first = Number(range[1]);
    // `5/10` means 5, 15, 25 … up to the field's maximum.
    const last =
      range[2] !== undefined ? Number(range[2]) : range[3] !== undefined ? rule.max : first;
    checkRange(rule, first, last);
    checkStep(rule, range[3] === undefined ? undefined : Number(range[3]), last - first);
    return;
  }
  if (rule.names) {
    const named = /^([a-z]+)(?:-([a-z]+))?$/i.exec(expr);
    if (named) {
      const first = rule.names.indexOf(named[1].toLowerCase());
      const last = named[2] === undefined ? first : rule.names.indexOf(named[2].toLowerCase());
      if (first < 0 || last < 0) {
        throw new CronSpecError(`invalid name "${expr}" in field "${rule.name}"`);
      }
      if (first > last) {
        throw new CronSpecError(
          `the minimum value in a range must not be higher than the maximum in field "${rule.name}"`,
        );
      }
      return;
    }
  }
  if (rule.allowLast && expr.toLowerCase() === 'last') return;
  throw new CronSpecError(`unrecognized expression "${expr}" for field "${rule.name}"`);
}

function checkField(rule: FieldRule, value: string): void {
  for (const expr of value.split(',')) checkExpression(rule, expr);
}

/** Parses and checks a timer `time` value; throws CronSpecError naming the problem. */
export function parseCronSpec(spec: string): CronSpec {
  const parts = spec.trim().split(/\s+/).filter(Boolean);
  if (parts.length < 5 || parts.length > 7) {
    throw new CronSpecError(
      `expected 5 fields (minute hour day month day-of-week), optionally followed by ` +
        `second and jitter, but found ${parts.length}`,
    );
  }
  const [minute, hour, day, month, dayOfWeek, second, jitterText] = parts;
  const result: CronSpec = { minute, hour, day, month, dayOfWeek };
  if (second !== undefined) result.second = second;
  for (const key of ['minute', 'hour', 'day', 'month', 'dayOfWeek', 'second'] as const) {
    const value = result[key];
    if (value !== undefined) checkField(RULES[key], value);
  }
  if (jitterText !== undefined) {
    if (!/^\+?\d+$/.test(jitterText)) {
      throw new CronSpecError(
        `the jitter (7th field) must be a whole number of seconds, not "${jitterText}"`,
      );
    }
    result.jitter = Number(jitterText);
  }
  return result;
}
