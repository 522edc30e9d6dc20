// The `[executor]` settings of the executor service itself (semantics
// §A.3): zones, the governor's limits, the per-build disk limit, pausing,
// how SIGTERM stops it, and where its command socket lives. The settings
// of a build's run (job_dir, git_dir, …) are settings.ts.

import { join } from 'node:path';
import type { ZuulConf } from '../config/zuul-conf.js';
import { EXECUTOR_BUILD_KIND } from './protocol.js';

export interface ExecutorServiceSettings {
  /** `[executor] zone`: only builds for this zone are taken. */
  zone: string | null;
  /** `[executor] allow_unzoned`: a zoned executor also takes unzoned builds. */
  allowUnzoned: boolean;
  loadMultiplier: number;
  minAvailMem: number;
  minAvailHdd: number;
  minAvailInodes: number;
  maxStartingBuilds?: number;
  /** MB a build directory may use; -1: no limit. */
  diskLimitPerJob: number;
  pausedOnStart: boolean;
  /** What SIGTERM does: let running builds finish, or abort them. */
  sigtermMethod: 'graceful' | 'stop';
  /** Where executor-pause/resume/graceful reach the running executor. */
  commandSocket: string;
}

/** Kinds are at most 64 characters; the zone goes after `executor:build:`. */
const MAX_ZONE = 64 - EXECUTOR_BUILD_KIND.length - 1;

/** The request kind builds for `zone` are queued under. */
export function buildKindFor(zone: string | null): string {
  return zone ? `${EXECUTOR_BUILD_KIND}:${zone}` : EXECUTOR_BUILD_KIND;
}

/** The kinds an executor of `zone` claims (Zuul's per-zone function names). */
export function executorKinds(zone: string | null, allowUnzoned: boolean): string[] {
  if (!zone) return [EXECUTOR_BUILD_KIND];
  return allowUnzoned ? [buildKindFor(zone), EXECUTOR_BUILD_KIND] : [buildKindFor(zone)];
}

export function checkZone(zone: string, where: string): void {
  if (zone.length > MAX_ZONE || /[\s:]/.test(zone)) {
    throw new Error(
      `${where}: a zone must be at most ${MAX_ZONE} characters without spaces or colons: "${zone}"`,
    );
  }
}

export function executorServiceSettings(conf: ZuulConf): ExecutorServiceSettings {
  const stateDir = conf.resolvePath('executor', 'state_dir') ?? '/var/lib/zuul';
  const zone = conf.get('executor', 'zone') || null;
  if (zone) checkZone(zone, `${conf.path}: [executor] zone`);
  const sigterm = conf.get('executor', 'sigterm_method', 'graceful');
  if (sigterm !== 'graceful' && sigterm !== 'stop') {
    throw new Error(
      `${conf.path}: [executor] sigterm_method must be "graceful" or "stop", not "${sigterm}"`,
    );
  }
  const maxStarting = conf.get('executor', 'max_starting_builds');
  return {
    zone,
    allowUnzoned: conf.getBool('executor', 'allow_unzoned', false),
    loadMultiplier: conf.getFloat('executor', 'load_multiplier', 2.5),
    minAvailMem: conf.getFloat('executor', 'min_avail_mem', 5.0),
    minAvailHdd: conf.getFloat('executor', 'min_avail_hdd', 5.0),
    minAvailInodes: conf.getFloat('executor', 'min_avail_inodes', 5.0),
    ...(maxStarting
      ? { maxStartingBuilds: conf.getInt('executor', 'max_starting_builds', 0) }
      : {}),
    diskLimitPerJob: conf.getInt('executor', 'disk_limit_per_job', 250),
    pausedOnStart: conf.getBool('executor', 'paused_on_start', false),
    sigtermMethod: sigterm,
    commandSocket:
      conf.resolvePath('executor', 'command_socket') ?? join(stateDir, 'executor.socket'),
  };
}
