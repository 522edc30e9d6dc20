// The build directory (semantics §F.2) and what the runner is handed: a
// prepared build, i.e. a directory whose checkouts and variables are in
// place, plus the playbooks to run in each phase.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Execution phase, as passed to playbooks in `zuul_execution_phase`. */
export type Phase = 'pre' | 'run' | 'post';

export interface PreparedPlaybook {
  /** Absolute path of the playbook file (inside `trusted/` or `untrusted/`). */
  path: string;
  trusted: boolean;
  /** `<canonical project name>/<path in the repo>`, shown in banners and job-output.json. */
  canonicalNameAndPath: string;
  /** Branch the playbook was read from. */
  branch: string;
  /** Role directories for this playbook, earlier ones take precedence. */
  rolesPath?: string[];
  /**
   * Secrets (and secret parent data) for this playbook only: written as
   * `group_vars/all.yaml` beside its inventory, every string `!unsafe`.
   * Under the sandbox they exist only in the sandbox's memory.
   */
  secrets?: Record<string, unknown>;
  /** Post playbooks only: runs also when the build is aborted (`cleanup-run`). */
  cleanup?: boolean;
  /** Inheritance depth of the job stanza that added the playbook (0 = the base job). */
  nestingLevel?: number;
}

export interface PreparedBuild {
  uuid: string;
  /** `<job_dir>/<uuid>`. */
  root: string;
  pre: PreparedPlaybook[];
  run: PreparedPlaybook[];
  /** Post-run playbooks in run order, with cleanup playbooks merged in. */
  post: PreparedPlaybook[];
  /** The inventory document (hosts, groups, variables), without secrets. */
  inventory: Record<string, unknown>;
  /** `{zuul: …}`: written to `ansible/zuul_vars.yaml`, passed as extra-vars. */
  zuulVars?: Record<string, unknown>;
  /** More extra-vars files (the `[executor] variables` site file). */
  extraVarsFiles?: string[];
  /** Seconds for pre-run + run together (one clock); null/undefined = no limit. */
  timeout?: number | null;
  /** Seconds for the pre-run playbooks (same clock as `timeout`). */
  preTimeout?: number | null;
  /** Seconds for each post-run playbook. */
  postTimeout?: number | null;
  /** Regexes (Python syntax) of console lines that mean the job failed. */
  failureOutput?: string[];
}

/** Where things live in a build directory. */
export interface BuildPaths {
  root: string;
  ansible: string;
  dotAnsible: string;
  trusted: string;
  untrusted: string;
  work: string;
  src: string;
  logs: string;
  tmp: string;
  jobOutput: string;
  jobOutputJson: string;
  results: string;
  inventory: string;
  zuulVars: string;
  varsBlacklist: string;
  knownHosts: string;
}

export function buildPaths(root: string): BuildPaths {
  const ansible = join(root, 'ansible');
  const work = join(root, 'work');
  const logs = join(work, 'logs');
  return {
    root,
    ansible,
    dotAnsible: join(root, '.ansible'),
    trusted: join(root, 'trusted'),
    untrusted: join(root, 'untrusted'),
    work,
    src: join(work, 'src'),
    logs,
    tmp: join(work, 'tmp'),
    jobOutput: join(logs, 'job-output.txt'),
    jobOutputJson: join(logs, 'job-output.json'),
    results: join(work, 'results.json'),
    inventory: join(ansible, 'inventory.yaml'),
    zuulVars: join(ansible, 'zuul_vars.yaml'),
    varsBlacklist: join(ansible, 'vars_blacklist.yaml'),
    knownHosts: join(work, '.ssh', 'known_hosts'),
  };
}

/**
 * Creates the empty skeleton of a build directory (mode 0700), including
 * an empty job-output.txt so a console reader can attach before Ansible
 * starts.
 */
export function createBuildDir(jobDir: string, uuid: string): BuildPaths {
  if (!/^[A-Za-z0-9_-]+$/.test(uuid)) {
    throw new Error(`Invalid build UUID "${uuid}": only letters, digits, "_" and "-" are allowed`);
  }
  const p = buildPaths(join(jobDir, uuid));
  mkdirSync(jobDir, { recursive: true });
  mkdirSync(p.root, { mode: 0o700 });
  for (const dir of [
    p.ansible,
    p.dotAnsible,
    p.trusted,
    p.untrusted,
    p.work,
    p.src,
    p.logs,
    p.tmp,
    join(p.work, '.ssh'),
  ]) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }
  writeFileSync(p.jobOutput, '', { flag: 'a' });
  return p;
}
