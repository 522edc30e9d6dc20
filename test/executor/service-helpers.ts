// Builds for executor service tests and the executor benchmark: real git
// repositories holding a job's playbooks (one `config` repository, plus
// more projects for the workspace), build requests for them in
// protocol.ts's shape, executor settings in a temp directory, and a
// zuul.conf for `zuul-ts executor` processes.

import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BuildPlaybook, BuildProject, BuildRequest } from '../../src/executor/protocol.js';
import type { ExecutorServiceSettings } from '../../src/executor/service-settings.js';
import type { ExecutorSettings } from '../../src/executor/settings.js';
import type { RefInfo } from '../../src/executor/vars/refs.js';
import type { RepoState } from '../../src/merger/types.js';
import { git, Upstream } from '../helpers/git-repos.js';

const HOST = 'example.org';

/** Playbooks the tests use, by file name under playbooks/. */
export const PLAYBOOKS: Record<string, string> = {
  'hello.yaml': `- hosts: localhost
  gather_facts: false
  tasks:
    - debug:
        msg: hello from the executor
`,
  // Long enough to be cancelled, killed or waited for mid-run.
  'sleep.yaml': `- hosts: localhost
  gather_facts: false
  tasks:
    - command: sleep "{{ sleep_seconds | default(30) }}"
`,
  'cleanup.yaml': `- hosts: localhost
  gather_facts: false
  tasks:
    - debug:
        msg: cleaning up
`,
  'big-file.yaml': `- hosts: localhost
  gather_facts: false
  tasks:
    - command: dd if=/dev/zero of="{{ zuul.executor.work_root }}/big" bs=1M count=4
    - command: sleep 30
`,
  'pause.yaml': `- hosts: localhost
  gather_facts: false
  tasks:
    - zuul_return:
        data:
          zuul:
            pause: true
          answer: 42
`,
};

export interface JobRepos {
  /** The config repository with every playbook above. */
  config: Upstream;
  /** More projects (workspace only). */
  others: Upstream[];
}

/** Upstream repositories under `root`: config, plus `extra` more projects. */
export function makeJobRepos(root: string, extra = 0): JobRepos {
  const config = new Upstream(root, 'org/config');
  config.commit(
    'main',
    Object.fromEntries(
      Object.entries(PLAYBOOKS).map(([name, text]) => [`playbooks/${name}`, text]),
    ),
    'Add playbooks',
  );
  const others: Upstream[] = [];
  for (let i = 1; i <= extra; i++) {
    const u = new Upstream(root, `org/project${i}`);
    u.commit('main', { [`src/file${i}.txt`]: `project ${i}\n` }, 'Add a file');
    others.push(u);
  }
  return { config, others };
}

function project(name: string, url: string): BuildProject {
  return {
    connection: 'git',
    name,
    canonicalName: `${HOST}/${name}`,
    canonicalHostname: HOST,
    url,
    defaultBranch: 'main',
  };
}

function playbook(file: string, cleanup = false): BuildPlaybook {
  return {
    project: `${HOST}/org/config`,
    branch: 'main',
    path: `playbooks/${file}`,
    trusted: true,
    cleanup,
    nestingLevel: 0,
    roles: [],
    secrets: [],
  };
}

export interface RequestSpec {
  run?: string[];
  cleanup?: string[];
  vars?: Record<string, unknown>;
  zone?: string | null;
  attempts?: number;
  /**
   * Pin every project's branches as the merger would for a buildset
   * (default: none, the executor reads them from its cache).
   */
  pinRepoState?: boolean;
}

/** A build of a job from the config repository, on the executor's localhost. */
export function buildRequestFor(repos: JobRepos, spec: RequestSpec = {}): BuildRequest {
  const all = [repos.config, ...repos.others];
  const names = ['org/config', ...repos.others.map((_, i) => `org/project${i + 1}`)];
  const projects: Record<string, BuildProject> = {};
  for (const [i, u] of all.entries()) {
    const p = project(names[i]!, u.url);
    projects[p.canonicalName] = p;
  }
  const repoState: RepoState = {};
  if (spec.pinRepoState) {
    repoState.git = {};
    for (const [i, u] of all.entries()) {
      repoState.git[names[i]!] = { refs: { 'refs/heads/main': git(u.path, 'rev-parse', 'main') } };
    }
  }
  const change: RefInfo = {
    project: { name: 'org/config', canonicalHostname: HOST },
    kind: 'branch',
    ref: 'refs/heads/main',
    branch: 'main',
  };
  return {
    uuid: randomUUID().replaceAll('-', ''),
    buildsetUuid: randomUUID().replaceAll('-', ''),
    tenant: 'tenant-one',
    pipeline: { name: 'check', postReview: false },
    zone: spec.zone ?? null,
    eventId: null,
    attempt: 1,
    job: {
      name: 'service-test',
      voting: true,
      timeout: 120,
      preTimeout: null,
      postTimeout: 60,
      tags: [],
      attempts: spec.attempts ?? 3,
      overrideBranch: null,
      overrideCheckout: null,
      inheritancePath: [],
      workspaceScheme: 'golang',
      workspaceCheckout: 'auto',
      imageBuildName: null,
      failureOutput: [],
      ansibleVersion: null,
      vars: spec.vars ?? {},
      extraVars: {},
      hostVars: {},
      groupVars: {},
      includeVars: [],
      preRun: [],
      run: (spec.run ?? ['hello.yaml']).map((f) => playbook(f)),
      postRun: [],
      cleanupRun: (spec.cleanup ?? []).map((f) => playbook(f, true)),
    },
    projects,
    workspace: Object.keys(projects).map((p) => ({ project: p, required: false })),
    repoState,
    change,
    items: [change],
    buildsetRefs: [change],
    buildRefs: [change],
    nodes: [],
    groups: [],
    childJobs: [],
    parent: { data: {}, secretData: {} },
    artifacts: [],
  };
}

/** Executor settings with every directory under `dir`. */
export function settingsIn(dir: string): ExecutorSettings {
  const stateDir = join(dir, 'state');
  return {
    stateDir,
    jobDir: join(stateDir, 'builds'),
    defaultUsername: 'zuul',
    ansibleSetupTimeout: 60,
    hostname: 'executor.test',
    trustedRoPaths: [],
    trustedRwPaths: [],
    untrustedRoPaths: [],
    untrustedRwPaths: [],
    callbacks: [],
    gitDir: join(stateDir, 'executor-git'),
    logRoot: join(stateDir, 'logs'),
    privateKeyFile: join(dir, 'no-such-key'),
  };
}

export function serviceSettings(
  dir: string,
  extra: Partial<ExecutorServiceSettings> = {},
): ExecutorServiceSettings {
  return {
    zone: null,
    allowUnzoned: false,
    loadMultiplier: 2.5,
    minAvailMem: 5,
    minAvailHdd: 5,
    minAvailInodes: 5,
    diskLimitPerJob: 250,
    pausedOnStart: false,
    sigtermMethod: 'graceful',
    commandSocket: join(dir, 'executor.socket'),
    ...extra,
  };
}

/**
 * A zuul.conf for one `zuul-ts executor` process, its state under
 * `dir/<name>`. The load limit is set out of reach: the test machine is
 * shared, and the governor's limits have their own tests.
 */
export function writeExecutorConf(
  dir: string,
  name: string,
  store: { uri: string; tablePrefix?: string },
  extra: string[] = [],
): string {
  const path = join(dir, `${name}.conf`);
  writeFileSync(
    path,
    [
      '[database]',
      `dburi=${store.uri}`,
      ...(store.tablePrefix ? [`table_prefix=${store.tablePrefix}`] : []),
      '[executor]',
      `state_dir=${join(dir, name)}`,
      'load_multiplier=1000',
      `private_key_file=${join(dir, 'no-such-key')}`,
      ...extra,
      '',
    ].join('\n'),
  );
  return path;
}
