// Shared set-up for the layout builder tests: a small tenant (one config
// project, two untrusted projects), in-memory files, and checks of the
// error records a layout carries.

import assert from 'node:assert/strict';
import { formatErrorLine } from '../../src/config/errors.js';
import type { InMemoryFiles } from '../../src/config/file-reader.js';
import type { ConfigError } from '../../src/model/config-error.js';
import type { Layout } from '../../src/model/layout.js';
import { type LayoutFromFilesOptions, layoutFromFiles } from '../helpers/layout.js';
import { lineOf, y } from './parsers-helpers.js';

export { lineOf, y };

export const TENANT = y`
  - tenant:
      name: example
      source:
        gerrit:
          config-projects:
            - common-config
          untrusted-projects:
            - org/project
            - org/lib
`;

/** TENANT with extra tenant attributes, e.g. `tenantWith('max-nodes-per-job: 1')`. */
export function tenantWith(...lines: string[]): string {
  return TENANT.replace(
    '    name: example\n',
    `    name: example\n${lines.map((l) => `    ${l}\n`).join('')}`,
  );
}

/** A check pipeline and a base job, enough for most tests. */
export const COMMON = y`
  - pipeline:
      name: check
      manager: independent
      trigger:
        gerrit:
          - event: patchset-created
  - pipeline:
      name: gate
      manager: dependent
      trigger:
        gerrit:
          - event: comment-added
  - job:
      name: base
      parent: null
      run: playbooks/base.yaml
`;

/**
 * project → text of its single config file on master, or branch → text, or
 * branch → path → text. The config file is `zuul.yaml` (`zuul.d/…` paths
 * can be given explicitly).
 */
export type FileSpec = Record<string, string | Record<string, string | Record<string, string>>>;

export function files(spec: FileSpec, connection = 'gerrit'): InMemoryFiles {
  const out: InMemoryFiles[string] = {};
  for (const [project, value] of Object.entries(spec)) {
    if (typeof value === 'string') {
      out[project] = { master: { 'zuul.yaml': value } };
      continue;
    }
    out[project] = {};
    for (const [branch, content] of Object.entries(value)) {
      out[project]![branch] = typeof content === 'string' ? { 'zuul.yaml': content } : content;
    }
  }
  return { [connection]: out };
}

/** Builds a layout of TENANT (or `tenant`) with `COMMON` in common-config unless given. */
export function build(
  spec: FileSpec,
  opts: LayoutFromFilesOptions & { tenant?: string; tenantYaml?: string } = {},
): Promise<Layout> {
  const withCommon = { 'common-config': COMMON, ...spec };
  return layoutFromFiles(opts.tenantYaml ?? TENANT, files(withCommon), opts);
}

export function errorsOf(layout: Layout): ConfigError[] {
  return layout.errors.filter((e) => e.severity === 'error');
}

function describe(errors: readonly ConfigError[]): string {
  return errors.map((e) => formatErrorLine(e)).join('\n') || '(none)';
}

export interface Expected {
  /** Error category; `Unknown` by default. */
  name?: string;
  /** The exact short text, or a pattern. */
  message: string | RegExp;
  project: string;
  branch?: string;
  path?: string;
  /** 1-based line of the mark. */
  line?: number;
}

export function checkError(e: ConfigError, want: Expected): void {
  const where = formatErrorLine(e);
  assert.equal(e.name, want.name ?? 'Unknown', where);
  if (typeof want.message === 'string') assert.equal(e.shortError, want.message, where);
  else assert.match(e.shortError, want.message, where);
  assert.equal(e.sourceContext?.project, want.project, where);
  if (want.branch !== undefined) assert.equal(e.sourceContext?.branch, want.branch, where);
  if (want.path !== undefined) assert.equal(e.sourceContext?.path, want.path, where);
  if (want.line !== undefined) {
    assert.ok(e.mark, `no position: ${where}`);
    assert.equal(e.mark.line + 1, want.line, `wrong line: ${where}`);
  }
  assert.ok(e.error.includes(e.shortError), 'the full text repeats the problem');
}

/** Asserts exactly these error-severity entries, in order. */
export function expectErrors(layout: Layout, wanted: readonly Expected[]): void {
  const errors = errorsOf(layout);
  assert.equal(
    errors.length,
    wanted.length,
    `expected ${wanted.length} error(s), got:\n${describe(errors)}`,
  );
  errors.forEach((e, i) => {
    checkError(e, wanted[i]!);
  });
}

export function expectNoErrors(layout: Layout): void {
  expectErrors(layout, []);
}

/** Names of the variants of a job, as `project@branch` of their stanza. */
export function variantOrigins(layout: Layout, job: string): string[] {
  return (layout.jobs.get(job) ?? []).map(
    (v) => `${v.variant.sourceContext.project}@${v.variant.sourceContext.branch}`,
  );
}
