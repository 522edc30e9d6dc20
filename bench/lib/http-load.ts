// The HTTP load generator the API benchmarks share: `clients` keep-alive
// loops sending GETs until a deadline, with each request's latency kept.

import { type Agent, request } from 'node:http';

export interface LoadResult {
  requests: number;
  errors: number;
  firstError?: string;
  /** Milliseconds, one per request, in completion order. */
  latencies: number[];
}

/** GETs `paths` in turn (a single path for a fixed URL) from `clients` loops for `durationMs`. */
export async function httpLoad(
  agent: Agent,
  base: URL,
  paths: readonly string[],
  durationMs: number,
  clients: number,
): Promise<LoadResult> {
  const result: LoadResult = { requests: 0, errors: 0, latencies: [] };
  const deadline = Date.now() + durationMs;
  let next = 0;
  const one = () =>
    new Promise<void>((res) => {
      const path = paths[next++ % paths.length]!;
      const start = process.hrtime.bigint();
      const req = request(
        { agent, host: base.hostname, port: base.port, path, method: 'GET' },
        (resp) => {
          let bytes = 0;
          resp.on('data', (c: Buffer) => {
            bytes += c.length;
          });
          resp.on('end', () => {
            result.latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
            result.requests += 1;
            if (resp.statusCode !== 200 || bytes === 0) {
              result.errors += 1;
              result.firstError ??= `HTTP ${resp.statusCode} for ${path}, ${bytes} bytes`;
            }
            res();
          });
        },
      );
      req.on('error', (err) => {
        result.errors += 1;
        result.firstError ??= err.message;
        res();
      });
      req.end();
    });
  const loop = async () => {
    while (Date.now() < deadline) await one();
  };
  await Promise.all(Array.from({ length: clients }, loop));
  return result;
}

/** The `p` quantile (0–1) of ascending `sorted`; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}
