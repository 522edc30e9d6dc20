// job-output.json repair: when ansible-playbook is killed (timeout, abort)
// or dies before its callback writes the playbook's record, the executor
// adds a minimal record so the build's log still shows which playbook ran
// and why it has no results (as Zuul 13.1 does).

import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Phase, PreparedPlaybook } from './build-dir.js';

interface PlaybookRecord {
  playbook?: unknown;
  phase?: unknown;
  index?: unknown;
}

export function ensurePlaybookRecord(
  file: string,
  phase: Phase,
  index: number,
  pb: PreparedPlaybook,
  reason: string,
): void {
  let records: unknown[] = [];
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (Array.isArray(parsed)) records = parsed;
  } catch {
    // missing or unreadable: start a new list
  }
  const last = records[records.length - 1] as PlaybookRecord | undefined;
  if (
    last &&
    last.phase === phase &&
    String(last.index) === String(index) &&
    last.playbook === pb.canonicalNameAndPath
  ) {
    return;
  }
  const now = new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
  records.push({
    branch: pb.branch,
    index: String(index),
    phase,
    playbook: pb.canonicalNameAndPath,
    plays: [
      {
        play: { duration: { end: now, start: now }, id: 'zuul-ts-no-record', name: reason },
        tasks: [],
      },
    ],
    stats: {},
    trusted: pb.trusted,
  });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(records, null, 4)}\n`);
  renameSync(tmp, file);
}
