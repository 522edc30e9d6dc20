// `--lease SECONDS` of the worker commands (merger, executor): how long a
// claimed request stays with a worker that shows no sign of life.

/** Milliseconds, undefined when not given; throws with the message to print. */
export function parseLeaseOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Number(value) * 1000;
  if (!Number.isFinite(ms) || ms < 100) {
    throw new Error(`--lease must be a number of seconds (at least 0.1), not "${value}"`);
  }
  return ms;
}
