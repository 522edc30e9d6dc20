// Shared set-up for the fixture freezing tests: a Zuul test scenario
// (corpus/zuul-test-fixtures/config/<name>) deployed as real git
// repositories, loaded and built into layouts, then frozen for a change of
// one project and branch; and compact views of frozen jobs to assert on.

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { formatErrorLine } from '../../src/config/errors.js';
import {
  type FreezeChange,
  type FrozenJob,
  type FrozenPlaybook,
  freezeJobGraph,
  type JobGraphOptions,
  type JobGraphResult,
} from '../../src/model/freeze/index.js';
import type { Layout } from '../../src/model/layout.js';
import { fixtureLayouts } from '../helpers/fixture-layouts.js';
import { addBranch, type DeployOptions, type FixtureDeployment, git } from '../helpers/fixtures.js';

export type { FixtureDeployment };
export { addBranch };

/** Commits `files` (path → content; null deletes) on an existing branch of a repository. */
export function commitFiles(
  repo: string,
  branch: string,
  files: Record<string, string | null>,
): void {
  git(repo, 'checkout', '-q', branch);
  for (const [name, content] of Object.entries(files)) {
    if (content === null) {
      git(repo, 'rm', '-q', '-r', name);
      continue;
    }
    mkdirSync(dirname(join(repo, name)), { recursive: true });
    writeFileSync(join(repo, name), content);
  }
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', `Update ${branch}`);
  git(repo, 'checkout', '-q', 'master');
}

export interface ScenarioOptions extends DeployOptions {
  /** Changes the repositories before loading (branches, in-repo config as a test merges it). */
  prepare?: (d: FixtureDeployment) => void;
  /** Layout errors (short texts) that are expected; any other error fails. */
  allowErrors?: RegExp[];
}

/** Deploys a scenario and builds every tenant's layout; fails on unexpected layout errors. */
export async function scenario(
  name: string,
  opts: ScenarioOptions = {},
): Promise<Map<string, Layout>> {
  const out = await fixtureLayouts(name, opts, opts.prepare);
  for (const [tenantName, layout] of out) {
    const errors = layout.errors.filter(
      (e) =>
        e.severity === 'error' && !(opts.allowErrors ?? []).some((re) => re.test(e.shortError)),
    );
    assert.deepEqual(
      errors.map((e) => formatErrorLine(e)),
      [],
      `${name}: tenant ${tenantName} should build without errors`,
    );
  }
  return out;
}

/** The single tenant of a scenario (or the named one). */
export async function tenantLayout(
  name: string,
  opts: ScenarioOptions & { tenant?: string } = {},
): Promise<Layout> {
  const all = await scenario(name, opts);
  if (opts.tenant) {
    const layout = all.get(opts.tenant);
    assert.ok(layout, `tenant ${opts.tenant}`);
    return layout;
  }
  assert.equal(all.size, 1, `${name} has one tenant`);
  return [...all.values()][0]!;
}

/** A change of `project` (short name) on `branch`; `files` undefined means unknown. */
export function changeOf(
  layout: Layout,
  project: string,
  branch = 'master',
  files?: string[],
  extra: Partial<FreezeChange> = {},
): FreezeChange {
  const p = [...layout.projects.values()].find(
    (x) => x.name === project || x.canonicalName === project,
  );
  assert.ok(p, `project ${project} is in the tenant`);
  return {
    project: p.canonicalName,
    branch,
    ref: 'refs/changes/01/1/1',
    files: files ?? null,
    key: `${p.canonicalName}:${branch}`,
    ...extra,
  };
}

/** Freezes `pipeline` for a change of `project` on `branch` (files: the changed files). */
export function freezeFor(
  layout: Layout,
  pipeline: string,
  project: string,
  branch = 'master',
  files?: string[],
  options: JobGraphOptions = {},
): JobGraphResult {
  const p = layout.pipelines.get(pipeline);
  assert.ok(p, `pipeline ${pipeline}`);
  const change = changeOf(layout, project, branch, files);
  return freezeJobGraph(
    layout,
    { name: p.name, postReview: p.postReview },
    { changes: [change] },
    options,
  );
}

/** The graph's jobs by name, in graph order; fails when freezing failed. */
export function graphJobs(result: JobGraphResult): Map<string, FrozenJob> {
  if (!result.ok) assert.fail(`freezing failed: ${result.error}`);
  return new Map(result.graph.jobs.map((j) => [j.name, j]));
}

/** Names of the graph's jobs in order. */
export function jobNames(result: JobGraphResult): string[] {
  return [...graphJobs(result).keys()];
}

export function jobIn(result: JobGraphResult, name: string): FrozenJob {
  const job = graphJobs(result).get(name);
  assert.ok(job, `job ${name} should be in the graph (has ${jobNames(result).join(', ')})`);
  return job;
}

export function freezeError(result: JobGraphResult): string {
  if (result.ok) assert.fail(`freezing should have failed (jobs: ${jobNames(result)})`);
  return result.error;
}

/**
 * The stanzas applied to a job, base first, as `name@project:branch`
 * (Zuul's inheritance path without matchers and lines).
 */
export function stanzas(job: FrozenJob): string[] {
  return job.inheritancePath.map((line) => {
    const m = /^<Job (\S+) .* source: (.+?)\/\.?zuul\.(?:yaml|d\/\S*)@(\S+)#\d+>$/.exec(line);
    if (m) return `${m[1]}@${m[2]}:${m[3]}`;
    return line;
  });
}

/** Names of the stanzas applied, base first (Zuul's inheritance path, names only). */
export function chain(job: FrozenJob): string[] {
  return job.inheritancePath.map((line) => /^<Job (\S+)/.exec(line)?.[1] ?? line);
}

const pbView = (p: FrozenPlaybook) => p.path;

/** Playbook paths by phase. */
export function playbooks(job: FrozenJob): { pre: string[]; run: string[]; post: string[] } {
  return { pre: job.preRun.map(pbView), run: job.run.map(pbView), post: job.postRun.map(pbView) };
}

/** Name of the job's (first) nodeset alternative and its node names/labels. */
export function nodesOf(job: FrozenJob): string[] {
  const ns = job.nodesetAlternatives[0];
  return (ns?.nodes ?? []).map((n) => `${n.names.join(',')}:${n.label}`);
}

/** Dependencies as `name` or `name (soft)`, sorted. */
export function deps(job: FrozenJob): string[] {
  return job.dependencies.map((d) => (d.soft ? `${d.name} (soft)` : d.name)).sort();
}

/** Secret aliases each playbook gets, as `phase:path: alias,alias`. */
export function secretsByPlaybook(job: FrozenJob): string[] {
  const out: string[] = [];
  for (const [phase, list] of [
    ['pre', job.preRun],
    ['run', job.run],
    ['post', job.postRun],
  ] as const) {
    for (const p of list) {
      out.push(`${phase}:${p.path}: ${p.secrets.map((s) => s.alias).join(',')}`);
    }
  }
  return out;
}
