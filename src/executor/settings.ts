// The `[executor]` settings of zuul.conf the runner needs (semantics §A.3).

import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import type { ZuulConf } from '../config/zuul-conf.js';
import type { ExtraCallback } from './ansible-cfg.js';
import { splitPaths } from './sandbox.js';

export interface ExecutorSettings {
  stateDir: string;
  jobDir: string;
  /** Set only when zuul.conf names it (Zuul's default location is not searched). */
  ansibleRoot?: string;
  /** `[executor] variables`: site-wide variables file passed as extra-vars. */
  variablesFile?: string;
  defaultUsername: string;
  ansibleSetupTimeout: number;
  hostname: string;
  trustedRoPaths: string[];
  trustedRwPaths: string[];
  untrustedRoPaths: string[];
  untrustedRwPaths: string[];
  /** `[ansible_callback NAME]` sections, copied into ansible.cfg. */
  callbacks: ExtraCallback[];
  /** `[executor] git_dir`: the executor's repository cache (default `<state_dir>/executor-git`). */
  gitDir: string;
  /** Where finished builds keep their logs: `<state_dir>/logs/<build uuid>/`. */
  logRoot: string;
  /** `[web] root`: build log URLs are `<root>/logs/<build uuid>/` (else `file://` URLs). */
  webRoot?: string;
  /** `[executor] private_key_file`: added to every build's ssh-agent when it exists. */
  privateKeyFile: string;
}

export function executorSettings(conf: ZuulConf): ExecutorSettings {
  const stateDir = conf.resolvePath('executor', 'state_dir') ?? '/var/lib/zuul';
  return {
    stateDir,
    jobDir: conf.resolvePath('executor', 'job_dir') ?? join(stateDir, 'builds'),
    ansibleRoot: conf.resolvePath('executor', 'ansible_root'),
    variablesFile: conf.resolvePath('executor', 'variables'),
    defaultUsername: conf.get('executor', 'default_username', 'zuul'),
    ansibleSetupTimeout: conf.getInt('executor', 'ansible_setup_timeout', 60),
    hostname: conf.get('executor', 'hostname') || hostname(),
    trustedRoPaths: splitPaths(conf.get('executor', 'trusted_ro_paths')),
    trustedRwPaths: splitPaths(conf.get('executor', 'trusted_rw_paths')),
    untrustedRoPaths: splitPaths(conf.get('executor', 'untrusted_ro_paths')),
    untrustedRwPaths: splitPaths(conf.get('executor', 'untrusted_rw_paths')),
    callbacks: conf.ansibleCallbacks().map((c) => ({ name: c.name, options: c.options })),
    gitDir: conf.resolvePath('executor', 'git_dir') ?? join(stateDir, 'executor-git'),
    logRoot: join(stateDir, 'logs'),
    webRoot: conf.get('web', 'root') || undefined,
    privateKeyFile:
      conf.resolvePath('executor', 'private_key_file') ?? join(homedir(), '.ssh', 'id_rsa'),
  };
}
