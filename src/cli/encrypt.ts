// `zuul-ts encrypt`: encrypts a secret with a project's public key and prints
// the secret stanza exactly as `zuul-client encrypt` does. The key comes from
// the keystore (created on first need, as the scheduler would), or from a
// PEM file given with --public-key.
//
// As in zuul-client: text read from standard input is stripped of leading
// and trailing whitespace unless --no-strip; a file given with --infile is
// encrypted as it is.

import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { findTenant, findTenantProject } from '../config/project-lookup.js';
import { loadSystemConfig, loadTenantFile } from '../config/system.js';
import { encryptSecret, formatSecretStanza } from '../lib/crypto/secrets.js';
import { openStore, storeOptionsFromConf } from '../store/db.js';
import { Keystore } from '../store/keystore.js';

export interface EncryptOptions {
  config: string;
  tenant?: string;
  project?: string;
  publicKey?: string;
  infile?: string;
  outfile?: string;
  secretName?: string;
  fieldName?: string;
  /** commander's --no-strip sets this false. */
  strip: boolean;
}

export async function encryptCommand(opts: EncryptOptions): Promise<number> {
  try {
    const publicKey = await projectPublicKey(opts);
    let plaintext: string;
    if (opts.infile) {
      plaintext = await readFile(opts.infile, 'utf8').catch((err: NodeJS.ErrnoException) => {
        throw new Error(
          err.code === 'ENOENT'
            ? `File "${opts.infile}" not found`
            : `Unable to read ${opts.infile}: ${err.code ?? err.message}`,
        );
      });
    } else {
      plaintext = await readStdin();
      if (opts.strip) plaintext = plaintext.trim();
    }
    const stanza = formatSecretStanza(encryptSecret(plaintext, publicKey), {
      secretName: opts.secretName,
      fieldName: opts.fieldName,
    });
    if (opts.outfile) await writeFile(opts.outfile, stanza);
    else process.stdout.write(`${stanza}\n`);
    return 0;
  } catch (err) {
    console.error((err as Error).message);
    return 1;
  }
}

async function projectPublicKey(opts: EncryptOptions): Promise<KeyObject> {
  if (opts.publicKey) {
    try {
      return createPublicKey(await readFile(opts.publicKey));
    } catch {
      throw new Error(`${opts.publicKey} is not a readable PEM public key`);
    }
  }
  if (!opts.tenant || !opts.project) {
    throw new Error('Either --public-key or both --tenant and --project are required');
  }
  const system = loadSystemConfig(opts.config);
  const file = await loadTenantFile(system);
  const hostnames = new Map<string, string>();
  for (const [name, conn] of system.connections) {
    if (conn.source) hostnames.set(name, conn.source.canonicalHostname);
  }
  const project = findTenantProject(findTenant(file, opts.tenant), opts.project, hostnames);
  const store = await openStore(storeOptionsFromConf(system.conf));
  try {
    const keystore = Keystore.fromConf(store, system.conf);
    return (await keystore.getProjectSecretsKey(project.connectionName, project.name)).publicKey;
  } finally {
    await store.close();
  }
}

async function readStdin(): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of process.stdin) parts.push(chunk as Buffer);
  return Buffer.concat(parts).toString('utf8');
}
