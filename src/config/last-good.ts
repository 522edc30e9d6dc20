// The last good parse of each configuration file, kept across
// reconfigurations: when a push breaks a file as a whole (a YAML syntax
// error, not a list, undecodable bytes), the objects of its previous good
// version stay in effect and the new error is still reported, so a broken
// push shows in /config-errors without taking the project's jobs away.
// Errors about single stanzas of a readable file are not "broken files":
// the bad stanza is dropped and the others load, as in Zuul.

import type { ParsedConfig, ParsedFile } from './config-file.js';

/**
 * Remembers, per project branch (the loader's key: connection, project,
 * branch, trust and extra config paths) and file path, the last parse that
 * had no file-level error. Lives as long as the process that reconfigures
 * (the web server keeps one for every loader it creates).
 */
export class LastGoodConfigs {
  private readonly branches = new Map<string, ReadonlyMap<string, ParsedConfig>>();

  /** Starts the parse of one project branch; commit the session when the parse is done. */
  begin(branchKey: string): LastGoodBranch {
    return new LastGoodBranch(this.branches.get(branchKey), (next) =>
      this.branches.set(branchKey, next),
    );
  }

  /** The remembered good parse of one file, if any. */
  get(branchKey: string, path: string): ParsedConfig | undefined {
    return this.branches.get(branchKey)?.get(path);
  }

  /** How many project branches are remembered. */
  get size(): number {
    return this.branches.size;
  }
}

/** One parse of one project branch against what was remembered about it. */
export class LastGoodBranch {
  private readonly next = new Map<string, ParsedConfig>();

  constructor(
    private readonly previous: ReadonlyMap<string, ParsedConfig> | undefined,
    private readonly store: (next: ReadonlyMap<string, ParsedConfig>) => void,
  ) {}

  /**
   * What a file contributes: its parse if the file was readable (and it is
   * remembered); if it failed as a whole, the objects of its last good parse
   * with the new errors (the old parse's errors described content that is
   * gone). Without a last good parse, the failed parse itself (nothing).
   */
  take(path: string, file: ParsedFile): ParsedConfig {
    if (!file.fileFailed) {
      this.next.set(path, file.config);
      return file.config;
    }
    const good = this.previous?.get(path);
    if (!good) return file.config;
    // Still remembered: a second broken push keeps the same good version.
    this.next.set(path, good);
    const out = { ...good };
    for (const k of Object.keys(out) as (keyof ParsedConfig)[]) {
      (out[k] as unknown[]) = [...(good[k] as unknown[])];
    }
    out.errors = [...file.config.errors];
    return out;
  }

  /**
   * Records this parse as the branch's state: files no longer selected
   * (deleted, or in a root that is now ignored) are forgotten.
   */
  commit(): void {
    this.store(this.next);
  }
}
