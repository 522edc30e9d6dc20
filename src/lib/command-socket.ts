// Command sockets: how `zuul-ts reconfigure`, `executor-pause` and the like
// reach a running component, as Zuul's commands do. A Unix socket; the
// client writes one command line, the server answers one line, `ok …` or
// `error: …`, and closes.

import { existsSync, mkdirSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import type { Logger } from 'pino';

/** Someone else already answers on the socket's path. */
export class CommandSocketBusyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandSocketBusyError';
  }
}

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
   * one a live process answers on is an error: two components must not
   * share a command socket. `settingHint` names the setting that moves it.
   */
  static async listen(
    path: string,
    handlers: Record<string, CommandHandler>,
    log: Pick<Logger, 'info' | 'warn'>,
    settingHint?: string,
  ): Promise<CommandSocket> {
    const sock = new CommandSocket(path, handlers, log);
    mkdirSync(dirname(path), { recursive: true });
    if (existsSync(path)) {
      if (await answers(path)) {
        throw new CommandSocketBusyError(
          `Another process is listening on the command socket ${path}${settingHint ? ` (set ${settingHint})` : ''}`,
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

/**
 * Sends one command to a running server's command socket and returns its
 * answer line (`ok` or `error: …`).
 */
export function sendCommand(path: string, command: string): Promise<string> {
  return new Promise((res, rej) => {
    const s = createConnection(path);
    let out = '';
    s.setEncoding('utf8');
    s.once('connect', () => s.write(`${command}\n`));
    s.on('data', (d: string) => {
      out += d;
    });
    s.once('end', () => res(out.trim()));
    s.once('error', rej);
  });
}
