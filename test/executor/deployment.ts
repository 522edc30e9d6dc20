// A small real deployment for executor tests: upstream git repositories
// (one trusted config project, untrusted projects), a tenant file, and a
// zuul.conf with a `git` connection, a SQLite store for the keystore, the
// merger's cache and the executor's state directory, all in a temp dir.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, Upstream } from '../helpers/git-repos.js';

export const HOST = 'git.example.org';

export interface RepoSpec {
  /** Files of the first commit on master. */
  files: Record<string, string>;
}

export interface TestDeployment {
  root: string;
  confPath: string;
  repo(name: string): Upstream;
  cleanup(): void;
}

/** `config` is the config project (trusted); every other repo is untrusted. */
export function deploy(
  repos: Record<string, RepoSpec>,
  opts: { executor?: string[] } = {},
): TestDeployment {
  const tmp = tempDir('zuul-ts-exec-deploy-');
  const root = tmp.path;
  const upstream = join(root, 'upstream');
  const made = new Map<string, Upstream>();
  for (const [name, spec] of Object.entries(repos)) {
    const u = new Upstream(upstream, name, 'master');
    u.commit('master', spec.files, `Files of ${name}`);
    made.set(name, u);
  }
  const untrusted = Object.keys(repos).filter((n) => n !== 'config');
  writeFileSync(
    join(root, 'main.yaml'),
    [
      '- tenant:',
      '    name: tenant-one',
      '    source:',
      '      git:',
      '        config-projects:',
      '          - config',
      '        untrusted-projects:',
      ...untrusted.map((n) => `          - ${n}`),
      '',
    ].join('\n'),
  );
  const confPath = join(root, 'zuul.conf');
  writeFileSync(
    confPath,
    [
      '[scheduler]',
      'tenant_config=main.yaml',
      '',
      '[merger]',
      `git_dir=${join(root, 'merger-git')}`,
      'git_user_email=zuul@example.com',
      'git_user_name=zuul',
      '',
      '[executor]',
      `state_dir=${join(root, 'state')}`,
      `private_key_file=${join(root, 'no-such-key')}`,
      ...(opts.executor ?? []),
      '',
      '[database]',
      `dburi=sqlite:///${join(root, 'zuul.db')}`,
      '',
      '[keystore]',
      'password=keystore-password',
      '',
      '[connection git]',
      'driver=git',
      `baseurl=file://${upstream}`,
      `canonical_hostname=${HOST}`,
      '',
    ].join('\n'),
  );
  return {
    root,
    confPath,
    repo: (name) => {
      const u = made.get(name);
      if (!u) throw new Error(`no repo ${name}`);
      return u;
    },
    cleanup: tmp.cleanup,
  };
}

/** The config project's pipeline and base job every test deployment starts from. */
export const BASE_CONFIG = `- pipeline:
    name: check
    manager: independent
    trigger:
      git:
        - event: ref-updated

- job:
    name: base
    parent: null
    nodeset:
      nodes: []
`;
