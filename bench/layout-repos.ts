// The synthetic OpenDev-sized tenant of the layout benchmark: OpenDev's
// real project-config (config project) and openstack-zuul-jobs
// (untrusted), stand-ins for the repositories the corpus lacks (base jobs,
// zuul-jobs, node providers, requirements templates), and generated project
// repositories with realistic `.zuul.yaml` files (templates, own jobs,
// variants, stable branches). The repositories are real bare git
// repositories written once with `git fast-import` and kept between runs.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTenantFile } from '../src/config/tenant-file.js';

/** project → branch → path → content. */
export type RepoFiles = Map<string, Map<string, Record<string, string>>>;

export interface BenchTenant {
  tenantYaml: string;
  repos: RepoFiles;
  /** Generated project repositories (not the corpus or stand-ins). */
  generated: string[];
}

const STABLE = ['stable/2025.1', 'stable/2025.2'];
const SPECIAL = new Set([
  'openstack/project-config',
  'opendev/base-jobs',
  'opendev/zuul-providers',
  'zuul/zuul-jobs',
  'openstack/openstack-zuul-jobs',
  'openstack/requirements',
]);

function zuulD(corpus: string, project: string): Record<string, string> {
  const dir = join(corpus, 'opendev', project, 'zuul.d');
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir).sort()) out[`zuul.d/${f}`] = readFileSync(join(dir, f), 'utf8');
  return out;
}

// ---- stand-ins for repositories the corpus does not have -------------------

const LABELS = [
  'ubuntu-noble',
  'ubuntu-jammy',
  'ubuntu-focal',
  'debian-bookworm',
  'debian-bullseye',
  'debian-trixie',
  'centos-9-stream',
];

function providersConf(): string {
  const out: string[] = ['- flavor:\n    name: normal\n', '- flavor:\n    name: large\n'];
  for (const base of LABELS) {
    for (const arch of ['', '-arm64']) {
      const name = `${base}${arch}`;
      out.push(`- image:\n    name: ${name}\n    type: cloud\n`);
      out.push(`- label:\n    name: ${name}\n    image: ${name}\n    flavor: normal\n`);
      out.push(
        `- nodeset:\n    name: ${name}\n    nodes:\n      - name: ${name}\n        label: ${name}\n`,
      );
      out.push(
        `- nodeset:\n    name: ${name}-8GB\n    nodes:\n      - name: ${name}\n        label: ${name}\n`,
      );
    }
  }
  return out.join('');
}

const BASE_JOBS = `- job:
    name: base
    parent: null
    description: The base job.
    pre-run: playbooks/base/pre.yaml
    post-run:
      - playbooks/base/post.yaml
      - playbooks/base/post-logs.yaml
    roles:
      - zuul: zuul/zuul-jobs
    timeout: 1800
    post-timeout: 1800
    nodeset: ubuntu-noble
- job:
    name: unittests
    parent: null
    run: playbooks/unittests.yaml
    nodeset: ubuntu-noble
`;

const ZUUL_JOBS = [
  'tox',
  'tox-cover',
  'tox-fips',
  'tox-pep8',
  'tox-docs',
  'tox-molecule',
  'opendev-promote-docs-base',
  'opendev-tox-docs',
  'opendev-buildset-registry',
  'opendev-upload-git-mirror',
  'infra-prod-bootstrap-bridge',
  'manila-image-elements-publish-artifacts',
  'requirements-check',
  'grafyaml-build-image',
  'opendev-promote-docs',
  'system-config-build-image-gerrit-base',
  'infra-prod-service-nameserver',
  'infra-prod-manage-projects',
  'infra-prod-service-zuul',
  'infra-prod-run-accessbot',
  'grenade',
  'infra-prod-service-grafana',
  'nodejs-run-docs',
  'nodejs-run-lint',
  'nodejs-run-test-browser',
  'system-config-build-image-gerrit-3.13',
  'system-config-promote-image-gerrit-3.13',
  'system-config-promote-image-gerrit-base',
  'system-config-upload-image-gerrit-3.13',
  'system-config-upload-image-gerrit-base',
  'tempest-full-py3',
  'tox-py38',
  'infra-prod-service-eavesdrop',
  'system-config-build-image-python-base-3.12-trixie',
  'system-config-build-image-python-builder-3.12-trixie',
]
  .map(
    (name) =>
      `- job:\n    name: ${name}\n    run: playbooks/${name}/run.yaml\n    vars:\n      ${name.replace(/[^A-Za-z0-9]/g, '_')}_enabled: true\n`,
  )
  .join('');

const REQUIREMENTS = [
  'check-requirements',
  'puppet-openstack-check-jobs',
  'openstackclient-plugin-jobs',
]
  .map(
    (name) =>
      `- project-template:\n    name: ${name}\n    check:\n      jobs:\n        - requirements-check\n    gate:\n      jobs:\n        - requirements-check\n`,
  )
  .join('');

// ---- generated projects ------------------------------------------------------

const TEMPLATES = [
  'openstack-python3-jobs',
  'publish-openstack-docs-pti',
  'release-notes-jobs-python3',
  'check-requirements',
  'openstack-cover-jobs',
];

/** A realistic in-repo configuration: own jobs, variants, templates. */
export function projectConf(name: string, i: number, branch: string): string {
  // Job names are unique across the tenant (`org-repo`), as real ones mostly are.
  const short = name.replace(/[^A-Za-z0-9_-]/g, '-');
  const own = 1 + (i % 4);
  const jobs: string[] = [];
  const out: string[] = [];
  for (let j = 0; j < own; j++) {
    const job =
      j === 0 ? `${short}-functional` : `${short}-functional-${['py311', 'tips', 'ipv6'][j - 1]}`;
    jobs.push(job);
    out.push(`- job:
    name: ${job}
    parent: ${j === 0 ? 'openstack-tox-functional' : `${short}-functional`}
    description: |
      Functional tests of ${name} (${j}).
    timeout: ${2400 + 600 * j}
    required-projects:
      - openstack/requirements
    vars:
      tox_envlist: functional${j ? `-${j}` : ''}
      ${short.replace(/-/g, '_')}_option: ${j}
    irrelevant-files:
      - ^.*\\.rst$
      - ^doc/.*$
      - ^releasenotes/.*$
`);
  }
  if (branch === 'master' && i % 3 === 1) {
    // A second variant of the project's own job for stable branches.
    out.push(`- job:
    name: ${short}-functional
    branches: ^stable/.*
    vars:
      tox_envlist: functional-stable
`);
  }
  const templates = TEMPLATES.filter((_, t) => t < 2 + (i % 4));
  const check = [...jobs.map((j) => `        - ${j}`)];
  if (i % 2 === 0) check.push('        - openstack-tox-cover:\n            voting: false');
  if (i % 5 === 0) {
    check.push(
      `        - openstack-tox-py313:\n            voting: false\n            branches: master`,
    );
  }
  out.push(`- project:
${i % 10 === 0 ? `    queue: ${short}\n` : ''}    templates:
${templates.map((t) => `      - ${t}`).join('\n')}
    check:
      jobs:
${check.join('\n')}
    gate:
      jobs:
${jobs
  .slice(0, 2)
  .map((j) => `        - ${j}`)
  .join('\n')}
`);
  if (i % 7 === 0) out.push('    periodic:\n      jobs:\n        - openstack-tox-py312\n');
  return out.join('');
}

function generatedFiles(name: string, i: number, branch: string): Record<string, string> {
  const conf = projectConf(name, i, branch);
  const files: Record<string, string> = { 'README.rst': `${name}\n`, 'setup.cfg': '[metadata]\n' };
  if (i % 7 === 3) {
    // Some projects split their configuration into zuul.d/.
    const split = conf.indexOf('- project:');
    files['zuul.d/jobs.yaml'] = conf.slice(0, split);
    files['zuul.d/project.yaml'] = conf.slice(split);
  } else {
    files['.zuul.yaml'] = conf;
  }
  return files;
}

/** A short digest of every repository's files, to name the directory they are kept in. */
export function digest(repos: RepoFiles): string {
  const hash = createHash('sha1');
  for (const [project, branches] of repos) {
    for (const [branch, files] of branches) {
      for (const [path, content] of Object.entries(files)) {
        hash.update(`${project}\0${branch}\0${path}\0${content.length}\0`).update(content);
      }
    }
  }
  return hash.digest('hex').slice(0, 12);
}

/** Builds the tenant file and every repository's files. */
export function benchTenant(corpus: string, count: number): BenchTenant {
  const real = parseTenantFile(
    readFileSync(join(corpus, 'opendev/tenant-config/main.yaml'), 'utf8'),
    {
      fileName: 'main.yaml',
      connectionNames: new Set(['gerrit', 'github', 'googlesource', 'smtp', 'timer', 'zuul']),
    },
  ).tenants.find((t) => t.name === 'openstack')!;
  const names = real.projects
    .filter((p) => p.connectionName === 'gerrit' && !p.trusted && !SPECIAL.has(p.name))
    .map((p) => p.name);
  for (let n = 0; names.length < count; n++) names.push(`openstack/bench-project-${n}`);
  // Projects of another Gerrit that project-config names (no configuration is read from them).
  const googlesource = real.projects
    .filter((p) => p.connectionName === 'googlesource')
    .map((p) => p.name.replace(/^gerrit\.googlesource\.com\//, ''));
  const generated = names;

  const repos: RepoFiles = new Map();
  const one = (files: Record<string, string>) => new Map([['master', files]]);
  repos.set('openstack/project-config', one(zuulD(corpus, 'project-config')));
  repos.set('opendev/base-jobs', one({ 'zuul.d/jobs.yaml': BASE_JOBS }));
  repos.set('opendev/zuul-providers', one({ 'zuul.d/providers.yaml': providersConf() }));
  repos.set('zuul/zuul-jobs', one({ 'zuul.d/jobs.yaml': ZUUL_JOBS }));
  repos.set('openstack/openstack-zuul-jobs', one(zuulD(corpus, 'openstack-zuul-jobs')));
  repos.set('openstack/requirements', one({ '.zuul.yaml': REQUIREMENTS }));
  generated.forEach((name, i) => {
    const branches = new Map([['master', generatedFiles(name, i, 'master')]]);
    if (i % 3 === 0) for (const b of STABLE) branches.set(b, generatedFiles(name, i, b));
    repos.set(name, branches);
  });

  const tenantYaml = `- tenant:
    name: openstack
    use-nodepool: false
    max-nodes-per-job: 10
    default-ansible-version: '11'
    source:
      gerrit:
        config-projects:
          - openstack/project-config:
              allow-base-jobs: false
          - opendev/base-jobs:
              allow-base-jobs: true
              shadow: openstack/project-config
              include: [job, secret]
        untrusted-projects:
          - opendev/zuul-providers:
              include: nodeset
              include-provider-config: true
          - zuul/zuul-jobs:
              shadow: openstack/project-config
          - openstack/openstack-zuul-jobs
          - openstack/requirements
${generated.map((n) => `          - ${n}`).join('\n')}
      googlesource:
        untrusted-projects:
          - include: []
            projects:
${googlesource.map((n) => `              - ${n}`).join('\n')}
`;
  return { tenantYaml, repos, generated };
}

// ---- git repositories ----------------------------------------------------------

function fastImportStream(branches: Map<string, Record<string, string>>): Buffer {
  const parts: Buffer[] = [];
  const add = (s: string | Buffer) => parts.push(typeof s === 'string' ? Buffer.from(s) : s);
  let mark = 0;
  let first: number | undefined;
  for (const [branch, files] of branches) {
    const marks: [string, number][] = [];
    for (const [path, content] of Object.entries(files)) {
      const data = Buffer.from(content);
      add(`blob\nmark :${++mark}\ndata ${data.length}\n`);
      add(data);
      add('\n');
      marks.push([path, mark]);
    }
    const message = `Configuration of ${branch}\n`;
    add(`commit refs/heads/${branch}\nmark :${++mark}\n`);
    add(`committer Bench <bench@example.com> 1700000000 +0000\ndata ${message.length}\n${message}`);
    if (first !== undefined) add(`from :${first}\n`);
    add('deleteall\n');
    for (const [path, m] of marks) add(`M 100644 :${m} ${path}\n`);
    add('\n');
    first ??= mark;
  }
  return Buffer.concat(parts);
}

function run(cmd: string, args: string[], input?: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')}: ${err}`)),
    );
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}

/**
 * Writes every repository as a bare mirror under `gitDir/<connection>/<project>`
 * (the repository cache's layout), unless a complete set is already there.
 * Returns whether it had to write them.
 */
export async function writeRepos(
  gitDir: string,
  connection: string,
  repos: RepoFiles,
  concurrency = 4,
): Promise<boolean> {
  const marker = join(gitDir, 'complete');
  if (existsSync(marker)) return false;
  rmSync(gitDir, { recursive: true, force: true });
  const list = [...repos];
  let next = 0;
  const worker = async () => {
    while (next < list.length) {
      const [project, branches] = list[next++]!;
      const dir = join(gitDir, connection, project);
      mkdirSync(dir, { recursive: true });
      await run('git', ['init', '--bare', '-q', '-b', 'master', dir]);
      await run('git', [`--git-dir=${dir}`, 'fast-import', '--quiet'], fastImportStream(branches));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  writeFileSync(marker, `${list.length} repositories\n`);
  return true;
}
