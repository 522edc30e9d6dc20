// The keystore (semantics.md §G): per (connection, project) an RSA-4096
// secrets key and an RSA-2048 SSH key, per tenant an RSA-2048 SSH key, each
// created the first time something asks for it and kept in the state store
// encrypted with `[keystore] password`.
//
// Keys are looked up by connection name and the project's name within that
// connection, as Zuul's KeyStorage does (together they are the canonical
// project). Creation is race-free across processes: generate, insert if
// absent, then read back whatever won. Within a process concurrent callers
// share one lookup, so a missing key is generated once. Decrypted keys are
// cached for the life of the Keystore, as Zuul caches them; a process picks
// up keys replaced by `import-keys --force` elsewhere when restarted.
//
// Private keys never reach logs or error messages.

import type { KeyObject } from 'node:crypto';
import { createPublicKey } from 'node:crypto';
import type { ZuulConf } from '../config/zuul-conf.js';
import {
  isSealed,
  PasswordCipher,
  type ScryptParams,
  WrongPasswordError,
} from '../lib/crypto/password-cipher.js';
import {
  generateRsaKeyPair,
  opensshPublicKey,
  privateKeyDer,
  privateKeyFromDer,
  privateKeyPem,
  publicKeyPem,
  SECRETS_KEY_BITS,
  SSH_KEY_BITS,
} from '../lib/crypto/rsa.js';
import { decryptZuulPem, encryptZuulPem, isZuulEncryptedPem } from '../lib/crypto/zuul-pem.js';
import type { Store } from './db.js';
import { type ImportCounts, type KeyId, KeysStore, type StoredKey } from './keys-store.js';
import { type KeyExport, keyPath, parseKeyPath, validateKeyExport } from './keystore-export.js';

export interface SecretsKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** PEM SubjectPublicKeyInfo, as `GET …/key/<project>.pub` serves it. */
  publicPem: string;
  /** Unix seconds. */
  created: number;
}

export interface SshKeyPair {
  privateKey: KeyObject;
  /** Unencrypted PKCS#1 PEM, for the build's ssh-agent. Never log it. */
  privatePem: string;
  /** `ssh-rsa AAAA…` without a trailing newline. */
  publicKey: string;
  created: number;
}

export interface KeystoreOptions {
  /** Tests may use smaller keys; production keeps Zuul's sizes. */
  secretsKeyBits?: number;
  sshKeyBits?: number;
  scrypt?: ScryptParams;
  now?: () => number;
}

export interface ImportReport extends ImportCounts {
  /** Paths in the file that hold keys zuul-ts does not keep. */
  skipped: string[];
}

export type ExportFormat = 'zuul-ts' | 'zuul';

export class KeystoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeystoreError';
  }
}

interface LoadedKey {
  key: KeyObject;
  created: number;
}

export class Keystore {
  private readonly keys: KeysStore;
  private readonly cipher: PasswordCipher;
  private readonly loaded = new Map<string, Promise<LoadedKey>>();

  /** `[keystore] password` is required, as in Zuul. */
  static fromConf(store: Store, conf: ZuulConf, opts: KeystoreOptions = {}): Keystore {
    return new Keystore(store, conf.require('keystore', 'password'), opts);
  }

  constructor(
    store: Store,
    private readonly password: string,
    private readonly opts: KeystoreOptions = {},
  ) {
    if (!password) throw new KeystoreError('[keystore] password must be set');
    this.keys = new KeysStore(store.db, store.dialect);
    this.cipher = new PasswordCipher(password, opts.scrypt);
  }

  async getProjectSecretsKey(connection: string, project: string): Promise<SecretsKeyPair> {
    const { key, created } = await this.load(
      { kind: 'project-secrets', connection, name: project },
      this.opts.secretsKeyBits ?? SECRETS_KEY_BITS,
    );
    const publicKey = createPublicKey(key);
    return { privateKey: key, publicKey, publicPem: publicKeyPem(publicKey), created };
  }

  async getProjectSshKey(connection: string, project: string): Promise<SshKeyPair> {
    return this.sshPair({ kind: 'project-ssh', connection, name: project });
  }

  async getTenantSshKey(tenant: string): Promise<SshKeyPair> {
    return this.sshPair({ kind: 'tenant-ssh', connection: '', name: tenant });
  }

  /** Removes a project's secrets and SSH keys (zuul-admin delete-keys). */
  async deleteProjectKeys(connection: string, project: string): Promise<number> {
    let n = 0;
    for (const kind of ['project-secrets', 'project-ssh'] as const) {
      const id = { kind, connection, name: project };
      n += await this.keys.delete(id);
      this.loaded.delete(cacheKey(id));
    }
    return n;
  }

  /**
   * Every key, still encrypted. `zuul-ts` format copies the stored form;
   * `zuul` re-encrypts each key as Zuul's encrypted PEM, for `zuul-admin
   * import-keys` (tenant keys then sit at a path Zuul ignores).
   */
  async exportKeys(format: ExportFormat = 'zuul-ts'): Promise<KeyExport> {
    const out: KeyExport = { keys: {} };
    for (const row of await this.keys.list()) {
      const path = keyPath(row);
      const privateKey =
        format === 'zuul' ? encryptZuulPem(await this.unseal(row), this.password) : row.privateKey;
      out.keys[path] ??= { schema: 1, keys: [] };
      out.keys[path].keys.push({
        version: row.version,
        created: row.created,
        private_key: privateKey,
      });
    }
    return out;
  }

  /**
   * Imports a backup made by `export-keys` here or by `zuul-admin
   * export-keys`. Every key is decrypted with this keystore's password
   * before anything is written, and all are written in one transaction, so
   * a wrong password or a bad file changes nothing. Existing keys are kept
   * unless `overwrite`.
   */
  async importKeys(data: unknown, opts: { overwrite: boolean }): Promise<ImportReport> {
    const file = validateKeyExport(data);
    const rows: StoredKey[] = [];
    const skipped: string[] = [];
    for (const [path, node] of Object.entries(file.keys)) {
      const id = parseKeyPath(path);
      if (!id) {
        skipped.push(path);
        continue;
      }
      for (const k of node.keys) {
        rows.push({
          ...id,
          version: k.version,
          created: Math.floor(k.created),
          privateKey: await this.reseal(path, k.private_key),
        });
      }
    }
    const counts = await this.keys.importAll(rows, opts.overwrite);
    this.loaded.clear();
    return { ...counts, skipped };
  }

  private async sshPair(id: KeyId): Promise<SshKeyPair> {
    const { key, created } = await this.load(id, this.opts.sshKeyBits ?? SSH_KEY_BITS);
    return {
      privateKey: key,
      privatePem: privateKeyPem(key),
      publicKey: opensshPublicKey(key),
      created,
    };
  }

  private load(id: KeyId, bits: number): Promise<LoadedKey> {
    const k = cacheKey(id);
    let p = this.loaded.get(k);
    if (!p) {
      p = this.loadOrCreate(id, bits);
      this.loaded.set(k, p);
      // A failure (database down, wrong password) must not stick in the cache.
      p.catch(() => this.loaded.delete(k));
    }
    return p;
  }

  private async loadOrCreate(id: KeyId, bits: number): Promise<LoadedKey> {
    let row = await this.keys.get(id);
    if (!row) {
      const { privateKey } = await generateRsaKeyPair(bits);
      await this.keys.insertIfAbsent({
        ...id,
        version: 0,
        created: Math.floor((this.opts.now?.() ?? Date.now()) / 1000),
        privateKey: await this.cipher.seal(privateKeyDer(privateKey)),
      });
      // Ours, or the key another process stored first.
      row = await this.keys.get(id);
      if (!row) throw new KeystoreError(`The ${describe(id)} vanished while it was being created`);
    }
    return { key: await this.unseal(row), created: row.created };
  }

  private async unseal(row: StoredKey): Promise<KeyObject> {
    try {
      return privateKeyFromDer(await this.cipher.open(row.privateKey));
    } catch (err) {
      const why =
        err instanceof WrongPasswordError ? err.message : 'the stored key is not readable';
      throw new KeystoreError(`Unable to read the ${describe(row)} from the keystore: ${why}`);
    }
  }

  /** An imported private key in zuul-ts's sealed form, checked against our password. */
  private async reseal(path: string, text: string): Promise<string> {
    try {
      if (isSealed(text)) {
        privateKeyFromDer(await this.cipher.open(text));
        return text;
      }
      if (isZuulEncryptedPem(text)) {
        return await this.cipher.seal(privateKeyDer(decryptZuulPem(text, this.password)));
      }
    } catch (err) {
      const why = err instanceof WrongPasswordError ? err.message : 'the key is not readable';
      throw new KeystoreError(`Unable to import ${path}: ${why}`);
    }
    throw new KeystoreError(`Unable to import ${path}: unknown private key format`);
  }
}

function cacheKey(id: KeyId): string {
  return JSON.stringify([id.kind, id.connection, id.name]);
}

function describe(id: KeyId): string {
  if (id.kind === 'tenant-ssh') return `SSH key of tenant ${id.name}`;
  const what = id.kind === 'project-secrets' ? 'secrets key' : 'SSH key';
  return `${what} of project ${id.connection}/${id.name}`;
}
