// Following a build's console log (work/logs/job-output.txt): everything
// already written (the back-scroll), then new output as it is appended,
// until the build is over. The file is the only shared state, so a reader
// can attach at any time, from any process that sees the file, and several
// readers can follow one build.

import { type FSWatcher, watch } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';

export interface FollowOptions {
  /** True once the build has ended; checked whenever the reader is at the end of the file. */
  done: () => boolean | Promise<boolean>;
  signal?: AbortSignal;
  /** Longest wait between checks for new data, ms (file change events usually wake it sooner). */
  pollMs?: number;
  /** Start this many bytes before the end instead of at the beginning. */
  tailBytes?: number;
}

const CHUNK = 64 * 1024;

function sleep(ms: number, signal?: AbortSignal, wake?: (fn: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(finish, ms);
    function finish() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', finish);
      resolve();
    }
    signal?.addEventListener('abort', finish, { once: true });
    wake?.(finish);
  });
}

async function openWhenThere(path: string, o: FollowOptions): Promise<FileHandle | undefined> {
  for (;;) {
    try {
      return await open(path, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    if (o.signal?.aborted || (await o.done())) return undefined;
    await sleep(o.pollMs ?? 200, o.signal);
  }
}

/** Raw chunks of the log, from the start (or the tail), until the build is done. */
export async function* followLogChunks(path: string, o: FollowOptions): AsyncGenerator<Buffer> {
  const fh = await openWhenThere(path, o);
  if (!fh) return;
  let waker: (() => void) | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(path, () => waker?.());
    watcher.on('error', () => {});
  } catch {
    // no change events on this file system: polling alone
  }
  try {
    let pos = 0;
    if (o.tailBytes !== undefined) {
      const { size } = await fh.stat();
      pos = Math.max(0, size - o.tailBytes);
    }
    const buf = Buffer.alloc(CHUNK);
    let finishing = false;
    while (!o.signal?.aborted) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK, pos);
      if (bytesRead > 0) {
        pos += bytesRead;
        yield Buffer.from(buf.subarray(0, bytesRead));
        continue;
      }
      // At the end: one more read after the build is known to be done,
      // so the last lines written before it ended are not lost.
      if (finishing) return;
      if (await o.done()) {
        finishing = true;
        continue;
      }
      await sleep(o.pollMs ?? 200, o.signal, (fn) => {
        waker = fn;
      });
      waker = undefined;
    }
  } finally {
    watcher?.close();
    await fh.close();
  }
}

/** The log line by line (without the newline); a last unterminated line is yielded at the end. */
export async function* followLogLines(path: string, o: FollowOptions): AsyncGenerator<string> {
  let rest = '';
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of followLogChunks(path, o)) {
    rest += decoder.decode(chunk, { stream: true });
    let i = rest.indexOf('\n');
    while (i >= 0) {
      yield rest.slice(0, i);
      rest = rest.slice(i + 1);
      i = rest.indexOf('\n');
    }
  }
  rest += decoder.decode();
  if (rest) yield rest;
}
