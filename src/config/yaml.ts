// Reads Zuul configuration YAML into plain values while remembering where
// every mapping, sequence and key came from, so errors can point at a line.
//
// We walk the `yaml` library's document tree ourselves (instead of toJS) to
// get: positions for every value, Zuul's three custom tags, PyYAML-style
// booleans (yes/no/on/off), `<<` merge keys, and a hard bound on how far
// aliases may expand (billion-laughs documents become an error, not an OOM).

// Reads Zuul configuration YAML into plain values while remembering where
// every mapping, sequence and key came from, so errors can point at a line.
//
// js-yaml does the parsing: it is an order of magnitude faster than the
// `yaml` library's document API on real configuration (OpenDev's corpus:
// ~9 ms against ~135 ms), and its event listener tells us where each node
// starts. On top of it we add Zuul's three custom tags, PyYAML-style
// booleans (yes/no/on/off), and a hard bound on how far aliases may expand
// (billion-laughs documents become an error, not an endless walk).

import jsyaml from 'js-yaml';

/** A value carrying `!override` or `!inherit`. */
export class TaggedValue {
  constructor(
    readonly tag: 'override' | 'inherit',
    readonly value: unknown,
  ) {}
}

/** A `!encrypted/pkcs1-oaep` value: one or more base64 ciphertext chunks. */
export class EncryptedValue {
  constructor(readonly ciphertext: readonly string[]) {}
  toJSON(): unknown {
    return { __encrypted__: this.ciphertext };
  }
}

/** Where a value sits in its file. Offsets are character offsets. */
export interface NodePosition {
  start: number;
  end: number;
  /** For mappings: where each key starts. */
  keys?: Map<string, number>;
  /** For sequences: where each item starts. */
  items?: number[];
}

export class YamlError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    /** Error category, as Zuul names it. */
    readonly errorName: string = 'Unknown',
  ) {
    super(message);
  }
}

/** Bound on the number of values an alias-heavy document may expand into. */
const MAX_EXPANDED_NODES = 1_000_000;
/** Bound on nesting, so hostile input cannot exhaust the stack. */
const MAX_DEPTH = 200;

function taggedType(tag: '!override' | '!inherit', kind: 'scalar' | 'sequence' | 'mapping') {
  return new jsyaml.Type(tag, {
    kind,
    construct: (data: unknown) =>
      new TaggedValue(
        tag === '!override' ? 'override' : 'inherit',
        data ?? (kind === 'scalar' ? '' : null),
      ),
  });
}

const encryptedTypes = (['scalar', 'sequence'] as const).map(
  (kind) =>
    new jsyaml.Type('!encrypted/pkcs1-oaep', {
      kind,
      resolve: (data: unknown) =>
        kind === 'scalar'
          ? typeof data === 'string'
          : Array.isArray(data) && data.every((c) => typeof c === 'string'),
      construct: (data: unknown) => new EncryptedValue(Array.isArray(data) ? data : [String(data)]),
    }),
);

// PyYAML (what Zuul uses) resolves these plain scalars to booleans; YAML 1.2's
// core schema only knows true/false. `y`/`n` are deliberately absent, as in PyYAML.
const pyyamlBool = new jsyaml.Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  resolve: (data: unknown) =>
    typeof data === 'string' &&
    /^(?:true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF)$/.test(data),
  construct: (data: string) => /^(?:true|yes|on)$/i.test(data),
  predicate: (v: unknown) => typeof v === 'boolean',
  represent: { lowercase: (v: unknown) => (v ? 'true' : 'false') },
  defaultStyle: 'lowercase',
});

const ZUUL_SCHEMA = jsyaml.DEFAULT_SCHEMA.extend({
  implicit: [pyyamlBool],
  explicit: [
    ...(['scalar', 'sequence', 'mapping'] as const).flatMap((kind) => [
      taggedType('!override', kind),
      taggedType('!inherit', kind),
    ]),
    ...encryptedTypes,
  ],
});

interface Frame {
  start: number;
  children: { start: number; value: unknown }[];
}

export class LoadedYaml {
  readonly positions = new WeakMap<object, NodePosition>();
  private lineStarts?: number[];

  constructor(
    readonly text: string,
    readonly value: unknown,
  ) {}

  /** 0-based line and column of an offset. */
  linePos(offset: number): { line: number; col: number } {
    if (!this.lineStarts) {
      const starts = [0];
      for (let i = this.text.indexOf('\n'); i !== -1; i = this.text.indexOf('\n', i + 1)) {
        starts.push(i + 1);
      }
      this.lineStarts = starts;
    }
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, col: offset - starts[lo]! };
  }

  /**
   * Best position for a path below `root`: the deepest key or item that can
   * be found, falling back to `root` itself.
   */
  locate(root: unknown, path: readonly (string | number)[]): number | undefined {
    let current: unknown = root;
    let best = this.start(root);
    for (const step of path) {
      current = unwrap(current);
      if (current === null || typeof current !== 'object') break;
      const pos = this.positions.get(current);
      if (!pos) break;
      const here = typeof step === 'number' ? pos.items?.[step] : pos.keys?.get(String(step));
      if (here !== undefined) best = here;
      current = (current as Record<string | number, unknown>)[step];
    }
    return best;
  }

  start(value: unknown): number | undefined {
    if (value !== null && typeof value === 'object') return this.positions.get(value)?.start;
    return undefined;
  }

  /** Positions only, for reporting errors in text that did not parse. */
  static forText(text: string): LoadedYaml {
    return new LoadedYaml(text, undefined);
  }

  /** Internal: records where a finished node started. */
  record(frame: Frame, value: unknown, kind: string | null): void {
    if (value === null || typeof value !== 'object' || this.positions.has(value)) return;
    const pos: NodePosition = { start: frame.start, end: frame.start };
    if (kind === 'mapping') {
      // A mapping's children arrive as key, value, key, value…
      pos.keys = new Map();
      for (let i = 0; i + 1 < frame.children.length; i += 2) {
        const key = frame.children[i]!;
        pos.keys.set(String(key.value), key.start);
      }
    } else if (kind === 'sequence') {
      pos.items = frame.children.map((c) => c.start);
    }
    this.positions.set(value, pos);
  }
}

function unwrap(v: unknown): unknown {
  return v instanceof TaggedValue ? v.value : v;
}

/** Skips whitespace and comments so a node's start is where its text begins. */
function skipBlank(text: string, offset: number): number {
  let i = offset;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') i++;
    else if (c === '#') {
      const nl = text.indexOf('\n', i);
      i = nl === -1 ? text.length : nl + 1;
    } else break;
  }
  return i;
}

/**
 * Counts the values a document expands to (aliases count again each time
 * they are used) and checks nesting depth, also as expanded through aliases
 * (consumers walk the expanded tree). Shared structure is walked once.
 * Errors point at the collection where the bound was crossed.
 */
function checkExpansion(loaded: LoadedYaml): void {
  // Expanded size and height of each collection already walked.
  const known = new Map<object, { size: number; height: number }>();
  const walking = new Set<object>();
  const where = (v: object) => loaded.start(v instanceof TaggedValue ? v.value : v) ?? 0;
  const tooDeep = (v: object) =>
    new YamlError(`The document is nested more than ${MAX_DEPTH} levels deep`, where(v));
  const visit = (v: unknown, depth: number): { size: number; height: number } => {
    if (v === null || typeof v !== 'object') return { size: 1, height: 0 };
    if (walking.has(v)) throw new YamlError('An alias refers to a node that contains it', where(v));
    const seen = known.get(v);
    if (seen !== undefined) {
      if (depth + seen.height > MAX_DEPTH) throw tooDeep(v);
      return seen;
    }
    if (depth > MAX_DEPTH) throw tooDeep(v);
    walking.add(v);
    const children =
      v instanceof TaggedValue ? [v.value] : v instanceof EncryptedValue ? [] : Object.values(v);
    const result = { size: 1, height: 0 };
    for (const c of children) {
      const child = visit(c, depth + 1);
      result.size += child.size;
      result.height = Math.max(result.height, child.height + 1);
      if (result.size > MAX_EXPANDED_NODES) {
        throw new YamlError(
          `The document expands to more than ${MAX_EXPANDED_NODES} values (alias expansion too large)`,
          where(v),
        );
      }
    }
    walking.delete(v);
    known.set(v, result);
    return result;
  };
  visit(loaded.value, 0);
}

/**
 * Parses one YAML document. Throws YamlError (with an offset) for syntax
 * errors, duplicate keys, unknown tags and oversized alias expansion.
 */
export function loadYaml(text: string): LoadedYaml {
  let loaded!: LoadedYaml;
  const stack: Frame[] = [];
  const positions: { frame: Frame; value: unknown; kind: string | null }[] = [];
  let value: unknown;
  try {
    value = jsyaml.load(text, {
      schema: ZUUL_SCHEMA,
      json: false,
      maxDepth: MAX_DEPTH,
      listener(event, state) {
        if (event === 'open') {
          stack.push({ start: skipBlank(text, state.position), children: [] });
          return;
        }
        const frame = stack.pop()!;
        const result: unknown = state.result;
        stack[stack.length - 1]?.children.push({ start: frame.start, value: result });
        positions.push({ frame, value: result, kind: state.kind });
      },
    } as jsyaml.LoadOptions);
  } catch (err) {
    throw toYamlError(err, text);
  }
  loaded = new LoadedYaml(text, value === undefined ? null : value);
  for (const p of positions) loaded.record(p.frame, p.value, p.kind);
  checkExpansion(loaded);
  return loaded;
}

function toYamlError(err: unknown, text: string): YamlError {
  if (err instanceof jsyaml.YAMLException) {
    const offset = err.mark?.position ?? 0;
    let reason = err.reason ?? err.message;
    if (reason === 'duplicated mapping key') {
      // js-yaml points at the start of the repeated key (block or flow
      // style, plain or quoted, `? key` form); name it as Zuul does.
      const m = /^(?:\?\s*)?(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|([^\n]*?))\s*:(?:\s|$)/.exec(
        text.slice(offset, offset + 1000),
      );
      const key = m?.[1] ?? m?.[2]?.replace(/''/g, "'") ?? m?.[3];
      reason = key
        ? `The key "${key}" appears more than once; duplicate keys are not permitted.`
        : 'A key appears more than once; duplicate keys are not permitted.';
      return new YamlError(reason, offset, 'Unknown Configuration Error');
    }
    if (/^nesting exceeded maxDepth/.test(reason)) {
      return new YamlError(`The document is nested more than ${MAX_DEPTH} levels deep`, offset);
    }
    const tag = /^(?:unknown tag !<(.*)>|cannot resolve a node with !<(.*)> explicit tag)$/.exec(
      reason,
    );
    const tagName = tag?.[1] ?? tag?.[2];
    if (tagName === '!encrypted/pkcs1-oaep') {
      reason = 'The !encrypted/pkcs1-oaep tag must be applied to a string or a list of strings';
    } else if (tag?.[1]) reason = `Unknown tag ${tagName}`;
    return new YamlError(reason, offset);
  }
  if (err instanceof RangeError) {
    return new YamlError('The document is nested too deeply', 0);
  }
  return new YamlError((err as Error).message ?? String(err), 0);
}

/** Decodes file bytes as strict UTF-8, reporting the offset of a bad byte. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Binary search for the longest prefix that decodes (streaming mode allows
    // a trailing partial sequence), so the error can name a line.
    let lo = 0;
    let hi = bytes.length;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
        lo = mid;
      } catch {
        hi = mid - 1;
      }
    }
    // If that prefix ends inside a multi-byte sequence, the bad sequence
    // starts at its lead byte, not at the byte that broke it.
    let bad = lo;
    for (let i = lo - 1; i >= 0 && i >= lo - 3; i--) {
      const b = bytes[i]!;
      if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking
      const length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
      if (i + length > lo) bad = i;
      break;
    }
    const prefix = new TextDecoder('utf-8').decode(bytes.subarray(0, bad));
    throw new YamlError(
      `The file is not valid UTF-8 (invalid byte 0x${(bytes[bad] ?? 0).toString(16)})`,
      prefix.length,
    );
  }
}
