// Finding ansible-playbook. In order: `[executor] ansible_root` when the
// operator set it (Zuul's managed layout `<root>/<version>/bin`, or a plain
// `<root>/bin`), the project's own venv (`.venv-ansible/`, made by
// scripts/setup.sh), then PATH (e.g. Debian's ansible-core package).

import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface AnsibleInstall {
  /** The ansible-playbook executable. */
  playbook: string;
  /** ansible-core's version, e.g. `2.16.14`. */
  coreVersion: string;
  /** The Zuul Ansible version it corresponds to (`9` for ansible-core 2.16, `11` for 2.18). */
  zuulVersion: string;
  /** Directories the sandbox must show (read-only) for it to run: venv, Python home. */
  roots: string[];
  source: 'ansible_root' | 'project' | 'path';
}

export interface FindAnsibleOptions {
  /** `[executor] ansible_root`, when set in zuul.conf. */
  ansibleRoot?: string;
  /** Zuul Ansible version asked for (`9`, `11`); picks `<ansible_root>/<version>`. */
  version?: string;
  /** Defaults to the zuul-ts checkout this file belongs to. */
  projectRoot?: string;
  /** Defaults to process.env.PATH. */
  pathEnv?: string;
}

export class AnsibleNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AnsibleNotFoundError';
  }
}

/** The zuul-ts checkout (the directory holding `ansible/` and `package.json`). */
export function projectRoot(): string {
  // dist/src/executor/ansible-install.js → three levels up.
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
}

/** Where zuul-ts's Ansible plugins (callbacks, zuul_return, command) live. */
export function pluginsDir(root = projectRoot()): string {
  return join(root, 'ansible');
}

const cache = new Map<string, AnsibleInstall>();

export function findAnsible(opts: FindAnsibleOptions = {}): AnsibleInstall {
  const key = JSON.stringify(opts);
  const hit = cache.get(key);
  if (hit) return hit;
  const found = locate(opts);
  cache.set(key, found);
  return found;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function locate(opts: FindAnsibleOptions): AnsibleInstall {
  if (opts.ansibleRoot) {
    const candidates = [
      ...(opts.version ? [join(opts.ansibleRoot, opts.version, 'bin', 'ansible-playbook')] : []),
      join(opts.ansibleRoot, 'bin', 'ansible-playbook'),
    ];
    const exe = candidates.find(isExecutable);
    if (!exe) {
      throw new AnsibleNotFoundError(
        `[executor] ansible_root is ${opts.ansibleRoot} but there is no ansible-playbook at ${candidates.join(' or ')}`,
      );
    }
    return describe(exe, 'ansible_root');
  }
  const venv = join(opts.projectRoot ?? projectRoot(), '.venv-ansible', 'bin', 'ansible-playbook');
  if (isExecutable(venv)) return describe(venv, 'project');
  for (const dir of (opts.pathEnv ?? process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const exe = join(dir, 'ansible-playbook');
    if (isExecutable(exe)) return describe(exe, 'path');
  }
  throw new AnsibleNotFoundError(
    'ansible-playbook not found: run scripts/setup.sh (installs ansible-core into .venv-ansible/), install Debian\'s "ansible-core" package, or set [executor] ansible_root',
  );
}

/** The interpreter named by the script's `#!` line. */
function interpreterOf(exe: string): string {
  const first = readFileSync(exe, 'utf8').split('\n', 1)[0] ?? '';
  const m = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(first);
  if (!m) throw new AnsibleNotFoundError(`${exe} is not a Python script (no #! line)`);
  // `#!/usr/bin/env python3` names the interpreter in the second word.
  return m[1]!.endsWith('/env') && m[2] ? m[2] : m[1]!;
}

const PROBE =
  'import json, sys, os, ansible, ansible.release;' +
  'print(json.dumps({"version": ansible.release.__version__, "prefix": sys.prefix,' +
  ' "base": sys.base_prefix, "pkg": os.path.dirname(os.path.dirname(ansible.__file__)),' +
  ' "exe": os.path.realpath(sys.executable)}))';

function describe(exe: string, source: AnsibleInstall['source']): AnsibleInstall {
  const python = interpreterOf(exe);
  let info: { version: string; prefix: string; base: string; pkg: string; exe: string };
  try {
    info = JSON.parse(execFileSync(python, ['-c', PROBE], { encoding: 'utf8', timeout: 30_000 }));
  } catch (e) {
    throw new AnsibleNotFoundError(
      `${exe}: cannot load ansible with ${python}: ${(e as Error).message.split('\n')[0]}`,
    );
  }
  const roots = new Set<string>([dirname(dirname(exe)), info.prefix, info.base, info.pkg]);
  roots.add(dirname(dirname(info.exe)));
  return {
    playbook: exe,
    coreVersion: info.version,
    zuulVersion: zuulAnsibleVersion(info.version),
    roots: [...roots].filter((r) => existsSync(r)),
    source,
  };
}

/**
 * Zuul names Ansible by the community package's major version; each
 * ansible-core minor release maps to one: 2.15 → 8, 2.16 → 9, 2.17 → 10,
 * 2.18 → 11.
 */
export function zuulAnsibleVersion(coreVersion: string): string {
  const m = /^2\.(\d+)\./.exec(coreVersion);
  if (!m) return coreVersion;
  return String(Number(m[1]) - 7);
}
