// ansible.cfg for one playbook run, set up the way Zuul's executor sets it:
// our console callbacks, the zuul_return and command plugins, fact cache
// and SSH control sockets inside the build directory, and any
// `[ansible_callback NAME]` sections of zuul.conf copied through.

import { join } from 'node:path';
import type { BuildPaths } from './build-dir.js';

export interface ExtraCallback {
  name: string;
  options: Readonly<Record<string, string>>;
}

export interface AnsibleCfgOptions {
  paths: BuildPaths;
  /** This playbook's inventory file. */
  inventory: string;
  /** zuul-ts's `ansible/` plugin directory. */
  plugins: string;
  rolesPath?: string[];
  forks?: number;
  /** SSH connection timeout, seconds. */
  connectTimeout?: number;
  callbacks?: readonly ExtraCallback[];
}

/** An INI value cannot hold a newline; anything else is written as it is. */
function value(v: string): string {
  if (/[\r\n]/.test(v)) throw new Error(`ansible.cfg value must be one line: ${JSON.stringify(v)}`);
  return v;
}

export function ansibleCfg(o: AnsibleCfgOptions): string {
  const p = o.paths;
  const enabled = ['zuul_json', ...(o.callbacks ?? []).map((c) => c.name)];
  const lines = [
    '[defaults]',
    `inventory = ${value(o.inventory)}`,
    `local_tmp = ${join(p.dotAnsible, 'local_tmp')}`,
    'retry_files_enabled = False',
    'gathering = smart',
    'fact_caching = jsonfile',
    `fact_caching_connection = ${join(p.dotAnsible, 'fact-cache')}`,
    `library = ${join(o.plugins, 'library')}`,
    `action_plugins = ${join(o.plugins, 'action')}`,
    `callback_plugins = ${join(o.plugins, 'callback')}`,
    'stdout_callback = zuul_stream',
    `callbacks_enabled = ${enabled.map(value).join(', ')}`,
    `forks = ${o.forks ?? 5}`,
    `timeout = ${o.connectTimeout ?? 30}`,
    'interpreter_python = auto_silent',
    'nocows = True',
    'display_args_to_stdout = False',
    'host_key_checking = True',
    // An empty nodeset runs on the implicit localhost: not worth a warning.
    'localhost_warning = False',
  ];
  if (o.rolesPath?.length) lines.push(`roles_path = ${o.rolesPath.map(value).join(':')}`);
  lines.push(
    '',
    '[ssh_connection]',
    `control_path_dir = ${join(p.dotAnsible, 'cp')}`,
    'pipelining = True',
    `ssh_args = -o ControlMaster=auto -o ControlPersist=60s -o ServerAliveInterval=60 -o UserKnownHostsFile=${p.knownHosts}`,
  );
  for (const cb of o.callbacks ?? []) {
    lines.push('', `[callback_${value(cb.name)}]`);
    for (const [k, v] of Object.entries(cb.options)) lines.push(`${value(k)} = ${value(v)}`);
  }
  return `${lines.join('\n')}\n`;
}
