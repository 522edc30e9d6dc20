// New repositories for build checkouts without a `git init` process each:
// `git init` runs once (per file system the checkouts go to), what it
// made is kept in memory and written out for every checkout. A build
// makes several repositories, and on a busy executor starting a git
// process costs far more than the few files it writes.
//
// The same probe decides whether checkouts may be written without git
// (work-tree.ts): only when nothing in git's configuration or templates
// could make a checkout differ from the tree's bytes — no attributes
// files, no end-of-line conversion, no hooks, the plain core settings.
// Anything else, and git does the work as before.

import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { lstat, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { type GitRunOptions, runGit } from '../../merger/git-command.js';

interface TemplateEntry {
  /** Path below `.git`. */
  rel: string;
  mode: number;
  /** Undefined for a directory. */
  data?: Buffer;
}

export interface GitTemplate {
  /** What `git init` made, parents before children. */
  entries: TemplateEntry[];
  /** Whether checkouts may be written without git (see work-tree.ts). */
  plainCheckout: boolean;
  /** `Name <email>` git signs reflog entries with (plain checkouts only). */
  ident?: string;
}

/**
 * Settings from the system or user configuration that cannot change what
 * a checkout writes (identity, transport, display, other commands).
 */
const HARMLESS = [
  /^user\./,
  /^author\./,
  /^committer\./,
  /^init\.defaultbranch$/,
  /^safe\.directory$/,
  /^credential\./,
  /^https?\./,
  /^url\./,
  /^color\./,
  /^alias\./,
  /^advice\./,
  /^help\./,
  /^gc\./,
  /^pack\./,
  /^fetch\./,
  /^push\./,
  /^pull\./,
  /^merge\./,
  /^diff\./,
  /^log\./,
  /^format\./,
  /^rebase\./,
  /^status\./,
  /^commit\./,
  /^tag\./,
  /^transfer\./,
  /^protocol\./,
  /^uploadpack\./,
  /^receive\./,
  /^maintenance\./,
  /^i18n\./,
  /^gpg\./,
  // Filters apply only through attributes, and none may exist (below).
  /^filter\./,
  /^core\.(pager|editor|askpass|sshcommand|quotepath|excludesfile|compression|loosecompression|abbrev|commentchar|whitespace|packedgitlimit|packedgitwindowsize|deltabasecachesize|bigfilethreshold|preloadindex)$/,
];

/** The configuration `git init` writes on an ordinary POSIX file system. */
const PLAIN_LOCAL = [
  'core.repositoryformatversion\n0',
  'core.filemode\ntrue',
  'core.bare\nfalse',
  'core.logallrefupdates\ntrue',
];

const templates = new Map<string, Promise<GitTemplate | undefined>>();

/**
 * The template for repositories made under `parentDir` (which must
 * exist), or undefined when `git init` must run for each one.
 */
export async function gitTemplate(
  parentDir: string,
  gitOpts: GitRunOptions,
): Promise<GitTemplate | undefined> {
  // `git init` probes the file system (file modes, symlinks, case).
  const key = String(statSync(parentDir).dev);
  let made = templates.get(key);
  if (!made) {
    made = makeTemplate(parentDir, gitOpts).catch(() => undefined);
    templates.set(key, made);
  }
  return made;
}

async function makeTemplate(
  parentDir: string,
  gitOpts: GitRunOptions,
): Promise<GitTemplate | undefined> {
  const tmp = await mkdtemp(join(parentDir, '.git-template-'));
  try {
    await runGit(['init', '--quiet', tmp], gitOpts);
    const gitDir = join(tmp, '.git');
    const entries: TemplateEntry[] = [];
    const walk = async (rel: string): Promise<boolean> => {
      for (const name of (await readdir(join(gitDir, rel))).sort()) {
        const r = rel ? `${rel}/${name}` : name;
        const st = await lstat(join(gitDir, r));
        if (st.isDirectory()) {
          entries.push({ rel: r, mode: st.mode & 0o7777 });
          if (!(await walk(r))) return false;
        } else if (st.isFile()) {
          entries.push({ rel: r, mode: st.mode & 0o7777, data: await readFile(join(gitDir, r)) });
        } else {
          return false; // a template with links or devices: git knows what it means
        }
      }
      return true;
    };
    if (!(await walk(''))) return undefined;
    // Anything beyond the plain core settings (shared repositories, other
    // templates, …) is for `git init` itself to apply each time.
    const config = await runGit(['config', '--list', '--show-scope', '-z'], {
      ...gitOpts,
      cwd: tmp,
    });
    const parts = config.stdout.toString('utf8').split('\0');
    const local: string[] = [];
    for (let i = 0; i + 1 < parts.length; i += 2) {
      const [scope, item] = [parts[i]!, parts[i + 1]!];
      if (scope === 'local') local.push(item);
      else if (!HARMLESS.some((re) => re.test(item.split('\n', 1)[0]!.toLowerCase()))) {
        return undefined;
      }
    }
    if (local.sort().join('\0') !== [...PLAIN_LOCAL].sort().join('\0')) return undefined;
    const plain = await plainCheckouts(entries);
    // HEAD's reflog entries name whoever git would (a fixed date is git's to apply).
    const ident =
      plain && !process.env.GIT_COMMITTER_DATE ? await identOf(tmp, gitOpts) : undefined;
    return { entries, plainCheckout: ident !== undefined, ident };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** git's committer identity without its date, or undefined when git has none to give. */
async function identOf(dir: string, gitOpts: GitRunOptions): Promise<string | undefined> {
  try {
    const out = await runGit(['var', 'GIT_COMMITTER_IDENT'], { ...gitOpts, cwd: dir });
    const m = /^(.*>) \d+ [-+]\d{4}$/.exec(out.stdout.toString('utf8').trim());
    return m?.[1];
  } catch {
    return undefined;
  }
}

/** No hooks, no attributes outside the trees themselves. */
async function plainCheckouts(entries: TemplateEntry[]): Promise<boolean> {
  const active = entries.some(
    (e) =>
      e.rel === 'info/attributes' ||
      (e.rel.startsWith('hooks/') && e.data !== undefined && !e.rel.endsWith('.sample')),
  );
  if (active) return false;
  const xdg = process.env.XDG_CONFIG_HOME || join(process.env.HOME || homedir(), '.config');
  for (const file of [join(xdg, 'git', 'attributes'), '/etc/gitattributes']) {
    const there = await stat(file).then(
      () => true,
      () => false,
    );
    if (there) return false;
  }
  return true;
}

/**
 * Writes the template as `<workDir>/.git` (workDir must be empty or
 * missing). Synchronous: a few dozen small files, and every await on a
 * busy executor waits for the event loop other builds keep busy.
 */
export function writeTemplate(t: GitTemplate, workDir: string): void {
  const gitDir = join(workDir, '.git');
  mkdirSync(workDir, { recursive: true });
  mkdirSync(gitDir, { mode: 0o777 });
  for (const e of t.entries) {
    if (e.data === undefined) mkdirSync(join(gitDir, e.rel), { mode: e.mode });
    else writeFileSync(join(gitDir, e.rel), e.data, { mode: e.mode, flag: 'wx' });
  }
}
