// `zuul-ts merger` as a child process for tests: the compiled binary,
// its JSON log lines collected and searchable as they arrive.

import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const BIN = resolve(import.meta.dirname ?? '.', '../../../bin/zuul-ts.js');

export type LogLine = Record<string, unknown> & { msg?: string };

export interface MergerProcess {
  child: ChildProcess;
  lines: LogLine[];
  stderr: () => string;
  exited: Promise<number | null>;
  /** Resolves with the first line (from index `from`) matching, or rejects after `ms`. */
  waitFor(pred: (l: LogLine) => boolean, ms?: number, from?: number): Promise<LogLine>;
  /** Ids of requests this process logged with `msg`. */
  requests(msg: string): string[];
}

/** A zuul.conf for one merger: its own git_dir, the given store. */
export function writeMergerConf(
  dir: string,
  name: string,
  store: { uri: string; tablePrefix?: string },
): string {
  const path = join(dir, `${name}.conf`);
  writeFileSync(
    path,
    [
      '[database]',
      `dburi=${store.uri}`,
      ...(store.tablePrefix ? [`table_prefix=${store.tablePrefix}`] : []),
      '[merger]',
      `git_dir=${join(dir, `${name}-git`)}`,
      'git_user_name=Merger Test',
      'git_user_email=merger@example.com',
      '',
    ].join('\n'),
  );
  return path;
}

export function startMergerProcess(
  confPath: string,
  opts: { lease?: number; env?: NodeJS.ProcessEnv } = {},
): MergerProcess {
  const args = ['merger', '-c', confPath];
  if (opts.lease !== undefined) args.push('--lease', String(opts.lease));
  return startZuulProcess(args, opts.env);
}

/** Any `zuul-ts` subcommand, logging at info level. */
export function startZuulProcess(args: string[], env?: NodeJS.ProcessEnv): MergerProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ZUUL_TS_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  const waiters = new Set<() => void>();
  let partial = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    partial += chunk.toString('utf8');
    const parts = partial.split('\n');
    partial = parts.pop()!;
    for (const p of parts) {
      try {
        lines.push(JSON.parse(p) as LogLine);
      } catch {
        lines.push({ msg: p });
      }
    }
    for (const w of waiters) w();
  });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => {
    err += c.toString('utf8');
  });
  // 'close', not 'exit': every log line written before the end has been read.
  const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
  return {
    child,
    lines,
    stderr: () => err,
    exited,
    waitFor(pred, ms = 20_000, from = 0) {
      return new Promise((res, rej) => {
        const check = () => {
          const hit = lines.slice(from).find(pred);
          if (!hit) return;
          cleanup();
          res(hit);
        };
        const timer = setTimeout(() => {
          cleanup();
          rej(new Error(`no matching merger log line within ${ms} ms; stderr: ${err}`));
        }, ms);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    requests(msg) {
      return lines.filter((l) => l.msg === msg).map((l) => String(l.request));
    },
  };
}
