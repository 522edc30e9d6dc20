// Key formats and password encryption of private keys.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import {
  isSealed,
  PasswordCipher,
  SealedFormatError,
  WrongPasswordError,
} from '../../src/lib/crypto/password-cipher.js';
import {
  generateRsaKeyPair,
  opensshPublicKey,
  privateKeyDer,
  privateKeyFromDer,
  privateKeyPem,
} from '../../src/lib/crypto/rsa.js';
import {
  decryptZuulPem,
  encryptZuulPem,
  isZuulEncryptedPem,
} from '../../src/lib/crypto/zuul-pem.js';
import { tempDir } from '../helpers/store.js';

// Cheap scrypt for tests of the format; the default cost is tested once below.
const FAST = { N: 1024, r: 8, p: 1 };
let key: KeyObject;

before(async () => {
  key = (await generateRsaKeyPair(2048)).privateKey;
});

/** Reads an SSH wire-format string at `off`. */
function readString(buf: Buffer, off: number): [Buffer, number] {
  const len = buf.readUInt32BE(off);
  return [buf.subarray(off + 4, off + 4 + len), off + 4 + len];
}

describe('opensshPublicKey', () => {
  it('is ssh-rsa with the key exponent and modulus as mpints', () => {
    const line = opensshPublicKey(key);
    assert.match(line, /^ssh-rsa AAAAB3NzaC1yc2E[A-Za-z0-9+/]+=*$/);
    const blob = Buffer.from(line.split(' ')[1]!, 'base64');
    const [type, o1] = readString(blob, 0);
    const [e, o2] = readString(blob, o1);
    const [n, o3] = readString(blob, o2);
    assert.equal(type.toString(), 'ssh-rsa');
    assert.equal(o3, blob.length);
    const jwk = key.export({ format: 'jwk' });
    assert.deepEqual(e, Buffer.from(jwk.e!, 'base64url'));
    // The modulus has its high bit set, so the mpint carries a leading zero.
    assert.equal(n[0], 0);
    assert.deepEqual(n.subarray(1), Buffer.from(jwk.n!, 'base64url'));
    assert.equal(opensshPublicKey(key, 'zuul@example'), `${line} zuul@example`);
  });

  it('matches what ssh-keygen derives from the private key', (t) => {
    if (spawnSync('ssh-keygen', ['-?']).error) {
      t.skip('ssh-keygen is not installed');
      return;
    }
    const file = join(tempDir('zuul-ts-ssh-'), 'id_rsa');
    writeFileSync(file, privateKeyPem(key), { mode: 0o600 });
    const r = spawnSync('ssh-keygen', ['-y', '-f', file], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim().split(' ').slice(0, 2).join(' '), opensshPublicKey(key));
  });
});

describe('PasswordCipher', () => {
  it('seals and opens; the sealed text is self-describing and holds no key bytes in clear', async () => {
    const der = privateKeyDer(key);
    const sealed = await new PasswordCipher('pw', FAST).seal(der);
    assert.ok(isSealed(sealed));
    assert.match(
      sealed,
      /^-----BEGIN ZUUL-TS ENCRYPTED KEY-----\nEncryption: scrypt\(N=1024,r=8,p=1\)\+aes-256-gcm\nSalt: /,
    );
    assert.ok(!sealed.includes(der.toString('base64').slice(0, 40)));
    // Another cipher with the same password (another process) opens it.
    const opened = await new PasswordCipher('pw', FAST).open(sealed);
    assert.deepEqual(opened, der);
    assert.equal(
      privateKeyFromDer(opened).export({ format: 'jwk' }).n,
      key.export({ format: 'jwk' }).n,
    );
  });

  it('a wrong password is a WrongPasswordError, not garbage', async () => {
    const sealed = await new PasswordCipher('right', FAST).seal(Buffer.from('secret bytes'));
    await assert.rejects(new PasswordCipher('wrong', FAST).open(sealed), (e: Error) => {
      assert.ok(e instanceof WrongPasswordError);
      assert.match(e.message, /wrong \[keystore\] password/);
      return true;
    });
  });

  it('tampering with the header or the body is detected', async () => {
    const c = new PasswordCipher('pw', FAST);
    const sealed = await c.seal(Buffer.from('secret bytes'));
    const lines = sealed.split('\n');
    const body = [...lines];
    body[5] = (body[5]![0] === 'A' ? 'B' : 'A') + body[5]!.slice(1);
    await assert.rejects(c.open(body.join('\n')), WrongPasswordError);
    const nonce = [...lines];
    nonce[3] = 'Nonce: AAAAAAAAAAAAAAAA';
    await assert.rejects(c.open(nonce.join('\n')), WrongPasswordError);
    await assert.rejects(c.open('-----BEGIN RSA PRIVATE KEY-----\n'), SealedFormatError);
    const greedy = sealed.replace('N=1024', 'N=1073741824');
    await assert.rejects(c.open(greedy), /out-of-range/);
  });

  it('the default cost is scrypt N=2^15, r=8, p=1', async () => {
    const sealed = await new PasswordCipher('pw').seal(Buffer.from([1]));
    assert.match(sealed, /Encryption: scrypt\(N=32768,r=8,p=1\)\+aes-256-gcm/);
  });

  it('refuses an empty password', () => {
    assert.throws(() => new PasswordCipher(''), /must not be empty/);
  });
});

describe("Zuul's encrypted PEM", () => {
  it('round trip; a wrong password is a WrongPasswordError', () => {
    const pem = encryptZuulPem(key, 'zuul-pw');
    assert.ok(isZuulEncryptedPem(pem));
    assert.match(
      pem,
      /^-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,/,
    );
    assert.equal(
      decryptZuulPem(pem, 'zuul-pw').export({ format: 'jwk' }).n,
      key.export({ format: 'jwk' }).n,
    );
    assert.throws(() => decryptZuulPem(pem, 'nope'), WrongPasswordError);
    // What openssl/Python write reads the same way.
    assert.ok(createPrivateKey({ key: pem, passphrase: 'zuul-pw' }));
  });
});
