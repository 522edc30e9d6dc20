// One mergeChanges request: the items of a queue, head first, merged one
// after the other onto their branches (each project and branch on its own
// line of speculative commits), then the repo state that records it all.

import { MergerError } from './errors.js';
import { filesChanged, readConfigFiles } from './files.js';
import type { GitError } from './git-command.js';
import { mergeStep } from './merge-modes.js';
import type { Merger } from './merger.js';
import { repoKey } from './repo-cache.js';
import {
  applyRefUpdate,
  bundleObjects,
  checkObjects,
  filterBranches,
  projectState,
} from './repo-state.js';
import {
  type BranchFiles,
  type FailedItem,
  type ItemResult,
  MERGE_MODES,
  type MergedItem,
  type MergeItem,
  type MergeOptions,
  type MergeResult,
  NULL_SHA,
  type ProjectLocator,
  type RepoState,
  type SpeculativeBranch,
} from './types.js';

const isChange = (item: MergeItem) => item.newrev === undefined;
const branchKey = (item: MergeItem) => `${item.connection}\0${item.project}\0${item.branch}`;

export class MergeRun {
  private readonly results: ItemResult[] = [];
  private readonly state: RepoState = {};
  /** Project branch → its speculative commit so far. */
  private readonly tips = new Map<string, string>();
  /** Project key → branch → tip, for branches that received merges. */
  private readonly merged = new Map<string, Map<string, SpeculativeBranch>>();
  /** Item index → the commit its change ref names (or why it could not be fetched). */
  private readonly changes = new Map<number, string | GitError>();
  private readonly requestTime = Math.floor(Date.now() / 1000);
  private failedAt: number | undefined;
  private readonly failed: number[] = [];

  constructor(
    private readonly merger: Merger,
    private readonly items: readonly MergeItem[],
    private readonly opts: MergeOptions,
  ) {}

  async run(): Promise<MergeResult> {
    const projects = new Map<string, ProjectLocator>();
    for (const item of this.items) {
      const key = repoKey(item.connection, item.project);
      if (!projects.has(key)) projects.set(key, item);
    }
    for (const loc of projects.values()) await this.prepareProject(loc);
    for (let i = 0; i < this.items.length; i++) this.results.push(await this.mergeItem(i));
    for (const loc of projects.values()) await this.finishProject(loc);
    const result: MergeResult = { items: this.results, repoState: this.state };
    if (this.opts.configFiles) result.files = this.branchFiles();
    return result;
  }

  /** Refs before merging (current, or as a given repo state says) and the changes' commits. */
  private async prepareProject(loc: ProjectLocator): Promise<void> {
    const pinned = this.opts.repoState?.[loc.connection]?.[loc.project];
    await this.merger.withProject(loc, async ({ mirror, work }) => {
      let refs: Record<string, string>;
      if (pinned) {
        refs = { ...pinned.refs };
        const ids = [...new Set(Object.values(refs))];
        let present = await work.present(ids);
        if (present.size < ids.length) {
          await mirror.update();
          present = await work.present(ids);
        }
        const missing = ids.filter((id) => !present.has(id));
        if (missing.length) {
          throw new MergerError(
            `the repo state names objects ${mirror.key} does not have: ${missing.join(', ')}`,
          );
        }
      } else {
        await mirror.update();
        refs = await mirror.refs();
      }
      projectState(this.state, loc.connection, loc.project).refs = refs;
      const wanted: { index: number; ref: string; commit?: string }[] = [];
      this.items.forEach((item, index) => {
        if (repoKey(item.connection, item.project) !== mirror.key) return;
        if (isChange(item) && typeof item.ref === 'string' && item.ref) {
          wanted.push({ index, ref: item.ref, commit: item.commit });
        }
      });
      if (!wanted.length) return;
      const resolved = await this.merger.resolveChanges(loc, work, wanted);
      for (const w of wanted) this.changes.set(w.index, resolved.get(w.ref)!);
    });
  }

  private async mergeItem(index: number): Promise<ItemResult> {
    const item = this.items[index]!;
    if (this.failedAt !== undefined && this.opts.onConflict !== 'skip') {
      const ahead = this.items[this.failedAt]!;
      return this.failure(
        index,
        'item-ahead',
        `${describe(ahead)} ahead could not be merged`,
        this.failedAt,
      );
    }
    return isChange(item) ? this.mergeChange(index, item) : this.refUpdate(index, item);
  }

  private async mergeChange(index: number, item: MergeItem): Promise<ItemResult> {
    if (typeof item.branch !== 'string' || !item.branch || !item.ref) {
      return this.failure(index, 'invalid', `${describe(item)} needs a branch and a ref`);
    }
    if (item.timestamp !== undefined && !Number.isFinite(item.timestamp)) {
      return this.failure(
        index,
        'invalid',
        `timestamp ${JSON.stringify(item.timestamp)} is not a number`,
      );
    }
    if (!MERGE_MODES.includes(item.mergeMode)) {
      return this.failure(index, 'invalid', `unknown merge mode ${JSON.stringify(item.mergeMode)}`);
    }
    const entry = projectState(this.state, item.connection, item.project);
    const base = this.tips.get(branchKey(item)) ?? entry.refs[`refs/heads/${item.branch}`];
    if (!base) {
      return this.failure(
        index,
        'missing-branch',
        `${item.project} has no branch ${JSON.stringify(item.branch)}`,
      );
    }
    const change = this.changes.get(index);
    if (typeof change !== 'string') {
      const why = change?.stderr || change?.message || 'not fetched';
      return this.failure(
        index,
        'missing-ref',
        `cannot fetch ${item.ref} of ${item.project}: ${why}`,
      );
    }
    const timestamp = item.timestamp ?? this.requestTime;
    const branchTip = entry.refs[`refs/heads/${item.branch}`];
    return this.merger.withProject(
      item,
      async ({ work }) => {
        const outcome = await mergeStep(work, {
          mode: item.mergeMode,
          base,
          change,
          ref: item.ref!,
          identity: this.merger.identity,
          timestamp,
        });
        if (!outcome.ok) {
          const failure = this.failure(
            index,
            outcome.reason,
            `${describe(item)}: ${outcome.message}`,
          );
          if (outcome.paths?.length) failure.paths = outcome.paths;
          return failure;
        }
        this.tips.set(branchKey(item), outcome.commit);
        const key = repoKey(item.connection, item.project);
        if (!this.merged.has(key)) this.merged.set(key, new Map());
        this.merged.get(key)!.set(item.branch!, { commit: outcome.commit, previous: base });
        const result: MergedItem = {
          status: 'MERGED',
          commit: outcome.commit,
          base,
          originalCommit: change,
        };
        if (this.failed.length) result.skipped = [...this.failed];
        if (this.opts.filesChanges)
          result.filesChanged = await filesChanged(work, change, branchTip);
        const config = this.opts.configFiles;
        if (config) {
          const request = { files: config.files ?? [], dirs: config.dirs ?? [] };
          result.files = await readConfigFiles(work, outcome.commit, request);
        }
        return result;
      },
      false,
    );
  }

  /** A ref update: no merge, the ref is simply at `newrev` from here on. */
  private refUpdate(index: number, item: MergeItem): ItemResult {
    const ref = item.ref ?? (item.branch ? `refs/heads/${item.branch}` : undefined);
    if (!ref || !/^[0-9a-f]{40,64}$/.test(item.newrev!)) {
      return this.failure(index, 'invalid', `${describe(item)} needs a ref and a full newrev`);
    }
    const entry = projectState(this.state, item.connection, item.project);
    applyRefUpdate(entry.refs, ref, item.newrev!);
    let base = item.oldrev ?? NULL_SHA;
    if (ref.startsWith('refs/heads/')) {
      const branch = ref.slice('refs/heads/'.length);
      const key = `${item.connection}\0${item.project}\0${branch}`;
      base = this.tips.get(key) ?? base;
      if (item.newrev === NULL_SHA) this.tips.delete(key);
      else this.tips.set(key, item.newrev!);
      this.merged.get(repoKey(item.connection, item.project))?.delete(branch);
    }
    return { status: 'MERGED', commit: item.newrev!, base };
  }

  private failure(
    index: number,
    reason: FailedItem['reason'],
    message: string,
    conflictIndex = index,
  ): FailedItem {
    if (conflictIndex === index) {
      this.failedAt ??= index;
      this.failed.push(index);
    }
    return { status: 'MERGE_CONFLICT', reason, conflictIndex, message };
  }

  /** Records the speculative tips and bundles their objects. */
  private async finishProject(loc: ProjectLocator): Promise<void> {
    const entry = projectState(this.state, loc.connection, loc.project);
    filterBranches(entry.refs, this.opts.branches);
    const branches = this.merged.get(repoKey(loc.connection, loc.project));
    if (!branches?.size) return;
    entry.merged = Object.fromEntries(branches);
    const known = new Set(
      Object.entries(entry.refs)
        .filter(([ref]) => ref.startsWith('refs/heads/'))
        .map(([, id]) => id),
    );
    const tips = new Set<string>();
    for (const b of branches.values()) {
      for (const id of [b.commit, b.previous]) if (!known.has(id)) tips.add(id);
    }
    const bundle = await this.merger.withProject(
      loc,
      async ({ work }) => {
        if (this.opts.bundle !== false) return bundleObjects(work, [...tips], [...known]);
        await checkObjects(work, [...tips], [...known]);
        return undefined;
      },
      false,
    );
    if (bundle) entry.bundle = bundle;
  }

  /** Zuul's read_files: per project branch, the files at its last merged state. */
  private branchFiles(): BranchFiles[] {
    const byBranch = new Map<string, BranchFiles>();
    this.items.forEach((item, i) => {
      const r = this.results[i];
      if (r?.status !== 'MERGED' || !r.files || !item.branch) return;
      byBranch.set(branchKey(item), {
        connection: item.connection,
        project: item.project,
        branch: item.branch,
        files: r.files,
      });
    });
    return [...byBranch.values()];
  }
}

function describe(item: MergeItem): string {
  const what = item.label ?? item.ref ?? item.newrev ?? '?';
  return `${item.project} ${what}`;
}
