// A speculative layout reuses what the running layout computed for the
// project branches a change does not touch (resolved copies, validation
// outcomes). It must still be exactly the layout a full build of the
// proposed configuration gives: same errors, in the same order, same jobs.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildLayout } from '../../src/config/layout/index.js';
import type { Layout } from '../../src/model/layout.js';
import { loadFromFiles } from '../helpers/layout.js';
import { COMMON, files, TENANT, y } from './layout-test-helpers.js';
import { runningTenant } from './speculative-helpers.js';

const LIB = y`
  - job:
      name: lib-base
      run: playbooks/lib.yaml
  - job:
      name: lib-child
      parent: lib-base
  - nodeset:
      name: lib-nodes
      nodes:
        - name: n
          label: small
  - project:
      check:
        jobs: [lib-child]
`;

const PROJECT = y`
  - job:
      name: project-test
      parent: lib-base
      nodeset: lib-nodes
  - job:
      name: project-other
      dependencies: [project-test]
  - project:
      check:
        jobs:
          - lib-child
          - project-test
          - project-other
          - missing-job
      gate:
        jobs:
          - lib-child:
              nodeset: lib-nodes
`;

function summary(layout: Layout) {
  return {
    errors: layout.errors.map((e) => [
      e.severity,
      e.name,
      e.shortError,
      e.sourceContext?.project,
      e.sourceContext?.path,
      e.mark?.line,
    ]),
    jobs: [...layout.jobs].map(([name, vs]) => [name, vs.length]),
    projects: [...layout.projectConfigs].map(([name, ss]) => [name, ss.length]),
  };
}

/** The speculative layout for a change of org/lib to `lib`, and a full build of the same files. */
async function compare(lib: string, changed = true): Promise<void> {
  assert.equal(lib !== LIB, changed, 'the change is what the test says');
  const spec = await runningTenant({ 'org/lib': LIB, 'org/project': PROJECT });
  const phase = spec.buildPhase({ 'org/lib': { master: { 'zuul.yaml': lib } } }, false);
  const loaded = await loadFromFiles(
    TENANT,
    files({ 'common-config': COMMON, 'org/lib': lib, 'org/project': PROJECT }),
  );
  const full = buildLayout(loaded, { globalSemaphores: loaded.globalSemaphores });
  assert.deepEqual(summary(phase), summary(full));
}

describe('speculative layouts equal full builds', () => {
  test('no change at all', () => compare(LIB, false));

  test('a parent becomes final', () =>
    compare(LIB.replace('run: playbooks/lib.yaml', 'run: playbooks/lib.yaml\n    final: true')));

  test('a job other projects use disappears', () =>
    compare(LIB.replace('- job:\n    name: lib-base\n    run: playbooks/lib.yaml\n', '')));

  test('a nodeset other projects use disappears', () =>
    compare(LIB.replace(/- nodeset:[\s\S]*?label: small\n/, '')));

  test('a job another project lacked appears', () =>
    compare(`${LIB}- job:\n    name: missing-job\n`));

  test('a protected parent', () =>
    compare(
      LIB.replace('run: playbooks/lib.yaml', 'run: playbooks/lib.yaml\n    protected: true'),
    ));

  test('a change with errors of its own', () =>
    compare(
      `${LIB}- job:\n    name: lib-broken\n    parent: nope\n- project:\n    gate:\n      jobs: [nope2]\n`,
    ));
});
