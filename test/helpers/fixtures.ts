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
export function driverFor(connection: string): 'gerrit' | 'github' | 'gitlab' | 'git' {
  if (connection.startsWith('github')) return 'github';
  if (connection.startsWith('gitlab')) return 'gitlab';
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

let deploymentCounter = 0;

/**
 * Builds repositories and a zuul.conf for a fixture scenario. `tenantFile`
 * defaults to the scenario's main.yaml; `extraConf` is appended to zuul.conf.
 */
export function deployFixture(
  scenario: string,
  opts: { tenantFile?: string; extraConf?: string } = {},
): FixtureDeployment {
  const scenarioDir = join(FIXTURES, scenario);
  const root = mkdtempSync(join(tmpdir(), `zuul-ts-${scenario}-`));
  const tenantText = readFileSync(opts.tenantFile ?? join(scenarioDir, 'main.yaml'), 'utf8');
  const tenantPath = join(root, 'main.yaml');
  writeFileSync(tenantPath, tenantText);
  const upstream = join(root, 'upstream');
  const repoPath = (connection: string, project: string) => join(upstream, connection, project);

  for (const [connection, projects] of projectNamesOf(tenantText)) {
    for (const project of projects) {
      const path = repoPath(connection, project);
      if (existsSync(path)) continue;
      const source = join(scenarioDir, 'git', project.replace(/\//g, '_'));
      mkdirSync(path, { recursive: true });
      if (existsSync(source) && readdirSync(source).length) {
        cpSync(source, path, { recursive: true });
        git(path, 'init', '-q', '-b', 'master');
        git(path, 'add', '-A');
        git(path, 'commit', '-q', '-m', 'Initial commit');
      } else {
        makeRepo(path);
      }
    }
  }

  deploymentCounter += 1;
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
  for (const connection of connectionNamesOf(tenantText)) {
    const driver = driverFor(connection);
    const fakeHost = `fixture${process.pid}x${deploymentCounter}.${connection}.test`;
    lines.push(`[connection ${connection}]`, `driver=${driver}`);
    if (driver === 'gerrit') {
      lines.push(`server=${fakeHost}`, 'canonical_hostname=review.example.com', 'user=jenkins');
      redirectGitUrls(`ssh://jenkins@${fakeHost}:29418/`, `file://${join(upstream, connection)}/`);
    } else if (driver === 'github') {
      lines.push(`server=${fakeHost}`, 'canonical_hostname=github.com');
      redirectGitUrls(`https://${fakeHost}/`, `file://${join(upstream, connection)}/`);
    } else if (driver === 'gitlab') {
      lines.push(`server=${fakeHost}`, 'canonical_hostname=gitlab');
      redirectGitUrls(`https://${fakeHost}/`, `file://${join(upstream, connection)}/`);
    } else {
      lines.push(`baseurl=file://${join(upstream, connection)}`);
    }
    lines.push('');
  }
  if (!connectionNamesOf(tenantText).has('smtp')) {
    lines.push('[connection smtp]', 'driver=smtp', 'server=localhost', '');
  }
  if (opts.extraConf) lines.push(opts.extraConf);
  const confPath = join(root, 'zuul.conf');
  writeFileSync(confPath, lines.join('\n'));
  return { root, confPath, tenantPath, repoPath };
}
