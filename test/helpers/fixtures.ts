// Turns a Zuul test-fixture scenario (corpus/zuul-test-fixtures/config/<name>)
// into real git repositories plus a zuul.conf that points at them, the way
// Zuul's own test suite prepares its upstream repositories.
//
// Gerrit and GitHub connections keep their real drivers: their clone URLs
// are redirected to the local repositories with git's own `insteadOf`
// configuration (through GIT_CONFIG_* environment variables), so nothing in
// src/ knows it is under test.

import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { parseIni } from '../../src/lib/ini.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The shared corpus, beside the project checkout (dist/test/helpers → ../../../../shared). */
export const CORPUS = resolve(here, '../../../../shared/corpus');
export const FIXTURES = join(CORPUS, 'zuul-test-fixtures/config');

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'Zuul Test',
      GIT_AUTHOR_EMAIL: 'zuul@example.com',
      GIT_COMMITTER_NAME: 'Zuul Test',
      GIT_COMMITTER_EMAIL: 'zuul@example.com',
    },
  });
}

/** Makes a repository with one commit on master holding `files` (or a README). */
export function makeRepo(path: string, files: Record<string, string | Buffer> = {}): void {
  mkdirSync(path, { recursive: true });
  git(path, 'init', '-q', '-b', 'master');
  const entries = Object.keys(files).length ? files : { README: `${path}\n` };
  for (const [name, content] of Object.entries(entries)) {
    mkdirSync(dirname(join(path, name)), { recursive: true });
    writeFileSync(join(path, name), content);
  }
  git(path, 'add', '-A');
  git(path, 'commit', '-q', '-m', 'Initial commit');
}

/** Adds a branch (from master's tip) whose files are replaced by `files`. */
export function addBranch(path: string, branch: string, files?: Record<string, string>): void {
  git(path, 'checkout', '-q', '-b', branch, 'master');
  if (files) {
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(dirname(join(path, name)), { recursive: true });
      writeFileSync(join(path, name), content);
    }
    git(path, 'add', '-A');
    git(path, 'commit', '-q', '-m', `Files for ${branch}`);
  }
  git(path, 'checkout', '-q', 'master');
}

let redirectCount = Number(process.env.GIT_CONFIG_COUNT ?? 0);

/** Redirects git URLs starting with `from` to `to` for this process and its children. */
export function redirectGitUrls(from: string, to: string): void {
  process.env[`GIT_CONFIG_KEY_${redirectCount}`] = `url.${to}.insteadOf`;
  process.env[`GIT_CONFIG_VALUE_${redirectCount}`] = from;
  redirectCount += 1;
  process.env.GIT_CONFIG_COUNT = String(redirectCount);
}

/** Connection names used in a tenant file's `source:` maps. */
export function connectionNamesOf(tenantYaml: string): Set<string> {
  const names = new Set<string>();
  const doc = parse(tenantYaml) as unknown[];
  for (const item of doc ?? []) {
    const tenant = (item as { tenant?: { source?: Record<string, unknown> } }).tenant;
    for (const name of Object.keys(tenant?.source ?? {})) names.add(name);
  }
  return names;
}

/** Projects named in a tenant file (strings, option mappings and groups). */
export function projectNamesOf(tenantYaml: string): Map<string, Set<string>> {
  const byConnection = new Map<string, Set<string>>();
  const doc = parse(tenantYaml) as unknown[];
  const visit = (conn: string, entries: unknown[]) => {
    for (const e of entries ?? []) {
      const set = byConnection.get(conn) ?? new Set<string>();
      byConnection.set(conn, set);
      if (typeof e === 'string') set.add(e);
      else if (e && typeof e === 'object') {
        const o = e as Record<string, unknown>;
        if (Array.isArray(o.projects) && Object.keys(o).length > 1) visit(conn, o.projects);
        else for (const k of Object.keys(o)) set.add(k);
      }
    }
  };
  for (const item of doc ?? []) {
    const tenant = (item as { tenant?: { source?: Record<string, Record<string, unknown[]>> } })
      .tenant;
    for (const [conn, lists] of Object.entries(tenant?.source ?? {})) {
      visit(conn, lists?.['config-projects'] ?? []);
      visit(conn, lists?.['untrusted-projects'] ?? []);
    }
  }
  return byConnection;
}

/** The driver Zuul's test suite uses for a connection name. */
export function driverFor(connection: string): string {
  for (const d of ['github', 'gitlab', 'mqtt', 'smtp', 'elasticsearch', 'pagure']) {
    if (connection.startsWith(d) || connection.endsWith(`_${d}`)) return d;
  }
  if (connection === 'git' || connection === 'upstream' || connection.startsWith('outside'))
    return 'git';
  return 'gerrit';
}

export interface FixtureDeployment {
  root: string;
  confPath: string;
  tenantPath: string;
  /** Upstream repository path of a project on a connection. */
  repoPath(connection: string, project: string): string;
}

export interface DeployOptions {
  /** Tenant file to use instead of the scenario's main.yaml. */
  tenantFile?: string;
  /**
   * The Zuul test conf file (in corpus/zuul-test-fixtures/conf) whose
   * connections to use; `zuul.conf` (gerrit + smtp) by default, as in Zuul.
   */
  conf?: string;
  /** Appended to the generated zuul.conf. */
  extraConf?: string;
}

let deploymentCounter = 0;

/** Connection names used by pipelines in the scenario's config files. */
function pipelineConnectionNames(scenarioDir: string): Set<string> {
  const names = new Set<string>();
  const gitDir = join(scenarioDir, 'git');
  if (!existsSync(gitDir)) return names;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.yaml')) {
        let doc: unknown;
        try {
          doc = parse(readFileSync(path, 'utf8'), { logLevel: 'silent', uniqueKeys: false });
        } catch {
          continue;
        }
        if (!Array.isArray(doc)) continue;
        for (const item of doc) {
          const pipeline = (item as { pipeline?: Record<string, unknown> } | null)?.pipeline;
          if (!pipeline || typeof pipeline !== 'object') continue;
          for (const [key, value] of Object.entries(pipeline)) {
            if (
              value &&
              typeof value === 'object' &&
              !Array.isArray(value) &&
              PIPELINE_DRIVER_KEYS.has(key)
            ) {
              for (const conn of Object.keys(value)) names.add(conn);
            }
          }
        }
      }
    }
  };
  walk(gitDir);
  return names;
}

const PIPELINE_DRIVER_KEYS = new Set([
  'trigger',
  'require',
  'reject',
  'enqueue',
  'start',
  'success',
  'failure',
  'merge-conflict',
  'config-error',
  'no-jobs',
  'disabled',
  'dequeue',
]);

/**
 * Builds repositories and a zuul.conf for a fixture scenario. The
 * connections come from a real Zuul test conf; their servers are replaced
 * by unique fake hosts whose URLs git redirects to the local repositories.
 */
export function deployFixture(scenario: string, opts: DeployOptions = {}): FixtureDeployment {
  const scenarioDir = join(FIXTURES, scenario);
  const root = mkdtempSync(join(tmpdir(), `zuul-ts-${scenario.replace(/\//g, '-')}-`));
  const tenantText = readFileSync(opts.tenantFile ?? join(scenarioDir, 'main.yaml'), 'utf8');
  const tenantPath = join(root, 'main.yaml');
  writeFileSync(tenantPath, tenantText);
  const upstream = join(root, 'upstream');
  deploymentCounter += 1;

  // Connections: those of the Zuul test conf, then any other name the
  // tenant file or pipelines use, with the driver Zuul's tests give it.
  const confText = readFileSync(
    join(CORPUS, 'zuul-test-fixtures/conf', opts.conf ?? 'zuul.conf'),
    'utf8',
  );
  const ini = parseIni(confText.replace(/\$[A-Z_]+\$/g, 'x'));
  const connections = new Map<string, Record<string, string>>();
  for (const section of ini.sectionNames()) {
    const m = /^connection\s+["']?([^"']+)["']?$/.exec(section);
    if (m) connections.set(m[1]!, { ...ini.items(section) });
  }
  for (const name of [...connectionNamesOf(tenantText), ...pipelineConnectionNames(scenarioDir)]) {
    if (!connections.has(name) && name !== 'timer' && name !== 'zuul') {
      connections.set(name, { driver: driverFor(name) });
    }
  }

  const repoDirs = new Map<string, string>();
  const lines = [
    '[scheduler]',
    'tenant_config=main.yaml',
    '',
    '[merger]',
    `git_dir=${join(root, 'merger-git')}`,
    'git_user_email=zuul@example.com',
    'git_user_name=zuul',
    '',
    '[database]',
    `dburi=sqlite:///${join(root, 'zuul.db')}`,
    '',
    '[keystore]',
    'password=keystore-password',
    '',
  ];
  for (const [name, options] of connections) {
    const driver = options.driver ?? 'gerrit';
    const fakeHost = `fixture${process.pid}x${deploymentCounter}.${name.replace(/_/g, '-')}.test`;
    const local = join(upstream, name);
    lines.push(`[connection ${name}]`, `driver=${driver}`);
    const keep = (key: string, fallback?: string) => {
      const v = options[key] ?? fallback;
      if (v !== undefined) lines.push(`${key}=${v}`);
    };
    if (driver === 'gerrit') {
      lines.push(`server=${fakeHost}`);
      keep('canonical_hostname', options.server ?? 'review.example.com');
      keep('user', 'jenkins');
      redirectGitUrls(`ssh://${options.user ?? 'jenkins'}@${fakeHost}:29418/`, `file://${local}/`);
      repoDirs.set(name, local);
    } else if (driver === 'github' || driver === 'gitlab') {
      lines.push(`server=${fakeHost}`);
      keep('canonical_hostname', options.server ?? (driver === 'github' ? 'github.com' : 'gitlab'));
      redirectGitUrls(`https://${fakeHost}/`, `file://${local}/`);
      repoDirs.set(name, local);
    } else if (driver === 'git') {
      lines.push(`baseurl=file://${local}`);
      repoDirs.set(name, local);
    } else {
      for (const [k, v] of Object.entries(options)) if (k !== 'driver') lines.push(`${k}=${v}`);
    }
    lines.push('');
  }
  if (opts.extraConf) lines.push(opts.extraConf);
  // `serve` starts an executor: keep its state and builds inside the
  // deployment rather than in /var/lib/zuul.
  if (!opts.extraConf?.includes('[executor]')) {
    lines.push('[executor]', `state_dir=${join(root, 'executor-state')}`, '');
  }
  const confPath = join(root, 'zuul.conf');
  writeFileSync(confPath, lines.join('\n'));

  // GitLab clone URLs end in `.git`.
  const repoPath = (connection: string, project: string) =>
    join(
      upstream,
      connection,
      connections.get(connection)?.driver === 'gitlab' ? `${project}.git` : project,
    );
  for (const [connection, projects] of projectNamesOf(tenantText)) {
    for (const project of projects) {
      const path = repoPath(connection, project);
      if (existsSync(path)) continue;
      const source = join(scenarioDir, 'git', project.replace(/\//g, '_'));
      if (existsSync(source) && readdirSync(source).length) {
        mkdirSync(path, { recursive: true });
        cpSync(source, path, { recursive: true });
        git(path, 'init', '-q', '-b', 'master');
        git(path, 'add', '-A');
        git(path, 'commit', '-q', '-m', 'Initial commit');
      } else {
        makeRepo(path);
      }
    }
  }
  return { root, confPath, tenantPath, repoPath };
}
