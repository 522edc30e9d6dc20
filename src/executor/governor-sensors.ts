// The governor's readings of this host (governor.ts): load average, the
// share of memory available (MemAvailable, as Zuul's psutil reading), and
// the free blocks and inodes of the filesystem holding state_dir.

import { readFileSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import type { Measurement } from './governor.js';

export function cpuCount(): number {
  return Math.max(1, cpus().length);
}

/** Percent of memory available to new processes. */
export function availableMemoryPct(): number {
  try {
    const info = readFileSync('/proc/meminfo', 'utf8');
    const field = (name: string) => {
      const m = new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(info);
      return m ? Number(m[1]) : undefined;
    };
    const total = field('MemTotal');
    const avail = field('MemAvailable');
    if (total && avail !== undefined) return (avail / total) * 100;
  } catch {
    // Not Linux: the OS's own notion of free memory.
  }
  return (freemem() / totalmem()) * 100;
}

/**
 * Reads the host for the governor. A filesystem that cannot be read
 * (state_dir removed under us) counts as full: claiming builds into it
 * would fail anyway.
 */
export function hostSensors(stateDir: string): () => Promise<Measurement> {
  return async () => {
    let availHddPct = 0;
    let availInodesPct = 0;
    try {
      const s = await statfs(stateDir);
      availHddPct = s.blocks > 0 ? (s.bfree / s.blocks) * 100 : 100;
      // Some filesystems (btrfs) report no inode limit at all.
      availInodesPct = s.files > 0 ? (s.ffree / s.files) * 100 : 100;
    } catch {
      // stays 0: see above
    }
    return {
      loadAvg: loadavg()[0] ?? 0,
      availMemPct: availableMemoryPct(),
      availHddPct,
      availInodesPct,
    };
  };
}
