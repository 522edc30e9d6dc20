// Reads Zuul configuration YAML into plain values while remembering where
// every mapping, sequence and key came from, so errors can point at a line.
//
// We walk the `yaml` library's document tree ourselves (instead of toJS) to
// get: positions for every value, Zuul's three custom tags, PyYAML-style
// booleans (yes/no/on/off), `<<` merge keys, and a hard bound on how far
// aliases may expand (billion-laughs documents become an error, not an OOM).

import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  type ScalarTag,
} from 'yaml';

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
  ) {
    super(message);
  }
}

/** Bound on the number of values an alias-heavy document may expand into. */
const MAX_EXPANDED_NODES = 1_000_000;

const KNOWN_CUSTOM_TAGS = new Set(['!override', '!inherit', '!encrypted/pkcs1-oaep']);

// PyYAML (what Zuul uses) resolves these plain scalars to booleans; YAML 1.2's
// core schema does not. `y`/`n` are deliberately absent, as in PyYAML.
const pyyamlBool: ScalarTag = {
  identify: (v) => typeof v === 'boolean',
  default: true,
  tag: 'tag:yaml.org,2002:bool',
  test: /^(?:yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF)$/,
  resolve: (s) => /^(?:yes|on)$/i.test(s),
};

// Registered so the library does not warn about them; we interpret them below.
const passThroughTags: ScalarTag[] = [...KNOWN_CUSTOM_TAGS].map((tag) => ({
  tag,
  resolve: (s: string) => s,
}));

export class LoadedYaml {
  readonly positions = new WeakMap<object, NodePosition>();
  private readonly lineCounter: LineCounter;
  private expanded = 0;
  private readonly aliasCache = new Map<Node, { value: unknown; size: number }>();

  constructor(
    readonly text: string,
    readonly value: unknown,
    lineCounter: LineCounter,
  ) {
    this.lineCounter = lineCounter;
  }

  /** 0-based line and column of an offset. */
  linePos(offset: number): { line: number; col: number } {
    const p = this.lineCounter.linePos(offset);
    return { line: p.line - 1, col: p.col - 1 };
  }

  /**
   * Best position for a path below `root`: the deepest key or item that can
   * be found, falling back to `root` itself.
   */
  locate(root: unknown, path: readonly (string | number)[]): number | undefined {
    let current: unknown = root;
    let best = this.start(root);
    for (const step of path) {
      if (current === null || typeof current !== 'object') break;
      const pos = this.positions.get(current);
      if (!pos) break;
      const here =
        typeof step === 'number' ? pos.items?.[step] : (pos.keys?.get(String(step)) ?? undefined);
      if (here !== undefined) best = here;
      current = unwrap((current as Record<string | number, unknown>)[step]);
      const nested = this.start(current);
      if (nested !== undefined && typeof step === 'number') best = nested;
    }
    return best;
  }

  start(value: unknown): number | undefined {
    if (value !== null && typeof value === 'object') return this.positions.get(value)?.start;
    return undefined;
  }

  /** Positions only, for reporting errors in text that did not parse. */
  static forText(text: string): LoadedYaml {
    const lineCounter = new LineCounter();
    lineCounter.addNewLine(0);
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
      lineCounter.addNewLine(i + 1);
    }
    return new LoadedYaml(text, undefined, lineCounter);
  }

  /** Internal: converts the document tree. */
  static convert(doc: Document, text: string, lineCounter: LineCounter): LoadedYaml {
    const loaded = new LoadedYaml(text, undefined, lineCounter);
    const value = doc.contents === null ? null : loaded.toValue(doc.contents as Node, doc).value;
    return Object.assign(loaded, { value }) as LoadedYaml;
  }

  private count(n: number, offset: number): void {
    this.expanded += n;
    if (this.expanded > MAX_EXPANDED_NODES) {
      throw new YamlError(
        `The document expands to more than ${MAX_EXPANDED_NODES} values (alias expansion too large)`,
        offset,
      );
    }
  }

  private toValue(node: Node, doc: Document): { value: unknown; size: number } {
    const offset = node.range?.[0] ?? 0;
    if (isAlias(node)) {
      const target = node.resolve(doc);
      if (!target) throw new YamlError(`Unknown alias *${node.source}`, offset);
      let cached = this.aliasCache.get(target);
      if (!cached) {
        cached = this.toValue(target, doc);
        this.aliasCache.set(target, cached);
      }
      // Shared structure costs nothing to build, but every consumer walks the
      // expanded tree, so the bound counts the expanded size.
      this.count(cached.size, offset);
      return cached;
    }
    const tag = node.tag;
    if (tag && tag.startsWith('!') && tag !== '!' && !KNOWN_CUSTOM_TAGS.has(tag)) {
      throw new YamlError(`Unknown tag ${tag}`, offset);
    }
    let result: { value: unknown; size: number };
    if (isScalar(node)) {
      this.count(1, offset);
      result = { value: node.value, size: 1 };
    } else if (isSeq(node)) {
      const arr: unknown[] = [];
      const items: number[] = [];
      let size = 1;
      this.count(1, offset);
      for (const item of node.items) {
        const child = this.toValue(item as Node, doc);
        arr.push(child.value);
        items.push((item as Node).range?.[0] ?? offset);
        size += child.size;
      }
      this.positions.set(arr, { start: offset, end: node.range?.[1] ?? offset, items });
      result = { value: arr, size };
    } else if (isMap(node)) {
      result = this.mapToValue(node, doc, offset);
    } else {
      throw new YamlError('Unsupported YAML node', offset);
    }
    if (tag === '!override' || tag === '!inherit') {
      const inner = result.value;
      if (inner !== null && typeof inner !== 'string' && typeof inner !== 'object') {
        throw new YamlError(`The ${tag} tag may not be applied to a ${typeof inner}`, offset);
      }
      const wrapped = new TaggedValue(tag === '!override' ? 'override' : 'inherit', inner);
      this.positions.set(wrapped, { start: offset, end: node.range?.[1] ?? offset });
      return { value: wrapped, size: result.size };
    }
    if (tag === '!encrypted/pkcs1-oaep') {
      const v = result.value;
      const chunks = Array.isArray(v) ? v : [v];
      if (!chunks.every((c) => typeof c === 'string')) {
        throw new YamlError('!encrypted/pkcs1-oaep must be a string or a list of strings', offset);
      }
      const enc = new EncryptedValue(chunks as string[]);
      this.positions.set(enc, { start: offset, end: node.range?.[1] ?? offset });
      return { value: enc, size: result.size };
    }
    return result;
  }

  private mapToValue(
    node: import('yaml').YAMLMap,
    doc: Document,
    offset: number,
  ): { value: unknown; size: number } {
    const obj: Record<string, unknown> = {};
    const keys = new Map<string, number>();
    let size = 1;
    this.count(1, offset);
    const merges: Record<string, unknown>[] = [];
    for (const pair of node.items) {
      const keyNode = pair.key as Node | null;
      const keyOffset = keyNode?.range?.[0] ?? offset;
      if (isScalar(keyNode) && keyNode.value === '<<' && keyNode.type === 'PLAIN') {
        const merged = pair.value
          ? this.toValue(pair.value as Node, doc)
          : { value: null, size: 0 };
        size += merged.size;
        const sources = Array.isArray(merged.value) ? merged.value : [merged.value];
        for (const src of sources) {
          if (src === null || typeof src !== 'object' || Array.isArray(src)) {
            throw new YamlError(
              'A merge key (<<) must refer to a mapping or list of mappings',
              keyOffset,
            );
          }
          merges.push(src as Record<string, unknown>);
        }
        continue;
      }
      let key: unknown = keyNode === null ? null : this.toValue(keyNode, doc).value;
      if (key !== null && typeof key === 'object') {
        throw new YamlError('Mapping keys must be scalars', keyOffset);
      }
      key = String(key);
      if (Object.hasOwn(obj, key as string)) {
        throw new YamlError(`The key "${key}" appears more than once`, keyOffset);
      }
      const child = pair.value ? this.toValue(pair.value as Node, doc) : { value: null, size: 1 };
      size += child.size;
      obj[key as string] = child.value;
      keys.set(key as string, keyOffset);
    }
    // Explicit keys win over merged ones; earlier merge sources win over later.
    for (const src of merges) {
      for (const [k, v] of Object.entries(src)) {
        if (!Object.hasOwn(obj, k)) {
          obj[k] = v;
          keys.set(k, this.positions.get(src)?.keys?.get(k) ?? offset);
        }
      }
    }
    this.positions.set(obj, { start: offset, end: node.range?.[1] ?? offset, keys });
    return { value: obj, size };
  }
}

function unwrap(v: unknown): unknown {
  return v instanceof TaggedValue ? v.value : v;
}

/**
 * Parses one YAML document. Throws YamlError (with an offset) for syntax
 * errors, duplicate keys, unknown tags and oversized alias expansion.
 */
export function loadYaml(text: string): LoadedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    version: '1.2',
    schema: 'core',
    customTags: [pyyamlBool, ...passThroughTags],
    uniqueKeys: false,
    prettyErrors: false,
    strict: true,
  });
  const first = doc.errors[0];
  if (first) {
    throw new YamlError(cleanYamlMessage(first.message), first.pos[0]);
  }
  return LoadedYaml.convert(doc, text, lineCounter);
}

function cleanYamlMessage(msg: string): string {
  // The library appends a code frame after a blank line; we render our own.
  return msg.split('\n\n')[0]!.split('\n')[0]!.trim();
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
    const prefix = new TextDecoder('utf-8').decode(bytes.subarray(0, lo));
    throw new YamlError(
      `The file is not valid UTF-8 (invalid byte 0x${(bytes[lo] ?? 0).toString(16)})`,
      prefix.length,
    );
  }
}
