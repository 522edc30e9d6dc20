// Commit objects as the merger reads and writes them. Commits are written
// as raw objects (`git hash-object -t commit`), so every byte of a
// speculative commit — identity, date, message — is decided here and the
// same inputs always give the same commit id.

/** A parsed commit object. */
export interface CommitObject {
  id: string;
  tree: string;
  parents: string[];
  /** The raw `author` line value: `Name <email> <seconds> <tz>`. */
  author: string;
  committer: string;
  /** Everything after the header (the message exactly as stored). */
  message: string;
}

/** Who the merger commits as ([merger] git_user_name / git_user_email). */
export interface Identity {
  name: string;
  email: string;
}

/** Parses the body of a commit object (`git cat-file commit`). */
export function parseCommit(id: string, body: Buffer): CommitObject {
  const text = body.toString('utf8');
  const end = text.indexOf('\n\n');
  const header = end < 0 ? text : text.slice(0, end);
  const message = end < 0 ? '' : text.slice(end + 2);
  const commit: CommitObject = { id, tree: '', parents: [], author: '', committer: '', message };
  for (const line of header.split('\n')) {
    // Continuation lines (signatures, mergetags) start with a space.
    if (line.startsWith(' ')) continue;
    const space = line.indexOf(' ');
    const key = line.slice(0, space);
    const value = line.slice(space + 1);
    if (key === 'tree') commit.tree = value;
    else if (key === 'parent') commit.parents.push(value);
    else if (key === 'author') commit.author = value;
    else if (key === 'committer') commit.committer = value;
  }
  if (!/^[0-9a-f]{40,64}$/.test(commit.tree)) throw new Error(`commit ${id} has no tree`);
  return commit;
}

/** git's ident rules: no angle brackets or line breaks, no surrounding blanks. */
function clean(text: string): string {
  return text.replace(/[<>\n\r]/g, '').trim();
}

/** An ident line value for `who` at `timestamp` (seconds, UTC as Zuul writes it). */
export function identLine(who: Identity, timestamp: number): string {
  return `${clean(who.name)} <${clean(who.email)}> ${Math.floor(timestamp)} +0000`;
}

export interface NewCommit {
  tree: string;
  parents: readonly string[];
  author: string;
  committer: string;
  message: string;
}

/** The raw bytes of a commit object. */
export function formatCommit(c: NewCommit): string {
  const lines = [`tree ${c.tree}`, ...c.parents.map((p) => `parent ${p}`)];
  lines.push(`author ${c.author}`, `committer ${c.committer}`);
  return `${lines.join('\n')}\n\n${c.message}`;
}
