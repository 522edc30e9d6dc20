// Runs the git CLI: no shell, a time limit that also stops the helpers git
// starts (ssh, https), a scrubbed environment and credentials kept out of
// error messages. Every git process of the merger goes through here.

import { spawn } from 'node:child_process';

/** A failed git command; `stderr` is git's own explanation. */
export class GitError extends Error {
  constructor(
    message: string,
    readonly stderr: string,
    readonly timedOut = false,
    /** git's exit status (undefined when it was killed or never started). */
    readonly exitCode?: number,
  ) {
    super(message);
    this.name = 'GitError';
  }
}

/**
 * Messages git gives when the repository on disk is damaged (rather than
 * the remote being unreachable or a name unknown). A damaged mirror or
 * work repository is thrown away and made again.
 */
export const CORRUPTION =
  /not a git repository|not in a git directory|\bcorrupt|object file .* is empty|bad object|unable to read [0-9a-f]{7,}|inflate|did not send all necessary objects|missing (?:blob|tree|commit) object|packfile .* cannot be accessed|bad packed-refs|invalid sha1 pointer|fatal: bad tree|is not a valid '?(?:tree|commit|blob)'?|Could not read [0-9a-f]{40}|unable to parse|loose object [0-9a-f]+ .* is corrupt|index file smaller than expected|bad signature|fatal: (?:bad|broken) (?:index|pack)|with nonexistent object|missing object/i;

/** Errors worth no retry: the remote or ref does not exist, or access is refused. */
export const PERMANENT =
  /does not appear to be a git repository|repository '.*' not found|couldn't find remote ref|Authentication failed|Permission denied|not our ref|no such remote ref|invalid refspec|unknown revision/i;

/** Variables that would point git at another repository than the one asked for. */
const REPO_ENV = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_INDEX_FILE',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_COMMON_DIR',
  'GIT_NAMESPACE',
];
const MAX_OUTPUT = 1024 * 1024 * 1024;

/** Hides passwords embedded in URLs before they reach logs or errors. */
export function redact(text: string): string {
  return text.replace(/(\/\/[^/\s:@]*:)[^@/\s]*@/g, '$1***@');
}

export interface GitRunOptions {
  /** `--git-dir` for the command. */
  gitDir?: string;
  /** Working directory of the process. */
  cwd?: string;
  /** Standard input. */
  input?: string | Buffer;
  /** Extra environment (identity, dates, GIT_INDEX_FILE, …). */
  env?: Readonly<Record<string, string>>;
  /** Time limit in milliseconds. */
  timeoutMs: number;
  /** HTTP low-speed limits ([merger] git_http_low_speed_*). */
  lowSpeedLimit?: number;
  lowSpeedTime?: number;
  /** Exit statuses that are answers, not failures (e.g. 1 for merge-tree's conflicts). */
  okExitCodes?: readonly number[];
}

export interface GitOutput {
  stdout: Buffer;
  stderr: string;
  exitCode: number;
}

/**
 * Runs git with `args`. Resolves with the output when git exits 0 (or with
 * a status in `okExitCodes`); rejects with a GitError otherwise. git runs in
 * its own process group so a timeout also kills the ssh or https helper it
 * started, which would otherwise hold our pipes open.
 */
export function runGit(args: readonly string[], opts: GitRunOptions): Promise<GitOutput> {
  const fullArgs = opts.gitDir ? [`--git-dir=${opts.gitDir}`, ...args] : [...args];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // Never wait for a password prompt; parse English messages.
    GIT_TERMINAL_PROMPT: '0',
    LC_ALL: 'C',
    GIT_HTTP_LOW_SPEED_LIMIT: String(opts.lowSpeedLimit ?? 1000),
    GIT_HTTP_LOW_SPEED_TIME: String(opts.lowSpeedTime ?? 30),
  };
  for (const name of REPO_ENV) delete env[name];
  Object.assign(env, opts.env);
  const cmd = redact(`git ${args.join(' ')} (in ${opts.gitDir ?? opts.cwd ?? '.'})`);
  return new Promise((resolvePromise, reject) => {
    const child = spawn('git', fullArgs, { env, detached: true, cwd: opts.cwd });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let failure: string | undefined;
    let timedOut = false;
    const kill = () => {
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, opts.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_OUTPUT) {
        failure = `produced more than ${MAX_OUTPUT} bytes`;
        kill();
      } else out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (e) => {
      failure = e.message;
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const stderr = redact(Buffer.concat(err).toString('utf8').trim());
      if (timedOut) {
        reject(new GitError(`${cmd} timed out after ${opts.timeoutMs / 1000} s`, stderr, true));
      } else if (failure !== undefined || code === null) {
        reject(new GitError(`${cmd} failed: ${failure ?? 'killed'}`, stderr));
      } else if (code !== 0 && !opts.okExitCodes?.includes(code)) {
        reject(new GitError(`${cmd} failed: ${stderr}`, stderr, false, code));
      } else {
        resolvePromise({ stdout: Buffer.concat(out), stderr, exitCode: code });
      }
    });
    // Closing stdin at once also makes sure git never waits on it.
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}

/** Whether a git failure means the repository on disk is damaged. */
export function isCorruption(err: unknown): boolean {
  return err instanceof GitError && !err.timedOut && CORRUPTION.test(err.stderr);
}

/**
 * Runs a network operation, trying again after a pause when it failed for a
 * reason that may pass. Timeouts (which already waited the whole limit),
 * damage and permanent refusals are not retried.
 */
export async function withRetries<T>(
  op: () => Promise<T>,
  attempts: number,
  intervalMs: number,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await op();
    } catch (err) {
      const transient =
        err instanceof GitError &&
        !err.timedOut &&
        !CORRUPTION.test(err.stderr) &&
        !PERMANENT.test(err.stderr);
      if (!transient || attempt >= Math.max(1, attempts)) throw err;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}
