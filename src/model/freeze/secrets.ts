// The seam between frozen jobs and the keystore: frozen playbooks carry
// their secrets still encrypted, with the project whose key opens them; the
// caller supplies the decryption (model/ holds no keys and does no crypto).

import { FreezeError, type FrozenPlaybook, type SecretDecryptor } from './types.js';

/**
 * The variables a playbook receives for its secrets (alias → decrypted
 * data). A secret that cannot be decrypted becomes a FreezeError naming the
 * secret only: neither ciphertext nor the decryptor's message (which could
 * quote data) is repeated.
 */
export function playbookSecretVars(
  pb: FrozenPlaybook,
  decrypt: SecretDecryptor,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const use of pb.secrets) {
    try {
      out[use.alias] = decrypt(use);
    } catch {
      throw new FreezeError(
        `Unable to decrypt secret ${use.secretName} of project ${use.projectName}`,
      );
    }
  }
  return out;
}
