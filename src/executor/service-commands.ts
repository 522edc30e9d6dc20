// The executor's command socket (`[executor] command_socket`, default
// `<state_dir>/executor.socket`), as Zuul's: `zuul-ts executor-pause`,
// `executor-resume` and `executor-graceful` write one command line to it.
// The line protocol is the web server's (web/server.ts, whose sendCommand
// is the client): a command, a newline; the answer `ok …` or `error: …`.

import { existsSync, mkdirSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import type { Logger } from 'pino';

/** Runs a command; its answer is written back (`ok` plus detail, or `error: …`). */
export type CommandHandler = () => Promise<string>;

export class CommandSocket {
  private server?: Server;

  private constructor(
    readonly path: string,
    private readonly handlers: Record<string, CommandHandler>,
    private readonly log: Pick<Logger, 'info' | 'warn'>,
  ) {}

  /**
   * Listens on `path`. A stale socket file (nobody answers) is replaced;
   * one a live process answers on is an error: two executors must not
   * share a command socket.
   */
  static async listen(
    path: string,
    handlers: Record<string, CommandHandler>,
    log: Pick<Logger, 'info' | 'warn'>,
  ): Promise<CommandSocket> {
    const sock = new CommandSocket(path, handlers, log);
    mkdirSync(dirname(path), { recursive: true });
    if (existsSync(path)) {
      if (await answers(path)) {
        throw new Error(
          `Another process is listening on the command socket ${path} (set [executor] command_socket)`,
        );
      }
      unlinkSync(path);
    }
    const server = createServer((s) => sock.onConnection(s));
    await new Promise<void>((res, rej) => {
      server.once('error', rej);
      server.listen(path, () => {
        server.off('error', rej);
        res();
      });
    });
    sock.server = server;
    return sock;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((res) => server.close(() => res()));
    try {
      unlinkSync(this.path);
    } catch {
      // already gone
    }
  }

  private onConnection(sock: Socket): void {
    let buf = '';
    sock.setEncoding('utf8');
    sock.on('error', () => sock.destroy());
    sock.on('data', (chunk: string) => {
      buf += chunk;
      if (buf.length > 1024) {
        sock.end('error: command too long\n');
        return;
      }
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      const command = buf.slice(0, nl).trim();
      buf = '';
      const handler = Object.hasOwn(this.handlers, command) ? this.handlers[command] : undefined;
      if (!handler) {
        const known = Object.keys(this.handlers).join(', ');
        sock.end(`error: unknown command "${command}" (known: ${known})\n`);
        return;
      }
      this.log.info({ command }, 'command received');
      handler().then(
        (answer) => sock.end(`${answer}\n`),
        (err: Error) => sock.end(`error: ${err.message}\n`),
      );
    });
  }
}

function answers(path: string): Promise<boolean> {
  return new Promise((res) => {
    const s = createConnection(path);
    s.once('connect', () => {
      s.destroy();
      res(true);
    });
    s.once('error', () => res(false));
  });
}
