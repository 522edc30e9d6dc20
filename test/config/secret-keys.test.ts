// Secrets in layouts and frozen jobs, with real project keys from a
// keystore (semantics §C.6, §D.3, §G): a secret a job uses must decrypt with
// its project's key or the job stanza has a configuration error; unused
// secrets are not checked; the keystore is opened only when some job uses a
// secret; at freeze time each playbook gets only the secrets it may see.
//
// One SQLite keystore with two 2048-bit project keys serves the whole file
// (the 4096-bit keys Zuul uses are exercised by the CLI tests).

import assert from 'node:assert/strict';
import { constants, generateKeyPairSync, type KeyObject, publicEncrypt } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  projectsUsingSecrets,
  SecretKeyring,
  SecretKeysError,
} from '../../src/config/secret-keys.js';
import { buildTenantLayout } from '../../src/config/tenant-layout.js';
import { loadZuulConf } from '../../src/config/zuul-conf.js';
import { encryptSecret, formatSecretStanza } from '../../src/lib/crypto/secrets.js';
import type { ConfigError } from '../../src/model/config-error.js';
import { FreezeError, type FrozenJob, freezeBranch } from '../../src/model/freeze/index.js';
import type { Layout } from '../../src/model/layout.js';
import { openStore, type Store } from '../../src/store/db.js';
import { Keystore } from '../../src/store/keystore.js';
import { type InMemoryFiles, loadFromFiles } from '../helpers/layout.js';
import { tempDir } from '../helpers/store.js';

const TENANT = `
- tenant:
    name: t
    source:
      gerrit:
        config-projects:
          - ci/config
        untrusted-projects:
          - org/app
          - org/other
`;

const CONFIG = `
- pipeline:
    name: check
    manager: independent
    trigger: {}
- pipeline:
    name: post
    manager: independent
    post-review: true
    trigger: {}
- job:
    name: base
    parent: null
    pre-run: playbooks/base-pre.yaml
    run: playbooks/base-run.yaml
    nodeset:
      nodes:
        - {name: node, label: label1}
`;

const PLAINTEXT = 'correct horse battery staple';

let store: Store;
let keystore: Keystore;
let appKey: { publicKey: KeyObject; publicPem: string };
let otherKey: { publicKey: KeyObject };

before(async () => {
  store = await openStore({ uri: `sqlite:///${join(tempDir(), 'zuul.db')}` });
  keystore = new Keystore(store, 'test-password', { secretsKeyBits: 2048 });
  appKey = await keystore.getProjectSecretsKey('gerrit', 'org/app');
  otherKey = await keystore.getProjectSecretsKey('gerrit', 'org/other');
});

after(async () => {
  await store.close();
});

/** A secret stanza whose `field` is `plaintext` encrypted for `key`. */
function secretStanza(name: string, field: string, plaintext: string, key: KeyObject): string {
  return formatSecretStanza(encryptSecret(plaintext, key), { secretName: name, fieldName: field });
}

/** Builds the tenant's layout with `keyring` (prepared as every command does). */
async function layoutWith(
  files: Record<string, string>,
  keyring: SecretKeyring = SecretKeyring.fromKeystore(keystore),
): Promise<Layout> {
  const all: InMemoryFiles = {
    gerrit: {
      'ci/config': { master: { 'zuul.yaml': CONFIG } },
      ...Object.fromEntries(
        Object.entries(files).map(([project, text]) => [
          project,
          { master: { 'zuul.yaml': text } },
        ]),
      ),
    },
  };
  const loaded = await loadFromFiles(TENANT, all);
  return buildTenantLayout(loaded, { globalSemaphores: loaded.globalSemaphores, keyring });
}

function errorsOf(layout: Layout): ConfigError[] {
  return layout.errors.filter((e) => e.severity === 'error');
}

/** A keyring whose keystore must never be opened. */
function untouchableKeyring(): SecretKeyring {
  return new SecretKeyring(async () => {
    throw new Error('the keystore was opened');
  });
}

const JOB_USING = (job: string, secret: string, extra = '') => `
- job:
    name: ${job}
    run: playbooks/${job}.yaml
    secrets:
      - name: creds
        secret: ${secret}
${extra}`;

describe('layout validation decrypts the secrets jobs use', () => {
  test('a secret encrypted with the project key loads without errors', async () => {
    const layout = await layoutWith({
      'org/app':
        secretStanza('app_secret', 'password', PLAINTEXT, appKey.publicKey) +
        JOB_USING('app-job', 'app_secret'),
    });
    assert.deepEqual(errorsOf(layout), []);
    assert.ok(layout.jobs.has('app-job'));
  });

  test('a secret encrypted independently with node:crypto and the PEM public key decrypts', async () => {
    // What zuul-client does, without our code: OAEP with SHA-1, the PEM the API serves.
    const ciphertext = publicEncrypt(
      { key: appKey.publicPem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
      Buffer.from(PLAINTEXT, 'utf8'),
    ).toString('base64');
    const keyring = SecretKeyring.fromKeystore(keystore);
    const layout = await layoutWith(
      {
        'org/app': `
- secret:
    name: node_secret
    data:
      nested:
        token: !encrypted/pkcs1-oaep ${ciphertext}
      plain: not-encrypted
${JOB_USING('app-job', 'node_secret')}`,
      },
      keyring,
    );
    assert.deepEqual(errorsOf(layout), []);
    const secret = layout.secrets.get('node_secret')!;
    assert.deepEqual(
      keyring.decrypt({
        alias: 'creds',
        secretName: 'node_secret',
        secret,
        projectCanonicalName: 'review.example.com/org/app',
        projectName: 'org/app',
        connectionName: 'gerrit',
      }),
      { nested: { token: PLAINTEXT }, plain: 'not-encrypted' },
    );
  });

  test("a secret encrypted for another project's key is a config error on the job, naming the secret only", async () => {
    const stanza = secretStanza('app_secret', 'password', PLAINTEXT, otherKey.publicKey);
    const layout = await layoutWith({ 'org/app': stanza + JOB_USING('app-job', 'app_secret') });
    const errors = errorsOf(layout);
    assert.equal(errors.length, 1, errors.map((e) => e.shortError).join('\n'));
    const e = errors[0]!;
    assert.equal(
      e.shortError,
      'Unable to decrypt secret app_secret (data.password) with the key of project org/app: Decryption failed',
    );
    assert.match(
      e.error,
      /The problem appears in the "secrets" attribute of the "app-job" job stanza/,
    );
    assert.equal(e.sourceContext?.project, 'org/app');
    // Neither the plaintext nor any ciphertext is repeated.
    const chunk = /- (\S{20})/.exec(stanza)![1]!;
    for (const text of [e.error, e.shortError]) {
      assert.ok(!text.includes(PLAINTEXT));
      assert.ok(!text.includes(chunk), 'no ciphertext in the error');
    }
    // As in Zuul, the job stays in the layout with its error recorded.
    assert.ok(layout.jobs.has('app-job'));
  });

  test("ciphertext for a key of another size gives cryptography's length error", async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const layout = await layoutWith({
      'org/app':
        secretStanza('app_secret', 'password', PLAINTEXT, publicKey) +
        JOB_USING('app-job', 'app_secret'),
    });
    assert.deepEqual(
      errorsOf(layout).map((e) => e.shortError),
      [
        'Unable to decrypt secret app_secret (data.password) with the key of project org/app: Ciphertext length must be equal to key size.',
      ],
    );
  });

  test('unused secrets, and stanzas without playbooks, are not checked (as in Zuul)', async () => {
    const layout = await layoutWith({
      'org/app': `${secretStanza('unused', 'password', PLAINTEXT, otherKey.publicKey)}
${secretStanza('foreign', 'password', PLAINTEXT, otherKey.publicKey)}
- job:
    name: no-playbooks
    secrets: [foreign]
`,
    });
    assert.deepEqual(errorsOf(layout), []);
  });

  test('project-pipeline job variants that use secrets are checked too', async () => {
    const layout = await layoutWith({
      'org/app': `${secretStanza('foreign', 'password', PLAINTEXT, otherKey.publicKey)}
- job:
    name: app-job
    run: playbooks/app.yaml
- project:
    check:
      jobs:
        - app-job:
            run: playbooks/variant.yaml
            secrets: [foreign]
`,
    });
    const errors = errorsOf(layout);
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.shortError, /^Unable to decrypt secret foreign \(data\.password\)/);
    assert.match(errors[0]!.error, /"project" stanza|project stanza/);
  });

  test('a secret of another project is refused before anything is decrypted', async () => {
    const layout = await layoutWith({
      'org/other': secretStanza('other_secret', 'password', PLAINTEXT, otherKey.publicKey),
      'org/app': JOB_USING('app-job', 'other_secret'),
    });
    assert.deepEqual(
      errorsOf(layout).map((e) => e.shortError),
      [
        'Unable to use secret other_secret.  Secrets must be defined in the same project in which they are used',
      ],
    );
  });
});

describe('the keystore is needed only when jobs use secrets', () => {
  test('which projects need keys: those whose jobs use secrets they define', async () => {
    const loaded = await loadFromFiles(TENANT, {
      gerrit: {
        'ci/config': { master: { 'zuul.yaml': CONFIG } },
        'org/app': {
          master: {
            'zuul.yaml': `- secret: {name: s, data: {a: b}}
- project:
    check:
      jobs:
        - base:
            secrets: [s]
`,
          },
        },
        // Uses a secret it does not define (an error without decrypting), defines an unused one.
        'org/other': {
          master: {
            'zuul.yaml': `- secret: {name: unused, data: {a: b}}
${JOB_USING('other-job', 's')}`,
          },
        },
      },
    });
    assert.deepEqual([...projectsUsingSecrets(loaded.config)], ['review.example.com/org/app']);
  });

  test('a tenant whose jobs use no secrets builds without opening the keystore', async () => {
    const layout = await layoutWith(
      {
        'org/app': `- secret: {name: unused, data: {a: b}}
- job: {name: app-job, run: playbooks/app.yaml}
`,
      },
      untouchableKeyring(),
    );
    assert.deepEqual(errorsOf(layout), []);
  });

  test('with secrets and no [keystore] password, the error names the setting', async () => {
    const dir = tempDir('zuul-ts-nokeystore-');
    const path = join(dir, 'zuul.conf');
    writeFileSync(path, `[database]\ndburi=sqlite:///${join(dir, 'zuul.db')}\n`);
    const keyring = SecretKeyring.fromConf(loadZuulConf(path));
    await assert.rejects(
      layoutWith(
        { 'org/app': `- secret: {name: s, data: {a: b}}\n${JOB_USING('j', 's')}` },
        keyring,
      ),
      (err: Error) => {
        assert.ok(err instanceof SecretKeysError);
        assert.match(
          err.message,
          /^Jobs in org\/app use secrets, and decrypting them needs the keystore: /,
        );
        assert.match(err.message, /\[keystore\] \(the section is missing\) must set "password"/);
        return true;
      },
    );
    await keyring.close();
  });

  test('a key created on first need is the one later layouts use', async () => {
    const dir = tempDir('zuul-ts-lazykey-');
    const path = join(dir, 'zuul.conf');
    writeFileSync(
      path,
      `[database]\ndburi=sqlite:///${join(dir, 'zuul.db')}\n[keystore]\npassword=pw\n`,
    );
    // Plain data (nothing encrypted) still needs the key's project to be known.
    const keyring = SecretKeyring.fromConf(loadZuulConf(path), { secretsKeyBits: 1024 });
    const layout = await layoutWith(
      { 'org/app': `- secret: {name: s, data: {a: b}}\n${JOB_USING('j', 's')}` },
      keyring,
    );
    assert.deepEqual(errorsOf(layout), []);
    assert.ok(keyring.hasKey({ connectionName: 'gerrit', name: 'org/app' }));
    assert.ok(!keyring.hasKey({ connectionName: 'gerrit', name: 'org/other' }));
    await keyring.close();
  });
});

describe('freeze-time decryption', () => {
  // A parent with pre-run and run playbooks; a child passing its secret to
  // the parent; a grandchild adding a post-run playbook with a secret of
  // its own; and a config-project base.
  async function frozenJobs(): Promise<{ jobs: Map<string, FrozenJob>; layout: Layout }> {
    const layout = await layoutWith({
      'org/app': `${secretStanza('app_secret', 'password', PLAINTEXT, appKey.publicKey)}
${secretStanza('second', 'token', 'second-plaintext', appKey.publicKey)}
- job:
    name: app-parent
    pre-run: playbooks/parent-pre.yaml
    run: playbooks/parent-run.yaml
- job:
    name: app-ptp
    parent: app-parent
    run: playbooks/ptp-run.yaml
    secrets:
      - name: passed
        secret: app_secret
        pass-to-parent: true
- job:
    name: app-grandchild
    parent: app-ptp
    post-run: playbooks/grandchild-post.yaml
    secrets:
      - name: own
        secret: second
- project:
    post:
      jobs: [app-ptp, app-grandchild]
`,
    });
    assert.deepEqual(errorsOf(layout), []);
    // Untrusted jobs with secrets are post-review (§G).
    const frozen = freezeBranch(layout, 'post', 'org/app', 'master');
    assert.ok(frozen.ok, 'message' in frozen ? frozen.message : '');
    return { jobs: new Map(frozen.graph.jobs.map((j) => [j.name, j])), layout };
  }

  test('each playbook gets only the secrets it may see, decrypted', async () => {
    const { jobs } = await frozenJobs();
    // A fresh keyring: keys are loaded on demand.
    const keyring = SecretKeyring.fromKeystore(keystore);
    const ptp = jobs.get('app-ptp')!;
    const vars = await keyring.playbookSecrets(ptp);
    const byPath = new Map([...vars].map(([pb, v]) => [pb.path, v]));
    const password = { password: PLAINTEXT };
    assert.deepEqual(Object.fromEntries(byPath), {
      // pass-to-parent: every ancestor's playbook sees the child's secret,
      // the config project's base included...
      'playbooks/base-pre.yaml': { passed: password },
      'playbooks/parent-pre.yaml': { passed: password },
      // ...and the child's own run playbook, which replaced the parent's run.
      'playbooks/ptp-run.yaml': { passed: password },
    });

    const grandchild = await keyring.playbookSecrets(jobs.get('app-grandchild')!);
    const gc = Object.fromEntries([...grandchild].map(([pb, v]) => [pb.path, v]));
    assert.deepEqual(gc, {
      'playbooks/base-pre.yaml': { passed: password },
      'playbooks/parent-pre.yaml': { passed: password },
      'playbooks/ptp-run.yaml': { passed: password },
      // A child's secret goes to its own playbook only, never to its parents'.
      'playbooks/grandchild-post.yaml': { own: { token: 'second-plaintext' } },
    });
  });

  test('the synchronous decryptor needs the key in memory; undecryptable secrets are FreezeErrors naming the secret', async () => {
    const { jobs } = await frozenJobs();
    const cold = SecretKeyring.fromKeystore(keystore);
    const pb = jobs.get('app-ptp')!.run[0]!;
    assert.throws(() => cold.decrypt(pb.secrets[0]!), SecretKeysError);

    // A keyring over another keystore (other keys): decryption fails at freeze time.
    const otherStore = await openStore({ uri: `sqlite:///${join(tempDir(), 'zuul.db')}` });
    try {
      const stranger = SecretKeyring.fromKeystore(
        new Keystore(otherStore, 'pw', { secretsKeyBits: 2048 }),
      );
      await assert.rejects(stranger.playbookSecrets(jobs.get('app-ptp')!), (err: Error) => {
        assert.ok(err instanceof FreezeError);
        assert.equal(err.message, 'Unable to decrypt secret app_secret of project org/app');
        assert.ok(!err.message.includes(PLAINTEXT));
        return true;
      });
    } finally {
      await otherStore.close();
    }
  });
});
