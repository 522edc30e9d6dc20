// `zuul-ts run-job -c zuul.conf --tenant T --project P --branch B
// [--pipeline check] [--ref REF] [--no-deps] JOB`: runs one job of a
// project's job graph here and now, without a scheduler. The tenant's
// layout is built from git, the job frozen for the item (the branch tip,
// a tag, or a change ref merged into the branch by an in-process merger),
// its dependencies run first (their zuul_return data and artifacts passed
// down) unless --no-deps, and each build runs in the foreground with its
// console on standard output and a progress line per playbook on
// standard error. Exit 0 when JOB succeeds, 1 otherwise.
//
// Nodes of the job's nodeset are this machine (Ansible's `local`
// connection): there is no launcher to ask for real ones.

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { SystemConfig } from '../config/system.js';
import { type Deployment, openDeployment } from '../config/tenant-layout.js';
import { followLogLines } from '../executor/log-stream.js';
import { runJobSequence } from '../executor/prepare/job-sequence.js';
import { buildRequest } from '../executor/prepare/request.js';
import type { BuildKeys } from '../executor/prepare/secrets.js';
import type { BuildEvent, BuildRequest, BuildResultPayload } from '../executor/protocol.js';
import { runBuild } from '../executor/run-build.js';
import { type ExecutorSettings, executorSettings } from '../executor/settings.js';
import type { NodeInfo } from '../executor/vars/inventory.js';
import type { RefInfo } from '../executor/vars/refs.js';
import { Merger } from '../merger/merger.js';
import { combineRepoStates } from '../merger/repo-state.js';
import type { MergeMode, RepoState } from '../merger/types.js';
import {
  type FreezeChange,
  type FrozenJob,
  freezeJobGraph,
  transitive,
} from '../model/freeze/index.js';
import { type Layout, type LayoutProject, resolveProjectName } from '../model/layout.js';
import { openStore, storeOptionsFromConf } from '../store/db.js';
import { Keystore } from '../store/keystore.js';

export interface RunJobOptions {
  config: string;
  tenant: string;
  project: string;
  branch: string;
  pipeline?: string;
  ref?: string;
  /** false with --no-deps. */
  deps?: boolean;
  job: string;
  /** Keep build directories (default: removed after each build). */
  keep?: boolean;
  /** Where builds and logs go when zuul.conf sets no [executor] state_dir. */
  workDir?: string;
  /** `none`: run without bubblewrap (machines where it cannot run). */
  sandbox?: 'bwrap' | 'none';
}

export interface RunJobIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const defaultIo: RunJobIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

class RunJobError extends Error {}

/** The item the job runs for, and the repo state the merger made for it. */
interface Item {
  change: RefInfo;
  freeze: FreezeChange;
  repoState: RepoState;
}

function hostnameOf(p: LayoutProject): string {
  return p.canonicalName.slice(0, p.canonicalName.length - p.name.length - 1);
}

/** Gerrit `refs/changes/NN/N/PS` and GitHub/GitLab change refs name their change number. */
function changeNumber(ref: string): { change?: string; patchset?: string } {
  const gerrit = /^refs\/changes\/\d+\/(\d+)\/(\d+)$/.exec(ref);
  if (gerrit) return { change: gerrit[1], patchset: gerrit[2] };
  const pr = /^refs\/(?:pull|merge-requests)\/(\d+)\/head$/.exec(ref);
  if (pr) return { change: pr[1] };
  return {};
}

async function makeItem(
  system: SystemConfig,
  layout: Layout,
  merger: Merger,
  project: LayoutProject,
  branch: string,
  ref: string | undefined,
): Promise<Item> {
  const source = system.connections.get(project.connectionName)?.source;
  if (!source) throw new RunJobError(`Connection ${project.connectionName} has no git source`);
  const loc = {
    connection: project.connectionName,
    project: project.name,
    url: source.gitUrl(project.name),
  };
  const info = { name: project.name, canonicalHostname: hostnameOf(project) };
  const key = `${project.canonicalName}@${ref ?? branch}`;
  if (ref === undefined || ref.startsWith('refs/heads/')) {
    const b = ref ? ref.slice('refs/heads/'.length) : branch;
    const { repoState } = await merger.getRepoState([loc]);
    const head = repoState[loc.connection]?.[loc.project]?.refs[`refs/heads/${b}`];
    if (!head) throw new RunJobError(`Unknown branch: ${b} (not in ${project.name})`);
    return {
      change: { project: info, kind: 'branch', ref: `refs/heads/${b}`, branch: b, newrev: head },
      freeze: {
        project: project.canonicalName,
        branch: b,
        ref: `refs/heads/${b}`,
        files: null,
        key,
      },
      repoState,
    };
  }
  if (ref.startsWith('refs/tags/')) {
    const tag = ref.slice('refs/tags/'.length);
    const refs = await merger.getRefs(loc);
    const id = refs.tags[tag];
    if (!id) throw new RunJobError(`Unknown tag: ${tag} (not in ${project.name})`);
    const commit = (await merger.getRepoState([{ ...loc, ref, newrev: id }])).itemInBranches;
    const { repoState } = await merger.getRepoState([loc]);
    return {
      change: { project: info, kind: 'tag', ref, tag, newrev: id },
      freeze: { project: project.canonicalName, ref, containingBranches: commit, files: null, key },
      repoState,
    };
  }
  const mergeMode = (layout.projectMetadata.get(project.canonicalName)?.mergeMode ??
    source.defaultMergeMode) as MergeMode;
  const merged = await merger.mergeChanges([{ ...loc, branch, ref, mergeMode, label: ref }]);
  const result = merged.items[0]!;
  if (result.status !== 'MERGED') {
    throw new RunJobError(`${ref} cannot be merged into ${branch}: ${result.message}`);
  }
  const { repoState: pinned } = await merger.getRepoState([loc]);
  return {
    change: {
      project: info,
      kind: 'change',
      ref,
      branch,
      commitId: result.originalCommit,
      ...changeNumber(ref),
    },
    freeze: { project: project.canonicalName, branch, ref, files: null, key },
    repoState: combineRepoStates(merged.repoState, pinned),
  };
}

/** Every node of the job's first nodeset alternative, as this machine. */
function localNodes(job: FrozenJob): NodeInfo[] {
  return (job.nodesetAlternatives[0]?.nodes ?? []).map((n) => ({
    names: [...n.names],
    label: n.label,
    connectionType: 'local',
    interfaceIp: '127.0.0.1',
    publicIpv4: '127.0.0.1',
  }));
}

/** A keystore opened only when a build first needs a key (secrets). */
function lazyKeys(system: SystemConfig): { keys: BuildKeys; close: () => Promise<void> } {
  let opened: Promise<{ keystore: Keystore; close: () => Promise<void> }> | undefined;
  const open = () => {
    opened ??= (async () => {
      const store = await openStore(storeOptionsFromConf(system.conf));
      return { keystore: Keystore.fromConf(store, system.conf), close: () => store.close() };
    })();
    return opened.then((o) => o.keystore);
  };
  return {
    keys: {
      getProjectSecretsKey: async (c, p) => (await open()).getProjectSecretsKey(c, p),
      getProjectSshKey: async (c, p) => (await open()).getProjectSshKey(c, p),
      getTenantSshKey: async (t) => (await open()).getTenantSshKey(t),
    },
    close: async () => {
      const o = await opened?.catch(() => undefined);
      await o?.close();
    },
  };
}

function settingsFor(system: SystemConfig, opts: RunJobOptions): ExecutorSettings {
  const s = executorSettings(system.conf);
  if (opts.workDir || !system.conf.get('executor', 'state_dir')) {
    const dir = opts.workDir ?? mkdtempSync(join(tmpdir(), 'zuul-ts-run-job-'));
    return { ...s, jobDir: join(dir, 'builds'), logRoot: join(dir, 'logs') };
  }
  return s;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

export async function runJobCommand(
  opts: RunJobOptions,
  io: RunJobIo = defaultIo,
): Promise<number> {
  let deployment: Deployment | undefined;
  let keys: ReturnType<typeof lazyKeys> | undefined;
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    deployment = await openDeployment(opts.config);
    const system = deployment.system;
    const tenant = deployment.tenantFile.tenants.find((t) => t.name === opts.tenant);
    if (!tenant) throw new RunJobError(`Unknown tenant: ${opts.tenant}`);
    const layout = await deployment.layout(tenant);
    const pipelineName = opts.pipeline ?? 'check';
    const pl = layout.pipelines.get(pipelineName);
    if (!pl) throw new RunJobError(`Unknown pipeline: ${pipelineName} (tenant ${tenant.name})`);
    const project = resolveProjectName(layout, opts.project);
    if (!project) throw new RunJobError(`Unknown project: ${opts.project} (tenant ${tenant.name})`);
    if (!project.branches.includes(opts.branch)) {
      throw new RunJobError(
        `Unknown branch: ${opts.branch} (branches of ${project.name}: ${project.branches.join(', ')})`,
      );
    }

    const merger = Merger.fromConf(system.conf, system.repos);
    const item = await makeItem(system, layout, merger, project, opts.branch, opts.ref);
    const pipeline = { name: pl.name, postReview: pl.postReview };
    const graph = freezeJobGraph(
      layout,
      pipeline,
      { changes: [item.freeze] },
      { skipFileMatcher: true },
    );
    if (!graph.ok) throw new RunJobError(graph.message);
    const target = graph.graph.jobs.find((j) => j.name === opts.job);
    if (!target) {
      const names = graph.graph.jobs.map((j) => j.name).join(', ') || 'none';
      throw new RunJobError(
        `Job ${opts.job} is not in the ${pl.name} job graph of ${project.name}@${opts.branch} (jobs: ${names})`,
      );
    }
    const wanted = new Set<FrozenJob>([target]);
    if (opts.deps !== false)
      for (const j of transitive(graph.graph.dependencies, target)) wanted.add(j);
    const jobs = graph.graph.jobs.filter((j) => wanted.has(j));

    const settings = settingsFor(system, opts);
    keys = lazyKeys(system);
    const log = pino({ level: process.env.ZUUL_TS_LOG_LEVEL ?? 'warn' }, pino.destination(2));
    const buildsetUuid = randomUUID().replace(/-/g, '');
    const gitUrl = (connection: string, name: string) => {
      const src = system.connections.get(connection)?.source;
      if (!src) throw new RunJobError(`Connection ${connection} has no git source`);
      return src.gitUrl(name);
    };

    const run = async (
      request: BuildRequest,
      pause: Parameters<Parameters<typeof runJobSequence>[0]['run']>[1],
    ) => {
      io.stderr(`run-job: ${request.job.name}: starting build ${request.uuid}\n`);
      let finished = false;
      let follower: Promise<void> | undefined;
      const onEvent = (e: BuildEvent) => {
        if (e.type === 'started') {
          follower = (async () => {
            for await (const line of followLogLines(e.consoleLog, {
              done: () => finished,
              pollMs: 100,
            })) {
              io.stdout(`${line}\n`);
            }
          })();
        } else if (e.type === 'playbook') {
          const p = e.playbook;
          const kind = `${p.phase.toUpperCase()} ${p.trusted ? 'trusted' : 'untrusted'}`;
          io.stderr(
            e.state === 'start'
              ? `run-job: ${request.job.name}: ${kind} playbook ${p.playbook} started\n`
              : `run-job: ${request.job.name}: ${kind} playbook ${p.playbook} ended ${p.outcome} (exit ${p.exitCode}) in ${seconds(p.elapsedMs)}\n`,
          );
        } else if (e.type === 'paused') {
          io.stderr(`run-job: ${request.job.name}: paused; running its dependents\n`);
          pause.onPaused(e);
        }
      };
      let result: BuildResultPayload;
      try {
        result = await runBuild(request, {
          settings,
          repoCache: system.repos,
          keystore: keys!.keys,
          sandbox: opts.sandbox,
          log,
          signal: abort.signal,
          onEvent,
          waitForResume: () => pause.resume(),
          keepBuildDir: true,
        });
      } finally {
        finished = true;
        await follower;
        if (!opts.keep)
          rmSync(join(settings.jobDir, request.uuid), { recursive: true, force: true });
      }
      const detail = result.errorDetail ? ` (${result.errorDetail})` : '';
      io.stderr(
        `run-job: ${request.job.name}: ${result.result}${detail}; logs: ${result.logUrl}\n`,
      );
      return result;
    };

    const outcomes = await runJobSequence({
      jobs,
      dependencies: graph.graph.dependencies,
      change: item.change,
      request: (job, inherited) =>
        buildRequest({
          layout,
          pipeline,
          job,
          childJobs: (graph.graph.dependents.get(job) ?? []).map((e) => e.job.name),
          gitUrl,
          uuid: randomUUID().replace(/-/g, ''),
          buildsetUuid,
          change: item.change,
          repoState: item.repoState,
          nodes: localNodes(job),
          parent: inherited.parent,
          artifacts: inherited.artifacts,
        }),
      run,
      onSkipped: (job, reason) => io.stderr(`run-job: ${job.name}: SKIPPED (${reason})\n`),
    });
    const outcome = outcomes.get(target);
    return outcome?.state === 'finished' && outcome.result.result === 'SUCCESS' ? 0 : 1;
  } catch (err) {
    io.stderr(`${(err as Error).message}\n`);
    return 1;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await keys?.close();
    await deployment?.close();
  }
}
