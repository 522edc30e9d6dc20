// `[scheduler] tenant_config_script`: an executable whose stdout is the
// tenant file. As in Zuul, a script that is not executable or that fails
// yields an empty tenant list and a logged error rather than stopping the
// scheduler; unlike Zuul, run time and output size are bounded so a stuck or
// runaway script cannot hang or exhaust the scheduler.

import { spawn } from 'node:child_process';
import { access, constants, stat } from 'node:fs/promises';

export interface TenantScriptResult {
  /** The tenant file text; `[]` (no tenants) when the script could not be used. */
  text: string;
  /** Why the script's output was not used, for the log. */
  error?: string;
}

/** Default cap on the script's stdout. */
export const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024 * 1024;
/** How much stderr is kept for the error message. */
const MAX_STDERR_CHARS = 4096;

const EMPTY = '[]';

/**
 * Runs the tenant config script. Throws only when the path does not exist
 * (Zuul: "Unable to read tenant config file"), which is a setup mistake.
 */
export async function runTenantConfigScript(
  path: string,
  timeoutMs: number,
  maxOutputBytes = DEFAULT_MAX_OUTPUT_BYTES,
): Promise<TenantScriptResult> {
  try {
    await stat(path);
  } catch {
    throw new Error(`Unable to read tenant config file at ${path}`);
  }
  try {
    await access(path, constants.X_OK);
  } catch {
    return {
      text: EMPTY,
      error: `Unable to read tenant configuration from a non executable script (${path})`,
    };
  }
  return new Promise((resolve) => {
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = '';
    let failure: string | undefined;
    let settled = false;
    const finish = (result: TenantScriptResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    // No shell: the path is run as given, like Zuul's subprocess.run([path]).
    const child = spawn(path, [], { stdio: ['ignore', 'pipe', 'pipe'] });
    const stop = (why: string) => {
      failure ??= why;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(
      () => stop(`Tenant config script timed out after ${timeoutMs} ms`),
      timeoutMs,
    );
    child.stdout.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes > maxOutputBytes) {
        stop(`Tenant config script output exceeded ${maxOutputBytes} bytes`);
        return;
      }
      stdout.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < MAX_STDERR_CHARS) stderr += chunk.toString('utf8');
    });
    child.on('error', (err) => {
      finish({ text: EMPTY, error: `Tenant config script exec failed: ${err.message}` });
    });
    child.on('close', (code, signal) => {
      if (failure) return finish({ text: EMPTY, error: failure });
      if (code !== 0) {
        const status = code === null ? `killed by ${signal}` : `exit status ${code}`;
        const err = stderr.slice(0, MAX_STDERR_CHARS).trim();
        return finish({
          text: EMPTY,
          error: `Tenant config script exec failed: ${status}${err ? ` (${err})` : ''}`,
        });
      }
      finish({ text: Buffer.concat(stdout).toString('utf8') });
    });
  });
}
