// `zuul-ts web` / `zuul-ts serve`: run the web component (serve: every
// component that exists, today configuration loading + web) until SIGTERM
// or SIGINT; SIGHUP reconfigures. `zuul-ts reconfigure` asks a running
// server to reconfigure through its command socket.

import { pino } from 'pino';
import { loadZuulConf } from '../config/zuul-conf.js';
import { sendCommand } from '../lib/command-socket.js';
import { commandSocketPath, WebServer } from '../web/server.js';
import { startServeExecutor } from './executor.js';
import { startServeMerger } from './merger.js';

export interface ServeOptions {
  config: string;
  /** Serve this tenant whitelabeled. */
  tenant?: string;
  version: string;
  /** Component names for the log (`web`, or every component for serve). */
  components: string[];
}

export async function serveCommand(opts: ServeOptions): Promise<number> {
  const log = pino({ level: process.env.ZUUL_TS_LOG_LEVEL ?? 'info' });
  let server: WebServer;
  try {
    server = await WebServer.start({
      confPath: opts.config,
      version: opts.version,
      logger: log,
      whitelabelTenant: opts.tenant,
      // The merger and the executor register themselves (startServe*).
      components: opts.components.filter((c) => c !== 'merger' && c !== 'executor'),
    });
  } catch (err) {
    log.fatal({ err }, 'cannot start');
    return 1;
  }
  const merger = opts.components.includes('merger')
    ? await startServeMerger(opts.config, {
        version: opts.version,
        log: log.child({ component: 'merger' }),
      })
    : undefined;
  const executor = opts.components.includes('executor')
    ? await startServeExecutor(opts.config, {
        version: opts.version,
        log: log.child({ component: 'executor' }),
      })
    : undefined;
  log.info({ components: opts.components, version: opts.version }, 'started');
  const onHup = () => {
    log.info('SIGHUP: reconfiguring');
    server.reconfigure().catch((err: Error) => log.error({ err }, 'reconfiguration failed'));
  };
  process.on('SIGHUP', onHup);
  const signal = await new Promise<NodeJS.Signals>((res) => {
    process.once('SIGTERM', () => res('SIGTERM'));
    process.once('SIGINT', () => res('SIGINT'));
  });
  log.info({ signal }, 'shutting down');
  process.off('SIGHUP', onHup);
  try {
    // Running builds get the usual grace period, then are aborted.
    await executor?.close();
    await merger?.close();
    await server.close();
  } catch (err) {
    log.error({ err }, 'error while stopping');
    return 1;
  }
  return 0;
}

export async function reconfigureCommand(opts: { config: string }): Promise<number> {
  let path: string;
  try {
    path = commandSocketPath(loadZuulConf(opts.config));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 1;
  }
  try {
    const answer = await sendCommand(path, 'reconfigure');
    if (answer === 'ok') {
      process.stdout.write('Reconfiguration finished\n');
      return 0;
    }
    process.stderr.write(`${answer || 'no answer from the server'}\n`);
    return 1;
  } catch (err) {
    process.stderr.write(
      `Cannot reach a running zuul-ts web/serve at ${path}: ${(err as Error).message}\n`,
    );
    return 1;
  }
}
