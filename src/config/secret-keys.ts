// Project secrets keys where layouts and frozen jobs need them (semantics
// §C.6, §D.3, §G).
//
// * Layout validation: a job stanza that uses a secret (and has playbooks
//   to give it to) must be able to decrypt it with its project's key;
//   undecryptable data is a configuration error on that stanza. The layout
//   builder is synchronous, so the keys it may need are loaded first
//   (`prepareFor`), then `checkSecretDecrypts` answers from memory.
// * Freezing: frozen playbooks carry their secrets still encrypted;
//   `decrypt` (the model's SecretDecryptor) and `playbookSecrets` turn them
//   into the data each playbook receives, for the executor.
//
// Keys come from the keystore, which is opened only when some job uses a
// secret: a deployment without `[keystore]` (or `[database]`) still loads
// layouts that use none. A project's key is generated on first need, as the
// keystore does. Plaintext and key material never reach a message: errors
// name the secret, the project and the field only.

import type { KeyObject } from 'node:crypto';
import {
  decryptSecretData,
  SecretDecryptionError,
  type SecretDecryptionFailure,
} from '../lib/crypto/secrets.js';
import { playbookSecretVars } from '../model/freeze/secrets.js';
import type { FrozenJob, FrozenPlaybook, FrozenSecretUse } from '../model/freeze/types.js';
import type { JobSecretRef } from '../model/job.js';
import type { LayoutProject } from '../model/layout.js';
import type { Secret } from '../model/objects.js';
import { openStore, storeOptionsFromConf } from '../store/db.js';
import { Keystore, type KeystoreOptions } from '../store/keystore.js';
import type { ParsedConfig } from './config-file.js';
import type { ZuulConf } from './zuul-conf.js';

/** A project whose secrets key is wanted: the keystore keys it by connection and short name. */
export interface ProjectKeyRef {
  connectionName: string;
  /** Short name, e.g. `org/project`. */
  name: string;
  canonicalName: string;
}

/** An open keystore and how to release what it holds. */
export interface OpenedKeystore {
  keystore: Keystore;
  close(): Promise<void>;
}

/** The variables of every playbook of a frozen job: alias → decrypted data. */
export type JobSecretVars = Map<FrozenPlaybook, Record<string, unknown>>;

/** The keystore could not be opened or read where a secret needed it. */
export class SecretKeysError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretKeysError';
  }
}

// What cryptography (the library Zuul decrypts with) says for each failure,
// which is what Zuul shows as the configuration error. The last two are
// approximations: Zuul fails those earlier (base64) or with Python's
// UnicodeDecodeError text, which quotes a byte of the plaintext.
const ZUUL_TEXT: Record<SecretDecryptionFailure, string> = {
  'no-ciphertext': 'Decryption failed',
  'not-base64': 'the value is not base64 text',
  length: 'Ciphertext length must be equal to key size.',
  decryption: 'Decryption failed',
  utf8: "'utf-8' codec can't decode the decrypted bytes",
};

/**
 * The configuration error for a secret that does not decrypt: Zuul's text
 * (the crypto library's), prefixed with the secret and the field so the
 * user knows which value to re-encrypt. Never any ciphertext or plaintext.
 */
export function secretDecryptProblem(secret: Secret, project: ProjectKeyRef, err: unknown): string {
  if (err instanceof SecretDecryptionError) {
    return (
      `Unable to decrypt secret ${secret.name} (${err.path}) with the key of project ` +
      `${project.name}: ${ZUUL_TEXT[err.failure]}`
    );
  }
  return `Unable to decrypt secret ${secret.name} with the key of project ${project.name}: Decryption failed`;
}

function refKey(connectionName: string, name: string): string {
  return `${connectionName}\0${name}`;
}

type SecretUser = Pick<ParsedConfig, 'jobs' | 'projects' | 'projectTemplates' | 'secrets'>;

/**
 * Canonical names of the projects whose key a layout built from `config`
 * may need: projects with a job stanza (top level or in a project or
 * template stanza) listing a secret that the same project defines (a job
 * can only use its own project's secrets; any other use is an error
 * without decrypting anything).
 */
export function projectsUsingSecrets(config: SecretUser): Set<string> {
  const defined = new Map<string, Set<string>>();
  for (const s of config.secrets) {
    const project = s.sourceContext.projectCanonical;
    const names = defined.get(project) ?? new Set<string>();
    names.add(s.name);
    defined.set(project, names);
  }
  const out = new Set<string>();
  if (defined.size === 0) return out;
  const consider = (project: string, refs: readonly JobSecretRef[] | undefined) => {
    const own = defined.get(project);
    if (own && refs?.some((r) => own.has(r.secret))) out.add(project);
  };
  for (const job of config.jobs) consider(job.sourceContext.projectCanonical, job.secrets);
  for (const stanza of [...config.projects, ...config.projectTemplates]) {
    for (const ppc of stanza.pipelines.values()) {
      for (const entry of ppc.jobs) {
        consider(stanza.sourceContext.projectCanonical, entry.variant?.secrets);
      }
    }
  }
  return out;
}

/**
 * Project secrets keys for one process: loaded from the keystore on
 * demand, kept in memory, used by layout validation and freezing. Share
 * one per process (or per command); `close` releases the store.
 */
export class SecretKeyring {
  private opened?: Promise<OpenedKeystore>;
  private readonly keys = new Map<string, KeyObject>();
  // Validation results per secret object and project key: a secret used by
  // many stanzas (or many layouts) is decrypted once.
  private readonly checked = new WeakMap<Secret, Map<string, string | undefined>>();

  /** `open` is called the first time a key is needed (again after a failure). */
  constructor(private readonly open: () => Promise<OpenedKeystore>) {}

  /**
   * The keystore of a deployment: `[keystore] password` and `[database]
   * dburi` are read only when a key is first needed, and a missing one is
   * an error naming the setting.
   */
  static fromConf(conf: ZuulConf, opts: KeystoreOptions = {}): SecretKeyring {
    return new SecretKeyring(async () => {
      // The password first: it is the likelier omission.
      conf.require('keystore', 'password');
      const store = await openStore(storeOptionsFromConf(conf));
      return { keystore: Keystore.fromConf(store, conf, opts), close: () => store.close() };
    });
  }

  /** Keys from an open keystore (the caller keeps ownership of its store). */
  static fromKeystore(keystore: Keystore): SecretKeyring {
    return new SecretKeyring(async () => ({ keystore, close: async () => {} }));
  }

  /** Whether the key of a project is in memory. */
  hasKey(project: Pick<ProjectKeyRef, 'connectionName' | 'name'>): boolean {
    return this.keys.has(refKey(project.connectionName, project.name));
  }

  /**
   * Loads (creating where missing) the secrets keys of `projects`. Fails
   * with a SecretKeysError saying why the keystore is needed when it cannot
   * be opened or read.
   */
  async prepare(projects: Iterable<ProjectKeyRef>): Promise<void> {
    const wanted = [...projects].filter((p) => !this.hasKey(p));
    if (wanted.length === 0) return;
    let keystore: Keystore;
    try {
      keystore = (await this.keystore()).keystore;
    } catch (err) {
      const names = wanted.map((p) => p.name);
      const list = names.length > 3 ? `${names.slice(0, 3).join(', ')}, …` : names.join(', ');
      throw new SecretKeysError(
        `Jobs in ${list} use secrets, and decrypting them needs the keystore: ${(err as Error).message}`,
      );
    }
    for (const p of wanted) {
      try {
        const pair = await keystore.getProjectSecretsKey(p.connectionName, p.name);
        this.keys.set(refKey(p.connectionName, p.name), pair.privateKey);
      } catch (err) {
        throw new SecretKeysError((err as Error).message);
      }
    }
  }

  /**
   * Loads the keys a layout built from `loaded` needs to check its secrets
   * (nothing, and no keystore, when no job uses a secret of its project).
   */
  async prepareFor(loaded: {
    config: SecretUser;
    projects: readonly {
      canonicalName: string;
      name: string;
      connection?: { name: string };
      connectionName?: string;
    }[];
  }): Promise<void> {
    const needed = projectsUsingSecrets(loaded.config);
    if (needed.size === 0) return;
    const refs: ProjectKeyRef[] = [];
    for (const p of loaded.projects) {
      if (!needed.has(p.canonicalName)) continue;
      const connectionName = p.connectionName ?? p.connection?.name;
      if (connectionName === undefined) continue;
      refs.push({ connectionName, name: p.name, canonicalName: p.canonicalName });
    }
    await this.prepare(refs);
  }

  /**
   * For `buildLayout`'s `checkSecretDecrypts`: the problem with decrypting
   * `secret` with `project`'s key, or undefined. The key must have been
   * prepared (see prepareFor).
   */
  readonly checkSecretDecrypts = (secret: Secret, project: LayoutProject): string | undefined => {
    if (secret.data === undefined) return undefined; // OIDC secrets hold nothing encrypted.
    const k = refKey(project.connectionName, project.name);
    let results = this.checked.get(secret);
    if (results?.has(k)) return results.get(k);
    const key = this.keys.get(k);
    if (!key) {
      // A caller that built a layout without preparing its keys: say so
      // rather than blame the secret (not cached, so preparing fixes it).
      return `Unable to check secret ${secret.name}: the secrets key of project ${project.name} was not loaded (internal error)`;
    }
    let problem: string | undefined;
    try {
      decryptSecretData(secret.data, key, secret.name);
    } catch (err) {
      problem = secretDecryptProblem(secret, project, err);
    }
    if (!results) {
      results = new Map();
      this.checked.set(secret, results);
    }
    results.set(k, problem);
    return problem;
  };

  /**
   * The model's SecretDecryptor: a secret use's decrypted data. The key
   * must be in memory (prepared for the layout, or loaded by
   * playbookSecrets); throws without quoting data otherwise. OIDC secrets
   * hold nothing encrypted (the executor will mint their tokens): null.
   */
  readonly decrypt = (use: FrozenSecretUse): unknown => {
    const secret = use.secret;
    if (secret.data === undefined) return null;
    const key = this.keys.get(refKey(use.connectionName, use.projectName));
    if (!key) {
      throw new SecretKeysError(
        `The secrets key of project ${use.projectName} is not loaded to decrypt secret ${use.secretName}`,
      );
    }
    return decryptSecretData(secret.data, key, use.secretName);
  };

  /**
   * The secret variables of every playbook of a frozen job, decrypted:
   * each playbook gets only its own secrets (those of the stanza that
   * listed it, plus any a child passed to its parent), as freezing decided.
   * Loads missing keys first. A secret that does not decrypt is a
   * FreezeError naming the secret only.
   */
  async playbookSecrets(job: FrozenJob): Promise<JobSecretVars> {
    const playbooks = [...job.preRun, ...job.run, ...job.postRun, ...job.cleanupRun];
    const refs = new Map<string, ProjectKeyRef>();
    for (const pb of playbooks) {
      for (const use of pb.secrets) {
        if (use.secret.data === undefined) continue;
        refs.set(refKey(use.connectionName, use.projectName), {
          connectionName: use.connectionName,
          name: use.projectName,
          canonicalName: use.projectCanonicalName,
        });
      }
    }
    await this.prepare(refs.values());
    const out: JobSecretVars = new Map();
    for (const pb of playbooks) out.set(pb, playbookSecretVars(pb, this.decrypt));
    return out;
  }

  /** Releases the keystore's store, if this keyring opened one. */
  async close(): Promise<void> {
    const opened = this.opened;
    this.opened = undefined;
    if (!opened) return;
    const o = await opened.catch(() => undefined);
    await o?.close();
  }

  private keystore(): Promise<OpenedKeystore> {
    if (!this.opened) {
      this.opened = this.open();
      // A failure (missing setting, store down) is retried next time.
      this.opened.catch(() => {
        this.opened = undefined;
      });
    }
    return this.opened;
  }
}
