// zuul.conf: the INI file every component reads (semantics.md §A).
//
// Loading never fails on content Zuul would ignore: unknown sections and
// unknown keys become `warnings`. Checks that only matter to one component
// (e.g. the scheduler's tenant_config) run when that component asks.

import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { ConnectionConfig } from '../drivers/driver.js';
import { type IniFile, parseBoolean, parseIni, splitSectionName } from '../lib/ini.js';

/** A zuul.conf problem; the message names the file, section and key. */
export class ZuulConfError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly section?: string,
    readonly key?: string,
  ) {
    super(message);
    this.name = 'ZuulConfError';
  }
}

/** An `[auth NAME]` section (used by zuul-web to validate JWTs). */
export interface AuthenticatorConfig {
  name: string;
  driver: string;
  options: Readonly<Record<string, string>>;
}

/** An `[ansible_callback NAME]` section, copied into ansible.cfg. */
export interface AnsibleCallbackConfig {
  name: string;
  options: Readonly<Record<string, string>>;
}

export type TenantConfigSource = { kind: 'file'; path: string } | { kind: 'script'; path: string };

const PROMETHEUS = ['prometheus_port', 'prometheus_addr'];
const DAEMON = ['command_socket', 'log_config', 'pidfile', ...PROMETHEUS];
const TLS = ['tls_cert', 'tls_key', 'tls_ca'];

/**
 * Keys Zuul 14 reads in each section (configuration docs). `*` accepts any
 * key: ansible_callback keys are passed through to ansible.cfg as they are.
 * Connection keys are the driver's business and are not checked here.
 */
const KNOWN_KEYS: Record<string, ReadonlySet<string> | '*'> = {
  scheduler: new Set([
    ...DAEMON,
    'tenant_config',
    'tenant_config_script',
    'default_ansible_version',
    'relative_priority',
    'default_hold_expiration',
    'max_hold_expiration',
    'state_dir',
  ]),
  web: new Set([
    ...DAEMON,
    'root',
    'listen_address',
    'port',
    'websocket_url',
    'stats_url',
    'stats_type',
    'static_path',
    'static_cache_expiry',
    'zone',
    'auth_log_file_requests',
  ]),
  database: new Set(['dburi', 'pool_recycle', 'table_prefix']),
  keystore: new Set(['password']),
  executor: new Set([
    ...DAEMON,
    'finger_port',
    'state_dir',
    'git_dir',
    'job_dir',
    'private_key_file',
    'default_username',
    'winrm_cert_key_file',
    'winrm_cert_pem_file',
    'winrm_operation_timeout_sec',
    'winrm_read_timeout_sec',
    'variables',
    'manage_ansible',
    'ansible_root',
    'ansible_setup_timeout',
    'disk_limit_per_job',
    'trusted_ro_paths',
    'trusted_rw_paths',
    'untrusted_ro_paths',
    'untrusted_rw_paths',
    'load_multiplier',
    'max_starting_builds',
    'min_avail_hdd',
    'min_avail_inodes',
    'min_avail_mem',
    'output_max_bytes',
    'hostname',
    'paused_on_start',
    'zone',
    'allow_unzoned',
    'merge_jobs',
    'sigterm_method',
  ]),
  merger: new Set([
    ...DAEMON,
    'git_dir',
    'git_http_low_speed_limit',
    'git_http_low_speed_time',
    'git_timeout',
    'git_user_email',
    'git_user_name',
  ]),
  launcher: new Set([...DAEMON, 'temp_dir', 'connection_filter']),
  oidc: new Set([
    'supported_signing_algorithms',
    'default_signing_algorithm',
    'signing_key_rotation_interval',
  ]),
  fingergw: new Set([
    ...DAEMON,
    ...TLS,
    'listen_address',
    'port',
    'user',
    'hostname',
    'zone',
    'tls_verify_hostnames',
    'tls_client_only',
  ]),
  statsd: new Set(['server', 'port', 'prefix']),
  tracing: new Set([
    ...TLS,
    'enabled',
    'protocol',
    'endpoint',
    'service_name',
    'certificate_file',
    'insecure',
    'timeout',
    'compression',
  ]),
  webclient: new Set(['url', 'verify_ssl']),
  zookeeper: new Set(['hosts', 'session_timeout', ...TLS]),
  zuul: new Set(['report_times']),
  // `[kind NAME]` sections, by kind.
  auth: new Set([
    'driver',
    'realm',
    'default',
    'issuer_id',
    'client_id',
    'authority',
    'audience',
    'uid_claim',
    'allow_authz_override',
    'max_validity_time',
    'skew',
    'secret',
    'public_key',
    'private_key',
    'keys_url',
    'scope',
    'load_user_info',
  ]),
  ansible_callback: '*',
};

/** Section kinds written `[kind NAME]`. */
const NAMED_KINDS = new Set(['connection', 'auth', 'ansible_callback']);
/** Pre-`[connection …]` sections Zuul still loads as connections. */
const LEGACY_CONNECTIONS = ['gerrit', 'smtp'];

export class ZuulConf {
  /** Directory of the file; relative paths in it resolve against this. */
  readonly dir: string;
  /** Unknown sections and keys, and ignored duplicates (never fatal). */
  readonly warnings: string[] = [];

  constructor(
    readonly path: string,
    readonly ini: IniFile,
  ) {
    this.dir = dirname(resolve(path));
    this.checkKnown();
  }

  sectionNames(): string[] {
    return this.ini.sectionNames();
  }

  hasSection(section: string): boolean {
    return this.ini.hasSection(section);
  }

  has(section: string, key: string): boolean {
    return this.ini.has(section, key);
  }

  /** 1-based line of a key, or of the section header when no key is given. */
  lineOf(section: string, key?: string): number | undefined {
    if (key === undefined) return this.ini.sections.get(section)?.line;
    return this.ini.entry(section, key)?.line;
  }

  /** Interpolated value; `fallback` when the key is absent (an empty value is kept). */
  get(section: string, key: string): string | undefined;
  get(section: string, key: string, fallback: string): string;
  get(section: string, key: string, fallback?: string): string | undefined {
    return this.ini.get(section, key) ?? fallback;
  }

  /** Every key of a section, interpolated (empty when the section is absent). */
  items(section: string): Record<string, string> {
    return this.ini.items(section);
  }

  /** Like Python's getboolean: 1/yes/true/on, 0/no/false/off, any case. */
  getBool(section: string, key: string, fallback: boolean): boolean {
    const v = this.get(section, key);
    if (v === undefined) return fallback;
    const b = parseBoolean(v);
    if (b !== undefined) return b;
    throw this.badValue(section, key, v, 'a boolean (true/false, yes/no, on/off, 1/0)');
  }

  getInt(section: string, key: string, fallback: number): number {
    const v = this.get(section, key);
    if (v === undefined) return fallback;
    if (!/^\s*[+-]?\d+\s*$/.test(v)) throw this.badValue(section, key, v, 'an integer');
    return Number.parseInt(v, 10);
  }

  getFloat(section: string, key: string, fallback: number): number {
    const v = this.get(section, key);
    if (v === undefined) return fallback;
    const n = Number(v.trim());
    if (v.trim() === '' || Number.isNaN(n)) throw this.badValue(section, key, v, 'a number');
    return n;
  }

  /** The value, or an error naming the file, section and key. */
  require(section: string, key: string): string {
    const v = this.get(section, key);
    if (v === undefined || v === '') {
      const where = this.hasSection(section)
        ? `[${section}] (line ${this.lineOf(section)})`
        : `[${section}] (the section is missing)`;
      throw new ZuulConfError(`${this.path}: ${where} must set "${key}"`, this.path, section, key);
    }
    return v;
  }

  /**
   * A path setting: `~` expands to the home directory and relative paths
   * resolve against the directory of this file (not the process cwd).
   */
  resolvePath(section: string, key: string, fallback?: string): string | undefined {
    const v = this.get(section, key) ?? fallback;
    if (v === undefined || v === '') return undefined;
    const expanded = v === '~' || v.startsWith('~/') ? homedir() + v.slice(1) : v;
    return isAbsolute(expanded) ? expanded : resolve(this.dir, expanded);
  }

  /**
   * Where the scheduler reads the tenant file from. Exactly one of
   * tenant_config and tenant_config_script must be set (empty = unset, as in
   * Zuul). Only the scheduler needs this, so it is checked here, not on load.
   */
  tenantConfigSource(): TenantConfigSource {
    const file = this.resolvePath('scheduler', 'tenant_config');
    const script = this.resolvePath('scheduler', 'tenant_config_script');
    if (file && script) {
      throw new ZuulConfError(
        `${this.path}: [scheduler] sets both tenant_config (line ${this.lineOf('scheduler', 'tenant_config')}) and tenant_config_script (line ${this.lineOf('scheduler', 'tenant_config_script')}); they are exclusive, keep one`,
        this.path,
        'scheduler',
        'tenant_config',
      );
    }
    if (file) return { kind: 'file', path: file };
    if (script) return { kind: 'script', path: script };
    throw new ZuulConfError(
      `${this.path}: [scheduler] must set tenant_config or tenant_config_script (neither is set)`,
      this.path,
      'scheduler',
      'tenant_config',
    );
  }

  /**
   * Every `[connection NAME]` in file order, then the legacy `[gerrit]` and
   * `[smtp]` sections when no connection of that name exists. A name
   * declared twice (`[connection x]` and `[connection "x"]`) keeps the last
   * section's options, as Zuul's dict assignment does.
   */
  connections(): ConnectionConfig[] {
    const byName = new Map<string, ConnectionConfig>();
    for (const { section, name } of this.named('connection')) {
      const options = this.ini.items(section);
      if (!options.driver) {
        throw new ZuulConfError(
          `${this.path}:${this.lineOf(section)}: [${section}] must set "driver" (e.g. driver=gerrit)`,
          this.path,
          section,
          'driver',
        );
      }
      byName.set(name, { name, driver: options.driver, options, section });
    }
    for (const legacy of LEGACY_CONNECTIONS) {
      if (this.hasSection(legacy) && !byName.has(legacy)) {
        byName.set(legacy, {
          name: legacy,
          driver: legacy,
          options: this.ini.items(legacy),
          section: legacy,
        });
      }
    }
    return [...byName.values()];
  }

  /** Every `[auth NAME]` section; `driver` is required. */
  authenticators(): AuthenticatorConfig[] {
    return this.named('auth').map(({ section, name }) => {
      const options = this.ini.items(section);
      if (!options.driver) {
        throw new ZuulConfError(
          `${this.path}:${this.lineOf(section)}: [${section}] must set "driver" (HS256, RS256, RS256withJWKS or OpenIDConnect)`,
          this.path,
          section,
          'driver',
        );
      }
      return { name, driver: options.driver, options };
    });
  }

  ansibleCallbacks(): AnsibleCallbackConfig[] {
    return this.named('ansible_callback').map(({ section, name }) => ({
      name,
      options: this.ini.items(section),
    }));
  }

  /** Sections written `[kind NAME]` for one kind (kind matched case-insensitively). */
  private named(kind: string): { section: string; name: string }[] {
    const out: { section: string; name: string }[] = [];
    for (const section of this.sectionNames()) {
      const s = splitSectionName(section);
      if (s.kind === kind && s.name !== undefined) out.push({ section, name: s.name });
    }
    return out;
  }

  private badValue(section: string, key: string, value: string, expected: string): ZuulConfError {
    return new ZuulConfError(
      `${this.path}:${this.lineOf(section, key)}: [${section}] ${key}=${value} is not ${expected}`,
      this.path,
      section,
      key,
    );
  }

  private checkKnown(): void {
    const seen = new Map<string, string>();
    for (const section of this.sectionNames()) {
      const line = this.lineOf(section);
      const { kind, name } = splitSectionName(section);
      let known: ReadonlySet<string> | '*' | undefined;
      if (name !== undefined && NAMED_KINDS.has(kind)) {
        const id = `${kind} ${name}`;
        const first = seen.get(id);
        if (first !== undefined) {
          this.warnings.push(
            `${this.path}:${line}: [${section}] declares ${kind} "${name}" again (first in [${first}]); the last one wins`,
          );
        }
        seen.set(id, section);
        if (kind === 'connection') continue;
        known = KNOWN_KEYS[kind];
      } else if (LEGACY_CONNECTIONS.includes(section)) {
        if (this.named('connection').some((c) => c.name === section)) {
          this.warnings.push(
            `${this.path}:${line}: legacy [${section}] is ignored because [connection ${section}] exists`,
          );
        }
        continue;
      } else if (Object.hasOwn(KNOWN_KEYS, section) && !NAMED_KINDS.has(section)) {
        known = KNOWN_KEYS[section];
      } else {
        const lower = section.toLowerCase();
        const hint = Object.hasOwn(KNOWN_KEYS, lower)
          ? ` (section names are case-sensitive; did you mean [${lower}]?)`
          : '';
        this.warnings.push(`${this.path}:${line}: unknown section [${section}] is ignored${hint}`);
        continue;
      }
      if (known === '*' || known === undefined) continue;
      for (const entry of this.ini.sections.get(section)?.entries.values() ?? []) {
        if (!known.has(entry.key)) {
          this.warnings.push(
            `${this.path}:${entry.line}: unknown key "${entry.key}" in [${section}] is ignored`,
          );
        }
      }
    }
  }
}

/** Parses zuul.conf text; `path` names the file in messages and anchors relative paths. */
export function parseZuulConf(
  text: string,
  path: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): ZuulConf {
  return new ZuulConf(path, parseIni(text, { file: path, env }));
}

/**
 * Reads zuul.conf. `%(ZUUL_…)s` references are filled from `env`. Throws
 * IniError (with file and line) on syntax errors; unknown content only
 * produces `warnings`.
 */
export function loadZuulConf(
  path: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): ZuulConf {
  return parseZuulConf(readFileSync(path, 'utf8'), path, env);
}
