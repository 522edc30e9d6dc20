// The executor component: claims build requests from the store's request
// queue (only its zone's, see service-settings.ts), runs each with
// runBuild, writes what happens to it as build events (events.ts) and its
// result back to the request, and is registered in the component registry
// as an `executor` (running or paused). Any number of executors may share
// one store: the queue gives each request to one of them, and a request a
// dead executor held goes to another once its lease runs out.
//
// It claims another build only while the governor (governor.ts) allows:
// not paused, not too many builds still preparing, load, memory, disk and
// inodes within `[executor]` limits. A requester's cancel aborts the build
// (cleanup playbooks run; the result is ABORTED); a build directory over
// `disk_limit_per_job` is aborted with DISK_FULL; a paused build
// (zuul_return pause) waits for its requester's resume event.

import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { Logger } from 'pino';
import { ComponentRegistry } from '../store/component-registry.js';
import type { ComponentState } from '../store/components.js';
import type { Store } from '../store/db.js';
import { type ClaimedRequest, RequestQueue } from '../store/requests.js';
import type { RequestSignals } from '../store/requests-signals.js';
import { RequestWorker } from '../store/requests-worker.js';
import { BuildEvents } from './events.js';
import { Governor, type Measurement, type Verdict } from './governor.js';
import { cpuCount, hostSensors } from './governor-sensors.js';
import type { BuildEvent, BuildRequest, BuildResultPayload } from './protocol.js';
import type { RunBuildContext } from './run-build.js';
import {
  parseBuildRequest,
  RunningBuild,
  retryResult,
  type StopReason,
  serviceResult,
} from './service-build.js';
import { measureBuildDirs } from './service-disk.js';
import { type ExecutorServiceSettings, executorKinds } from './service-settings.js';
import type { ExecutorSettings } from './settings.js';

/** runBuild's shape (run-build.ts); tests and benchmarks may pass their own. */
export type BuildFunction = (
  request: BuildRequest,
  ctx: RunBuildContext,
) => Promise<BuildResultPayload>;

/** What every build's context shares. */
export type SharedBuildContext = Omit<
  RunBuildContext,
  'settings' | 'log' | 'signal' | 'onEvent' | 'waitForResume'
>;

export interface ExecutorServiceOptions {
  store: Store;
  /** Wake-ups for new requests, cancels and resumes; without them the service polls. */
  signals?: RequestSignals;
  settings: ExecutorSettings;
  service: ExecutorServiceSettings;
  runBuild: BuildFunction;
  buildContext: SharedBuildContext;
  /** The governor's view of the host (default: this host's, governor-sensors.ts). */
  measure?: () => Promise<Measurement>;
  /** CPUs the load limit scales with (default: this host's). */
  cpus?: number;
  version: string | null;
  /** Request lease (default 60 s): how long a dead executor holds a build up. */
  leaseMs?: number;
  /** Poll period for new requests without cross-process wake-ups (default 1 s). */
  pollMs?: number;
  /** Builds at once, whatever the governor says (default: no limit but the governor's). */
  concurrency?: number;
  /** Component heartbeat period (default 10 s). */
  heartbeatMs?: number;
  /** Governor period (default 10 s, Zuul's): how soon a host back within limits claims again. */
  governorMs?: number;
  /** How often running builds look for a cancel or resume (default 1 s). */
  controlMs?: number;
  /** How often build directories are measured against disk_limit_per_job (default 10 s). */
  diskCheckMs?: number;
  /** Finished requests nobody collected are deleted after this (default 1 h). */
  retentionMs?: number;
  log: Logger;
}

/** The request queue as the worker sees it: a claim happens only when the governor allows. */
class GovernedQueue extends RequestQueue {
  constructor(
    store: Store,
    private readonly admit: () => Promise<boolean>,
  ) {
    super(store);
  }

  override async claim(worker: string, kinds: readonly string[], leaseMs: number) {
    if (!(await this.admit())) return undefined;
    return super.claim(worker, kinds, leaseMs);
  }
}

export interface BuildInfo {
  requestId: string;
  uuid: string;
  job: string;
  attempt: number;
  starting: boolean;
  paused: boolean;
}

export class ExecutorService {
  /** Component id: in the registry, and on the requests this executor claims. */
  readonly id = randomUUID();
  readonly kinds: readonly string[];
  readonly governor: Governor;
  readonly events: BuildEvents;
  readonly hostname: string;
  /** Settles when the service has stopped (after stop() or a graceful stop). */
  readonly stopped: Promise<void>;
  private readonly queue: RequestQueue;
  private readonly worker: RequestWorker;
  /** Its row in the component registry, heartbeating. */
  private readonly presence: ComponentRegistry;
  private readonly builds = new Map<string, RunningBuild>();
  private readonly log: Logger;
  private accepting?: boolean;
  private stopping = false;
  private timers: NodeJS.Timeout[] = [];
  private unsubscribe?: () => void;
  private controlling?: Promise<void>;
  private controlAgain = false;
  private measuring = false;
  private resolveStopped!: () => void;
  private gracefulRun?: Promise<void>;

  constructor(private readonly opts: ExecutorServiceOptions) {
    this.log = opts.log;
    this.hostname = opts.settings.hostname;
    this.kinds = executorKinds(opts.service.zone, opts.service.allowUnzoned);
    this.stopped = new Promise((res) => {
      this.resolveStopped = res;
    });
    this.governor = new Governor(
      {
        loadMultiplier: opts.service.loadMultiplier,
        minAvailMem: opts.service.minAvailMem,
        minAvailHdd: opts.service.minAvailHdd,
        minAvailInodes: opts.service.minAvailInodes,
        maxStartingBuilds: opts.service.maxStartingBuilds,
        cpus: opts.cpus ?? cpuCount(),
      },
      opts.measure ?? hostSensors(opts.settings.stateDir),
      { paused: opts.service.pausedOnStart },
    );
    this.presence = new ComponentRegistry({
      store: opts.store,
      kinds: ['executor'],
      ids: { executor: this.id },
      initialState: this.componentState(),
      version: opts.version,
      hostname: this.hostname,
      intervalMs: opts.heartbeatMs,
      // Never sooner than other components' default staleness (3 × 10 s).
      cleanupFloorMs: 30_000,
      log: this.log,
    });
    this.events = new BuildEvents(opts.store);
    this.queue = new RequestQueue(opts.store);
    const leaseMs = opts.leaseMs ?? 60_000;
    this.worker = new RequestWorker({
      queue: new GovernedQueue(opts.store, () => this.admit()),
      signals: opts.signals,
      workerId: this.id,
      kinds: this.kinds,
      handler: (claim, signal) => this.handle(claim, signal),
      leaseMs,
      pollMs: opts.pollMs,
      // Expired leases are only found by looking: at least once per lease.
      listeningPollMs: Math.min(10_000, leaseMs),
      concurrency: opts.concurrency ?? Number.POSITIVE_INFINITY,
      retentionMs: opts.retentionMs,
      log: this.log,
    });
  }

  get paused(): boolean {
    return this.governor.isPaused;
  }

  /** The builds this executor holds now. */
  runningBuilds(): BuildInfo[] {
    return [...this.builds.values()].map((b) => ({
      requestId: b.claim.id,
      uuid: b.uuid,
      job: b.request.job.name,
      attempt: b.claim.attempt,
      starting: b.starting,
      paused: b.paused,
    }));
  }

  /** Registers the component and starts taking builds. */
  async start(): Promise<void> {
    mkdirSync(this.opts.settings.jobDir, { recursive: true });
    mkdirSync(this.opts.settings.stateDir, { recursive: true });
    await this.presence.start();
    const every = (ms: number, fn: () => void) => {
      const t = setInterval(fn, ms);
      t.unref();
      this.timers.push(t);
    };
    // The worker looks for work only when woken; a host back within its
    // limits must look again by itself.
    every(this.opts.governorMs ?? 10_000, () => {
      if (!this.accepting) this.worker.wake();
    });
    every(this.opts.controlMs ?? 1000, () => this.control());
    every(60_000, () => {
      this.events
        .prune(this.opts.retentionMs ?? 3_600_000)
        .then((pruned) => pruned && this.log.debug({ pruned }, 'pruned build events'))
        .catch((err) => this.log.warn({ err }, 'cannot prune build events'));
    });
    if (this.opts.service.diskLimitPerJob >= 0) {
      every(this.opts.diskCheckMs ?? 10_000, () => void this.checkDisk());
    }
    this.unsubscribe = this.opts.signals?.onDone((id) => {
      if (this.builds.has(id)) this.control();
    });
    this.worker.start();
    this.log.info(
      {
        component: this.id,
        kinds: this.kinds,
        zone: this.opts.service.zone,
        paused: this.paused,
        hostname: this.hostname,
      },
      'executor started',
    );
  }

  /** Stops taking new builds (running ones go on). */
  async pause(): Promise<void> {
    this.governor.setPaused(true);
    await this.setState();
    this.log.info({ running: this.builds.size }, 'executor paused');
  }

  /** Takes builds again after pause(). */
  async resume(): Promise<void> {
    if (this.gracefulRun) throw new Error('the executor is stopping gracefully');
    this.governor.setPaused(false);
    await this.setState();
    this.log.info('executor resumed');
    this.worker.wake();
  }

  /**
   * Stops taking builds, waits for every running build to finish, then
   * stops. Resolves when stopped.
   */
  graceful(): Promise<void> {
    this.gracefulRun ??= (async () => {
      await this.pause();
      this.log.info({ running: this.builds.size }, 'graceful stop: waiting for running builds');
      // A claim may be under way as the pause lands; the worker's count covers it.
      while (this.builds.size || this.worker.active) {
        await new Promise((res) => setTimeout(res, 250));
      }
      await this.stop(0);
    })();
    return this.gracefulRun;
  }

  /**
   * Stops taking builds; running ones get `graceMs` to finish, then are
   * aborted (cleanup playbooks run, result ABORTED). Leaves the registry.
   */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.stopping) return this.stopped;
    this.stopping = true;
    this.log.info({ component: this.id, running: this.builds.size }, 'executor stopping');
    for (const t of this.timers) clearInterval(t);
    this.unsubscribe?.();
    await this.worker.stop(graceMs);
    await this.controlling?.catch(() => {});
    await this.presence.stop();
    this.log.info({ component: this.id }, 'executor stopped');
    this.resolveStopped();
  }

  // ---- admission -------------------------------------------------------------

  private async admit(): Promise<boolean> {
    if (this.stopping) return false;
    let starting = 0;
    for (const b of this.builds.values()) if (b.starting) starting++;
    let verdict: Verdict;
    try {
      verdict = await this.governor.check({ starting, running: this.builds.size });
    } catch (err) {
      this.log.warn({ err }, 'cannot measure this host; not taking builds');
      return false;
    }
    if (verdict.ok !== this.accepting) {
      this.accepting = verdict.ok;
      if (verdict.ok) this.log.info({ limits: verdict.readings }, 'accepting builds');
      else this.log.info({ reasons: verdict.reasons }, 'not accepting builds');
    }
    return verdict.ok;
  }

  // ---- one build -------------------------------------------------------------

  private async handle(claim: ClaimedRequest, workerSignal: AbortSignal): Promise<unknown> {
    // A payload the executor cannot read fails the request (no retry).
    const request = parseBuildRequest(claim.payload);
    const b = new RunningBuild(claim, request);
    this.builds.set(claim.id, b);
    // runBuild's own log lines add the build and job.
    const log = this.log.child({ request: claim.id });
    const onWorkerAbort = () => void this.workerAborted(b);
    workerSignal.addEventListener('abort', onWorkerAbort, { once: true });
    log.info(
      { build: request.uuid, job: request.job.name, attempt: claim.attempt },
      'build claimed',
    );
    let result: BuildResultPayload;
    try {
      result = await this.opts.runBuild(request, {
        ...this.opts.buildContext,
        settings: this.opts.settings,
        log,
        signal: b.abort.signal,
        onEvent: (e) => this.onEvent(b, e),
        waitForResume: (signal) => b.waitForResume(signal),
      });
    } catch (err) {
      const detail = `executor error: ${(err as Error).message}`;
      log.error({ err }, 'build failed in the executor');
      result = serviceResult(
        request,
        b.reason ? 'ABORTED' : retryResult(request),
        detail,
        this.hostname,
      );
    } finally {
      workerSignal.removeEventListener('abort', onWorkerAbort);
      this.builds.delete(claim.id);
    }
    if (b.reason === 'disk') {
      result = {
        ...result,
        result: 'DISK_FULL',
        errorDetail: `The build directory used more than disk_limit_per_job (${this.opts.service.diskLimitPerJob} MB)`,
      };
    }
    await b.flushed();
    // A cancelled request takes no result: it goes to the requester as an event.
    if (b.reason === 'cancel') {
      await this.events
        .append(claim.id, { type: 'result', uuid: request.uuid, result }, claim.attempt)
        .catch((err) => log.warn({ err }, 'cannot record the result of a cancelled build'));
    }
    const now = Date.now();
    log.info(
      {
        build: request.uuid,
        result: result.result,
        reason: b.reason,
        prepareMs: b.firstPlaybookAt === undefined ? null : b.firstPlaybookAt - b.claimedAt,
        totalMs: now - b.claimedAt,
      },
      'build finished',
    );
    return result;
  }

  private onEvent(b: RunningBuild, e: BuildEvent): void {
    const at = Date.now();
    if (e.type === 'playbook' && e.state === 'start' && b.firstPlaybookAt === undefined) {
      b.firstPlaybookAt = at;
      // One build fewer is starting: the governor may allow another.
      this.worker.wake();
    }
    if (e.type === 'paused') this.log.info({ build: b.uuid }, 'build paused');
    b.enqueue(() =>
      this.events
        .append(b.claim.id, e, b.claim.attempt, at)
        .catch((err) => this.log.warn({ err, build: b.uuid }, 'cannot record a build event')),
    );
  }

  /** The worker gave up the claim: cancelled, taken over, or the executor stops. */
  private async workerAborted(b: RunningBuild): Promise<void> {
    let reason: StopReason = this.stopping ? 'shutdown' : 'lost';
    if (!this.stopping) {
      const rec = await this.queue.get(b.claim.id).catch(() => undefined);
      if (!rec || rec.state === 'cancelled') reason = 'cancel';
    }
    if (!b.reason) this.log.info({ build: b.uuid, reason }, 'stopping build');
    b.stop(reason);
  }

  // ---- cancels, resumes, disk --------------------------------------------------

  /** Looks for cancelled requests and resumed pauses among our builds. */
  private control(): void {
    if (this.controlling) {
      this.controlAgain = true;
      return;
    }
    this.controlling = this.controlOnce()
      .catch((err) => this.log.warn({ err }, 'cannot check running builds for cancels'))
      .finally(() => {
        this.controlling = undefined;
        if (this.controlAgain && !this.stopping) {
          this.controlAgain = false;
          this.control();
        }
      });
  }

  private async controlOnce(): Promise<void> {
    const live = [...this.builds.values()].filter((b) => !b.reason);
    if (live.length) {
      const rows = await this.opts.store.db
        .selectFrom('requests')
        .select(['id', 'state'])
        .where(
          'id',
          'in',
          live.map((b) => b.claim.id),
        )
        .execute();
      const state = new Map(rows.map((r) => [r.id, r.state]));
      for (const b of live) {
        const s = state.get(b.claim.id);
        if (s === undefined || s === 'cancelled') {
          this.log.info({ build: b.uuid }, 'build cancelled by its requester; aborting it');
          b.stop('cancel');
        }
      }
    }
    for (const b of this.builds.values()) {
      if (!b.paused) continue;
      if (await this.events.resumeRequested(b.claim.id, b.claim.attempt)) {
        this.log.info({ build: b.uuid }, 'build resumed');
        b.resume();
      }
    }
  }

  private async checkDisk(): Promise<void> {
    if (this.measuring || !this.builds.size) return;
    this.measuring = true;
    try {
      const limit = this.opts.service.diskLimitPerJob;
      const builds = [...this.builds.values()];
      const sizes = await measureBuildDirs(
        this.opts.settings.jobDir,
        builds.map((b) => b.uuid),
        this.opts.settings.gitDir,
      );
      for (const b of builds) {
        const mb = sizes.get(b.uuid);
        if (mb === undefined || mb <= limit || b.reason) continue;
        this.log.warn({ build: b.uuid, mb, limit }, 'build directory over disk_limit_per_job');
        b.stop('disk');
      }
    } finally {
      this.measuring = false;
    }
  }

  // ---- registry --------------------------------------------------------------

  private componentState(): ComponentState {
    return this.paused ? 'paused' : 'running';
  }

  private async setState(): Promise<void> {
    if (this.stopping) return;
    await this.presence.setState(this.componentState());
  }
}
