// Small configuration objects: secrets, semaphores, queues, pragmas.

import type { SourceContext } from './config-error.js';
import type { ZuulRegex } from './regex.js';

/** A ciphertext as found in YAML: base64 chunks to decrypt and concatenate. */
export interface EncryptedString {
  readonly encrypted: readonly string[];
}

/** Secret data: any YAML, where string leaves may be encrypted. */
export type SecretData = unknown;

export interface OidcSecretConfig {
  ttl?: number;
  iss?: string;
  algorithm?: string;
  claims: Record<string, unknown>;
}

export interface Secret {
  name: string;
  sourceContext: SourceContext;
  /** Exactly one of data / oidc is set. */
  data?: SecretData;
  oidc?: OidcSecretConfig;
  /** Canonical serialisation, to compare duplicate definitions. */
  fingerprint: string;
}

export interface Semaphore {
  name: string;
  max: number;
  sourceContext: SourceContext;
}

export interface Queue {
  name: string;
  perBranch: boolean;
  allowCircularDependencies: boolean;
  dependenciesByTopic: boolean;
  sourceContext: SourceContext;
}

/** File-level settings; never part of the layout. */
export interface Pragma {
  impliedBranchMatchers?: boolean;
  impliedBranches?: ZuulRegex[];
}
