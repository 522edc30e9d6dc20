// Encrypting private keys with the `[keystore] password`.
//
// Scheme (docs/security.md): scrypt (N=2^15, r=8, p=1) derives a 256-bit
// key from the password and a random 16-byte salt; AES-256-GCM with a
// random 12-byte nonce encrypts the key bytes; the header lines are the
// GCM additional data, so the parameters cannot be altered unnoticed.
// Everything needed to decrypt, except the password, is in the text:
//
//   -----BEGIN ZUUL-TS ENCRYPTED KEY-----
//   Encryption: scrypt(N=32768,r=8,p=1)+aes-256-gcm
//   Salt: <base64>
//   Nonce: <base64>
//
//   <base64 of ciphertext followed by the 16-byte tag, 64 columns>
//   -----END ZUUL-TS ENCRYPTED KEY-----
//
// scrypt is deliberately slow (tens of ms), and a deployment has thousands
// of keys, so one cipher derives the key once per salt and seals everything
// it encrypts with its own single salt: a process pays one derivation per
// distinct salt in the store, not one per key.

import { createCipheriv, createDecipheriv, randomBytes, scrypt } from 'node:crypto';

const BEGIN = '-----BEGIN ZUUL-TS ENCRYPTED KEY-----';
const END = '-----END ZUUL-TS ENCRYPTED KEY-----';
const ALG_RE = /^scrypt\(N=(\d+),r=(\d+),p=(\d+)\)\+aes-256-gcm$/;

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

export const DEFAULT_SCRYPT: ScryptParams = { N: 1 << 15, r: 8, p: 1 };

/** The password is wrong, or the sealed text was damaged: GCM cannot tell which. */
export class WrongPasswordError extends Error {
  constructor(message = 'wrong [keystore] password, or the stored key is damaged') {
    super(message);
    this.name = 'WrongPasswordError';
  }
}

/** The text is not something this module sealed. */
export class SealedFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealedFormatError';
  }
}

export function isSealed(text: string): boolean {
  return text.trimStart().startsWith(BEGIN);
}

export class PasswordCipher {
  private readonly password: Buffer;
  private readonly params: ScryptParams;
  private readonly salt = randomBytes(16);
  /** Derived keys by "N,r,p,salt"; promises so concurrent callers share one derivation. */
  private readonly keys = new Map<string, Promise<Buffer>>();

  constructor(password: string, params: ScryptParams = DEFAULT_SCRYPT) {
    if (!password) throw new Error('[keystore] password must not be empty');
    this.password = Buffer.from(password, 'utf8');
    this.params = params;
  }

  async seal(plaintext: Buffer): Promise<string> {
    const key = await this.derive(this.params, this.salt);
    const nonce = randomBytes(12);
    const header = [
      `Encryption: scrypt(N=${this.params.N},r=${this.params.r},p=${this.params.p})+aes-256-gcm`,
      `Salt: ${this.salt.toString('base64')}`,
      `Nonce: ${nonce.toString('base64')}`,
    ];
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    cipher.setAAD(Buffer.from(header.join('\n')));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    const b64 = body.toString('base64').match(/.{1,64}/g) ?? [];
    return [BEGIN, ...header, '', ...b64, END, ''].join('\n');
  }

  /** Throws WrongPasswordError when authentication fails, SealedFormatError on malformed text. */
  async open(sealed: string): Promise<Buffer> {
    const { header, params, salt, nonce, body } = parseSealed(sealed);
    if (body.length < 16) throw new SealedFormatError('the encrypted key is truncated');
    const key = await this.derive(params, salt);
    const decipher = createDecipheriv('aes-256-gcm', key, nonce);
    decipher.setAAD(Buffer.from(header.join('\n')));
    decipher.setAuthTag(body.subarray(body.length - 16));
    try {
      return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]);
    } catch {
      throw new WrongPasswordError();
    }
  }

  private derive(params: ScryptParams, salt: Buffer): Promise<Buffer> {
    const id = `${params.N},${params.r},${params.p},${salt.toString('base64')}`;
    let key = this.keys.get(id);
    if (!key) {
      key = new Promise<Buffer>((resolve, reject) => {
        // maxmem above scrypt's 128·N·r bytes, which node's 32 MiB default rejects at N=2^15.
        const maxmem = 256 * params.N * params.r;
        scrypt(this.password, salt, 32, { ...params, maxmem }, (err, derived) =>
          err ? reject(err) : resolve(derived),
        );
      });
      this.keys.set(id, key);
      key.catch(() => this.keys.delete(id));
    }
    return key;
  }
}

interface Parsed {
  header: string[];
  params: ScryptParams;
  salt: Buffer;
  nonce: Buffer;
  body: Buffer;
}

function parseSealed(text: string): Parsed {
  const lines = text.trim().split(/\r?\n/);
  if (lines[0] !== BEGIN || lines[lines.length - 1] !== END || lines[4] !== '') {
    throw new SealedFormatError('not a zuul-ts encrypted key');
  }
  const header = lines.slice(1, 4);
  const field = (i: number, name: string): string => {
    const line = header[i]!;
    if (!line.startsWith(`${name}: `)) throw new SealedFormatError(`encrypted key lacks "${name}"`);
    return line.slice(name.length + 2);
  };
  const m = ALG_RE.exec(field(0, 'Encryption'));
  if (!m) throw new SealedFormatError('encrypted key uses an unknown encryption scheme');
  const params = { N: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  // Bounds keep a tampered header from asking for gigabytes of scrypt memory.
  if (
    params.N < 2 ||
    params.N > 1 << 20 ||
    params.r < 1 ||
    params.r > 32 ||
    params.p < 1 ||
    params.p > 16
  ) {
    throw new SealedFormatError('encrypted key has out-of-range scrypt parameters');
  }
  const salt = Buffer.from(field(1, 'Salt'), 'base64');
  const nonce = Buffer.from(field(2, 'Nonce'), 'base64');
  if (salt.length < 8 || nonce.length !== 12)
    throw new SealedFormatError('encrypted key has a bad salt or nonce');
  const body = Buffer.from(lines.slice(5, -1).join(''), 'base64');
  return { header, params, salt, nonce, body };
}
