// show-jobs on OpenDev's `openstack` tenant: the real tenant file, the real
// project-config (config project) and openstack-zuul-jobs (untrusted), plus
// stand-ins for the repositories the corpus lacks (semantics-zuul14.md,
// "OpenDev corpus checklist"): opendev/base-jobs with a minimal `base`,
// zuul/zuul-jobs with the tox jobs openstack-tox inherits from, and
// opendev/zuul-providers with the nodesets (and, since the tenant has
// `use-nodepool: false`, the labels) the corpus references. openstack/nova
// stands in for a project using the `openstack-python3-jobs` template.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { type ShowJobsRequest, showJobs } from '../../src/cli/show-jobs.js';
import type { Layout } from '../../src/model/layout.js';
import { CORPUS } from '../helpers/fixtures.js';
import { layoutFromFiles } from '../helpers/layout.js';

function configDir(project: string): Record<string, string> {
  const dir = join(CORPUS, 'opendev', project, 'zuul.d');
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir)) out[`zuul.d/${f}`] = readFileSync(join(dir, f), 'utf8');
  return out;
}

const NODESETS = [
  'ubuntu-focal',
  'ubuntu-jammy',
  'ubuntu-noble',
  'ubuntu-jammy-arm64',
  'ubuntu-noble-arm64',
  'debian-bookworm',
  'debian-bookworm-8GB',
  'debian-bookworm-arm64',
  'debian-trixie-8GB',
  'debian-trixie-arm64-8GB',
  'centos-9-stream',
  'centos-9-stream-arm64',
];
// Labels used by inline nodesets of openstack-zuul-jobs, besides the nodesets' own.
const LABELS = [...NODESETS, 'debian-bullseye', 'debian-bullseye-arm64', 'ubuntu-focal-arm64'];

function providers(): string {
  let out = '- image: {name: cloud-image, type: cloud}\n- flavor: {name: normal}\n';
  for (const l of LABELS) out += `- label: {name: ${l}, image: cloud-image, flavor: normal}\n`;
  for (const n of NODESETS) {
    out += `- nodeset:\n    name: ${n}\n    nodes:\n      - name: ${n.replace(/-8GB$/, '')}\n        label: ${n}\n`;
  }
  return out;
}

const ZUUL_JOBS = `
- job:
    name: unittests
    description: Base unit test job.
    pre-run: playbooks/unittests/pre.yaml
    run: playbooks/unittests/run.yaml
- job:
    name: tox
    parent: unittests
    run: playbooks/tox/run.yaml
    vars:
      tox_envlist: venv
- job:
    name: tox-fips
    parent: tox
    pre-run: playbooks/tox/fips-pre.yaml
- job: {name: tox-pep8, parent: tox, vars: {tox_envlist: pep8}}
- job: {name: tox-cover, parent: tox, vars: {tox_envlist: cover}}
- job: {name: tox-docs, parent: tox, vars: {tox_envlist: docs}}
- job: {name: tox-molecule, parent: tox}
`;

const BASE_JOBS = `
- job:
    name: base
    parent: null
    abstract: true
    nodeset: ubuntu-noble
    timeout: 1800
    pre-run: playbooks/base/pre.yaml
    post-run: playbooks/base/post.yaml
`;

const NOVA = `
- project:
    templates:
      - openstack-python3-jobs
`;

let layout: Layout;

before(async () => {
  layout = await layoutFromFiles(
    readFileSync(join(CORPUS, 'opendev/tenant-config/main.yaml'), 'utf8'),
    {
      gerrit: {
        'openstack/project-config': { master: configDir('project-config') },
        'openstack/openstack-zuul-jobs': { master: configDir('openstack-zuul-jobs') },
        'opendev/base-jobs': { master: { 'zuul.d/jobs.yaml': BASE_JOBS } },
        'zuul/zuul-jobs': { master: { 'zuul.d/jobs.yaml': ZUUL_JOBS } },
        'opendev/zuul-providers': { master: { 'zuul.d/providers.yaml': providers() } },
        'openstack/nova': {
          master: { '.zuul.yaml': NOVA },
          'stable/2025.2': { '.zuul.yaml': NOVA },
        },
      },
    },
    {
      tenant: 'openstack',
      connections: {
        gerrit: { driver: 'gerrit', canonicalHostname: 'review.opendev.org' },
        github: 'github',
        googlesource: { driver: 'gerrit', canonicalHostname: 'gerrit.googlesource.com' },
        smtp: 'smtp',
      },
    },
  );
});

interface JobJson {
  vars: Record<string, unknown>;
  nodeset: { name: string };
  timeout: number | null;
  playbooks: { project: string; path: string }[];
  pre_playbooks: { project: string; path: string }[];
  zuul: { voting: boolean; _inheritance_path: string[] };
}

function graph(req: Omit<ShowJobsRequest, 'job'>): string[] {
  const r = showJobs(layout, req);
  assert.ok(r.ok, r.ok ? '' : r.error);
  return (r.json as { name: string }[]).map((j) => j.name);
}

function job(req: ShowJobsRequest): JobJson {
  const r = showJobs(layout, req);
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.json as JobJson;
}

function lineage(j: JobJson): string[] {
  return j.zuul._inheritance_path.map((s) => /^<Job (\S+)/.exec(s)?.[1] ?? s);
}

describe("OpenDev: show-jobs for a project using 'openstack-python3-jobs'", () => {
  test('the stand-ins leave no nodeset, label or parent job missing', () => {
    for (const e of layout.errors.filter((x) => x.severity === 'error')) {
      assert.doesNotMatch(e.shortError, /nodeset|label|Job (base|tox|tox-fips|unittests) /);
    }
  });

  test("master: the template's jobs for master, with their parents", () => {
    const req = { pipeline: 'check', project: 'openstack/nova', branch: 'master' };
    const names = graph(req);
    // The template's master jobs (py38–py312 are limited to stable branches),
    // plus test-release-openstack from nova's stanza in project-config.
    for (const name of [
      'openstack-tox-pep8',
      'openstack-tox-py311',
      'openstack-tox-py313',
      'openstack-tox-py314',
    ]) {
      assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
    }
    for (const name of ['openstack-tox-py38', 'openstack-tox-py39', 'openstack-tox-py312']) {
      assert.ok(!names.includes(name), name);
    }

    const py311 = job({ ...req, job: 'openstack-tox-py311' });
    assert.deepEqual(lineage(py311).slice(0, 6), [
      'base',
      'unittests',
      'tox',
      'tox-fips',
      'openstack-tox',
      'openstack-tox-py311',
    ]);
    assert.equal(py311.nodeset.name, 'debian-bookworm');
    assert.equal(py311.timeout, 2400);
    assert.equal(py311.vars.tox_envlist, 'py311');
    assert.equal(py311.vars.python_version, '3.11');
    // Inherited from openstack-tox.
    assert.equal(py311.vars.enable_fips, false);
    assert.match(String(py311.vars.tox_constraints_file), /upper-constraints\.txt$/);
    assert.deepEqual(
      py311.pre_playbooks.map((p) => `${p.project}:${p.path}`),
      [
        'opendev/base-jobs:playbooks/base/pre.yaml',
        'zuul/zuul-jobs:playbooks/unittests/pre.yaml',
        'zuul/zuul-jobs:playbooks/tox/fips-pre.yaml',
      ],
    );
    assert.deepEqual(
      py311.playbooks.map((p) => `${p.project}:${p.path}`),
      ['zuul/zuul-jobs:playbooks/tox/run.yaml'],
    );

    const pep8 = job({ ...req, job: 'openstack-tox-pep8' });
    assert.deepEqual(lineage(pep8).slice(4, 6), ['openstack-tox', 'openstack-tox-pep8']);
    // openstack-tox's variant for current branches.
    assert.equal(pep8.nodeset.name, 'ubuntu-noble');

    assert.equal(job({ ...req, job: 'openstack-tox-py314' }).zuul.voting, false);
    assert.equal(job({ ...req, job: 'openstack-tox-py313' }).nodeset.name, 'debian-trixie-8GB');
  });

  test('stable/2025.2: branch entries of the template and branch variants of the jobs', () => {
    const req = { pipeline: 'check', project: 'openstack/nova', branch: 'stable/2025.2' };
    const names = graph(req);
    for (const name of [
      'openstack-tox-pep8',
      'openstack-tox-py310',
      'openstack-tox-py312',
      'openstack-tox-py313',
    ]) {
      assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
    }
    assert.ok(!names.includes('openstack-tox-py311'));
    assert.ok(!names.includes('openstack-tox-py314'));
    // py313's variant for 2025.2 runs on noble, non-voting there.
    const py313 = job({ ...req, job: 'openstack-tox-py313' });
    assert.equal(py313.nodeset.name, 'ubuntu-noble');
    assert.equal(py313.zuul.voting, false);
    assert.equal(py313.vars.python_use_pyenv, true);
  });

  test('gate runs the voting subset', () => {
    const names = graph({ pipeline: 'gate', project: 'openstack/nova', branch: 'master' });
    assert.ok(names.includes('openstack-tox-py313'));
    assert.ok(!names.includes('openstack-tox-py314'), 'non-voting py314 is check only');
  });
});
