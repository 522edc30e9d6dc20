// Times in the build history: stored as Unix milliseconds (see migration
// 0003), shown as Zuul shows SQL datetimes: `YYYY-MM-DDTHH:MM:SS`, UTC, no
// zone suffix, no fractions.

/** A stored time (PostgreSQL and MySQL may return BIGINT as a string). */
export type StoredMs = number | string | bigint | null | undefined;

export function msOf(value: StoredMs): number | null {
  if (value === null || value === undefined) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/** Zuul's `YYYY-MM-DDTHH:MM:SS` for a stored time, or null. */
export function zuulTime(value: StoredMs): string | null {
  const ms = msOf(value);
  if (ms === null) return null;
  if (ms >= 0 && ms < YEAR_10000) return formatUtc(ms);
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return null;
  return d.toISOString().slice(0, 19);
}

const YEAR_10000 = Date.UTC(10000, 0, 1);
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

/**
 * toISOString's first 19 characters for 1970–9999, by arithmetic: a page
 * of builds has three times per row, and building a Date and its ISO
 * string for each was a visible share of the history endpoints' CPU. The
 * date is the civil-from-days algorithm (H. Hinnant) on March-based years.
 */
function formatUtc(ms: number): string {
  const secs = Math.floor(ms / 1000);
  const days = Math.floor(secs / 86400);
  const daySecs = secs - days * 86400;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const hour = Math.floor(daySecs / 3600);
  const minute = Math.floor((daySecs % 3600) / 60);
  const c = TWO_DIGITS;
  return `${c[Math.floor(year / 100)]}${c[year % 100]}-${c[month]}-${c[day]}T${c[hour]}:${c[minute]}:${c[daySecs % 60]}`;
}

/** Seconds between two stored times (float, as Zuul's timedelta), or null. */
export function durationOf(start: StoredMs, end: StoredMs): number | null {
  const s = msOf(start);
  const e = msOf(end);
  // Zuul tests the datetimes for truth; the epoch itself never occurs.
  if (!s || !e) return null;
  return (e - s) / 1000;
}

const DATE_TIME_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?(Z|[+-]00:?00)?$/;

/**
 * A datetime query parameter (`2025-01-31T00:00:00`, `2025-01-31 12:00`,
 * `2025-01-31`, optionally with fractions or a zero UTC offset) as Unix ms;
 * undefined when it is not one. Zuul hands the string to the database,
 * which compares it with its UTC datetimes; a date alone means midnight.
 */
export function parseTimeParam(value: string): number | undefined {
  const m = DATE_TIME_RE.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = ''] = m;
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  const ms = Date.UTC(Number(y), month - 1, day, hour, minute, second);
  // Date.UTC rolls 31 February over into March: refuse it instead.
  if (new Date(ms).getUTCDate() !== day) return undefined;
  return ms + Math.floor(Number(`0.${frac || '0'}`) * 1000);
}
