// `zuul-ts merger -c zuul.conf`: run a merger until SIGTERM/SIGINT, taking
// merge requests from the state store (`[database] dburi`). `zuul-ts
// serve` starts the same thing in its process (startMerger).

import { basename, dirname, join } from 'node:path';
import { type Logger, pino } from 'pino';
import { loadSystemConfig, type SystemConfig } from '../config/system.js';
import { Merger } from '../merger/merger.js';
import type { MergeWorker } from '../merger/protocol.js';
import { RepoCache } from '../merger/repo-cache.js';
import { MergerService } from '../merger/service.js';
import { openStore, type Store, storeOptionsFromConf } from '../store/db.js';
import { RequestSignals } from '../store/requests-signals.js';
import { parseLeaseOption } from './lease-option.js';

const DEFAULT_GIT_DIR = '/var/lib/zuul/merger-git';

export interface MergerRunOptions {
  version: string;
  log: Logger;
  /** Request lease in ms (default 60 s). */
  leaseMs?: number;
  /** How long running requests get to finish on stop (ms, default 10 s). */
  graceMs?: number;
  /**
   * Mirror directory; default `[merger] git_dir`. `serve` passes another,
   * because its configuration loading already uses git_dir.
   */
  gitDir?: string;
}

export interface RunningMerger {
  readonly service: MergerService;
  /** Stops the service (finishing or releasing its requests) and closes the store. */
  close(): Promise<void>;
}

/** Binds the service's operations to the merge engine. */
export function mergeWorkerFor(merger: Merger): MergeWorker {
  return {
    merge: async (p) => merger.mergeChanges(itemsOf(p, 'merge'), p.options),
    cat: async (p) => ({ files: await merger.getFiles(p) }),
    filesChanges: async (p) => ({ files: await merger.getFilesChanges(p) }),
    repoState: async (p) => merger.getRepoState(itemsOf(p, 'refstate'), { branches: p.branches }),
    refs: async (p) => merger.getRefs(p),
  };
}

/** A payload's items; requests come from the store, so their shape is checked. */
function itemsOf<T>(payload: { items: T[] } | null, what: string): T[] {
  if (!Array.isArray(payload?.items)) throw new Error(`A ${what} request needs a list of items`);
  return payload.items;
}

/** Opens the store and starts a merger on it; throws a readable error when it cannot. */
export async function startMerger(
  system: SystemConfig,
  opts: MergerRunOptions,
): Promise<RunningMerger> {
  const conf = system.conf;
  if (!conf.get('database', 'dburi')) {
    throw new Error(
      `${conf.path}: the merger needs [database] dburi (the state store it takes requests from)`,
    );
  }
  const storeOpts = storeOptionsFromConf(conf);
  const store: Store = await openStore(storeOpts);
  let signals: RequestSignals | undefined;
  try {
    signals = await RequestSignals.open(store, {
      uri: storeOpts.uri,
      baseDir: storeOpts.baseDir,
      onError: (err) => opts.log.warn({ err }, 'request wake-up connection lost; reconnecting'),
    });
    const gitDir = opts.gitDir ?? conf.resolvePath('merger', 'git_dir', DEFAULT_GIT_DIR)!;
    const repos = opts.gitDir
      ? new RepoCache({
          gitDir,
          timeoutSeconds: conf.getInt('merger', 'git_timeout', 300),
          lowSpeedLimit: conf.getInt('merger', 'git_http_low_speed_limit', 1000),
          lowSpeedTime: conf.getInt('merger', 'git_http_low_speed_time', 30),
        })
      : system.repos;
    const merger = new Merger(repos, {
      workRoot: join(gitDir, '.merger-work'),
      gitUserName: conf.get('merger', 'git_user_name'),
      gitUserEmail: conf.get('merger', 'git_user_email'),
    });
    const service = new MergerService({
      store,
      signals,
      worker: mergeWorkerFor(merger),
      version: opts.version,
      leaseMs: opts.leaseMs,
      log: opts.log,
    });
    await service.start();
    return {
      service,
      close: async () => {
        await service.stop(opts.graceMs ?? 10_000);
        signals?.close();
        await store.close();
      },
    };
  } catch (err) {
    signals?.close();
    await store.close().catch(() => {});
    throw err;
  }
}

/** Where `serve`'s merger keeps its mirrors: beside git_dir, not in it. */
export function serveMergerGitDir(system: SystemConfig): string {
  const gitDir = system.conf.resolvePath('merger', 'git_dir', DEFAULT_GIT_DIR)!;
  return join(dirname(gitDir), `${basename(gitDir)}-merger`);
}

export async function mergerCommand(opts: {
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
  let merger: RunningMerger;
  try {
    const system = loadSystemConfig(opts.config);
    for (const w of system.warnings) log.warn(w);
    merger = await startMerger(system, { version: opts.version, log, leaseMs });
  } catch (err) {
    log.fatal({ err }, 'cannot start the merger');
    process.stderr.write(`${(err as Error).message}\n`);
    return 1;
  }
  const signal = await new Promise<NodeJS.Signals>((res) => {
    process.once('SIGTERM', () => res('SIGTERM'));
    process.once('SIGINT', () => res('SIGINT'));
  });
  log.info({ signal }, 'shutting down');
  try {
    await merger.close();
  } catch (err) {
    log.error({ err }, 'error while stopping');
    return 1;
  }
  return 0;
}

/**
 * The merger `zuul-ts serve` runs beside its other components. Without
 * `[database] dburi` there is no store to share with other processes, and
 * nothing in this process asks yet, so none is started (logged). A merger
 * that cannot start is logged; serve keeps running without it.
 */
export async function startServeMerger(
  confPath: string,
  opts: Omit<MergerRunOptions, 'gitDir'>,
): Promise<RunningMerger | undefined> {
  try {
    const system = loadSystemConfig(confPath);
    if (!system.conf.get('database', 'dburi')) {
      opts.log.info('no [database] dburi: the merger is not started');
      return undefined;
    }
    return await startMerger(system, { ...opts, gitDir: serveMergerGitDir(system) });
  } catch (err) {
    opts.log.error({ err }, 'cannot start the merger');
    return undefined;
  }
}
