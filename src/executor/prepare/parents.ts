// What a build inherits from the builds of the jobs it depends on
// (semantics §D.9 runtime rules, §F.5 step 1, §F.9): their returned data
// and secret data merged in job-graph order, their artifacts, and whether
// a failed, skipped or `child_jobs`-filtering parent means it is skipped.

import { deepMerge } from '../../model/freeze/vars.js';
import type { BuildResultPayload, ParentData } from '../protocol.js';
import type { RefInfo } from '../vars/refs.js';
import type { ArtifactVar } from '../vars/zuul-vars.js';

/** A finished (or paused) build of an ancestor job. */
export interface AncestorBuild {
  job: string;
  /** The change it ran for. */
  change: RefInfo;
  result: Pick<BuildResultPayload, 'result' | 'data' | 'secretData' | 'artifacts' | 'childJobs'>;
  /** Paused builds count as successful for their dependents. */
  paused?: boolean;
}

function withoutZuul(data: Record<string, unknown>): Record<string, unknown> {
  const { zuul: _zuul, ...rest } = data;
  return rest;
}

/** Returned data of the ancestors, given in job-graph order: later ones win, mappings merge. */
export function parentData(ancestors: readonly AncestorBuild[]): ParentData {
  let data: Record<string, unknown> = {};
  let secretData: Record<string, unknown> = {};
  for (const a of ancestors) {
    data = deepMerge(data, withoutZuul(a.result.data));
    secretData = deepMerge(secretData, withoutZuul(a.result.secretData));
  }
  return { data, secretData };
}

/** `zuul.artifacts` from the ancestors' returned artifacts, each with its build's change. */
export function parentArtifacts(ancestors: readonly AncestorBuild[]): ArtifactVar[] {
  const out: ArtifactVar[] = [];
  for (const a of ancestors) {
    const c = a.change;
    for (const art of a.result.artifacts) {
      const v: ArtifactVar = { name: art.name, url: art.url, project: c.project.name, job: a.job };
      if (art.metadata !== undefined) v.metadata = art.metadata;
      if (c.branch !== undefined) v.branch = c.branch;
      if (c.kind === 'change') {
        if (c.change !== undefined) v.change = String(c.change);
        if (c.patchset !== undefined) v.patchset = String(c.patchset);
      }
      v.ref = c.ref;
      if (c.oldrev) v.oldrev = c.oldrev;
      if (c.newrev) v.newrev = c.newrev;
      if (c.tag !== undefined) v.tag = c.tag;
      out.push(v);
    }
  }
  return out;
}

export interface DependencyState {
  job: string;
  soft: boolean;
  /** Undefined: not finished. */
  build?: AncestorBuild;
  /** The parent was skipped itself. */
  skipped?: boolean;
}

/**
 * Why a job whose direct dependencies are all settled must be skipped,
 * or undefined when it may run.
 */
export function skipReason(job: string, deps: readonly DependencyState[]): string | undefined {
  for (const d of deps) {
    if (d.skipped) {
      if (d.soft) continue;
      return `Skipped due to skipped job ${d.job}`;
    }
    const b = d.build;
    if (!b) continue;
    if (!b.paused && b.result.result !== 'SUCCESS') return `Skipped due to failed job ${d.job}`;
    const children = b.result.childJobs;
    // An empty list skips only what hangs on the parent through hard edges.
    if (children && children.length === 0 && d.soft) continue;
    if (children && !children.includes(job)) {
      return `Skipped due to child_jobs return value in job ${d.job}`;
    }
  }
  return undefined;
}
