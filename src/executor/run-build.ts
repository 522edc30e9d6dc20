// One build from request to result: prepare the build directory
// (prepare/), run its playbooks (runner.ts), keep its logs under the log
// root and answer with the result payload of protocol.ts. This is what
// the executor service calls for each claimed request, and what
// `zuul-ts run-job` calls in the foreground.

import { existsSync } from 'node:fs';
import { cp, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { MergerError } from '../merger/errors.js';
import type { RepoCache } from '../merger/repo-cache.js';
import { type AnsibleInstall, findAnsible } from './ansible-install.js';
import { type BuildPaths, createBuildDir } from './build-dir.js';
import { JobOutput } from './job-output.js';
import {
  type BuildKeys,
  PrepareAborted,
  type PreparedBuildInfo,
  PrepareError,
  prepareBuild,
} from './prepare/index.js';
import { requestProblem } from './prepare/validate.js';
import type {
  BuildEvent,
  BuildPlaybookResult,
  BuildRequest,
  BuildResultName,
  BuildResultPayload,
} from './protocol.js';
import { returnedZuul } from './results.js';
import { type BuildOutcome, BuildRunner } from './runner.js';
import type { ExecutorSettings } from './settings.js';
import { SshAgent } from './ssh-agent.js';
import { VarsError } from './vars/variables.js';

export interface RunBuildContext {
  settings: ExecutorSettings;
  /** The executor's repository cache: workspace and playbook checkouts are cloned from it. */
  repoCache: RepoCache;
  /**
   * Secrets keys (to decrypt the playbooks' secrets) and SSH keys (tenant
   * key always, project key in post-review pipelines). Without it a build
   * whose playbooks have secrets ends with ERROR, and the build's ssh-agent
   * holds no Zuul key.
   */
  keystore?: BuildKeys;
  /** Default: found from `[executor] ansible_root`, the project venv or PATH. */
  ansible?: AnsibleInstall;
  /** `none` only where bubblewrap cannot run (development machines). */
  sandbox?: 'bwrap' | 'none';
  log: Logger;
  /** Aborting stops the running playbook; cleanup playbooks still run; the result is ABORTED. */
  signal: AbortSignal;
  onEvent?: (e: BuildEvent) => void;
  /**
   * Called after a `paused` event (zuul_return `zuul.pause: true` in the
   * run phase); the build continues with its post playbooks when it
   * resolves. Without it a pause is not honoured (nothing could resume it).
   */
  waitForResume?: (signal: AbortSignal) => Promise<void>;
  /** Keep the build directory afterwards (Zuul's keep-jobdir). */
  keepBuildDir?: boolean;
}

/** Where a finished build's logs are kept, and the URL they are served at. */
export function buildLogLocation(
  settings: ExecutorSettings,
  uuid: string,
): { dir: string; url: string } {
  const dir = join(settings.logRoot, uuid);
  const url = settings.webRoot
    ? `${settings.webRoot.replace(/\/+$/, '')}/logs/${uuid}/`
    : `file://${dir}/`;
  return { dir, url };
}

/** Whether the build's hosts are reached over the network (an ssh-agent is needed). */
function needsAgent(req: BuildRequest): boolean {
  return req.nodes.some((n) => (n.connectionType ?? 'ssh') !== 'local');
}

async function startAgent(req: BuildRequest, ctx: RunBuildContext): Promise<SshAgent> {
  const agent = await SshAgent.start();
  try {
    if (existsSync(ctx.settings.privateKeyFile)) await agent.addFile(ctx.settings.privateKeyFile);
    if (ctx.keystore) {
      const tenant = await ctx.keystore.getTenantSshKey(req.tenant);
      await agent.add(`tenant ${req.tenant} SSH key`, tenant.privatePem);
      if (req.pipeline.postReview) {
        const p = req.change.project;
        const proj = Object.values(req.projects).find(
          (bp) => bp.canonicalName === `${p.canonicalHostname}/${p.name}`,
        );
        if (proj) {
          const key = await ctx.keystore.getProjectSshKey(proj.connection, proj.name);
          await agent.add(`project ${proj.name} SSH key`, key.privatePem);
        }
      }
    }
    return agent;
  } catch (e) {
    agent.stop();
    throw e;
  }
}

function playbookResult(p: BuildOutcome['playbooks'][number]): BuildPlaybookResult {
  return {
    phase: p.phase,
    index: p.index,
    playbook: p.playbook,
    trusted: p.trusted,
    outcome: p.outcome,
    exitCode: p.exitCode,
    elapsedMs: p.elapsedMs,
  };
}

/** Runs one build; never throws for anything the build itself did. */
export async function runBuild(
  request: BuildRequest,
  ctx: RunBuildContext,
): Promise<BuildResultPayload> {
  const s = ctx.settings;
  const log = ctx.log.child({ build: request?.uuid, job: request?.job?.name });
  let paths: BuildPaths | undefined;
  let startTime: string | null = null;
  let agent: SshAgent | undefined;
  const base = (
    result: BuildResultName,
    errorDetail: string | null,
    outcome?: BuildOutcome,
  ): BuildResultPayload => {
    const z = outcome?.zuul;
    const logUrl = z?.logUrl ?? (paths ? buildLogLocation(s, request.uuid).url : null);
    return {
      uuid: String(request?.uuid ?? ''),
      result,
      errorDetail,
      logUrl,
      data: outcome?.returned.data ?? {},
      secretData: outcome?.returned.secretData ?? {},
      artifacts: (z?.artifacts ?? []).map((a) => ({ ...a, url: joinUrl(a.url, logUrl) })),
      warnings: z?.warnings ?? [],
      fileComments: z?.fileComments ?? null,
      childJobs: z?.childJobs ?? null,
      unreachable: outcome?.unreachable ?? false,
      earlyFailure: outcome?.earlyFailure ?? false,
      startTime,
      endTime: new Date().toISOString(),
      executorHostname: s.hostname,
      playbooks: outcome?.playbooks.map(playbookResult) ?? [],
    };
  };
  const retryOrLimit = (): BuildResultName =>
    request.attempt >= request.job.attempts ? 'RETRY_LIMIT' : 'RETRY';

  const problem = requestProblem(request);
  if (problem) {
    log.error({ problem }, 'invalid build request');
    return base('ERROR', problem);
  }
  try {
    paths = createBuildDir(s.jobDir, request.uuid);
  } catch (e) {
    log.error({ err: e }, 'cannot create the build directory');
    return base(retryOrLimit(), `Cannot create the build directory: ${(e as Error).message}`);
  }
  const out = new JobOutput(paths.jobOutput);
  const emit = (e: BuildEvent) => {
    try {
      ctx.onEvent?.(e);
    } catch (err) {
      log.warn({ err }, 'build event handler failed');
    }
  };
  emit({
    type: 'started',
    uuid: request.uuid,
    url: `finger://${s.hostname}/${request.uuid}`,
    executorHostname: s.hostname,
    consoleLog: paths.jobOutput,
  });

  const execute = async (buildPaths: BuildPaths): Promise<BuildResultPayload> => {
    out.line('Job console starting');
    const ansible =
      ctx.ansible ??
      findAnsible({ ansibleRoot: s.ansibleRoot, version: request.job.ansibleVersion ?? undefined });
    let prepared: PreparedBuildInfo;
    try {
      prepared = await prepareBuild(request, buildPaths, out, {
        repoCache: ctx.repoCache,
        keystore: ctx.keystore,
        hostname: s.hostname,
        defaultUsername: s.defaultUsername,
        variablesFile: s.variablesFile,
        ansibleVersion: ansible.zuulVersion,
        signal: ctx.signal,
      });
      if (needsAgent(request)) agent = await startAgent(request, ctx);
    } catch (e) {
      if (e instanceof PrepareAborted || ctx.signal.aborted) return base('ABORTED', null);
      if (e instanceof PrepareError || e instanceof VarsError) {
        out.line(`ERROR: ${e.message}`);
        return base('ERROR', e.message);
      }
      if (e instanceof MergerError) {
        // Fetching or reproducing a repository failed: may pass, try again.
        out.line(`Failed to prepare repositories: ${e.message}`);
        log.warn({ err: e }, 'repository preparation failed');
        return base(retryOrLimit(), `Failed to prepare repositories: ${e.message}`);
      }
      throw e;
    }

    const runner = new BuildRunner(prepared.build, {
      ansible,
      sandbox: ctx.sandbox,
      trustedRoPaths: s.trustedRoPaths,
      trustedRwPaths: s.trustedRwPaths,
      untrustedRoPaths: s.untrustedRoPaths,
      untrustedRwPaths: s.untrustedRwPaths,
      callbacks: s.callbacks,
      sshAuthSock: agent?.socket,
      attempt: request.attempt,
      maxAttempts: request.job.attempts,
      onEarlyFailure: () => emit({ type: 'early_failure', uuid: request.uuid }),
      onPlaybook: (ev) => {
        startTime ??= new Date().toISOString();
        emit({
          type: 'playbook',
          uuid: request.uuid,
          state: ev.state,
          playbook: playbookResult({
            outcome: 'NORMAL',
            exitCode: null,
            elapsedMs: 0,
            ...ev.report,
          } as BuildOutcome['playbooks'][number]),
        });
      },
      ...(ctx.waitForResume
        ? {
            onPause: async (returned) => {
              emit({
                type: 'paused',
                uuid: request.uuid,
                data: returned.data,
                secretData: returned.secretData,
                artifacts: artifactsOf(returned.data).map((a) => ({
                  ...a,
                  url: joinUrl(a.url, buildLogLocation(s, request.uuid).url),
                })),
              });
              // An abort while paused ends the wait: the runner then runs cleanup only.
              await ctx.waitForResume!(ctx.signal).catch((err) => {
                if (!ctx.signal.aborted) throw err;
              });
            },
          }
        : {}),
    });
    const onAbort = () => runner.abort();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    if (ctx.signal.aborted) runner.abort();
    let outcome: BuildOutcome;
    try {
      outcome = await runner.run();
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
    }
    const result: BuildResultName = outcome.result === 'RETRY' ? retryOrLimit() : outcome.result;
    return base(result, outcome.error ?? null, outcome);
  };

  let payload: BuildResultPayload;
  try {
    payload = await execute(paths);
  } catch (e) {
    // An executor-side fault: no result, so the scheduler tries again.
    log.error({ err: e }, 'build failed unexpectedly');
    out.line(`Executor error: ${(e as Error).message}`);
    payload = base(retryOrLimit(), `Executor error: ${(e as Error).message}`);
  } finally {
    agent?.stop();
  }
  await keepLogs(paths, buildLogLocation(s, request.uuid).dir, log);
  // Not synchronously: removing a build directory's few hundred files and
  // directories would stop every other build's work meanwhile.
  if (!ctx.keepBuildDir) await rm(paths.root, { recursive: true, force: true });
  return payload;
}

/**
 * Relative artifact URLs are relative to the build's logs: to zuul_return's
 * log_url (already joined), else to the executor's own log URL.
 */
function joinUrl(url: string, base: string | null): string {
  if (!base || /^[a-z][a-z0-9+.-]*:/i.test(url)) return url;
  try {
    return new URL(url, base).toString();
  } catch {
    return url;
  }
}

/** Returned artifacts, or none when the returned data is malformed (the build then errs). */
function artifactsOf(data: Parameters<typeof returnedZuul>[0]) {
  try {
    return returnedZuul(data).artifacts;
  } catch {
    return [];
  }
}

/** Copies work/logs to the log root (secret data was never written there). */
async function keepLogs(paths: BuildPaths, dest: string, log: Logger): Promise<void> {
  try {
    await mkdir(dest, { recursive: true });
    await cp(paths.logs, dest, { recursive: true, dereference: false });
  } catch (err) {
    log.warn({ err }, 'could not keep the build logs');
  }
}
