// `zuul-ts executor -c zuul.conf`: run an executor, taking build requests
// from the state store (`[database] dburi`), until SIGTERM (per
// `[executor] sigterm_method`: let running builds finish, or abort them),
// SIGINT (abort them) or a graceful stop. `zuul-ts serve` starts the same
// thing in its process (startServeExecutor).
//
// `zuul-ts executor-pause|executor-resume|executor-graceful` talk to a
// running executor through its command socket, as Zuul's `zuul-executor
// pause|unpause|graceful` do.

import { type Logger, pino } from 'pino';
import { loadSystemConfig } from '../config/system.js';
import { loadZuulConf, type ZuulConf } from '../config/zuul-conf.js';
import { runBuild } from '../executor/run-build.js';
import { type BuildFunction, ExecutorService } from '../executor/service.js';
import { executorServiceSettings } from '../executor/service-settings.js';
import { executorSettings } from '../executor/settings.js';
import { CommandSocket, sendCommand } from '../lib/command-socket.js';
import { RepoCache } from '../merger/repo-cache.js';
import { openStore, type Store, storeOptionsFromConf } from '../store/db.js';
import { Keystore } from '../store/keystore.js';
import { RequestSignals } from '../store/requests-signals.js';
import { parseLeaseOption } from './lease-option.js';

export interface ExecutorRunOptions {
  version: string;
  log: Logger;
  /** Request lease in ms (default 60 s). */
  leaseMs?: number;
  /**
   * How builds are run. The one place build execution is bound to the
   * service: runBuild (run-build.ts) unless a test or benchmark passes its own.
   */
  runBuild?: BuildFunction;
  /** Without a command socket the executor still runs (serve); default: it must have one. */
  commandSocketOptional?: boolean;
}

export interface RunningExecutor {
  readonly service: ExecutorService;
  /** Stops the service (running builds get `graceMs`, then are aborted) and closes the store. */
  close(graceMs?: number): Promise<void>;
}

/** Opens the store and starts an executor on it; throws a readable error when it cannot. */
export async function startExecutor(
  conf: ZuulConf,
  opts: ExecutorRunOptions,
): Promise<RunningExecutor> {
  if (!conf.get('database', 'dburi')) {
    throw new Error(
      `${conf.path}: the executor needs [database] dburi (the state store it takes builds from)`,
    );
  }
  const settings = executorSettings(conf);
  const service = executorServiceSettings(conf);
  const storeOpts = storeOptionsFromConf(conf);
  const store: Store = await openStore(storeOpts);
  let signals: RequestSignals | undefined;
  let socket: CommandSocket | undefined;
  try {
    signals = await RequestSignals.open(store, {
      uri: storeOpts.uri,
      baseDir: storeOpts.baseDir,
      onError: (err) => opts.log.warn({ err }, 'request wake-up connection lost; reconnecting'),
    });
    const repoCache = new RepoCache({
      gitDir: settings.gitDir,
      timeoutSeconds: conf.getInt('merger', 'git_timeout', 300),
      lowSpeedLimit: conf.getInt('merger', 'git_http_low_speed_limit', 1000),
      lowSpeedTime: conf.getInt('merger', 'git_http_low_speed_time', 30),
    });
    const keystore = conf.get('keystore', 'password') ? Keystore.fromConf(store, conf) : undefined;
    const executor = new ExecutorService({
      store,
      signals,
      settings,
      service,
      runBuild: opts.runBuild ?? runBuild,
      buildContext: { repoCache, keystore },
      version: opts.version,
      leaseMs: opts.leaseMs,
      log: opts.log,
    });
    try {
      socket = await CommandSocket.listen(
        service.commandSocket,
        {
          pause: async () => {
            await executor.pause();
            return `ok: paused with ${executor.runningBuilds().length} builds running`;
          },
          unpause: async () => {
            await executor.resume();
            return 'ok: taking builds';
          },
          resume: async () => {
            await executor.resume();
            return 'ok: taking builds';
          },
          graceful: async () => {
            const running = executor.runningBuilds().length;
            executor.graceful().catch((err) => opts.log.error({ err }, 'graceful stop failed'));
            return `ok: stopping after ${running} running builds`;
          },
          stop: async () => {
            executor.stop(0).catch((err) => opts.log.error({ err }, 'stop failed'));
            return 'ok: stopping';
          },
          ping: async () => 'ok',
        },
        opts.log,
        '[executor] command_socket',
      );
      opts.log.info({ path: service.commandSocket }, 'executor command socket listening');
    } catch (err) {
      if (!opts.commandSocketOptional) throw err;
      opts.log.warn(
        { err },
        'no executor command socket: executor-pause/resume/graceful cannot reach it',
      );
    }
    await executor.start();
    let closing: Promise<void> | undefined;
    const close = (graceMs = 10_000) => {
      closing ??= (async () => {
        await executor.stop(graceMs);
        await socket?.close();
        signals?.close();
        await store.close();
      })();
      return closing;
    };
    return { service: executor, close };
  } catch (err) {
    await socket?.close().catch(() => {});
    signals?.close();
    await store.close().catch(() => {});
    throw err;
  }
}

export async function executorCommand(opts: {
  config: string;
  version: string;
  lease?: string;
}): Promise<number> {
  const log = pino({ level: process.env.ZUUL_TS_LOG_LEVEL ?? 'info' });
  let leaseMs: number | undefined;
  try {
    leaseMs = parseLeaseOption(opts.lease);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  let running: RunningExecutor;
  let sigterm: 'graceful' | 'stop';
  try {
    const system = loadSystemConfig(opts.config);
    for (const w of system.warnings) log.warn(w);
    sigterm = executorServiceSettings(system.conf).sigtermMethod;
    running = await startExecutor(system.conf, { version: opts.version, log, leaseMs });
  } catch (err) {
    log.fatal({ err }, 'cannot start the executor');
    process.stderr.write(`${(err as Error).message}\n`);
    return 1;
  }
  const why = await new Promise<string>((res) => {
    process.once('SIGTERM', () => res('SIGTERM'));
    process.once('SIGINT', () => res('SIGINT'));
    void running.service.stopped.then(() => res('stopped'));
  });
  try {
    if (why === 'SIGTERM' && sigterm === 'graceful') {
      log.info({ signal: why }, 'stopping gracefully: waiting for running builds');
      await running.service.graceful();
    } else if (why !== 'stopped') {
      log.info({ signal: why }, 'stopping: aborting running builds');
    }
    await running.close(0);
  } catch (err) {
    log.error({ err }, 'error while stopping');
    return 1;
  }
  return 0;
}

/**
 * The executor `zuul-ts serve` runs beside its other components. Without
 * `[database] dburi` there is no store to take builds from, so none is
 * started (logged). An executor that cannot start is logged; serve keeps
 * running without it.
 */
export async function startServeExecutor(
  confPath: string,
  opts: ExecutorRunOptions,
): Promise<RunningExecutor | undefined> {
  try {
    const conf = loadZuulConf(confPath);
    if (!conf.get('database', 'dburi')) {
      opts.log.info('no [database] dburi: the executor is not started');
      return undefined;
    }
    return await startExecutor(conf, { ...opts, commandSocketOptional: true });
  } catch (err) {
    opts.log.error({ err }, 'cannot start the executor');
    return undefined;
  }
}

const ANSWERS: Record<string, string> = {
  pause: 'Executor paused: it takes no new builds',
  unpause: 'Executor resumed: it takes builds again',
  graceful: 'Executor stopping gracefully: it takes no new builds and exits after the running ones',
};

/** `zuul-ts executor-pause|executor-resume|executor-graceful`. */
export async function executorControlCommand(opts: {
  config: string;
  command: 'pause' | 'unpause' | 'graceful';
}): Promise<number> {
  let path: string;
  try {
    path = executorServiceSettings(loadZuulConf(opts.config)).commandSocket;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 1;
  }
  let answer: string;
  try {
    answer = await sendCommand(path, opts.command);
  } catch (err) {
    process.stderr.write(
      `Cannot reach a running zuul-ts executor at ${path}: ${(err as Error).message}\n`,
    );
    return 1;
  }
  if (answer.startsWith('ok')) {
    const detail = answer.slice(2).replace(/^:\s*/, '');
    process.stdout.write(`${ANSWERS[opts.command]}${detail ? ` (${detail})` : ''}\n`);
    return 0;
  }
  process.stderr.write(`${answer || 'no answer from the executor'}\n`);
  return 1;
}
