// Pack files and their version-2 indexes, read with positioned reads, and
// git's delta format. Part of reading mirrors without git (git-objects.ts).

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { inflateSync } from 'node:zlib';

/** The repository (or one of its objects) is in a form this reader does not handle. */
export class GitFormatUnsupported extends Error {}

export type GitObjectType = 'commit' | 'tree' | 'blob' | 'tag';

const TYPES: Record<number, GitObjectType> = { 1: 'commit', 2: 'tree', 3: 'blob', 4: 'tag' };
const OFS_DELTA = 6;
const REF_DELTA = 7;
/** Pack indexes up to this size are read whole (one read instead of a binary search on disk). */
const SMALL_INDEX = 4 * 1024 * 1024;

function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  const n = readSync(fd, buf, 0, length, position);
  return n === length ? buf : buf.subarray(0, n);
}

/** One pack file and its version-2 index, read with positioned reads. */
export class Pack {
  private readonly idx: number;
  private readonly pack: number;
  private readonly fanout: Buffer;
  private readonly count: number;
  private readonly packSize: number;

  /** The whole index, when it is small enough to read at once. */
  private readonly idxData: Buffer | undefined;

  constructor(idxPath: string, packPath: string) {
    this.idx = openSync(idxPath, 'r');
    this.pack = openSync(packPath, 'r');
    this.packSize = fstatSync(this.pack).size;
    const idxSize = fstatSync(this.idx).size;
    if (idxSize <= SMALL_INDEX) this.idxData = readAt(this.idx, 0, idxSize);
    const header = this.idxData ?? readAt(this.idx, 0, 8 + 1024);
    if (header.readUInt32BE(0) !== 0xff744f63 || header.readUInt32BE(4) !== 2) {
      this.close();
      throw new GitFormatUnsupported(`unsupported pack index ${idxPath}`);
    }
    this.fanout = header.subarray(8);
    this.count = this.fanout.readUInt32BE(255 * 4);
  }

  close(): void {
    closeSync(this.idx);
    closeSync(this.pack);
  }

  /** Offset of `id` in the pack, by binary search of the index. */
  find(id: Buffer): number | undefined {
    const first = id[0]!;
    let lo = first === 0 ? 0 : this.fanout.readUInt32BE((first - 1) * 4);
    let hi = this.fanout.readUInt32BE(first * 4);
    const shaTable = 8 + 1024;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const at = shaTable + mid * 20;
      const cmp = this.idxData
        ? this.idxData.compare(id, 0, 20, at, at + 20)
        : readAt(this.idx, at, 20).compare(id);
      if (cmp === 0) return this.offsetOf(mid);
      if (cmp < 0) lo = mid + 1;
      else hi = mid;
    }
    return undefined;
  }

  private offsetOf(i: number): number {
    const offsets = 8 + 1024 + this.count * 24;
    const read = (at: number, n: number) =>
      this.idxData?.subarray(at, at + n) ?? readAt(this.idx, at, n);
    const small = read(offsets + i * 4, 4).readUInt32BE(0);
    if (!(small & 0x80000000)) return small;
    const large = offsets + this.count * 4 + (small & 0x7fffffff) * 8;
    return Number(read(large, 8).readBigUInt64BE(0));
  }

  /** The object at `offset`, deltas resolved through `lookup` for REF_DELTA bases. */
  read(
    offset: number,
    lookup: (id: string) => { type: GitObjectType; data: Buffer },
  ): { type: GitObjectType; data: Buffer } {
    const head = readAt(this.pack, offset, 32);
    let pos = 0;
    let c = head[pos++]!;
    const typeNum = (c >> 4) & 7;
    let size = c & 15;
    let shift = 4;
    while (c & 0x80) {
      c = head[pos++]!;
      size += (c & 0x7f) * 2 ** shift;
      shift += 7;
    }
    if (typeNum === OFS_DELTA) {
      c = head[pos++]!;
      let back = c & 0x7f;
      while (c & 0x80) {
        c = head[pos++]!;
        back = (back + 1) * 128 + (c & 0x7f);
      }
      const base = this.read(offset - back, lookup);
      return { type: base.type, data: applyDelta(base.data, this.inflate(offset + pos, size)) };
    }
    if (typeNum === REF_DELTA) {
      const baseId = head.subarray(pos, pos + 20).toString('hex');
      const base = lookup(baseId);
      return {
        type: base.type,
        data: applyDelta(base.data, this.inflate(offset + pos + 20, size)),
      };
    }
    const type = TYPES[typeNum];
    if (!type) throw new GitFormatUnsupported(`unknown pack object type ${typeNum}`);
    return { type, data: this.inflate(offset + pos, size) };
  }

  /** Inflates the zlib stream at `position` whose result is `size` bytes. */
  private inflate(position: number, size: number): Buffer {
    // Compressed data is rarely much larger than its result; read more on failure.
    let length = size + 256;
    for (;;) {
      const chunk = readAt(this.pack, position, Math.min(length, this.packSize - position));
      try {
        const out = inflateSync(chunk);
        if (out.length !== size) throw new GitFormatUnsupported('pack object size mismatch');
        return out;
      } catch (err) {
        if (err instanceof GitFormatUnsupported || position + length >= this.packSize) throw err;
        length *= 4;
      }
    }
  }
}

function readVarint(buf: Buffer, pos: { i: number }): number {
  let value = 0;
  let shift = 0;
  let c: number;
  do {
    c = buf[pos.i++]!;
    value += (c & 0x7f) * 2 ** shift;
    shift += 7;
  } while (c & 0x80);
  return value;
}

/** Git's delta format: copy ranges of the base, insert literal bytes. */
function applyDelta(base: Buffer, delta: Buffer): Buffer {
  const pos = { i: 0 };
  if (readVarint(delta, pos) !== base.length)
    throw new GitFormatUnsupported('delta base size mismatch');
  const out = Buffer.allocUnsafe(readVarint(delta, pos));
  let o = 0;
  while (pos.i < delta.length) {
    const op = delta[pos.i++]!;
    if (op & 0x80) {
      let offset = 0;
      let size = 0;
      for (let b = 0; b < 4; b++) if (op & (1 << b)) offset += delta[pos.i++]! * 2 ** (8 * b);
      for (let b = 0; b < 3; b++) if (op & (0x10 << b)) size += delta[pos.i++]! << (8 * b);
      if (size === 0) size = 0x10000;
      o += base.copy(out, o, offset, offset + size);
    } else if (op) {
      o += delta.copy(out, o, pos.i, pos.i + op);
      pos.i += op;
    } else {
      throw new GitFormatUnsupported('invalid delta instruction');
    }
  }
  if (o !== out.length) throw new GitFormatUnsupported('delta result size mismatch');
  return out;
}
