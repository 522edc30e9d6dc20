// Private keys as Zuul stores them: traditional PKCS#1 PEM encrypted with
// the keystore password (`Proc-Type: 4,ENCRYPTED`, `DEK-Info: AES-256-CBC`,
// what Python cryptography's TraditionalOpenSSL + BestAvailableEncryption and
// paramiko write). zuul-ts reads this form when importing a `zuul-admin
// export-keys` file and writes it for `export-keys --format zuul`; its own
// storage uses password-cipher.ts, whose key derivation is far stronger than
// this form's single MD5 round.

import { createPrivateKey, type KeyObject } from 'node:crypto';
import { WrongPasswordError } from './password-cipher.js';

export function isZuulEncryptedPem(text: string): boolean {
  return /^-----BEGIN (RSA )?PRIVATE KEY-----/.test(text.trimStart());
}

/** Decrypts a Zuul keystore PEM; a wrong password raises WrongPasswordError. */
export function decryptZuulPem(pem: string, password: string): KeyObject {
  try {
    return createPrivateKey({ key: pem, format: 'pem', passphrase: password });
  } catch (err) {
    // OpenSSL says "bad decrypt" (or fails to parse the decrypted garbage);
    // either way the cause that matters is the password. Never echo the PEM.
    const code = (err as { code?: string }).code ?? '';
    if (
      /DECRYPT|BAD_DECRYPT|ASN1|DECODER/i.test(code) ||
      /decrypt|decoder|asn1/i.test((err as Error).message)
    ) {
      throw new WrongPasswordError();
    }
    throw new Error('not a readable PEM private key');
  }
}

/** The key as Zuul stores it, encrypted with the keystore password. */
export function encryptZuulPem(key: KeyObject, password: string): string {
  return key
    .export({ type: 'pkcs1', format: 'pem', cipher: 'aes-256-cbc', passphrase: password })
    .toString();
}
