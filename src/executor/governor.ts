// The executor's governor (Zuul's "sensors"): before claiming another
// build it asks whether this host can take one. Any sensor saying no stops
// claiming until every sensor says yes again; running builds are never
// touched. The sensors and their limits are Zuul's:
//
// * load: 1-minute load average above `load_multiplier` × CPUs;
// * memory: available memory below `min_avail_mem` percent;
// * disk: free space of state_dir below `min_avail_hdd` percent;
// * inodes: free inodes of state_dir below `min_avail_inodes` percent;
// * starting builds: too many builds still preparing (claimed, no playbook
//   started yet), with Zuul's `max_starting_builds` default and floor;
// * pause: the operator paused the executor.
//
// Measurements come from a function (governor-sensors.ts reads the host),
// so tests and operators' tools can inject their own.

export interface GovernorLimits {
  /** `[executor] load_multiplier` (2.5). */
  loadMultiplier: number;
  /** `[executor] min_avail_mem`, percent (5.0). */
  minAvailMem: number;
  /** `[executor] min_avail_hdd`, percent (5.0). */
  minAvailHdd: number;
  /** `[executor] min_avail_inodes`, percent (5.0). */
  minAvailInodes: number;
  /** `[executor] max_starting_builds`; undefined: Zuul's default from the load limit. */
  maxStartingBuilds?: number;
  /** CPUs the load limit scales with. */
  cpus: number;
}

/** One look at the host. */
export interface Measurement {
  /** 1-minute load average. */
  loadAvg: number;
  /** Percent of memory available. */
  availMemPct: number;
  /** Percent of state_dir's filesystem free. */
  availHddPct: number;
  /** Percent of state_dir's filesystem's inodes free (100 where the filesystem has none). */
  availInodesPct: number;
}

/** What the executor is doing now. */
export interface BuildCounts {
  /** Claimed builds whose first playbook has not started yet. */
  starting: number;
  /** Every build this executor holds (starting ones included). */
  running: number;
}

export interface Verdict {
  ok: boolean;
  /** Why not, one line per sensor that said no. */
  reasons: string[];
  /** Every sensor's reading, for the log. */
  readings: string[];
}

export class Governor {
  /** Zuul's safe load: CPUs × load_multiplier. */
  readonly maxLoadAvg: number;
  readonly maxStartingBuilds: number;
  readonly minStartingBuilds: number;
  private paused: boolean;

  constructor(
    readonly limits: GovernorLimits,
    private readonly measure: () => Promise<Measurement>,
    opts: { paused?: boolean } = {},
  ) {
    this.maxLoadAvg = limits.cpus * limits.loadMultiplier;
    // Small hosts are allowed twice as many starting builds (Zuul's rule).
    const coefficient = limits.cpus <= 4 ? 2 : 1;
    this.maxStartingBuilds = limits.maxStartingBuilds ?? Math.trunc(this.maxLoadAvg * coefficient);
    this.minStartingBuilds = Math.min(
      Math.max(Math.trunc(limits.cpus / 2), 1),
      this.maxStartingBuilds,
    );
    this.paused = opts.paused ?? false;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  setPaused(paused: boolean): void {
    this.paused = paused;
  }

  /** Whether another build may be claimed now. */
  async check(counts: BuildCounts): Promise<Verdict> {
    const reasons: string[] = [];
    const readings: string[] = [];
    const sensor = (ok: boolean, bad: string, good: string) => {
      readings.push(ok ? good : bad);
      if (!ok) reasons.push(bad);
    };
    sensor(!this.paused, 'paused', 'not paused');
    const allowed = Math.max(this.maxStartingBuilds - counts.running, this.minStartingBuilds);
    sensor(
      counts.starting < allowed,
      `too many starting builds ${counts.starting} >= ${allowed}`,
      `starting builds ${counts.starting} < ${allowed}`,
    );
    const m = await this.measure();
    const l = this.limits;
    sensor(
      m.loadAvg <= this.maxLoadAvg,
      `high system load ${m.loadAvg.toFixed(2)} > ${this.maxLoadAvg}`,
      `load ${m.loadAvg.toFixed(2)} <= ${this.maxLoadAvg}`,
    );
    sensor(
      m.availMemPct >= l.minAvailMem,
      `low memory ${m.availMemPct.toFixed(1)}% < ${l.minAvailMem}`,
      `memory ${m.availMemPct.toFixed(1)}% >= ${l.minAvailMem}`,
    );
    sensor(
      m.availHddPct >= l.minAvailHdd,
      `low disk space ${m.availHddPct.toFixed(1)}% < ${l.minAvailHdd}`,
      `disk ${m.availHddPct.toFixed(1)}% >= ${l.minAvailHdd}`,
    );
    sensor(
      m.availInodesPct >= l.minAvailInodes,
      `low inodes ${m.availInodesPct.toFixed(1)}% < ${l.minAvailInodes}`,
      `inodes ${m.availInodesPct.toFixed(1)}% >= ${l.minAvailInodes}`,
    );
    return { ok: reasons.length === 0, reasons, readings };
  }
}
