// Lines the executor itself writes to job-output.txt (banners such as
// "RUN START: [...]"), in the same "<time> | <text>" format the Ansible
// callback uses, so the console reads as one log.

import { appendFileSync } from 'node:fs';

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Local time as `YYYY-MM-DD HH:MM:SS.ffffff` (Python's datetime text, as in Zuul's log). */
export function consoleTimestamp(d = new Date()): string {
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}000`
  );
}

export class JobOutput {
  constructor(readonly path: string) {}

  /** Appends one line per line of `text`, each written whole (O_APPEND). */
  line(text: string): void {
    const stamp = consoleTimestamp();
    const out = text
      .replace(/\s+$/, '')
      .split('\n')
      .map((l) => `${stamp} | ${l.replace(/\s+$/, '')}\n`)
      .join('');
    appendFileSync(this.path, out);
  }
}
