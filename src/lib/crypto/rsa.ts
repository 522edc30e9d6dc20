// RSA key pairs: generation and the public forms Zuul serves.
//
// * Secrets keys: the public key as PEM SubjectPublicKeyInfo
//   (`-----BEGIN PUBLIC KEY-----`), what `GET …/key/<project>.pub` returns
//   and what zuul-client feeds to openssl.
// * SSH keys: the OpenSSH one-line form `ssh-rsa <base64>` (RFC 4253
//   §6.6 wire format), built from the JWK modulus and exponent because
//   node:crypto has no OpenSSH export.

import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';

const generateKeyPairAsync = promisify(generateKeyPair);

/** Zuul's sizes: secrets keys are 4096-bit, SSH keys 2048-bit (keystorage.py). */
export const SECRETS_KEY_BITS = 4096;
export const SSH_KEY_BITS = 2048;

export interface RsaKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/**
 * A new RSA key pair, exponent 65537. Runs in libuv's thread pool, so a
 * 4096-bit key (seconds of CPU) does not block the event loop.
 */
export async function generateRsaKeyPair(bits: number): Promise<RsaKeyPair> {
  return generateKeyPairAsync('rsa', { modulusLength: bits, publicExponent: 0x10001 });
}

/** Modulus size in bytes (512 for a 4096-bit key). */
export function modulusBytes(key: KeyObject): number {
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (key.asymmetricKeyType !== 'rsa' || !bits) throw new Error('not an RSA key');
  return Math.ceil(bits / 8);
}

/** PEM SubjectPublicKeyInfo, as Zuul's `/key/<project>.pub` serves it. */
export function publicKeyPem(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return pub.export({ type: 'spki', format: 'pem' }).toString();
}

/** Unencrypted PKCS#1 PEM (`-----BEGIN RSA PRIVATE KEY-----`), what ssh-add takes. */
export function privateKeyPem(key: KeyObject): string {
  return key.export({ type: 'pkcs1', format: 'pem' }).toString();
}

/** PKCS#8 DER: the key bytes the keystore encrypts. */
export function privateKeyDer(key: KeyObject): Buffer {
  return key.export({ type: 'pkcs8', format: 'der' });
}

export function privateKeyFromDer(der: Buffer): KeyObject {
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
}

/** `ssh-rsa AAAA…` (no trailing newline), with an optional comment. */
export function opensshPublicKey(key: KeyObject, comment?: string): string {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.kty !== 'RSA' || !jwk.n || !jwk.e) throw new Error('not an RSA key');
  const blob = Buffer.concat([
    sshString(Buffer.from('ssh-rsa')),
    sshMpint(Buffer.from(jwk.e, 'base64url')),
    sshMpint(Buffer.from(jwk.n, 'base64url')),
  ]);
  const line = `ssh-rsa ${blob.toString('base64')}`;
  return comment ? `${line} ${comment}` : line;
}

function sshString(data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  return Buffer.concat([len, data]);
}

/** RFC 4251 mpint: minimal big-endian two's complement, so a set high bit gets a 0x00 prefix. */
function sshMpint(unsigned: Buffer): Buffer {
  let i = 0;
  while (i < unsigned.length && unsigned[i] === 0) i++;
  let bytes = unsigned.subarray(i);
  if (bytes.length && bytes[0]! & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return sshString(bytes);
}
