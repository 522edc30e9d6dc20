// The job graph of an item (semantics §D.9): every job of every change's
// project-pipeline configuration frozen, deduplicated across a cycle's
// changes, file matchers applied with hard dependencies forced back in,
// dependencies resolved and checked, pending job errors raised. Any problem
// becomes an item-level error result, never an exception.

import type { Layout } from '../layout.js';
import { jobVariants } from './collect.js';
import { changeKey, type FreezeOptions, freezeJob } from './frozen-job.js';
import { projectPipelineConfig } from './project-pipeline.js';
import { comparableJob } from './serialize.js';
import { type FreezeChange, FreezeError, type FreezePipeline, type FrozenJob } from './types.js';

/** A queue item as freezing sees it. */
export interface FreezeItem {
  /** The item's changes (several for a dependency cycle). */
  changes: readonly FreezeChange[];
  /** Key of the change whose event enqueued the item (kept when deduplicating). */
  eventRef?: string;
}

export interface GraphEdge {
  job: FrozenJob;
  soft: boolean;
}

/** The frozen jobs of an item and the dependency edges between them. */
export interface JobGraph {
  /** In freezing order: change by change, PPC job order. */
  jobs: FrozenJob[];
  /** Job → the jobs it depends on. */
  dependencies: Map<FrozenJob, GraphEdge[]>;
  /** Job → the jobs depending on it. */
  dependents: Map<FrozenJob, GraphEdge[]>;
}

export type JobGraphResult =
  | {
      ok: true;
      graph: JobGraph;
      /** Some change's project has a configuration for the pipeline (§H rule 12). */
      participates: boolean;
      /** The first failing voting job cancels the rest (last explicit value across changes). */
      failFast: boolean;
      /** Job-selection debug lines (collected when some section or the caller asked). */
      debugMessages: string[];
      debug: boolean;
    }
  | {
      ok: false;
      /** The bare problem, e.g. "Job a depends on b which was not run.". */
      error: string;
      /** As reported on the item: "Unable to freeze job graph: …". */
      message: string;
      /** The problem is a bug rather than a configuration error. */
      internal: boolean;
      debugMessages: string[];
    };

export interface JobGraphOptions extends FreezeOptions {
  /** Collect debug lines even if no project-pipeline section asks. */
  debug?: boolean;
}

/** The job called `name` that serves `ref`. */
export function graphJob(graph: JobGraph, name: string, ref: string): FrozenJob | undefined {
  return graph.jobs.find((j) => j.name === name && (j.ref === ref || j.otherRefs.includes(ref)));
}

/** Freezes the job graph of `item` for `pipeline` with `layout`. */
export function freezeJobGraph(
  layout: Layout,
  pipeline: FreezePipeline,
  item: FreezeItem,
  options: JobGraphOptions = {},
): JobGraphResult {
  const debugMessages: string[] = [];
  try {
    let jobs: FrozenJob[] = [];
    let participates = false;
    let debug = options.debug ?? false;
    let failFast = false;
    for (const change of item.changes) {
      const ppc = projectPipelineConfig(layout, pipeline.name, change);
      if (!ppc) continue;
      participates = true;
      if (ppc.debug) debug = true;
      const lines = debug ? debugMessages : undefined;
      lines?.push(...ppc.debugMessages, 'Freezing job graph');
      for (const jobName of ppc.jobs.keys()) {
        lines?.push(`  Freezing job ${jobName}`);
        const outcome = freezeJob(layout, pipeline, ppc, jobName, change, options, lines);
        if (outcome.status === 'frozen') jobs.push(outcome.job);
      }
      // Across a cycle's changes the last explicit setting wins.
      if (ppc.failFast !== undefined) failFast = ppc.failFast;
    }
    jobs = deduplicate(jobs, item);
    addInitializerDependencies(jobs);
    // Dependencies are resolved over the whole graph first: a missing hard
    // dependency is an error even for a job its file matchers drop.
    const all = resolveDependencies(layout, jobs, false);
    forceHardDependencies(jobs, all.dependencies);
    const running = jobs.filter((j) => j.matchesChange);
    const graph = { jobs: running, ...resolveDependencies(layout, running, true) };
    for (const job of running) {
      if (job.pendingError) throw new FreezeError(job.pendingError);
    }
    return { ok: true, graph, participates, failFast, debugMessages, debug };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    return {
      ok: false,
      error,
      message: `Unable to freeze job graph: ${error}`,
      internal: !(err instanceof FreezeError),
      debugMessages,
    };
  }
}

/** Changes of a cycle that run an identical job share one build (§D.9 step 1). */
function deduplicate(jobs: FrozenJob[], item: FreezeItem): FrozenJob[] {
  if (item.changes.length < 2) return jobs;
  const projectOf = new Map(item.changes.map((c) => [changeKey(c), c.project]));
  const keys = new Map(jobs.map((j) => [j, JSON.stringify(comparableJob(j))]));
  const removed = new Set<FrozenJob>();
  const pending = [...jobs];
  while (pending.length) {
    const job = pending.shift()!;
    if (job.deduplicate === false) continue;
    const group = [job];
    for (const other of [...pending]) {
      if (other.deduplicate === false || other.name !== job.name) continue;
      if (keys.get(other) !== keys.get(job)) continue;
      // `auto`: only jobs that prepare other projects, or of the same project.
      if (
        job.deduplicate === 'auto' &&
        job.requiredProjects.size === 0 &&
        projectOf.get(job.ref) !== projectOf.get(other.ref)
      ) {
        continue;
      }
      group.push(other);
      pending.splice(pending.indexOf(other), 1);
    }
    if (group.length < 2) continue;
    const primary = group.find((j) => j.ref === item.eventRef) ?? group[0];
    for (const other of group) {
      if (other === primary) continue;
      primary.otherRefs.push(other.ref);
      primary.matchesChange ||= other.matchesChange;
      removed.add(other);
    }
  }
  return jobs.filter((j) => !removed.has(j));
}

/**
 * Zuul 14 initializer jobs: every other job of the item behaves as if it
 * had declared a hard dependency on each initializer job of its change, so
 * the dependency is added to its list (and shows in the graph's JSON).
 */
function addInitializerDependencies(jobs: FrozenJob[]): void {
  const initializers = jobs.filter((j) => j.type === 'initializer');
  if (!initializers.length) return;
  for (const job of jobs) {
    if (job.type === 'initializer') continue;
    const refs = [job.ref, ...job.otherRefs];
    for (const init of initializers) {
      if (!refs.some((r) => r === init.ref || init.otherRefs.includes(r))) continue;
      job.dependencies = [
        ...job.dependencies.filter((d) => d.name !== init.name),
        { name: init.name, soft: false },
      ];
    }
  }
}

/** Declared dependencies by name; a name listed twice keeps its last softness. */
function declaredDependencies(job: FrozenJob): Map<string, boolean> {
  return new Map(job.dependencies.map((d) => [d.name, d.soft]));
}

function resolveDependencies(
  layout: Layout,
  jobs: FrozenJob[],
  checkSoftNames: boolean,
): Pick<JobGraph, 'dependencies' | 'dependents'> {
  const graph: JobGraph = { jobs, dependencies: new Map(), dependents: new Map() };
  const byName = new Map<string, FrozenJob[]>();
  for (const job of jobs) {
    graph.dependencies.set(job, []);
    graph.dependents.set(job, []);
    byName.set(job.name, [...(byName.get(job.name) ?? []), job]);
  }
  for (const job of jobs) {
    for (const [name, soft] of declaredDependencies(job)) {
      // A deduplicated job depends on the named job of every ref it serves.
      for (const ref of [job.ref, ...job.otherRefs]) {
        const parent = byName.get(name)?.find((j) => j.ref === ref || j.otherRefs.includes(ref));
        if (!parent) {
          if (!soft) throw new FreezeError(`Job ${job.name} depends on ${name} which was not run.`);
          if (checkSoftNames && !jobVariants(layout, name).length) {
            throw new FreezeError(`Job ${name} not defined`);
          }
          continue;
        }
        const edges = graph.dependencies.get(job)!;
        if (!edges.some((e) => e.job === parent)) {
          edges.push({ job: parent, soft });
          graph.dependents.get(parent)!.push({ job, soft });
        }
      }
    }
  }
  for (const job of jobs) {
    if (reaches(graph.dependencies, job, job, false)) {
      throw new FreezeError(`Dependency cycle detected in job ${job.name}`);
    }
  }
  return graph;
}

/** Whether `to` is reachable from `from` along edges (hard ones only with skipSoft). */
function reaches(
  edges: Map<FrozenJob, GraphEdge[]>,
  from: FrozenJob,
  to: FrozenJob,
  skipSoft: boolean,
): boolean {
  const seen = new Set<FrozenJob>();
  const stack = [...(edges.get(from) ?? [])];
  while (stack.length) {
    const e = stack.pop()!;
    if (skipSoft && e.soft) continue;
    if (e.job === to) return true;
    if (seen.has(e.job)) continue;
    seen.add(e.job);
    stack.push(...(edges.get(e.job) ?? []));
  }
  return false;
}

/** Every job reachable from `job` along `edges`. */
export function transitive(
  edges: Map<FrozenJob, GraphEdge[]>,
  job: FrozenJob,
  skipSoft = false,
): FrozenJob[] {
  const seen = new Set<FrozenJob>();
  const stack = [...(edges.get(job) ?? [])];
  while (stack.length) {
    const e = stack.pop()!;
    if (skipSoft && e.soft) continue;
    if (seen.has(e.job) || e.job === job) continue;
    seen.add(e.job);
    stack.push(...(edges.get(e.job) ?? []));
  }
  return [...seen];
}

/** A running job's hard dependencies run even if their file matchers said no. */
function forceHardDependencies(jobs: FrozenJob[], dependencies: Map<FrozenJob, GraphEdge[]>): void {
  const forced: FrozenJob[] = [];
  for (const job of jobs) {
    if (!job.matchesChange) continue;
    for (const dep of transitive(dependencies, job, true)) if (!dep.matchesChange) forced.push(dep);
  }
  for (const dep of forced) dep.matchesChange = true;
}
