// One ansible-playbook process: started in its own process group, killed
// as a group on timeout or abort, its stdout scanned for the events our
// callback prints (early failure, unreachable host).

import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';

/** Zuul's names for how a playbook run ended (before looking at the exit code). */
export type RunOutcome = 'NORMAL' | 'TIMED_OUT' | 'ABORTED' | 'UNREACHABLE';

export interface CallbackEvent {
  event: string;
  [key: string]: unknown;
}

export interface AnsibleRunSpec {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  /** Milliseconds; null or undefined = no limit. */
  timeoutMs?: number | null;
  /** Contents written to inherited descriptors 3, 4, … (sandbox memory files). */
  fdContents?: string[];
  signal?: AbortSignal;
  onEvent?: (ev: CallbackEvent) => void;
}

export interface AnsibleRunResult {
  outcome: RunOutcome;
  /** Process exit code; null when it was killed. */
  exitCode: number | null;
  /** The last lines Ansible printed besides callback events (errors, warnings). */
  output: string[];
  unreachableHosts: string[];
  elapsedMs: number;
}

const MARKER = '@@zuul-ts@@ ';
const KEEP_LINES = 200;
/** ansible-playbook's exit code when a host was unreachable. */
const RC_UNREACHABLE = 4;

export function runAnsible(spec: AnsibleRunSpec): Promise<AnsibleRunResult> {
  const started = Date.now();
  const extra = (spec.fdContents ?? []).map(() => 'pipe' as const);
  const child = spawn(spec.argv[0]!, spec.argv.slice(1), {
    cwd: spec.cwd,
    env: spec.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe', ...extra],
  });
  const output: string[] = [];
  const unreachable = new Set<string>();
  let killedFor: RunOutcome | undefined;

  const keep = (line: string) => {
    output.push(line);
    if (output.length > KEEP_LINES) output.shift();
  };
  const lineReader = (onLine: (l: string) => void) => {
    let buf = '';
    return (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      let i = buf.indexOf('\n');
      while (i >= 0) {
        onLine(buf.slice(0, i));
        buf = buf.slice(i + 1);
        i = buf.indexOf('\n');
      }
    };
  };
  child.stdout!.on(
    'data',
    lineReader((line) => {
      const at = line.indexOf(MARKER);
      if (at < 0) {
        if (line.trim()) keep(line);
        return;
      }
      let ev: CallbackEvent;
      try {
        ev = JSON.parse(line.slice(at + MARKER.length));
      } catch {
        keep(line);
        return;
      }
      if (ev.event === 'unreachable' && typeof ev.host === 'string') unreachable.add(ev.host);
      spec.onEvent?.(ev);
    }),
  );
  child.stderr!.on(
    'data',
    lineReader((line) => {
      if (line.trim()) keep(line);
    }),
  );
  (spec.fdContents ?? []).forEach((content, i) => {
    const pipe = child.stdio[3 + i] as Writable;
    // bubblewrap may close the pipe early if it fails to start.
    pipe.on('error', () => {});
    pipe.end(content);
  });

  const kill = (why: RunOutcome) => {
    if (killedFor || child.exitCode !== null || child.signalCode !== null) return;
    killedFor = why;
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  };
  const timer =
    spec.timeoutMs !== null && spec.timeoutMs !== undefined
      ? setTimeout(() => kill('TIMED_OUT'), Math.max(0, spec.timeoutMs))
      : undefined;
  const onAbort = () => kill('ABORTED');
  if (spec.signal?.aborted) queueMicrotask(onAbort);
  else spec.signal?.addEventListener('abort', onAbort, { once: true });

  return new Promise((resolve) => {
    let done = false;
    const finish = (code: number | null, spawnError?: Error) => {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
      spec.signal?.removeEventListener('abort', onAbort);
      if (spawnError) keep(`cannot start ${spec.argv[0]}: ${spawnError.message}`);
      let outcome: RunOutcome = killedFor ?? 'NORMAL';
      if (!killedFor && code === RC_UNREACHABLE && unreachable.size > 0) outcome = 'UNREACHABLE';
      resolve({
        outcome,
        exitCode: killedFor ? null : spawnError ? 127 : code,
        output,
        unreachableHosts: [...unreachable],
        elapsedMs: Date.now() - started,
      });
    };
    // A failed spawn has no pid and may never emit 'close'.
    child.on('error', (e) => {
      if (child.pid === undefined) finish(null, e);
    });
    child.on('close', (code) => finish(code));
  });
}
