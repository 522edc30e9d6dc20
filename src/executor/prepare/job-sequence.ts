// Running part of a job graph one build at a time, as `zuul-ts run-job`
// does without a scheduler (semantics §D.9 runtime rules): a job runs once
// each of its dependencies succeeded or paused; it gets their returned data
// and artifacts; a failed or skipping parent skips it. A paused build's
// dependents run while it waits, and it resumes when they are done.

import type { GraphEdge } from '../../model/freeze/job-graph.js';
import type { FrozenJob } from '../../model/freeze/types.js';
import type { BuildEvent, BuildRequest, BuildResultPayload, ParentData } from '../protocol.js';
import type { RefInfo } from '../vars/refs.js';
import type { ArtifactVar } from '../vars/zuul-vars.js';
import {
  type AncestorBuild,
  type DependencyState,
  parentArtifacts,
  parentData,
  skipReason,
} from './parents.js';

export type JobOutcome =
  | { state: 'finished'; result: BuildResultPayload }
  | { state: 'skipped'; reason: string };

export interface PauseHooks {
  /** Call with run-build's `paused` event. */
  onPaused: (e: Extract<BuildEvent, { type: 'paused' }>) => void;
  /** run-build's waitForResume: resolves once the paused job's dependents are done. */
  resume: () => Promise<void>;
}

export interface SequenceOptions {
  /** The jobs to run, in job-graph order. */
  jobs: readonly FrozenJob[];
  dependencies: ReadonlyMap<FrozenJob, readonly GraphEdge[]>;
  /** The change every job runs for. */
  change: RefInfo;
  /** The request for a job, given what its ancestors returned. */
  request: (
    job: FrozenJob,
    inherited: { parent: ParentData; artifacts: ArtifactVar[] },
  ) => BuildRequest;
  run: (request: BuildRequest, pause: PauseHooks) => Promise<BuildResultPayload>;
  onSkipped?: (job: FrozenJob, reason: string) => void;
}

type State =
  | { kind: 'running' }
  | { kind: 'paused'; build: AncestorBuild }
  | { kind: 'done'; build: AncestorBuild }
  | { kind: 'skipped'; reason: string };

export async function runJobSequence(o: SequenceOptions): Promise<Map<FrozenJob, JobOutcome>> {
  const selected = new Set(o.jobs);
  const states = new Map<FrozenJob, State>();
  const deps = (job: FrozenJob) =>
    (o.dependencies.get(job) ?? []).filter((e) => selected.has(e.job));

  const ancestorsOf = (job: FrozenJob): FrozenJob[] => {
    const seen = new Set<FrozenJob>();
    const stack = deps(job).map((e) => e.job);
    while (stack.length) {
      const j = stack.pop()!;
      if (seen.has(j)) continue;
      seen.add(j);
      stack.push(...deps(j).map((e) => e.job));
    }
    return o.jobs.filter((j) => seen.has(j));
  };

  const buildOf = (job: FrozenJob): AncestorBuild | undefined => {
    const s = states.get(job);
    return s && (s.kind === 'done' || s.kind === 'paused') ? s.build : undefined;
  };

  const ready = (job: FrozenJob) =>
    deps(job).every((e) => {
      const s = states.get(e.job);
      return s !== undefined && s.kind !== 'running';
    });

  const runOne = async (job: FrozenJob): Promise<void> => {
    const depStates: DependencyState[] = deps(job).map((e) => {
      const s = states.get(e.job)!;
      return {
        job: e.job.name,
        soft: e.soft,
        ...(s.kind === 'skipped' ? { skipped: true } : { build: buildOf(e.job) }),
      };
    });
    const reason = skipReason(job.name, depStates);
    if (reason) {
      states.set(job, { kind: 'skipped', reason });
      o.onSkipped?.(job, reason);
      return;
    }
    const ancestors = ancestorsOf(job)
      .map(buildOf)
      .filter((b): b is AncestorBuild => b !== undefined);
    const request = o.request(job, {
      parent: parentData(ancestors),
      artifacts: parentArtifacts(ancestors),
    });
    states.set(job, { kind: 'running' });
    const descendants = new Set(o.jobs.filter((j) => ancestorsOf(j).includes(job)));
    const result = await o.run(request, {
      onPaused: (e) => {
        states.set(job, {
          kind: 'paused',
          build: {
            job: job.name,
            change: o.change,
            paused: true,
            result: {
              result: 'SUCCESS',
              data: e.data,
              secretData: e.secretData,
              artifacts: e.artifacts,
              childJobs: null,
            },
          },
        });
      },
      resume: () => loop(descendants),
    });
    states.set(job, { kind: 'done', build: { job: job.name, change: o.change, result } });
  };

  const loop = async (scope: ReadonlySet<FrozenJob>): Promise<void> => {
    for (;;) {
      const next = o.jobs.find((j) => scope.has(j) && !states.has(j) && ready(j));
      if (!next) return;
      await runOne(next);
    }
  };

  await loop(selected);
  const out = new Map<FrozenJob, JobOutcome>();
  for (const job of o.jobs) {
    const s = states.get(job);
    if (s?.kind === 'done')
      out.set(job, { state: 'finished', result: s.build.result as BuildResultPayload });
    else if (s?.kind === 'skipped') out.set(job, { state: 'skipped', reason: s.reason });
    else out.set(job, { state: 'skipped', reason: 'Not run: a dependency never finished' });
  }
  return out;
}
