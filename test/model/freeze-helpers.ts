// Shared setup for the freezing tests: a tenant with one config project and
// untrusted projects, built from in-memory files by the real layout builder.

import assert from 'node:assert/strict';
import {
  type FreezeChange,
  type FreezeItem,
  type FrozenJob,
  freezeJobGraph,
  type JobGraphOptions,
  type JobGraphResult,
} from '../../src/model/freeze/index.js';
import type { Layout } from '../../src/model/layout.js';
import { type InMemoryFiles, layoutFromFiles } from '../helpers/layout.js';

export const HOST = 'review.example.com';

/** A tenant file: `ci/config` (or `configProject`) trusted, the given projects untrusted. */
export function tenantYaml(untrusted: string[], extra = '', configProject = 'ci/config'): string {
  return `
- tenant:
    name: t
${extra}    source:
      gerrit:
        config-projects:
          - ${configProject}
        untrusted-projects:
${untrusted.map((p) => `          - ${p}`).join('\n')}
`;
}

/** Pipelines every test tenant has: check (pre-review), gate, post (post-review). */
export const PIPELINES = `
- pipeline:
    name: check
    manager: independent
    trigger: {}
- pipeline:
    name: gate
    manager: dependent
    trigger: {}
- pipeline:
    name: post
    manager: independent
    post-review: true
    trigger: {}
`;

/** The usual base job in the config project. */
export const BASE_JOB = `
- job:
    name: base
    parent: null
    run: playbooks/base-run.yaml
`;

/** Builds a layout from files of `gerrit`; fails the test on layout errors unless allowed. */
export async function layoutOf(
  untrusted: string[],
  files: InMemoryFiles['gerrit'],
  opts: { allowErrors?: boolean; tenantExtra?: string; configProject?: string } = {},
): Promise<Layout> {
  const tenant = tenantYaml(untrusted, opts.tenantExtra, opts.configProject);
  const layout = await layoutFromFiles(tenant, { gerrit: files });
  if (!opts.allowErrors) {
    const errors = layout.errors.filter((e) => e.severity === 'error');
    assert.deepEqual(
      errors.map((e) => e.shortError),
      [],
      'the layout should build without errors',
    );
  }
  return layout;
}

export function change(
  project: string,
  branch = 'master',
  files?: string[] | null,
  extra: Partial<FreezeChange> = {},
): FreezeChange {
  return {
    project: `${HOST}/${project}`,
    branch,
    ref: `refs/changes/01/1/1`,
    files,
    key: `${project}:${branch}`,
    ...extra,
  };
}

export function freeze(
  layout: Layout,
  pipeline: string,
  item: FreezeItem | FreezeChange,
  options: JobGraphOptions = {},
): JobGraphResult {
  const p = layout.pipelines.get(pipeline);
  assert.ok(p, `pipeline ${pipeline}`);
  const it = 'changes' in item ? item : { changes: [item] };
  return freezeJobGraph(layout, { name: p.name, postReview: p.postReview }, it, options);
}

/** The graph's jobs by name; fails when freezing failed. */
export function jobsOf(result: JobGraphResult): Map<string, FrozenJob> {
  if (!result.ok) assert.fail(`freezing failed: ${result.error}`);
  return new Map(result.graph.jobs.map((j) => [j.name, j]));
}

export function jobOf(result: JobGraphResult, name: string): FrozenJob {
  const job = jobsOf(result).get(name);
  assert.ok(job, `job ${name} should be in the graph`);
  return job;
}

export function errorOf(result: JobGraphResult): string {
  if (result.ok) assert.fail('freezing should have failed');
  return result.error;
}

/** Playbook paths of a job in execution order: pre, run, post. */
export function playbookOrder(job: FrozenJob): string[] {
  return [...job.preRun, ...job.run, ...job.postRun].map((p) => p.path);
}

/**
 * A layout of `ci/config` (pipelines, base job, `config`) and `org/lib`
 * (`lib`), plus more untrusted projects (`others`: name → .zuul.yaml, or
 * branch → .zuul.yaml).
 */
export async function simpleLayout(
  config: string,
  lib: string,
  others: Record<string, string | Record<string, string>> = {},
  opts: { allowErrors?: boolean } = {},
): Promise<Layout> {
  const files: InMemoryFiles['gerrit'] = {
    'ci/config': { master: { 'zuul.yaml': `${PIPELINES}${BASE_JOB}${config}` } },
    'org/lib': { master: { '.zuul.yaml': lib } },
  };
  for (const [name, content] of Object.entries(others)) {
    files[name] =
      typeof content === 'string'
        ? { master: { '.zuul.yaml': content } }
        : Object.fromEntries(
            Object.entries(content).map(([branch, c]) => [branch, { '.zuul.yaml': c }]),
          );
  }
  return layoutOf(['org/lib', ...Object.keys(others)], files, opts);
}

/** Freezes check for a master change of org/lib. */
export function check(layout: Layout, options: JobGraphOptions = {}): JobGraphResult {
  return freeze(layout, 'check', change('org/lib'), options);
}

/** An error text with the `<Job …>` reprs reduced to `<Job NAME>`. */
export function shortReprs(text: string): string {
  return text.replace(/<Job (\S+) explicit: .*? source: \S*#\d+>/g, '<Job $1>');
}
