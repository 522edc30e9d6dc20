// The key backup file of `export-keys` / `import-keys`, shaped like
// `zuul-admin export-keys` output: ZooKeeper paths of Zuul's keystore
// mapped to `{schema: 1, keys: [{version, created, private_key}]}`.
//
//   /keystorage/<connection>/<first path component>/<quote_plus(project)>/secrets
//   /keystorage/<connection>/<first path component>/<quote_plus(project)>/ssh
//   /keystorage-tenant/<quote_plus(tenant)>/ssh      (zuul-ts; Zuul's path for
//                                                     tenant keys is unknown)
//
// The project name is taken from the quoted component (the first-component
// directory is redundant), exactly as Zuul derives both from the name.

import type { KeyId } from './keys-store.js';

export interface ExportedKeyVersion {
  version: number;
  created: number;
  /** Encrypted with the keystore password: zuul-ts's sealed form or Zuul's encrypted PEM. */
  private_key: string;
}

export interface ExportedKeyNode {
  schema: 1;
  keys: ExportedKeyVersion[];
}

export interface KeyExport {
  keys: Record<string, ExportedKeyNode>;
}

export class KeyExportFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyExportFormatError';
  }
}

/** Python's urllib.parse.quote_plus(s) (safe=''): what Zuul puts in keystore paths. */
export function quotePlus(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9_.~-]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function unquotePlus(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    throw new KeyExportFormatError(`bad %-escape in keystore path component "${s}"`);
  }
}

export function keyPath(id: KeyId): string {
  if (id.kind === 'tenant-ssh') return `/keystorage-tenant/${quotePlus(id.name)}/ssh`;
  const prefix = id.name.split('/')[0];
  const leaf = id.kind === 'project-secrets' ? 'secrets' : 'ssh';
  return `/keystorage/${id.connection}/${prefix}/${quotePlus(id.name)}/${leaf}`;
}

/** The key a path names, or undefined for paths zuul-ts does not keep (e.g. Zuul's OIDC keys). */
export function parseKeyPath(path: string): KeyId | undefined {
  const parts = path.split('/');
  if (parts[0] !== '') return undefined;
  if (parts[1] === 'keystorage' && parts.length === 6 && parts[2] && parts[4]) {
    const leaf = parts[5];
    if (leaf !== 'secrets' && leaf !== 'ssh') return undefined;
    return {
      kind: leaf === 'secrets' ? 'project-secrets' : 'project-ssh',
      connection: parts[2],
      name: unquotePlus(parts[4]),
    };
  }
  if (parts[1] === 'keystorage-tenant' && parts.length === 4 && parts[2] && parts[3] === 'ssh') {
    return { kind: 'tenant-ssh', connection: '', name: unquotePlus(parts[2]) };
  }
  return undefined;
}

/** Checks the file's shape; messages name the offending path, never key material. */
export function validateKeyExport(data: unknown): KeyExport {
  if (!isObject(data) || !isObject(data.keys)) {
    throw new KeyExportFormatError('not a key export: expected a JSON object with a "keys" object');
  }
  for (const [path, node] of Object.entries(data.keys)) {
    if (!isObject(node) || !Array.isArray(node.keys)) {
      throw new KeyExportFormatError(`${path}: expected {"schema": 1, "keys": [...]}`);
    }
    if (node.schema !== 1) {
      throw new KeyExportFormatError(
        `${path}: unsupported schema ${JSON.stringify(node.schema)} (expected 1)`,
      );
    }
    if (node.keys.length === 0) throw new KeyExportFormatError(`${path}: no keys`);
    for (const [i, k] of node.keys.entries()) {
      if (
        !isObject(k) ||
        !Number.isInteger(k.version) ||
        typeof k.created !== 'number' ||
        typeof k.private_key !== 'string'
      ) {
        throw new KeyExportFormatError(
          `${path}: keys[${i}] must have an integer "version", a numeric "created" and a string "private_key"`,
        );
      }
    }
  }
  return data as unknown as KeyExport;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
