// Zuul secrets (`!encrypted/pkcs1-oaep`): RSAES-OAEP with SHA-1 as both the
// OAEP hash and the MGF1 hash, empty label (zuul/lib/encryption.py).
//
// Encryption follows zuul-client's `encrypt`: the plaintext is cut into
// chunks of at most (modulus bytes − 42) bytes — 470 for Zuul's 4096-bit
// keys — each encrypted and base64-encoded. zuul-client cuts by characters,
// which overflows a chunk when the text has multi-byte characters; we cut
// the UTF-8 bytes, never inside a character, because Zuul decodes every
// chunk as UTF-8 on its own before joining them.
//
// Nothing here logs, and no error message carries plaintext or key
// material: only the secret's name and the path of the failing value.

import { constants, type KeyObject, privateDecrypt, publicEncrypt } from 'node:crypto';
import { EncryptedValue } from '../../config/yaml.js';
import { modulusBytes } from './rsa.js';

/** OAEP overhead for SHA-1: 2 · 20 + 2 bytes. */
const OAEP_SHA1_OVERHEAD = 42;

/** Why a value did not decrypt. */
export type SecretDecryptionFailure =
  /** An encrypted value with no chunk. */
  | 'no-ciphertext'
  /** A chunk that is not a string. */
  | 'not-base64'
  /** A chunk whose size is not the key's (another key size, or truncated). */
  | 'length'
  /** OAEP decryption failed: another key, or damaged ciphertext. */
  | 'decryption'
  /** The plaintext is not UTF-8. */
  | 'utf8';

export class SecretDecryptionError extends Error {
  constructor(
    message: string,
    readonly secretName: string,
    /** Where in the secret's data the failing value is, e.g. `data.password`. */
    readonly path: string,
    readonly failure: SecretDecryptionFailure = 'decryption',
  ) {
    super(message);
    this.name = 'SecretDecryptionError';
  }
}

/** Largest plaintext chunk for a key: 470 bytes for 4096 bits. */
export function maxChunkBytes(key: KeyObject): number {
  return modulusBytes(key) - OAEP_SHA1_OVERHEAD;
}

/** Splits UTF-8 text into byte chunks of at most `maxBytes`, on character boundaries. */
export function splitUtf8(text: string, maxBytes: number): Buffer[] {
  if (maxBytes < 4) throw new Error('chunk size too small for UTF-8');
  const bytes = Buffer.from(text, 'utf8');
  const chunks: Buffer[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = Math.min(start + maxBytes, bytes.length);
    // Back off continuation bytes (10xxxxxx) so a character is never split.
    if (end < bytes.length) while ((bytes[end]! & 0xc0) === 0x80) end--;
    chunks.push(bytes.subarray(start, end));
    start = end;
  }
  // An empty secret still gets one (empty) chunk, so it decrypts to ''.
  return chunks.length ? chunks : [Buffer.alloc(0)];
}

/** Encrypts a plaintext for a project's public key: base64 chunks, as zuul-client writes them. */
export function encryptSecret(plaintext: string, publicKey: KeyObject): string[] {
  return splitUtf8(plaintext, maxChunkBytes(publicKey)).map((chunk) =>
    publicEncrypt(
      { key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
      chunk,
    ).toString('base64'),
  );
}

/**
 * Decrypts base64 chunks and joins them. Characters outside the base64
 * alphabet (newlines and spaces of folded YAML scalars) are ignored, as
 * Python's b64decode does.
 */
export function decryptChunks(
  chunks: readonly string[],
  privateKey: KeyObject,
  where: { secretName: string; path: string } = { secretName: '?', path: 'data' },
): string {
  const fail = (why: string, failure: SecretDecryptionFailure) =>
    new SecretDecryptionError(
      `Unable to decrypt secret ${where.secretName}: ${where.path} ${why}`,
      where.secretName,
      where.path,
      failure,
    );
  if (chunks.length === 0) throw fail('has no ciphertext', 'no-ciphertext');
  const size = modulusBytes(privateKey);
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let out = '';
  for (const [i, chunk] of chunks.entries()) {
    const part = chunks.length > 1 ? ` (chunk ${i + 1} of ${chunks.length})` : '';
    if (typeof chunk !== 'string') throw fail(`is not a base64 string${part}`, 'not-base64');
    const bytes = Buffer.from(chunk.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
    if (bytes.length !== size) {
      throw fail(
        `is not ciphertext for this project's key${part}: it is ${bytes.length} bytes, a ${size * 8}-bit key produces ${size}`,
        'length',
      );
    }
    let plain: Buffer;
    try {
      plain = privateDecrypt(
        { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
        bytes,
      );
    } catch {
      throw fail(
        `could not be decrypted with the project's private key${part}: it was encrypted for another project, or it is damaged`,
        'decryption',
      );
    }
    try {
      out += utf8.decode(plain);
    } catch {
      throw fail(`decrypts to text that is not valid UTF-8${part}`, 'utf8');
    }
  }
  return out;
}

export function decryptEncryptedValue(
  value: EncryptedValue,
  privateKey: KeyObject,
  where?: { secretName: string; path: string },
): string {
  return decryptChunks(value.ciphertext, privateKey, where);
}

/**
 * A secret's data with every `!encrypted/pkcs1-oaep` leaf replaced by its
 * plaintext; mappings and lists are walked, other values kept as they are.
 * The input is not modified. Throws SecretDecryptionError on the first
 * value that does not decrypt.
 */
export function decryptSecretData(
  data: unknown,
  privateKey: KeyObject,
  secretName: string,
): unknown {
  const walk = (v: unknown, path: string): unknown => {
    if (v instanceof EncryptedValue)
      return decryptChunks(v.ciphertext, privateKey, { secretName, path });
    if (Array.isArray(v)) return v.map((item, i) => walk(item, `${path}[${i}]`));
    if (v !== null && typeof v === 'object' && isPlainObject(v)) {
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) out[k] = walk(item, `${path}.${k}`);
      return out;
    }
    return v;
  };
  return walk(data, 'data');
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

export interface SecretStanzaOptions {
  secretName?: string;
  fieldName?: string;
}

/**
 * The text zuul-client's `encrypt` prints (before print()'s own newline):
 * a blank line, the secret stanza with `<name>`/`<fieldname>` placeholders
 * unless given, then each chunk as a list item wrapped at 79 columns the
 * way Python's textwrap does it (first line `        - ` + 69 characters,
 * the rest indented by 10 with 69 characters each).
 */
export function formatSecretStanza(
  chunks: readonly string[],
  opts: SecretStanzaOptions = {},
): string {
  let out =
    '\n- secret:\n' +
    `    name: ${opts.secretName || '<name>'}\n` +
    '    data:\n' +
    `      ${opts.fieldName || '<fieldname>'}: !encrypted/pkcs1-oaep\n`;
  for (const chunk of chunks) out += `${wrapChunk(chunk)}\n`;
  return out;
}

function wrapChunk(chunk: string): string {
  const width = 79;
  const first = ' '.repeat(8);
  const rest = ' '.repeat(10);
  const lines: string[] = [];
  let pos = Math.min(chunk.length, width - first.length - 2);
  lines.push(`${first}- ${chunk.slice(0, pos)}`);
  while (pos < chunk.length) {
    const n = width - rest.length;
    lines.push(rest + chunk.slice(pos, pos + n));
    pos += n;
  }
  return lines.join('\n');
}
