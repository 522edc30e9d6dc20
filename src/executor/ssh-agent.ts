// A build's own ssh-agent (semantics §G, Zuul 14 tenant key): it holds the
// executor's private_key_file, the tenant's SSH key and, in post-review
// pipelines, the project's SSH key, so Ansible reaches nodes (and whatever
// hosts an admin authorised for the project) without any key file in the
// build directory. The socket lives in a private directory outside the
// build directory; the sandbox binds only the socket.

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class SshAgentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SshAgentError';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export class SshAgent {
  private constructor(
    private readonly proc: ChildProcess,
    private readonly dir: string,
    /** The agent's socket (SSH_AUTH_SOCK). */
    readonly socket: string,
  ) {}

  /** Starts an agent in the foreground of a child process and waits for its socket. */
  static async start(): Promise<SshAgent> {
    const dir = mkdtempSync(join(tmpdir(), 'zuul-ts-agent-'));
    const socket = join(dir, 'agent.sock');
    const proc = spawn('ssh-agent', ['-D', '-a', socket], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString('utf8');
    });
    let failed: Error | undefined;
    proc.on('error', (e) => {
      failed = e;
    });
    for (let waited = 0; !existsSync(socket); waited += 20) {
      if (failed || proc.exitCode !== null || waited > 10_000) {
        proc.kill('SIGTERM');
        rmSync(dir, { recursive: true, force: true });
        throw new SshAgentError(
          `ssh-agent did not start: ${failed?.message ?? (stderr.trim() || 'no socket')}`,
        );
      }
      await sleep(20);
    }
    return new SshAgent(proc, dir, socket);
  }

  /** Adds a private key (PEM text); `name` is for messages only. */
  add(name: string, pem: string): Promise<void> {
    return this.sshAdd(['-q', '-'], pem, name);
  }

  /** Adds a private key file (e.g. `[executor] private_key_file`). */
  addFile(path: string): Promise<void> {
    return this.sshAdd(['-q', path], undefined, path);
  }

  /** Public keys the agent holds, one `ssh-rsa …` line each. */
  list(): Promise<string[]> {
    return new Promise((resolve, reject) => {
      execFile('ssh-add', ['-L'], { env: this.env() }, (err, stdout) => {
        // Exit 1 with "The agent has no identities."
        if (err && (err as { code?: number }).code !== 1) reject(err);
        else resolve(stdout.split('\n').filter((l) => /^(ssh|ecdsa)-/.test(l)));
      });
    });
  }

  stop(): void {
    this.proc.kill('SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }

  private env(): NodeJS.ProcessEnv {
    return { PATH: process.env.PATH ?? '/usr/bin:/bin', SSH_AUTH_SOCK: this.socket };
  }

  private sshAdd(args: string[], input: string | undefined, name: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = execFile('ssh-add', args, { env: this.env() }, (err, _out, stderr) => {
        // The key never appears in the message: ssh-add only names its input.
        if (err) reject(new SshAgentError(`ssh-add ${name} failed: ${String(stderr).trim()}`));
        else resolve();
      });
      child.stdin?.end(input ?? '');
    });
  }
}
