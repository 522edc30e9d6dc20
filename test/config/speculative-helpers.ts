// Set-up for the speculative layout tests: a running tenant built from
// in-memory files (TENANT of the layout tests: common-config, org/project,
// org/lib), and a way to ask for an item's layout.

import { buildLayout } from '../../src/config/layout/index.js';
import { SpeculativeLayouts } from '../../src/config/speculative.js';
import { parseOptionsFor } from '../../src/config/system.js';
import { freezeJobGraph } from '../../src/model/freeze/index.js';
import type { Layout } from '../../src/model/layout.js';
import { type LayoutFromFilesOptions, loadFromFiles, testConnections } from '../helpers/layout.js';
import { COMMON, type FileSpec, files, TENANT } from './layout-test-helpers.js';

export { COMMON, TENANT };

export const PROJECT = 'review.example.com/org/project';
export const LIB = 'review.example.com/org/lib';
export const CONFIG = 'review.example.com/common-config';

/** The running tenant of `spec` (common-config gets COMMON unless given). */
export async function runningTenant(
  spec: FileSpec,
  opts: LayoutFromFilesOptions & { tenantYaml?: string } = {},
): Promise<SpeculativeLayouts> {
  const loaded = await loadFromFiles(
    opts.tenantYaml ?? TENANT,
    files({ 'common-config': COMMON, ...spec }),
    opts,
  );
  const build = { globalSemaphores: loaded.globalSemaphores };
  const layout = buildLayout(loaded, build);
  return new SpeculativeLayouts({
    loaded,
    layout,
    parseOptions: parseOptionsFor(testConnections(opts.connections)),
    build,
  });
}

/** The jobs `layout` runs for a change of `project` in `pipeline`. */
export function jobsFor(
  layout: Layout,
  project: string,
  opts: { pipeline?: string; branch?: string; files?: string[] } = {},
): string[] {
  const result = freezeJobGraph(
    layout,
    { name: opts.pipeline ?? 'check', postReview: false },
    {
      changes: [
        { project, branch: opts.branch ?? 'master', files: opts.files ?? ['README'], key: '1,1' },
      ],
    },
  );
  if (!result.ok) throw new Error(result.message);
  return result.graph.jobs.map((j) => j.name);
}
