// Zuul secrets: encryption as zuul-client does it, decryption as Zuul does
// it, checked against independent encryptions (node:crypto directly, and the
// openssl command zuul-client runs) with real 4096-bit keys.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  constants,
  createPublicKey,
  type KeyObject,
  privateDecrypt,
  publicEncrypt,
} from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { EncryptedValue, loadYaml } from '../../src/config/yaml.js';
import { generateRsaKeyPair, publicKeyPem, type RsaKeyPair } from '../../src/lib/crypto/rsa.js';
import {
  decryptChunks,
  decryptSecretData,
  encryptSecret,
  formatSecretStanza,
  maxChunkBytes,
  SecretDecryptionError,
  splitUtf8,
} from '../../src/lib/crypto/secrets.js';
import { tempDir } from '../helpers/store.js';

// Two projects' keys, generated once for the file (4096-bit keys take seconds).
let project: RsaKeyPair;
let other: RsaKeyPair;

before(async () => {
  [project, other] = await Promise.all([generateRsaKeyPair(4096), generateRsaKeyPair(4096)]);
});

/** What node:crypto gives without our code: OAEP with SHA-1 for hash and MGF1. */
function independentEncrypt(pem: string, plaintext: Buffer): string {
  return publicEncrypt(
    { key: pem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
    plaintext,
  ).toString('base64');
}

function rawDecrypt(key: KeyObject, b64: string): Buffer {
  return privateDecrypt(
    { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
    Buffer.from(b64, 'base64'),
  );
}

describe('encryptSecret / decryptChunks', () => {
  it('round trip, including an empty and a non-ASCII secret', () => {
    for (const text of ['hunter2', '', 'pässwörd ✓ 🔑']) {
      const chunks = encryptSecret(text, project.publicKey);
      assert.equal(chunks.length, 1);
      assert.equal(decryptChunks(chunks, project.privateKey), text);
    }
  });

  it('470 bytes per chunk for a 4096-bit key; longer texts are split and joined back', () => {
    assert.equal(maxChunkBytes(project.publicKey), 470);
    const cases: [number, number][] = [
      [470, 1],
      [471, 2],
      [1000, 3],
      [4000, 9],
    ];
    for (const [len, n] of cases) {
      const text = 'abcdefghij'.repeat(400).slice(0, len);
      const chunks = encryptSecret(text, project.publicKey);
      assert.equal(chunks.length, n, `${len} bytes`);
      for (const c of chunks) {
        assert.equal(Buffer.from(c, 'base64').length, 512, 'each chunk is one RSA block');
        assert.ok(rawDecrypt(project.privateKey, c).length <= 470);
      }
      assert.equal(decryptChunks(chunks, project.privateKey), text);
    }
  });

  it('never splits a multi-byte character: every chunk decodes as UTF-8 on its own', () => {
    const text = '€'.repeat(400); // 1200 bytes; 470 is not a multiple of 3
    const chunks = encryptSecret(text, project.publicKey);
    const sizes = chunks.map((c) => rawDecrypt(project.privateKey, c).length);
    assert.deepEqual(sizes, [468, 468, 264]);
    for (const c of chunks) {
      assert.doesNotThrow(() =>
        new TextDecoder('utf-8', { fatal: true }).decode(rawDecrypt(project.privateKey, c)),
      );
    }
    assert.equal(decryptChunks(chunks, project.privateKey), text);
  });

  it('decrypts what node:crypto encrypts independently with the PEM public key', () => {
    const pem = publicKeyPem(project.publicKey);
    assert.match(pem, /^-----BEGIN PUBLIC KEY-----\n/);
    const long = Buffer.from('x'.repeat(700));
    const chunks = [
      independentEncrypt(pem, long.subarray(0, 470)),
      independentEncrypt(pem, long.subarray(470)),
    ];
    assert.equal(decryptChunks(chunks, project.privateKey), long.toString());
  });

  it("decrypts what openssl encrypts (zuul-client's own method)", (t) => {
    if (spawnSync('openssl', ['version']).status !== 0) {
      t.skip('openssl is not installed');
      return;
    }
    const dir = tempDir('zuul-ts-openssl-');
    const pub = join(dir, 'key.pub');
    writeFileSync(pub, publicKeyPem(project.publicKey));
    const r = spawnSync(
      'openssl',
      ['pkeyutl', '-encrypt', '-pubin', '-inkey', pub, '-pkeyopt', 'rsa_padding_mode:oaep'],
      { input: 'from openssl' },
    );
    assert.equal(r.status, 0, r.stderr.toString());
    assert.equal(decryptChunks([r.stdout.toString('base64')], project.privateKey), 'from openssl');
  });

  it('ignores whitespace and line breaks inside the base64 text', () => {
    const [c] = encryptSecret('wrapped', project.publicKey);
    const messy = `  ${c!.match(/.{1,60}/g)!.join('\n    ')}\n \t`;
    assert.equal(decryptChunks([messy], project.privateKey), 'wrapped');
  });

  it('a secret encrypted for another project fails with a clear error that leaks nothing', () => {
    const plaintext = 'the-other-projects-password';
    const chunks = encryptSecret(plaintext, other.publicKey);
    assert.throws(
      () =>
        decryptChunks(chunks, project.privateKey, { secretName: 'creds', path: 'data.password' }),
      (e: Error) => {
        assert.ok(e instanceof SecretDecryptionError);
        assert.equal(e.secretName, 'creds');
        assert.match(
          e.message,
          /^Unable to decrypt secret creds: data\.password could not be decrypted with the project's private key: it was encrypted for another project/,
        );
        assert.ok(!e.message.includes(plaintext));
        assert.ok(!e.message.includes(chunks[0]!.slice(0, 20)), 'no ciphertext in the message');
        return true;
      },
    );
  });

  it('truncated or foreign-sized ciphertext names the chunk and the sizes', () => {
    const chunks = encryptSecret('x'.repeat(600), project.publicKey);
    assert.throws(
      () =>
        decryptChunks([chunks[0]!, chunks[1]!.slice(0, 100)], project.privateKey, {
          secretName: 's',
          path: 'data.k',
        }),
      /^SecretDecryptionError: Unable to decrypt secret s: data\.k is not ciphertext for this project's key \(chunk 2 of 2\): it is 75 bytes, a 4096-bit key produces 512$/,
    );
    assert.throws(() => decryptChunks([], project.privateKey), /has no ciphertext/);
  });
});

describe('decryptSecretData', () => {
  it('replaces every encrypted leaf, in nested mappings and lists, and leaves the input alone', () => {
    const enc = (s: string) => new EncryptedValue(encryptSecret(s, project.publicKey));
    const data = {
      username: 'ci-bot',
      password: enc('pw1'),
      nested: { list: [enc('pw2'), 'plain', 3], deeper: { token: enc('tok') } },
      flag: true,
    };
    const out = decryptSecretData(data, project.privateKey, 'creds');
    assert.deepEqual(out, {
      username: 'ci-bot',
      password: 'pw1',
      nested: { list: ['pw2', 'plain', 3], deeper: { token: 'tok' } },
      flag: true,
    });
    assert.ok(data.password instanceof EncryptedValue, 'input not modified');
  });

  it('a whole-data encrypted value decrypts to a string', () => {
    const out = decryptSecretData(
      new EncryptedValue(encryptSecret('all of it', project.publicKey)),
      project.privateKey,
      's',
    );
    assert.equal(out, 'all of it');
  });

  it('names the path of the failing value', () => {
    const data = {
      ok: new EncryptedValue(encryptSecret('a', project.publicKey)),
      list: ['x', new EncryptedValue(encryptSecret('b', other.publicKey))],
    };
    assert.throws(
      () => decryptSecretData(data, project.privateKey, 'mixed'),
      (e: Error) =>
        e instanceof SecretDecryptionError &&
        e.path === 'data.list[1]' &&
        /^Unable to decrypt secret mixed: data\.list\[1\]/.test(e.message),
    );
  });

  it('reads both YAML forms of !encrypted/pkcs1-oaep (block scalar and list)', () => {
    const [short] = encryptSecret('short one', project.publicKey);
    const long = encryptSecret('L'.repeat(500), project.publicKey);
    const wrap = (c: string, indent: string) => c.match(/.{1,69}/g)!.join(`\n${indent}`);
    const yaml = [
      '- secret:',
      '    name: example',
      '    data:',
      '      short: !encrypted/pkcs1-oaep |',
      `        ${wrap(short!, '        ')}`,
      '      long: !encrypted/pkcs1-oaep',
      ...long.map((c) => `        - ${wrap(c, '          ')}`),
    ].join('\n');
    const doc = loadYaml(yaml).value as { secret: { data: unknown } }[];
    const out = decryptSecretData(doc[0]!.secret.data, project.privateKey, 'example');
    assert.deepEqual(out, { short: 'short one', long: 'L'.repeat(500) });
  });
});

describe('splitUtf8', () => {
  it('cuts on character boundaries and keeps the bytes', () => {
    const text = 'aé€😀'.repeat(50);
    for (const max of [4, 5, 7, 470]) {
      const chunks = splitUtf8(text, max);
      assert.ok(chunks.every((c) => c.length <= max && c.length > 0));
      assert.equal(Buffer.concat(chunks).toString('utf8'), text);
    }
    assert.deepEqual(splitUtf8('', 470), [Buffer.alloc(0)]);
  });
});

describe('formatSecretStanza', () => {
  it("matches zuul-client's output byte for byte", () => {
    const chunk = 'A'.repeat(60) + 'B'.repeat(69) + 'C'.repeat(69) + 'D'.repeat(10);
    const expected = [
      '',
      '- secret:',
      '    name: my-secret',
      '    data:',
      '      password: !encrypted/pkcs1-oaep',
      `        - ${'A'.repeat(60)}${'B'.repeat(9)}`,
      `          ${'B'.repeat(60)}${'C'.repeat(9)}`,
      `          ${'C'.repeat(60)}${'D'.repeat(9)}`,
      `          ${'D'}`,
      `        - short`,
      '',
    ].join('\n');
    assert.equal(
      formatSecretStanza([chunk, 'short'], { secretName: 'my-secret', fieldName: 'password' }),
      expected,
    );
  });

  it('uses the placeholders zuul-client uses, and every line fits 79 columns', () => {
    const text = formatSecretStanza(encryptSecret('x', project.publicKey));
    assert.match(
      text,
      /^\n- secret:\n {4}name: <name>\n {4}data:\n {6}<fieldname>: !encrypted\/pkcs1-oaep\n/,
    );
    assert.ok(text.split('\n').every((l) => l.length <= 79));
    // And it is valid YAML that decrypts.
    const doc = loadYaml(text).value as { secret: { data: Record<string, unknown> } }[];
    assert.equal(
      decryptSecretData(doc[0]!.secret.data, project.privateKey, 's')?.constructor,
      Object,
    );
  });

  it('the public key PEM is what createPublicKey reads back', () => {
    const pem = publicKeyPem(project.privateKey);
    assert.equal(
      createPublicKey(pem).export({ format: 'jwk' }).n,
      project.publicKey.export({ format: 'jwk' }).n,
    );
  });
});
