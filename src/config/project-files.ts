// Which files of a project branch hold Zuul configuration (semantics §C.0,
// rule 2 of §H). Pure: callers supply the file list and contents.

/** The four config roots, in precedence order. Directories end in `/`. */
export const CONFIG_ROOTS = ['zuul.yaml', 'zuul.d/', '.zuul.yaml', '.zuul.d/'] as const;

const IGNORE_MARKER = '.zuul.ignore';

/** Files under a `zuul.d/`-style directory: `*.yaml`, sorted, minus `.zuul.ignore`d subtrees. */
export function filesUnderDirectory(allPaths: readonly string[], dir: string): string[] {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  const ignoredDirs = allPaths
    .filter((p) => p.startsWith(prefix) && p.endsWith(`/${IGNORE_MARKER}`))
    .map((p) => p.slice(0, -IGNORE_MARKER.length));
  return allPaths
    .filter(
      (p) =>
        p.startsWith(prefix) &&
        p.endsWith('.yaml') &&
        !ignoredDirs.some((ignored) => p.startsWith(ignored)),
    )
    .sort();
}

/** Every path that might hold configuration, so a caller can read them in one go. */
export function candidateConfigFiles(
  allPaths: readonly string[],
  extraConfigPaths: readonly string[] = [],
): string[] {
  const set = new Set<string>();
  for (const root of [...CONFIG_ROOTS, ...extraConfigPaths]) {
    if (root.endsWith('/')) for (const p of filesUnderDirectory(allPaths, root)) set.add(p);
    else if (allPaths.includes(root)) set.add(root);
  }
  return [...set];
}

export interface ConfigFileSelection {
  /** Files to parse, in order: the chosen root's files, then extra paths. */
  files: string[];
  /** The root that was used, if any. */
  root?: string;
  /** Other roots that also had data and were ignored (a warning each). */
  ignoredRoots: string[];
}

function hasData(content: string | undefined): boolean {
  // As in Zuul, only an empty file holds no data: a comment-only zuul.yaml
  // still claims the project branch and later roots are ignored.
  return content !== undefined && content !== '';
}

/**
 * Picks the first config root that contains data, then appends every
 * extra-config-path file (directories: every `*.yaml` below, sorted). As in
 * Zuul, the extra files come first and the extra directories after them,
 * each group in the order listed.
 */
export function selectConfigFiles(
  allPaths: readonly string[],
  contents: ReadonlyMap<string, string>,
  extraConfigPaths: readonly string[] = [],
): ConfigFileSelection {
  const selection: ConfigFileSelection = { files: [], ignoredRoots: [] };
  for (const root of CONFIG_ROOTS) {
    const files = root.endsWith('/')
      ? filesUnderDirectory(allPaths, root)
      : allPaths.includes(root)
        ? [root]
        : [];
    if (!files.some((f) => hasData(contents.get(f)))) continue;
    if (selection.root === undefined) {
      selection.root = root;
      selection.files.push(...files);
    } else {
      selection.ignoredRoots.push(root);
    }
  }
  const extraFiles = extraConfigPaths.filter((p) => !p.endsWith('/'));
  const extraDirs = extraConfigPaths.filter((p) => p.endsWith('/'));
  for (const extra of [...extraFiles, ...extraDirs]) {
    const files = extra.endsWith('/')
      ? filesUnderDirectory(allPaths, extra)
      : allPaths.includes(extra)
        ? [extra]
        : [];
    for (const f of files) if (!selection.files.includes(f)) selection.files.push(f);
  }
  return selection;
}
