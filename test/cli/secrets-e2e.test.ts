// Secrets from `zuul-ts encrypt` to the playbooks that receive them, on
// Zuul's `secrets` test scenario made into real repositories: the fixture's
// secret (encrypted with Zuul's own test key) is replaced by ones encrypted
// here — with `zuul-ts encrypt` in a child process, and independently with
// node:crypto from the PEM public key — and by one encrypted for another
// project. `config-check` and `show-jobs` run as a user runs them; the
// freeze-time decryption runs in this process against the same keystore.
//
// Two 4096-bit project keys are generated, lazily, by `zuul-ts encrypt`.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { constants, publicEncrypt } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Deployment, openDeployment } from '../../src/config/tenant-layout.js';
import { FreezeError, type FrozenJob, freezeBranch } from '../../src/model/freeze/index.js';
import { openStore } from '../../src/store/db.js';
import { Keystore } from '../../src/store/keystore.js';
import { deployFixture, type FixtureDeployment, git } from '../helpers/fixtures.js';

const BIN = resolve(import.meta.dirname ?? '.', '../../../bin/zuul-ts.js');

function run(args: string[], input = ''): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    input,
    env: process.env,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const PASSWORD = 'cli-plaintext-1';
const NODE_TOKEN = 'node-crypto-plaintext';
const FOREIGN = 'foreign-plaintext';

const JOBS = `
- job:
    parent: base
    name: project1-secret
    run: playbooks/secret.yaml
    secrets:
      - secret: project1_secret
        name: secret_name

- job:
    parent: base
    name: project1-node-secret
    run: playbooks/node-secret.yaml
    secrets:
      - secret: node_secret
        name: node_creds

- job:
    parent: base
    name: project1-parent
    pre-run: playbooks/parent-pre.yaml
    run: playbooks/parent-run.yaml

- job:
    parent: project1-parent
    name: project1-pass-to-parent
    run: playbooks/child-run.yaml
    secrets:
      - secret: project1_secret
        name: passed
        pass-to-parent: true

- job:
    parent: base
    name: project1-foreign-secret
    run: playbooks/foreign.yaml
    secrets:
      - foreign_secret

- project:
    check:
      jobs:
        - project1-secret
        - project1-node-secret
        - project1-pass-to-parent
        - project1-foreign-secret
`;

describe('secrets: zuul-ts encrypt → layout validation → freezing', () => {
  let d: FixtureDeployment;
  let foreignStanza: string;

  const encrypt = (project: string, secretName: string, field: string, text: string) => {
    const r = run(
      [
        'encrypt',
        '-c',
        d.confPath,
        '--tenant',
        'tenant-one',
        '--project',
        project,
        '--secret-name',
        secretName,
        '--field-name',
        field,
      ],
      text,
    );
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };

  before(async () => {
    d = deployFixture('secrets');
    // org/project1's key is created by this first use.
    const own = encrypt('org/project1', 'project1_secret', 'password', PASSWORD);
    // Encrypted for org/project2 (whose key this creates), then used by org/project1.
    foreignStanza = encrypt('org/project2', 'foreign_secret', 'token', FOREIGN);
    const unused = encrypt('org/project2', 'unused_foreign', 'token', FOREIGN);

    // Independently of zuul-ts's encryption code: node:crypto with the PEM
    // public key the keystore serves (what GET …/key/org/project1.pub returns).
    const store = await openStore({ uri: `sqlite:///${join(d.root, 'zuul.db')}` });
    let pem: string;
    try {
      pem = (
        await new Keystore(store, 'keystore-password').getProjectSecretsKey(
          'gerrit',
          'org/project1',
        )
      ).publicPem;
    } finally {
      await store.close();
    }
    assert.match(pem, /^-----BEGIN PUBLIC KEY-----\n/);
    const ciphertext = publicEncrypt(
      { key: pem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
      Buffer.from(NODE_TOKEN, 'utf8'),
    ).toString('base64');
    assert.equal(Buffer.from(ciphertext, 'base64').length, 512, 'a 4096-bit key');
    const nodeStanza = `
- secret:
    name: node_secret
    data:
      username: node-user
      token: !encrypted/pkcs1-oaep
        ${ciphertext.match(/.{1,64}/g)!.join('\n        ')}
`;

    const repo = d.repoPath('gerrit', 'org/project1');
    writeFileSync(join(repo, 'zuul.yaml'), own + foreignStanza + unused + nodeStanza + JOBS);
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'Secrets encrypted with this deployment');
  });

  test('config-check: the secrets decrypt; only the one encrypted for another project is an error', () => {
    const r = run(['config-check', '-c', d.confPath, '--json']);
    assert.equal(r.code, 1, r.stderr);
    const [tenant] = JSON.parse(r.stdout) as {
      errors: { short_error: string; error: string; source_context: { project: string } }[];
    }[];
    assert.equal(tenant!.errors.length, 1, JSON.stringify(tenant!.errors, null, 2));
    const e = tenant!.errors[0]!;
    assert.equal(
      e.short_error,
      'Unable to decrypt secret foreign_secret (data.token) with the key of project org/project1: Decryption failed',
    );
    assert.match(e.error, /"secrets" attribute of the "project1-foreign-secret" job stanza/);
    assert.equal(e.source_context.project, 'org/project1');
    // Nothing secret in anything printed: no plaintext, no ciphertext.
    const chunk = /- (\S{30})/.exec(foreignStanza)![1]!;
    for (const text of [r.stdout, r.stderr]) {
      for (const secret of [PASSWORD, NODE_TOKEN, FOREIGN, chunk]) {
        assert.ok(!text.includes(secret), 'no secret material in the output');
      }
    }
  });

  test('show-jobs lists the jobs and shows secrets by name only, redacted', () => {
    const graph = run([
      'show-jobs',
      '-c',
      d.confPath,
      'tenant-one',
      'check',
      'org/project1',
      'master',
    ]);
    assert.equal(graph.code, 0, graph.stderr);
    assert.deepEqual(
      JSON.parse(graph.stdout).map((j: { name: string }) => j.name),
      [
        'project1-secret',
        'project1-node-secret',
        'project1-pass-to-parent',
        'project1-foreign-secret',
      ],
    );
    assert.match(graph.stderr, /tenant tenant-one has 1 configuration error/);

    const r = run([
      'show-jobs',
      '-c',
      d.confPath,
      'tenant-one',
      'check',
      'org/project1',
      'master',
      '--job',
      'project1-pass-to-parent',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const job = JSON.parse(r.stdout) as {
      pre_playbooks: { path: string; secrets: object }[];
      playbooks: { path: string; secrets: object }[];
      secret_vars: unknown;
    };
    assert.deepEqual(
      job.pre_playbooks.map((p) => [p.path, p.secrets]),
      [['playbooks/parent-pre.yaml', { passed: 'REDACTED' }]],
    );
    assert.deepEqual(
      job.playbooks.map((p) => [p.path, p.secrets]),
      [['playbooks/child-run.yaml', { passed: 'REDACTED' }]],
    );
    assert.equal(job.secret_vars, null);
    for (const secret of [PASSWORD, NODE_TOKEN, FOREIGN]) assert.ok(!r.stdout.includes(secret));
  });

  describe('freeze-time decryption with the deployment keystore', () => {
    let deployment: Deployment;
    let jobs: Map<string, FrozenJob>;

    before(async () => {
      deployment = await openDeployment(d.confPath);
      const tenant = deployment.tenantFile.tenants.find((t) => t.name === 'tenant-one')!;
      const layout = await deployment.layout(tenant);
      const frozen = freezeBranch(layout, 'check', 'org/project1', 'master');
      assert.ok(frozen.ok, 'message' in frozen ? frozen.message : '');
      jobs = new Map(frozen.graph.jobs.map((j) => [j.name, j]));
    });

    after(async () => {
      await deployment.close();
    });

    const secretsOf = async (name: string) => {
      const vars = await deployment.keyring.playbookSecrets(jobs.get(name)!);
      return Object.fromEntries([...vars].map(([pb, v]) => [pb.path, v]));
    };

    test('zuul-ts encrypt and node:crypto secrets decrypt for their playbooks', async () => {
      assert.deepEqual(await secretsOf('project1-secret'), {
        'playbooks/secret.yaml': { secret_name: { password: PASSWORD } },
      });
      assert.deepEqual(await secretsOf('project1-node-secret'), {
        'playbooks/node-secret.yaml': { node_creds: { username: 'node-user', token: NODE_TOKEN } },
      });
    });

    test('pass-to-parent: the parent playbooks get the secret too', async () => {
      assert.deepEqual(await secretsOf('project1-pass-to-parent'), {
        'playbooks/parent-pre.yaml': { passed: { password: PASSWORD } },
        'playbooks/child-run.yaml': { passed: { password: PASSWORD } },
      });
    });

    test('the secret encrypted for another project fails without quoting it', async () => {
      await assert.rejects(secretsOf('project1-foreign-secret'), (err: Error) => {
        assert.ok(err instanceof FreezeError);
        assert.equal(
          err.message,
          'Unable to decrypt secret foreign_secret of project org/project1',
        );
        return true;
      });
    });
  });

  test('with secrets in use and no [keystore] password, the error names the setting', () => {
    const conf = join(d.root, 'no-keystore.conf');
    writeFileSync(
      conf,
      readFileSync(d.confPath, 'utf8').replace(/\[keystore\]\npassword=[^\n]*\n/, ''),
    );
    for (const args of [
      ['config-check', '-c', conf],
      ['show-jobs', '-c', conf, 'tenant-one', 'check', 'org/project2', 'master'],
    ]) {
      const r = run(args);
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        /^Jobs in org\/project1 use secrets, and decrypting them needs the keystore: .*no-keystore\.conf: \[keystore\] \(the section is missing\) must set "password"/,
      );
    }
  });
});
