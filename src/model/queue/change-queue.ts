// A shared change queue of a dependent pipeline, as a pure structure
// (semantics §E.6, §H rule 11).
//
// Items keep the order they were enqueued in (the "queue list", which the
// window counts), and each has an item ahead. While nothing fails the items
// form one chain. When an item fails, the items behind it are re-based onto
// the nearest item ahead that is not failing (Zuul's "nnfi"), so they are
// tested without the failing change: the chain becomes a tree whose
// branches share the head. Moving an item throws its buildset away (its
// speculative state changed), which the scheduler turns into cancelled
// builds and a fresh merge.

/** What the processing pass needs to know about an item. */
export interface ItemStatus {
  /** Live items are the ones being tested; non-live ones only provide a dependency. */
  live: boolean;
  /** Every change of the item is merged already (it no longer needs testing ahead of others). */
  merged: boolean;
  /** A change this item depends on is in an item that is failing. */
  needsFailingChange: boolean;
  /** A voting job has failed (or is known to be going to). */
  jobFailed: boolean;
}

export type QueueEvent =
  /** The item now sits directly behind `ahead` (null: it became a head); its buildset must be reset. */
  | { type: 'moved'; item: string; ahead: string | null }
  | { type: 'failing'; item: string; reason: 'needs-failing-change' | 'job-failed' };

export interface ProcessResult {
  events: QueueEvent[];
  /** Items that are failing after this pass. */
  failing: Set<string>;
  /** Items inside the active window, in queue order. */
  active: string[];
}

export class ChangeQueueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChangeQueueError';
  }
}

export class ChangeQueue {
  private readonly order: string[] = [];
  private readonly ahead = new Map<string, string | null>();
  private readonly live = new Map<string, boolean>();

  /** Item ids in queue order (enqueue order; moves never change it). */
  items(): readonly string[] {
    return this.order;
  }

  has(id: string): boolean {
    return this.ahead.has(id);
  }

  itemAhead(id: string): string | null {
    const ahead = this.ahead.get(id);
    if (ahead === undefined) throw new ChangeQueueError(`${id} is not in the queue`);
    return ahead;
  }

  /** Items whose item ahead is `id` (null: the heads), in queue order. */
  itemsBehind(id: string | null): string[] {
    return this.order.filter((i) => this.ahead.get(i) === id);
  }

  /** Adds an item at the tail: behind the last item of the queue list. */
  enqueue(id: string, live = true): void {
    if (this.ahead.has(id)) throw new ChangeQueueError(`${id} is already in the queue`);
    const tail = this.order.length ? this.order[this.order.length - 1]! : null;
    this.order.push(id);
    this.ahead.set(id, tail);
    this.live.set(id, live);
  }

  /** Removes an item; the items behind it close the gap onto its item ahead. */
  dequeue(id: string): void {
    const ahead = this.itemAhead(id);
    this.relinkBehind(id, ahead);
    this.order.splice(this.order.indexOf(id), 1);
    this.ahead.delete(id);
    this.live.delete(id);
  }

  /**
   * Puts `id` directly behind `newAhead`. The items that were behind it stay
   * where they were in the tree, now behind its old item ahead. Returns
   * false when it was already there.
   */
  moveBehind(id: string, newAhead: string | null): boolean {
    const old = this.itemAhead(id);
    if (old === newAhead) return false;
    if (newAhead !== null && !this.ahead.has(newAhead)) {
      throw new ChangeQueueError(`${newAhead} is not in the queue`);
    }
    this.relinkBehind(id, old);
    this.ahead.set(id, newAhead);
    return true;
  }

  /**
   * One processing pass from head to tail (semantics §E.6): an item whose
   * item ahead is neither the nearest non-failing item nor merged moves
   * behind that item. `window` counts items in queue order, failing ones
   * included.
   */
  process(status: (id: string) => ItemStatus, window: number): ProcessResult {
    const events: QueueEvent[] = [];
    const failing = new Set<string>();
    const reset = new Set<string>();
    let nnfi: string | null = null;
    for (const id of [...this.order]) {
      const st = status(id);
      const aheadId = this.ahead.get(id) ?? null;
      const ahead = aheadId !== null && this.live.get(aheadId) ? aheadId : null;
      if (st.needsFailingChange) {
        failing.add(id);
        events.push({ type: 'failing', item: id, reason: 'needs-failing-change' });
      } else if (ahead !== nnfi && !(ahead !== null && status(ahead).merged)) {
        this.moveBehind(id, nnfi);
        reset.add(id);
        events.push({ type: 'moved', item: id, ahead: nnfi });
      }
      // A reset item starts over with no builds, so no job has failed yet.
      if (!failing.has(id) && st.jobFailed && !reset.has(id)) {
        failing.add(id);
        events.push({ type: 'failing', item: id, reason: 'job-failed' });
      }
      if (!failing.has(id) && st.live) nnfi = id;
    }
    const active = Number.isFinite(window) ? this.order.slice(0, window) : [...this.order];
    return { events, failing, active };
  }

  /** An item may report once no live item is ahead of it. */
  isHead(id: string): boolean {
    let ahead = this.itemAhead(id);
    while (ahead !== null) {
      if (this.live.get(ahead)) return false;
      ahead = this.itemAhead(ahead);
    }
    return true;
  }

  private relinkBehind(id: string, to: string | null): void {
    for (const behind of this.order) {
      if (this.ahead.get(behind) === id) this.ahead.set(behind, to);
    }
  }
}
