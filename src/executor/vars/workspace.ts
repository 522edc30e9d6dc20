// Where a project's repository goes under work/src (semantics §F.3 step 2),
// by the job's workspace-scheme.

export type WorkspaceScheme = 'golang' | 'flat' | 'unique';

/** Python's urllib.parse.quote(s, safe=''): only letters, digits and `_.-~` stay as they are. */
export function pyQuote(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9_.~-]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The project's path below work/src. */
export function workspaceProjectPath(
  scheme: WorkspaceScheme,
  canonicalHostname: string,
  name: string,
): string {
  switch (scheme) {
    case 'golang':
      return `${canonicalHostname}/${name}`;
    case 'flat':
      return name.split('/').pop() ?? name;
    case 'unique':
      return `${canonicalHostname}/${name.split('/')[0]}/${pyQuote(name)}`;
  }
}

/** `src/<path>`: the project's directory relative to the work dir (`zuul.project.src_dir`). */
export function srcDir(scheme: WorkspaceScheme, canonicalHostname: string, name: string): string {
  return `src/${workspaceProjectPath(scheme, canonicalHostname, name)}`;
}
