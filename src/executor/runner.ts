// Running a prepared build's playbooks in Zuul's order (semantics §F.7,
// §F.8 and the Zuul 14 pre-timeout): pre-run, run, post-run (cleanup
// playbooks merged in), deciding the result from how each ended.
//
// The result is one of SUCCESS, FAILURE, POST_FAILURE, TIMED_OUT, RETRY
// (a retryable outcome: pre-run failure, unreachable host; the caller turns
// it into RETRY_LIMIT when no attempts are left), ABORTED, or ERROR (the
// build could not be run at all, e.g. a malformed zuul_return).

import { writeFileSync } from 'node:fs';
import type { ExtraCallback } from './ansible-cfg.js';
import { type AnsibleInstall, pluginsDir } from './ansible-install.js';
import type { AnsibleRunResult, CallbackEvent, RunOutcome } from './ansible-process.js';
import { toAnsibleYaml } from './ansible-yaml.js';
import { buildPaths, type Phase, type PreparedBuild, type PreparedPlaybook } from './build-dir.js';
import { JobOutput } from './job-output.js';
import { type PlaybookContext, runPlaybook, UNTRUSTED_HARDENING } from './playbook-run.js';
import {
  ResultsFileError,
  type Returned,
  type ReturnedZuul,
  returnedZuul,
  takeResults,
} from './results.js';
import { findBwrap, SandboxConfigError } from './sandbox.js';

export type BuildResult =
  | 'SUCCESS'
  | 'FAILURE'
  | 'POST_FAILURE'
  | 'TIMED_OUT'
  | 'RETRY'
  | 'ABORTED'
  | 'ERROR';

export interface PlaybookReport {
  phase: Phase;
  index: number;
  playbook: string;
  trusted: boolean;
  outcome: RunOutcome;
  exitCode: number | null;
  elapsedMs: number;
}

export interface BuildOutcome {
  result: BuildResult;
  /** A host was unreachable (the scheduler moves to the next nodeset alternative). */
  unreachable: boolean;
  /** A failure was detected while playbooks were still running. */
  earlyFailure: boolean;
  returned: Returned;
  zuul: ReturnedZuul;
  playbooks: PlaybookReport[];
  /** Why the result is ERROR. */
  error?: string;
}

export interface RunnerOptions {
  ansible: AnsibleInstall;
  /** zuul-ts's ansible/ plugin directory (default: the one beside this code). */
  plugins?: string;
  /** `none` runs without isolation: for development machines without bubblewrap only. */
  sandbox?: 'bwrap' | 'none';
  /** The bwrap executable (default `bwrap` from PATH). */
  bwrap?: string;
  trustedRoPaths?: string[];
  trustedRwPaths?: string[];
  untrustedRoPaths?: string[];
  untrustedRwPaths?: string[];
  callbacks?: ExtraCallback[];
  sshAuthSock?: string;
  /** This try's number (1-based) and the job's `attempts`, for `zuul_will_retry`. */
  attempt?: number;
  maxAttempts?: number;
  /** Called once, as soon as a run or post playbook fails (for dependent pipelines). */
  onEarlyFailure?: () => void;
  /**
   * Called when the run phase succeeded and returned `zuul.pause: true`;
   * post playbooks start once it resolves (the dependents are done).
   */
  onPause?: (returned: Returned) => Promise<void>;
  /** Called before and after each playbook (progress display). */
  onPlaybook?: (ev: {
    state: 'start' | 'end';
    report: Omit<PlaybookReport, 'outcome' | 'exitCode' | 'elapsedMs'> & Partial<PlaybookReport>;
  }) => void;
}

function failed(r: AnsibleRunResult): boolean {
  return r.outcome !== 'NORMAL' || r.exitCode !== 0;
}

export class BuildRunner {
  private readonly controller = new AbortController();
  private readonly paths;
  private returned: Returned = { data: {}, secretData: {} };
  private earlyFailure = false;
  private earlyFailurePhase: Phase | undefined;
  private currentPhase: Phase = 'pre';
  private retryPending = false;
  private readonly reports: PlaybookReport[] = [];

  constructor(
    readonly build: PreparedBuild,
    readonly opts: RunnerOptions,
  ) {
    this.paths = buildPaths(build.root);
  }

  /** Stops the running playbook (its whole process group); cleanup playbooks still run. */
  abort(): void {
    this.controller.abort();
  }

  get aborted(): boolean {
    return this.controller.signal.aborted;
  }

  async run(): Promise<BuildOutcome> {
    const b = this.build;
    const p = this.paths;
    const out = new JobOutput(p.jobOutput);
    writeFileSync(p.inventory, toAnsibleYaml(b.inventory));
    writeFileSync(p.varsBlacklist, toAnsibleYaml(UNTRUSTED_HARDENING));
    const extraVarsFiles: string[] = [];
    if (b.zuulVars) {
      writeFileSync(p.zuulVars, toAnsibleYaml(b.zuulVars));
      extraVarsFiles.push(p.zuulVars);
    }
    extraVarsFiles.push(...(b.extraVarsFiles ?? []));
    try {
      return await this.phases(this.context(out, extraVarsFiles));
    } catch (e) {
      // Problems of the build's setup or returned data end it with ERROR;
      // anything else is a bug and propagates.
      if (!(e instanceof ResultsFileError || e instanceof SandboxConfigError)) throw e;
      out.line(`ERROR: ${e.message}`);
      return this.outcome('ERROR', false, e.message);
    }
  }

  private context(out: JobOutput, extraVarsFiles: string[]): PlaybookContext {
    const b = this.build;
    const sandbox = this.opts.sandbox ?? 'bwrap';
    return {
      paths: this.paths,
      ansible: this.opts.ansible,
      plugins: this.opts.plugins ?? pluginsDir(),
      sandbox,
      bwrap: sandbox === 'bwrap' ? findBwrap(this.opts.bwrap) : '',
      inventory: b.inventory,
      extraVarsFiles,
      failureOutput: b.failureOutput ?? [],
      callbacks: this.opts.callbacks ?? [],
      trustedRoPaths: this.opts.trustedRoPaths ?? [],
      trustedRwPaths: this.opts.trustedRwPaths ?? [],
      untrustedRoPaths: this.opts.untrustedRoPaths ?? [],
      untrustedRwPaths: this.opts.untrustedRwPaths ?? [],
      sshAuthSock: this.opts.sshAuthSock,
      jobOutput: out,
      signal: this.controller.signal,
      onEvent: (ev) => this.onEvent(ev),
    };
  }

  private onEvent(ev: CallbackEvent): void {
    if (ev.event !== 'early_failure' || this.earlyFailure || this.retryPending) return;
    if (this.currentPhase === 'pre') return;
    this.earlyFailure = true;
    this.earlyFailurePhase = this.currentPhase;
    this.opts.onEarlyFailure?.();
  }

  private outcome(result: BuildResult, unreachable: boolean, error?: string): BuildOutcome {
    let zuul: ReturnedZuul = { artifacts: [], warnings: [] };
    try {
      zuul = returnedZuul(this.returned.data);
    } catch (e) {
      if (!error) error = (e as Error).message;
      result = 'ERROR';
    }
    return {
      result,
      unreachable,
      earlyFailure: this.earlyFailure,
      returned: this.returned,
      zuul,
      playbooks: this.reports,
      ...(error ? { error } : {}),
    };
  }

  private async play(
    ctx: PlaybookContext,
    phase: Phase,
    index: number,
    pb: PreparedPlaybook,
    timeoutMs: number | null,
    post?: { success: boolean; willRetry: boolean },
  ): Promise<AnsibleRunResult> {
    this.currentPhase = phase;
    const base = {
      phase,
      index,
      playbook: pb.canonicalNameAndPath,
      trusted: pb.trusted,
    };
    this.opts.onPlaybook?.({ state: 'start', report: base });
    // Cleanup playbooks are not stopped by an abort: they are what runs after one.
    const signal = pb.cleanup ? new AbortController().signal : undefined;
    const r = await runPlaybook(ctx, { phase, index, playbook: pb, timeoutMs, signal, ...post });
    this.returned = takeResults(this.paths.results, this.returned);
    const report = { ...base, outcome: r.outcome, exitCode: r.exitCode, elapsedMs: r.elapsedMs };
    this.reports.push(report);
    this.opts.onPlaybook?.({ state: 'end', report });
    return r;
  }

  private async phases(ctx: PlaybookContext): Promise<BuildOutcome> {
    const b = this.build;
    const started = Date.now();
    const left = (budget: number | null | undefined): number | null =>
      budget === null || budget === undefined
        ? null
        : Math.max(0, budget * 1000 - (Date.now() - started));
    const preBudget = b.preTimeout ?? b.timeout;
    let result: BuildResult | undefined;
    let unreachable = false;
    let preFailed = false;
    let levelReached: number | undefined;

    for (const [i, pb] of b.pre.entries()) {
      if (this.aborted) break;
      const r = await this.play(ctx, 'pre', i, pb, left(preBudget));
      if (r.outcome === 'ABORTED') break;
      if (failed(r)) {
        preFailed = true;
        levelReached = pb.nestingLevel;
        unreachable = r.outcome === 'UNREACHABLE';
        break;
      }
    }
    if (preFailed) {
      // zuul_return {zuul: {retry: false}} in pre-run turns the retry into a failure.
      if (returnedZuul(this.returned.data).retry === false) result = 'FAILURE';
      else this.retryPending = true;
    }

    if (!preFailed && !this.aborted) {
      for (const [i, pb] of b.run.entries()) {
        const r = await this.play(ctx, 'run', i, pb, left(b.timeout));
        if (r.outcome === 'ABORTED') break;
        if (r.outcome === 'TIMED_OUT') {
          result = 'TIMED_OUT';
          break;
        }
        if (r.outcome === 'UNREACHABLE') {
          unreachable = true;
          this.retryPending = true;
          break;
        }
        if (failed(r)) {
          result = 'FAILURE';
          break;
        }
      }
      if (!result && !this.retryPending && !this.aborted) {
        result = this.earlyFailure && this.earlyFailurePhase === 'run' ? 'FAILURE' : 'SUCCESS';
      }
    }

    if (result === 'SUCCESS' && this.opts.onPause && !this.aborted) {
      if (returnedZuul(this.returned.data).pause === true) await this.opts.onPause(this.returned);
    }

    let success = result === 'SUCCESS';
    const postTimeout = b.postTimeout ?? null;
    for (const [i, pb] of b.post.entries()) {
      if (this.aborted && !pb.cleanup) continue;
      if (
        preFailed &&
        levelReached !== undefined &&
        pb.nestingLevel !== undefined &&
        pb.nestingLevel > levelReached
      ) {
        continue;
      }
      const willRetry =
        this.retryPending && (this.opts.attempt ?? 1) < (this.opts.maxAttempts ?? Infinity);
      const r = await this.play(
        ctx,
        'post',
        i,
        pb,
        postTimeout === null ? null : postTimeout * 1000,
        {
          success,
          willRetry,
        },
      );
      if (pb.cleanup || r.outcome === 'ABORTED') continue;
      if (r.outcome === 'UNREACHABLE') {
        unreachable = true;
        this.retryPending = true;
      } else if (failed(r)) {
        success = false;
        if (result !== 'TIMED_OUT' && !this.retryPending) result = 'POST_FAILURE';
      }
    }

    if (this.aborted) return this.outcome('ABORTED', unreachable);
    if (this.retryPending) return this.outcome('RETRY', unreachable);
    return this.outcome(result ?? 'FAILURE', unreachable);
  }
}
