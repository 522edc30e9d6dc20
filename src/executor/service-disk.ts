// `[executor] disk_limit_per_job`: how much disk each running build's
// directory uses, measured with `du` as Zuul does. The repository cache is
// measured in the same `du` run, first: du counts a hard-linked file once,
// where it first meets it, so git objects a build's checkout shares with
// the cache are charged to the cache, not to the build.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** MB used by each of `builds` (directory names under `jobDir`); absent when not measured. */
export function measureBuildDirs(
  jobDir: string,
  builds: readonly string[],
  cacheDir?: string,
): Promise<Map<string, number>> {
  const dirs = builds.map((b) => join(jobDir, b)).filter((d) => existsSync(d));
  if (!dirs.length) return Promise.resolve(new Map());
  const args = ['-s', '-m'];
  if (cacheDir && existsSync(cacheDir)) args.push(cacheDir);
  args.push(...dirs);
  return new Promise((resolve) => {
    // du exits non-zero when a file vanished mid-walk (a build cleaning
    // up); whatever it printed is still right for the rest.
    execFile('du', args, { maxBuffer: 1 << 20 }, (_err, stdout) => {
      const sizes = new Map<string, number>();
      for (const line of String(stdout ?? '').split('\n')) {
        const tab = line.indexOf('\t');
        if (tab < 0) continue;
        const path = line.slice(tab + 1);
        const build = builds.find((b) => join(jobDir, b) === path);
        if (build) sizes.set(build, Number(line.slice(0, tab)));
      }
      resolve(sizes);
    });
  });
}
