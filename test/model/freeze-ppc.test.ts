// The project-pipeline configuration of a change (semantics §D.7).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { projectPipelineConfig } from '../../src/model/freeze/index.js';
import { BASE_JOB, change, freeze, jobOf, layoutOf, PIPELINES } from './freeze-helpers.js';

const CONFIG = `${PIPELINES}${BASE_JOB}
- job: {name: t1}
- job: {name: t2}
- job: {name: own}
- project-template:
    name: first
    vars: {from: first, only_first: 1}
    check:
      fail-fast: false
      jobs:
        - t1
        - t2: {vars: {entry: template}}
- project-template:
    name: gate-only
    vars: {gate_template: 1}
    gate:
      jobs: [t1]
- project:
    name: org/lib
    templates: [first]
    queue: integrated
    vars: {from: config-project}
    check:
      debug: true
      jobs:
        - own
`;

const LIB = `
- project:
    templates: [first, gate-only]
    vars: {from: lib, lib: 1}
    check:
      fail-fast: true
      jobs:
        - t2: {vars: {entry: project}}
        - t1
`;

async function ppcLayout(lib = LIB) {
  return layoutOf(['org/lib'], {
    'ci/config': { master: { 'zuul.yaml': CONFIG } },
    'org/lib': { master: { '.zuul.yaml': lib } },
  });
}

test('PPC: job order is first seen; entries accumulate in merge order; one template used twice counts once', async () => {
  const layout = await ppcLayout();
  const ppc = projectPipelineConfig(layout, 'check', change('org/lib'));
  assert.ok(ppc);
  // Stanza 1 (config project): template `first` (t1, t2), then `own`;
  // stanza 2 (org/lib): `first` again (already merged), then t2, t1.
  assert.deepEqual([...ppc.jobs.keys()], ['t1', 't2', 'own']);
  assert.deepEqual(
    ppc.jobs.get('t2')!.map((e) => e.variant?.vars),
    [{ entry: 'template' }, { entry: 'project' }],
  );
  assert.equal(ppc.jobs.get('t1')!.length, 2, 'template entry and the bare project entry');
  // Both entries apply, in order: the project's value wins.
  const result = freeze(layout, 'check', change('org/lib'));
  assert.equal(jobOf(result, 't2').vars.entry, 'project');
});

test('PPC: template vars only with a section for the pipeline; project vars whenever the stanza matches', async () => {
  const layout = await ppcLayout();
  const check = projectPipelineConfig(layout, 'check', change('org/lib'))!;
  // `gate-only` has no check section: its vars do not count here.
  assert.deepEqual(check.vars, { from: 'lib', only_first: 1, lib: 1 });
  const gate = projectPipelineConfig(layout, 'gate', change('org/lib'))!;
  // In gate only `gate-only` has a section, but both stanzas' own vars apply.
  assert.deepEqual(gate.vars, { from: 'lib', gate_template: 1, lib: 1 });
  // Later merges win at leaves: the job sees the project's value below its own.
  assert.equal(jobOf(freeze(layout, 'check', change('org/lib')), 'own').vars.from, 'lib');
});

test('PPC: debug from any section, fail-fast from the first explicit one, queue from metadata', async () => {
  const layout = await ppcLayout();
  const ppc = projectPipelineConfig(layout, 'check', change('org/lib'))!;
  assert.equal(ppc.debug, true);
  // The first stanza's template says false before anything says true.
  assert.equal(ppc.failFast, false);
  assert.equal(ppc.queue, 'integrated');
  const result = freeze(layout, 'check', change('org/lib'));
  assert.ok(result.ok);
  assert.equal(result.debug, true);
  assert.equal(result.failFast, false);
  assert.ok(result.debugMessages.some((l) => /Freezing job t1/.test(l)));
  // Without debug nothing is collected.
  const gate = freeze(layout, 'gate', change('org/lib'));
  assert.ok(gate.ok);
  assert.deepEqual(gate.debugMessages, []);
  assert.equal(gate.failFast, false);
});

test('PPC: fail-fast true when the first explicit value is true', async () => {
  const layout = await layoutOf(['org/lib'], {
    'ci/config': { master: { 'zuul.yaml': `${PIPELINES}${BASE_JOB}- job: {name: j}\n` } },
    'org/lib': {
      master: {
        '.zuul.yaml': `
- project:
    check:
      fail-fast: true
      jobs: [j]
`,
      },
    },
  });
  const result = freeze(layout, 'check', change('org/lib'));
  assert.ok(result.ok);
  assert.equal(result.failFast, true);
});

test('PPC: `jobs: []` participates with no jobs; no section means no participation', async () => {
  const layout = await layoutOf(['org/lib'], {
    'ci/config': { master: { 'zuul.yaml': `${PIPELINES}${BASE_JOB}` } },
    'org/lib': { master: { '.zuul.yaml': '- project:\n    check:\n      jobs: []\n' } },
  });
  const check = freeze(layout, 'check', change('org/lib'));
  assert.ok(check.ok);
  assert.equal(check.participates, true);
  assert.deepEqual(check.graph.jobs, []);
  const gate = freeze(layout, 'gate', change('org/lib'));
  assert.ok(gate.ok);
  assert.equal(gate.participates, false);
});

test('PPC: stanzas and templates apply by their branch matchers', async () => {
  const layout = await layoutOf(['org/lib'], {
    'ci/config': {
      master: {
        'zuul.yaml': `${PIPELINES}${BASE_JOB}
- job: {name: everywhere}
- job: {name: stable-job}
- project:
    name: org/lib
    branches: ^stable
    check:
      jobs: [stable-job]
`,
      },
    },
    'org/lib': {
      master: {
        '.zuul.yaml': `
- project-template:
    name: lib-tmpl
    check:
      jobs: [everywhere]
- project:
    templates: [lib-tmpl]
    check:
      jobs: []
`,
      },
      'stable/1': {
        '.zuul.yaml': `
- project:
    check:
      jobs: []
`,
      },
    },
  });
  const master = projectPipelineConfig(layout, 'check', change('org/lib', 'master'))!;
  assert.deepEqual([...master.jobs.keys()], ['everywhere']);
  // On stable/1: the config project's explicit ^stable stanza, and the
  // branch's own stanza; the master template has an implied matcher.
  const stable = projectPipelineConfig(layout, 'check', change('org/lib', 'stable/1'))!;
  assert.deepEqual([...stable.jobs.keys()], ['stable-job']);
});
