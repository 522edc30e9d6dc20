// Prepared builds for runner tests: a job_dir in a temp directory, build
// directories made by createBuildDir, and tiny playbooks written into the
// trusted/ or untrusted/ checkout area the way build preparation lays them
// out. Every test runs the real ansible-playbook.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type AnsibleInstall, findAnsible } from '../../src/executor/ansible-install.js';
import {
  type BuildPaths,
  createBuildDir,
  type PreparedBuild,
  type PreparedPlaybook,
} from '../../src/executor/build-dir.js';

let cached: AnsibleInstall | undefined;
export function ansible(): AnsibleInstall {
  cached ??= findAnsible();
  return cached;
}

export interface JobDir {
  path: string;
  cleanup: () => void;
}

export function jobDir(): JobDir {
  const path = mkdtempSync(join(tmpdir(), 'zuul-ts-exec-'));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

let counter = 0;

export interface PlaybookSpec {
  /** File name under playbooks/ (e.g. `pre.yaml`). */
  name: string;
  /** YAML text of the playbook. */
  yaml: string;
  trusted?: boolean;
  cleanup?: boolean;
  nestingLevel?: number;
  secrets?: Record<string, unknown>;
}

export interface TestBuild {
  build: PreparedBuild;
  paths: BuildPaths;
  /** Lines of work/order.txt (playbooks append to it with `order` below). */
  order(): string[];
  jobOutput(): string;
}

const PROJECT = { trusted: 'example.org/config', untrusted: 'example.org/org/project' };

function writePlaybook(paths: BuildPaths, spec: PlaybookSpec): PreparedPlaybook {
  const trusted = spec.trusted ?? true;
  const project = trusted ? PROJECT.trusted : PROJECT.untrusted;
  const base = join(trusted ? paths.trusted : paths.untrusted, 'project_0', project);
  const file = join(base, 'playbooks', spec.name);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, spec.yaml);
  return {
    path: file,
    trusted,
    canonicalNameAndPath: `${project}/playbooks/${spec.name}`,
    branch: 'master',
    ...(spec.cleanup ? { cleanup: true } : {}),
    ...(spec.nestingLevel !== undefined ? { nestingLevel: spec.nestingLevel } : {}),
    ...(spec.secrets ? { secrets: spec.secrets } : {}),
  };
}

export function makeBuild(
  dir: JobDir,
  phases: { pre?: PlaybookSpec[]; run?: PlaybookSpec[]; post?: PlaybookSpec[] },
  extra: Partial<PreparedBuild> = {},
): TestBuild {
  counter += 1;
  const uuid = `b${process.pid}x${counter}`;
  const paths = createBuildDir(dir.path, uuid);
  const build: PreparedBuild = {
    uuid,
    root: paths.root,
    pre: (phases.pre ?? []).map((s) => writePlaybook(paths, s)),
    run: (phases.run ?? []).map((s) => writePlaybook(paths, s)),
    post: (phases.post ?? []).map((s) => writePlaybook(paths, s)),
    inventory: { all: { hosts: {}, vars: {} } },
    zuulVars: { zuul: { build: uuid, job: 'test-job' } },
    ...extra,
  };
  return {
    build,
    paths,
    order: () => {
      try {
        return readFileSync(join(paths.work, 'order.txt'), 'utf8').trim().split('\n');
      } catch {
        return [];
      }
    },
    jobOutput: () => readFileSync(paths.jobOutput, 'utf8'),
  };
}

/** A localhost playbook that records `name` in work/order.txt, then runs `tasks` (YAML list items). */
export function orderPlaybook(name: string, tasks = ''): string {
  return `- hosts: localhost
  gather_facts: false
  tasks:
    - name: record ${name}
      shell: echo ${name} >> ~/order.txt
${tasks}`;
}

/** A task list item (indented for orderPlaybook). */
export function task(yaml: string): string {
  return yaml
    .trim()
    .split('\n')
    .map((l, i) => (i === 0 ? `    - ${l}` : `      ${l}`))
    .join('\n')
    .concat('\n');
}
