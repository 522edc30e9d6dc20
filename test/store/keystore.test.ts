// The keystore: keys created once under concurrency, kept encrypted,
// unreadable with a wrong password, exported and imported (ours and Zuul's
// format). 4096-bit generation takes seconds, so one secrets key is made for
// the whole file and reused.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openStore, type Store } from '../../src/store/db.js';
import { KeysStore } from '../../src/store/keys-store.js';
import { Keystore, KeystoreError } from '../../src/store/keystore.js';
import {
  KeyExportFormatError,
  keyPath,
  parseKeyPath,
  quotePlus,
  unquotePlus,
} from '../../src/store/keystore-export.js';
import { BACKENDS, dropStore, openFresh, SERVER_BACKENDS, tempDir } from '../helpers/store.js';

const SQLITE = BACKENDS[0]!;
const PASSWORD = 'keystore-test-password';
const PROJECT = { connection: 'gerrit', name: 'org/project' };

async function count(store: Store): Promise<number> {
  return (await new KeysStore(store.db, store.dialect).list()).length;
}

describe('keystore on SQLite', () => {
  let uri: string;
  let store: Store;
  let keystore: Keystore;

  before(async () => {
    uri = `sqlite:///${tempDir()}/zuul.db`;
    store = await openStore({ uri });
    keystore = new Keystore(store, PASSWORD);
  });
  after(() => store.close());

  it('concurrent callers for a missing secrets key get one key, stored once', async () => {
    const pairs = await Promise.all(
      [1, 2, 3, 4, 5].map(() => keystore.getProjectSecretsKey(PROJECT.connection, PROJECT.name)),
    );
    const pems = new Set(pairs.map((p) => p.publicPem));
    assert.equal(pems.size, 1);
    assert.equal(await count(store), 1);
    const pair = pairs[0]!;
    assert.equal(pair.privateKey.asymmetricKeyDetails?.modulusLength, 4096);
    assert.equal(pair.privateKey.asymmetricKeyDetails?.publicExponent, 65537n);
    assert.match(
      pair.publicPem,
      /^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n$/,
    );
  });

  it('two keystores on separate connections (as two processes) racing agree on one key', async () => {
    const other = await openStore({ uri });
    try {
      const a = new Keystore(store, PASSWORD, { now: () => 1_000_000 });
      const b = new Keystore(other, PASSWORD, { now: () => 2_000_000 });
      const [ka, kb] = await Promise.all([
        a.getProjectSshKey(PROJECT.connection, PROJECT.name),
        b.getProjectSshKey(PROJECT.connection, PROJECT.name),
      ]);
      assert.equal(ka.publicKey, kb.publicKey, 'the loser re-read the winner');
      assert.equal(ka.created, kb.created);
      const rows = (await new KeysStore(store.db, store.dialect).list()).filter(
        (k) => k.kind === 'project-ssh',
      );
      assert.equal(rows.length, 1);
    } finally {
      await other.close();
    }
  });

  it('SSH keys: 2048-bit, OpenSSH public form, PKCS#1 private PEM; the tenant key is its own', async () => {
    const project = await keystore.getProjectSshKey(PROJECT.connection, PROJECT.name);
    const tenant = await keystore.getTenantSshKey('tenant-one');
    assert.equal(project.privateKey.asymmetricKeyDetails?.modulusLength, 2048);
    assert.match(project.publicKey, /^ssh-rsa AAAAB3NzaC1yc2E\S+$/);
    assert.match(project.privatePem, /^-----BEGIN RSA PRIVATE KEY-----\n/);
    assert.notEqual(project.publicKey, tenant.publicKey);
    assert.equal((await keystore.getTenantSshKey('tenant-one')).publicKey, tenant.publicKey);
  });

  it('the stored form is encrypted: no PEM, no key bytes in the database', async () => {
    const rows = await new KeysStore(store.db, store.dialect).list();
    const pair = await keystore.getProjectSecretsKey(PROJECT.connection, PROJECT.name);
    const der = pair.privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
    for (const row of rows) {
      assert.match(row.privateKey, /^-----BEGIN ZUUL-TS ENCRYPTED KEY-----\n/);
      assert.ok(!row.privateKey.includes(der.slice(100, 160)));
    }
  });

  it('another keystore with the same password reads the same keys', async () => {
    const again = await openStore({ uri });
    try {
      const k = new Keystore(again, PASSWORD);
      const first = await keystore.getProjectSecretsKey(PROJECT.connection, PROJECT.name);
      const second = await k.getProjectSecretsKey(PROJECT.connection, PROJECT.name);
      assert.equal(second.publicPem, first.publicPem);
    } finally {
      await again.close();
    }
  });

  it('a wrong password gives a clear error, every time, without key material', async () => {
    const wrong = new Keystore(store, 'not-the-password');
    for (let i = 0; i < 2; i++) {
      await assert.rejects(
        wrong.getProjectSecretsKey(PROJECT.connection, PROJECT.name),
        (e: Error) => {
          assert.ok(e instanceof KeystoreError);
          assert.equal(
            e.message,
            'Unable to read the secrets key of project gerrit/org/project from the keystore: wrong [keystore] password, or the stored key is damaged',
          );
          return true;
        },
      );
    }
    assert.equal(await count(store), 3, 'nothing was generated over the unreadable key');
  });

  describe('export and import', () => {
    it('export lists every key under Zuul-style paths', async () => {
      const exp = await keystore.exportKeys();
      assert.deepEqual(Object.keys(exp.keys).sort(), [
        '/keystorage-tenant/tenant-one/ssh',
        '/keystorage/gerrit/org/org%2Fproject/secrets',
        '/keystorage/gerrit/org/org%2Fproject/ssh',
      ]);
      for (const node of Object.values(exp.keys)) {
        assert.equal(node.schema, 1);
        assert.equal(node.keys.length, 1);
        assert.equal(node.keys[0]!.version, 0);
        assert.equal(typeof node.keys[0]!.created, 'number');
      }
    });

    it('round trip into a new store; existing keys are kept unless forced', async () => {
      const exp = await keystore.exportKeys();
      const target = await openStore({ uri: `sqlite:///${tempDir()}/copy.db` });
      try {
        const k = new Keystore(target, PASSWORD);
        assert.deepEqual(await k.importKeys(exp, { overwrite: false }), {
          created: 3,
          updated: 0,
          kept: 0,
          skipped: [],
        });
        const original = await keystore.getProjectSecretsKey(PROJECT.connection, PROJECT.name);
        assert.equal(
          (await k.getProjectSecretsKey(PROJECT.connection, PROJECT.name)).publicPem,
          original.publicPem,
        );
        assert.equal(
          (await k.getTenantSshKey('tenant-one')).publicKey,
          (await keystore.getTenantSshKey('tenant-one')).publicKey,
        );
        const again = await k.importKeys(exp, { overwrite: false });
        assert.equal(again.kept, 3);
        const forced = await k.importKeys(exp, { overwrite: true });
        assert.equal(forced.updated, 3);
        assert.equal(await count(target), 3);
      } finally {
        await target.close();
      }
    });

    it('importing with another password fails clearly and writes nothing', async () => {
      const exp = await keystore.exportKeys();
      const target = await openStore({ uri: `sqlite:///${tempDir()}/other.db` });
      try {
        await assert.rejects(
          new Keystore(target, 'a different password').importKeys(exp, { overwrite: false }),
          /^KeystoreError: Unable to import \/keystorage\S*: wrong \[keystore\] password/,
        );
        assert.equal(await count(target), 0);
      } finally {
        await target.close();
      }
    });

    it("Zuul's format: exported as encrypted PEM, imported from zuul-admin export-keys", async () => {
      const zuul = await keystore.exportKeys('zuul');
      const secrets = zuul.keys['/keystorage/gerrit/org/org%2Fproject/secrets']!.keys[0]!;
      assert.match(
        secrets.private_key,
        /^-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n/,
      );
      // A file as zuul-admin writes it, with a key zuul-ts does not keep.
      const file = {
        keys: { ...zuul.keys, '/keystorage/oidc/RS256': { schema: 1, keys: [secrets] } },
      };
      const target = await openStore({ uri: `sqlite:///${tempDir()}/from-zuul.db` });
      try {
        const k = new Keystore(target, PASSWORD);
        const report = await k.importKeys(file, { overwrite: false });
        assert.equal(report.created, 3);
        assert.deepEqual(report.skipped, ['/keystorage/oidc/RS256']);
        const stored = await new KeysStore(target.db, target.dialect).list();
        assert.ok(
          stored.every((r) => r.privateKey.startsWith('-----BEGIN ZUUL-TS ENCRYPTED KEY-----')),
        );
        assert.equal(
          (await k.getProjectSecretsKey(PROJECT.connection, PROJECT.name)).publicPem,
          (await keystore.getProjectSecretsKey(PROJECT.connection, PROJECT.name)).publicPem,
        );
      } finally {
        await target.close();
      }
    });

    it('a malformed file is refused before anything is written', async () => {
      const k = new Keystore(store, PASSWORD);
      for (const bad of [
        null,
        [],
        { keys: [] },
        { keys: { '/keystorage/a/b/c/secrets': { schema: 2, keys: [] } } },
      ]) {
        await assert.rejects(k.importKeys(bad, { overwrite: true }), KeyExportFormatError);
      }
      await assert.rejects(
        k.importKeys(
          {
            keys: {
              '/keystorage/g/o/o%2Fp/secrets': {
                schema: 1,
                keys: [{ version: 0, created: 1, private_key: 'junk' }],
              },
            },
          },
          { overwrite: true },
        ),
        /Unable to import \/keystorage\/g\/o\/o%2Fp\/secrets: unknown private key format/,
      );
      assert.equal(await count(store), 3);
    });
  });
});

describe('keystore paths', () => {
  it('quote_plus as Python does it', () => {
    assert.equal(quotePlus('org/project'), 'org%2Fproject');
    assert.equal(quotePlus('a b+c~d.e_f-g'), 'a+b%2Bc~d.e_f-g');
    assert.equal(quotePlus('ümlaut'), '%C3%BCmlaut');
    assert.equal(unquotePlus('a+b%2Bc%2Fd'), 'a b+c/d');
  });

  it('paths round-trip, including projects without an organisation', () => {
    for (const id of [
      { kind: 'project-secrets', connection: 'gerrit', name: 'org/sub/repo' },
      { kind: 'project-ssh', connection: 'github', name: 'single' },
      { kind: 'tenant-ssh', connection: '', name: 'tenant one' },
    ] as const) {
      assert.deepEqual(parseKeyPath(keyPath(id)), id);
    }
    assert.equal(
      keyPath({ kind: 'project-ssh', connection: 'github', name: 'single' }),
      '/keystorage/github/single/single/ssh',
    );
    assert.equal(parseKeyPath('/zuul/other'), undefined);
  });
});

for (const server of SERVER_BACKENDS) {
  describe(`keystore on ${server.name}`, { skip: server.skip }, () => {
    let a: Store;
    let b: Store;

    before(async () => {
      a = await openFresh(server);
      // The same database and prefix through another pool: another process.
      b = await openStore({ uri: server.fresh().uri, tablePrefix: a.tablePrefix });
    });
    after(async () => {
      await b.close();
      await dropStore(a);
    });

    it('two processes racing for a missing key store one, and both use it', async () => {
      const [ka, kb] = await Promise.all([
        new Keystore(a, PASSWORD).getTenantSshKey('tenant-one'),
        new Keystore(b, PASSWORD).getTenantSshKey('tenant-one'),
      ]);
      assert.equal(ka.publicKey, kb.publicKey);
      assert.equal(await count(a), 1);
    });

    it('keys of projects whose names differ only in case are distinct', async () => {
      const k = new Keystore(a, PASSWORD);
      const upper = await k.getProjectSshKey('gerrit', 'Org/Project');
      const lower = await k.getProjectSshKey('gerrit', 'org/project');
      assert.notEqual(upper.publicKey, lower.publicKey);
      const again = await new Keystore(b, PASSWORD).getProjectSshKey('gerrit', 'Org/Project');
      assert.equal(again.publicKey, upper.publicKey);
    });

    it('a wrong password is a clear error', async () => {
      await assert.rejects(
        new Keystore(b, 'wrong').getTenantSshKey('tenant-one'),
        /^KeystoreError: Unable to read the SSH key of tenant tenant-one from the keystore: wrong \[keystore\] password/,
      );
    });

    it(`export from ${server.name} imports into SQLite`, async () => {
      const exp = await new Keystore(a, PASSWORD).exportKeys();
      const target = await openFresh(SQLITE);
      try {
        const k = new Keystore(target, PASSWORD);
        assert.equal(
          (await k.importKeys(exp, { overwrite: false })).created,
          3,
          'tenant-one and both Org/Project keys',
        );
        assert.equal(
          (await k.getTenantSshKey('tenant-one')).publicKey,
          (await new Keystore(a, PASSWORD).getTenantSshKey('tenant-one')).publicKey,
        );
      } finally {
        await target.close();
      }
    });
  });
}
