// Secrets of a playbook (semantics §G "Where secrets go"): the request
// carries them still encrypted; each is decrypted here with the secrets key
// of the project that defined it. Plaintext never reaches a message: errors
// name the secret and the project only.

import type { KeyObject } from 'node:crypto';
import { EncryptedValue } from '../../config/yaml.js';
import { decryptSecretData } from '../../lib/crypto/secrets.js';
import type { Keystore } from '../../store/keystore.js';
import type { BuildPlaybook } from '../protocol.js';
import { PrepareError } from './checkout.js';

/** The keystore calls a build needs (a lazily opened keystore can stand in). */
export type BuildKeys = Pick<
  Keystore,
  'getProjectSecretsKey' | 'getProjectSshKey' | 'getTenantSshKey'
>;

/** JSON `{"__encrypted__": [chunks]}` leaves back into encrypted values. */
export function reviveEncrypted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reviveEncrypted);
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1 && keys[0] === '__encrypted__' && Array.isArray(obj.__encrypted__)) {
    return new EncryptedValue(obj.__encrypted__.map(String));
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = reviveEncrypted(v);
  return out;
}

/** Decrypts playbook secrets, loading each project's key once. */
export class SecretDecrypter {
  private readonly keys = new Map<string, Promise<KeyObject>>();

  constructor(private readonly keystore: BuildKeys | undefined) {}

  /** alias → decrypted data for one playbook. */
  async playbookSecrets(pb: BuildPlaybook): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const s of pb.secrets) {
      if (s.data === undefined) {
        out[s.alias] = null;
        continue;
      }
      if (!this.keystore) {
        throw new PrepareError(
          `Secret ${s.secretName} of project ${s.project} cannot be decrypted: this executor has no keystore`,
        );
      }
      const key = await this.key(s.connection, s.project);
      try {
        out[s.alias] = decryptSecretData(reviveEncrypted(s.data), key, s.secretName);
      } catch {
        throw new PrepareError(`Unable to decrypt secret ${s.secretName} of project ${s.project}`);
      }
    }
    return out;
  }

  private key(connection: string, project: string): Promise<KeyObject> {
    const k = `${connection}\0${project}`;
    let key = this.keys.get(k);
    if (!key) {
      key = this.keystore!.getProjectSecretsKey(connection, project).then(
        (pair) => pair.privateKey,
        (err: Error) => {
          throw new PrepareError(`Secrets key of project ${project}: ${err.message}`);
        },
      );
      this.keys.set(k, key);
    }
    return key;
  }
}
