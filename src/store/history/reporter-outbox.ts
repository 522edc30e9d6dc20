// An in-process outbox: items wait in per-key FIFO lanes and are delivered
// in order within a lane, several lanes at a time, each retried with
// exponential backoff until it is delivered. The caller only appends, so a
// slow or absent database never holds it up.
//
// Errors are either transient (the database is unreachable, restarting,
// overloaded, a deadlock or lock timeout; and anything unrecognised) and
// retried for as long as it takes, or permanent (the data itself is refused:
// a constraint, a type, a syntax error) and retried a few times, then
// dropped and logged, so that one bad report cannot hold up its lane
// forever.

export interface OutboxOptions<T> {
  deliver(item: T): Promise<void>;
  /** True when retrying cannot help. */
  isPermanent(err: unknown): boolean;
  /** Called when an item is dropped after its permanent-error attempts. */
  onDrop(item: T, err: unknown): void;
  /** Called on each failed attempt that will be retried. */
  onRetry?(item: T, err: unknown, attempt: number, delayMs: number): void;
  /** Lanes delivered at once (default 4). */
  concurrency?: number;
  /** First retry delay (default 200 ms), doubled up to maxDelayMs (default 5 s). */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Attempts for a permanent error before the item is dropped (default 5). */
  permanentAttempts?: number;
  /** Items queued at most; beyond it new items are refused (default 100 000). */
  maxQueued?: number;
}

export class Outbox<T> {
  private readonly lanes = new Map<string, T[]>();
  /** Keys with items waiting and no delivery running. */
  private readonly ready: string[] = [];
  private readonly active = new Set<string>();
  private queued = 0;
  private idleWaiters: (() => void)[] = [];
  private closed = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sleepers = new Set<() => void>();

  constructor(private readonly opts: OutboxOptions<T>) {}

  /** Items not yet delivered (or dropped). */
  get pending(): number {
    return this.queued;
  }

  /** Appends an item to its key's lane; false when the outbox is full or closed. */
  push(key: string, item: T): boolean {
    if (this.closed || this.queued >= (this.opts.maxQueued ?? 100_000)) return false;
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = [];
      this.lanes.set(key, lane);
    }
    lane.push(item);
    this.queued++;
    if (lane.length === 1 && !this.active.has(key)) this.ready.push(key);
    this.pump();
    return true;
  }

  /**
   * Resolves once everything queued so far is delivered, or after
   * `timeoutMs` (true when it emptied).
   */
  async flush(timeoutMs = Number.POSITIVE_INFINITY): Promise<boolean> {
    if (this.queued === 0) return true;
    return new Promise<boolean>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        if (timer) clearTimeout(timer);
        resolve(true);
      };
      this.idleWaiters.push(done);
      if (Number.isFinite(timeoutMs)) {
        timer = setTimeout(() => {
          this.idleWaiters = this.idleWaiters.filter((w) => w !== done);
          resolve(false);
        }, timeoutMs);
      }
    });
  }

  /**
   * Stops: refuses new items, waits up to `timeoutMs` for the queued ones,
   * then abandons the rest. Returns how many were abandoned.
   */
  async close(timeoutMs = 0): Promise<number> {
    this.closed = true;
    if (timeoutMs > 0) await this.flush(timeoutMs);
    const abandoned = this.queued;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const wake of this.sleepers) wake();
    this.lanes.clear();
    this.ready.length = 0;
    this.queued = 0;
    this.settle();
    return abandoned;
  }

  private pump(): void {
    const limit = this.opts.concurrency ?? 4;
    while (this.active.size < limit && this.ready.length) {
      const key = this.ready.shift()!;
      this.active.add(key);
      void this.runOne(key);
    }
  }

  /** Delivers the head of one lane, then gives the slot to the next waiting lane. */
  private async runOne(key: string): Promise<void> {
    const lane = this.lanes.get(key);
    const item = lane?.[0];
    if (item !== undefined) await this.deliver(item);
    this.active.delete(key);
    if (this.closed) return;
    lane!.shift();
    this.queued--;
    if (lane!.length) this.ready.push(key);
    else this.lanes.delete(key);
    this.settle();
    this.pump();
  }

  private async deliver(item: T): Promise<void> {
    let permanentFailures = 0;
    let delay = this.opts.initialDelayMs ?? 200;
    const maxDelay = this.opts.maxDelayMs ?? 5000;
    for (let attempt = 1; !this.closed; attempt++) {
      try {
        await this.opts.deliver(item);
        return;
      } catch (err) {
        if (this.closed) return;
        if (this.opts.isPermanent(err)) {
          permanentFailures++;
          if (permanentFailures >= (this.opts.permanentAttempts ?? 5)) {
            this.opts.onDrop(item, err);
            return;
          }
        }
        // Jitter, so lanes retrying together do not hit a restarted server at once.
        const wait = Math.round(delay * (0.75 + Math.random() * 0.5));
        this.opts.onRetry?.(item, err, attempt, wait);
        await this.sleep(wait);
        delay = Math.min(maxDelay, delay * 2);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(t);
        this.timers.delete(t);
        this.sleepers.delete(wake);
        resolve();
      };
      const t = setTimeout(wake, ms);
      this.timers.add(t);
      this.sleepers.add(wake);
    });
  }

  private settle(): void {
    if (this.queued !== 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
