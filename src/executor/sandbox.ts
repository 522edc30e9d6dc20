// The bubblewrap sandbox every ansible-playbook run is started in
// (docs/security.md, "Executor sandbox"). The sandbox sees the system's
// programs and libraries read-only, a chosen handful of /etc files, the
// Ansible installation and zuul-ts's plugins read-only, and of its own
// build directory only what its trust context may see. work/ and .ansible/
// are the only writable places besides a private /tmp. Other builds, the
// executor's state and its environment are not there at all.

import { accessSync, constants, existsSync, lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import type { BuildPaths } from './build-dir.js';

export interface SandboxOptions {
  paths: BuildPaths;
  trusted: boolean;
  /** The playbook's own ansible/<phase>_playbook_<n> directory. */
  playbookDir: string;
  /** Extra files outside the playbook dir the run reads (extra-vars files). */
  roFiles?: string[];
  /** Directories of the Ansible installation (AnsibleInstall.roots). */
  ansibleRoots: readonly string[];
  /** zuul-ts's ansible/ plugin directory. */
  plugins: string;
  /** `[executor] trusted_ro_paths` / `untrusted_ro_paths`, by context. */
  roPaths?: readonly string[];
  /** `[executor] trusted_rw_paths` / `untrusted_rw_paths`, by context. */
  rwPaths?: readonly string[];
  /**
   * Files that exist only inside the sandbox: each is read by bubblewrap
   * from an inherited file descriptor. Their directory gets a private
   * in-memory mount, made read-only once the files are in.
   */
  memoryFiles?: readonly { fd: number; dest: string; dir: string }[];
  /** Unix socket of the build's ssh-agent, when it has one. */
  sshAuthSock?: string;
}

/** /etc entries programs need (name resolution, users, certificates, time zone, ssh). */
const ETC = [
  'alternatives',
  'ca-certificates',
  'ca-certificates.conf',
  'gai.conf',
  'group',
  'host.conf',
  'hostname',
  'hosts',
  'ld.so.cache',
  'ld.so.conf',
  'ld.so.conf.d',
  'localtime',
  'mime.types',
  'nsswitch.conf',
  'os-release',
  'passwd',
  'protocols',
  'resolv.conf',
  'services',
  'ssh/ssh_config',
  'ssh/ssh_config.d',
  'ssl',
  'timezone',
];

/** The sandbox cannot be set up as configured (a missing extra path). */
export class SandboxConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SandboxConfigError';
  }
}

/** Top-level system directories: bound read-only, or re-created as the symlinks they are. */
const SYSTEM_DIRS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

function systemMounts(): string[] {
  const args: string[] = [];
  for (const dir of SYSTEM_DIRS) {
    let st: ReturnType<typeof lstatSync>;
    try {
      st = lstatSync(dir);
    } catch {
      continue;
    }
    if (st.isSymbolicLink()) args.push('--symlink', readlinkSync(dir), dir);
    else args.push('--ro-bind', dir, dir);
  }
  for (const name of ETC) {
    const p = join('/etc', name);
    if (existsSync(p)) args.push('--ro-bind', p, p);
  }
  // Debian's Python reads its site configuration from /etc/python3.X.
  try {
    for (const name of readdirSync('/etc')) {
      if (/^python3(\.\d+)?$/.test(name)) args.push('--ro-bind', `/etc/${name}`, `/etc/${name}`);
    }
  } catch {
    // no /etc listing: nothing more to add
  }
  return args;
}

/** Whether `p` is `/usr` or below it (already visible). */
function underUsr(p: string): boolean {
  return p === '/usr' || p.startsWith('/usr/');
}

export function bwrapArgs(o: SandboxOptions): string[] {
  const p = o.paths;
  const args = [
    '--die-with-parent',
    '--new-session',
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-cgroup-try',
    ...systemMounts(),
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--tmpfs',
    '/tmp',
    '--tmpfs',
    '/var/tmp',
  ];
  for (const root of o.ansibleRoots) {
    if (!underUsr(root)) args.push('--ro-bind', root, root);
  }
  args.push('--ro-bind', o.plugins, o.plugins);
  if (o.trusted) {
    // Trusted playbooks may read the whole ansible/ dir (the debug
    // inventory included) and only the trusted checkouts.
    args.push('--ro-bind', p.ansible, p.ansible, '--ro-bind', p.trusted, p.trusted);
  } else {
    args.push('--ro-bind', o.playbookDir, o.playbookDir, '--ro-bind', p.untrusted, p.untrusted);
  }
  for (const f of o.roFiles ?? []) {
    if (!(o.trusted && f.startsWith(`${p.ansible}/`))) args.push('--ro-bind', f, f);
  }
  args.push('--bind', p.work, p.work, '--bind', p.dotAnsible, p.dotAnsible);
  for (const [kind, list] of [
    ['ro', o.roPaths],
    ['rw', o.rwPaths],
  ] as const) {
    for (const extra of list ?? []) {
      if (!existsSync(extra)) {
        throw new SandboxConfigError(
          `[executor] ${o.trusted ? 'trusted' : 'untrusted'}_${kind}_paths names ${extra}, which does not exist`,
        );
      }
      args.push(kind === 'ro' ? '--ro-bind' : '--bind', extra, extra);
    }
  }
  if (o.sshAuthSock) args.push('--bind', o.sshAuthSock, o.sshAuthSock);
  const dirs = new Set<string>();
  for (const f of o.memoryFiles ?? []) {
    if (!dirs.has(f.dir)) {
      dirs.add(f.dir);
      args.push('--tmpfs', f.dir);
    }
    args.push('--perms', '0600', '--file', String(f.fd), f.dest);
  }
  for (const d of dirs) args.push('--remount-ro', d);
  args.push('--chdir', p.work);
  return args;
}

/** `[executor] *_paths` settings are `:`-separated; empty parts are ignored. */
export function splitPaths(value: string | undefined): string[] {
  return (value ?? '').split(':').filter((s) => s.trim() !== '');
}

/** The bwrap executable (a path, or a name looked up in PATH); a clear error when there is none. */
export function findBwrap(name = 'bwrap', pathEnv = process.env.PATH ?? ''): string {
  const candidates = isAbsolute(name)
    ? [name]
    : pathEnv
        .split(delimiter)
        .filter(Boolean)
        .map((d) => join(d, name));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // not here
    }
  }
  throw new SandboxConfigError(
    `bubblewrap (${name}) not found: install the Debian package "bubblewrap" (scripts/setup.sh does)`,
  );
}
