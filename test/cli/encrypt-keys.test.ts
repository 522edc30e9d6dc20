// `zuul-ts encrypt`, `export-keys` and `import-keys` as a user runs them: the
// real binary in a child process, against a zuul.conf with a SQLite state
// store. One project secrets key (4096-bit) is generated for the whole file.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { before, describe, it } from 'node:test';
import { loadYaml } from '../../src/config/yaml.js';
import { decryptSecretData } from '../../src/lib/crypto/secrets.js';
import { openStore } from '../../src/store/db.js';
import { Keystore } from '../../src/store/keystore.js';
import { tempDir } from '../helpers/store.js';

const BIN = resolve(import.meta.dirname ?? '.', '../../../bin/zuul-ts.js');

function run(args: string[], input = ''): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    input,
    env: process.env,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const TENANT_FILE = `
- tenant:
    name: tenant-one
    source:
      gerrit:
        config-projects:
          - common-config
        untrusted-projects:
          - org/project1
          - org/project2
`;

/** A deployment directory: zuul.conf (relative sqlite:/// dburi), main.yaml. */
function deployment(password: string): { dir: string; conf: string } {
  const dir = tempDir('zuul-ts-cli-keys-');
  writeFileSync(join(dir, 'main.yaml'), TENANT_FILE);
  const conf = join(dir, 'zuul.conf');
  writeFileSync(
    conf,
    [
      '[scheduler]',
      'tenant_config=main.yaml',
      '[merger]',
      `git_dir=${join(dir, 'git')}`,
      '[database]',
      'dburi=sqlite:///state/zuul.db',
      '[keystore]',
      `password=${password}`,
      '[connection gerrit]',
      'driver=gerrit',
      'server=review.example.com',
      'user=zuul',
      '',
    ].join('\n'),
  );
  return { dir, conf };
}

/** Decrypts the `data` of the first secret in zuul-ts encrypt's output with the deployment's key. */
async function decryptStanza(dir: string, password: string, project: string, text: string) {
  const doc = loadYaml(text).value as { secret: { name: string; data: unknown } }[];
  const store = await openStore({ uri: `sqlite:///${join(dir, 'state/zuul.db')}` });
  try {
    const key = await new Keystore(store, password).getProjectSecretsKey('gerrit', project);
    return {
      name: doc[0]!.secret.name,
      data: decryptSecretData(doc[0]!.secret.data, key.privateKey, 's'),
    };
  } finally {
    await store.close();
  }
}

describe('zuul-ts encrypt / export-keys / import-keys', () => {
  const A = deployment('first-password');
  let firstOutput: string;

  before(() => {
    // Generates org/project1's secrets key in deployment A.
    const r = run(
      [
        'encrypt',
        '-c',
        A.conf,
        '--tenant',
        'tenant-one',
        '--project',
        'org/project1',
        '--secret-name',
        'creds',
        '--field-name',
        'password',
      ],
      '  hunter2\n',
    );
    assert.equal(r.code, 0, r.stderr);
    firstOutput = r.stdout;
  });

  it("prints zuul-client's stanza; standard input is stripped; the project key decrypts it", async () => {
    assert.match(
      firstOutput,
      /^\n- secret:\n {4}name: creds\n {4}data:\n {6}password: !encrypted\/pkcs1-oaep\n {8}- [A-Za-z0-9+/]{69}\n( {10}[A-Za-z0-9+/=]{1,69}\n)+\n$/,
    );
    const { name, data } = await decryptStanza(
      A.dir,
      'first-password',
      'org/project1',
      firstOutput,
    );
    assert.equal(name, 'creds');
    assert.deepEqual(data, { password: 'hunter2' });
  });

  it('the canonical project name finds the same key; --infile is not stripped; --outfile writes the stanza', async () => {
    const infile = join(A.dir, 'secret.txt');
    const text = `  ${'long secret line\n'.repeat(40)}`; // > 470 bytes: several chunks
    writeFileSync(infile, text);
    const outfile = join(A.dir, 'secret.yaml');
    const r = run([
      'encrypt',
      '-c',
      A.conf,
      '--tenant',
      'tenant-one',
      '--project',
      'review.example.com/org/project1',
      '--infile',
      infile,
      '--outfile',
      outfile,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    const written = readFileSync(outfile, 'utf8');
    assert.match(written, /name: <name>\n {4}data:\n {6}<fieldname>: !encrypted/);
    assert.equal((written.match(/^ {8}- /gm) ?? []).length, 2, 'two chunks');
    const { data } = await decryptStanza(A.dir, 'first-password', 'org/project1', written);
    assert.deepEqual(data, { '<fieldname>': text });
  });

  it('an unknown project or tenant is an error naming it', () => {
    const p = run(
      ['encrypt', '-c', A.conf, '--tenant', 'tenant-one', '--project', 'org/nope'],
      'x',
    );
    assert.equal(p.code, 1);
    assert.match(p.stderr, /Project org\/nope not found in tenant tenant-one/);
    const t = run(['encrypt', '-c', A.conf, '--tenant', 'nope', '--project', 'org/project1'], 'x');
    assert.equal(t.code, 1);
    assert.match(t.stderr, /Tenant nope not found/);
  });

  it('--public-key encrypts without a keystore', async () => {
    const store = await openStore({ uri: `sqlite:///${join(A.dir, 'state/zuul.db')}` });
    const pem = (
      await new Keystore(store, 'first-password').getProjectSecretsKey('gerrit', 'org/project1')
    ).publicPem;
    await store.close();
    const pub = join(A.dir, 'project1.pub');
    writeFileSync(pub, pem);
    const r = run(['encrypt', '--public-key', pub, '--no-strip'], ' spaced ');
    assert.equal(r.code, 0, r.stderr);
    const { data } = await decryptStanza(A.dir, 'first-password', 'org/project1', r.stdout);
    assert.deepEqual(data, { '<fieldname>': ' spaced ' });
  });

  it('export-keys writes an owner-only backup that import-keys restores elsewhere', async () => {
    const backup = join(A.dir, 'keys.json');
    const exp = run(['export-keys', '-c', A.conf, backup]);
    assert.equal(exp.code, 0, exp.stderr);
    assert.match(exp.stdout, /Exported 1 key\(s\)/);
    assert.equal(statSync(backup).mode & 0o777, 0o600);
    const json = JSON.parse(readFileSync(backup, 'utf8'));
    assert.deepEqual(Object.keys(json.keys), ['/keystorage/gerrit/org/org%2Fproject1/secrets']);
    assert.ok(!readFileSync(backup, 'utf8').includes('BEGIN RSA PRIVATE KEY'), 'still encrypted');

    // Deployment B, same password: the imported key decrypts A's secret.
    const B = deployment('first-password');
    const imp = run(['import-keys', '-c', B.conf, backup]);
    assert.equal(imp.code, 0, imp.stderr);
    assert.match(imp.stdout, /Imported 1 new and 0 replaced key\(s\)/);
    const { data } = await decryptStanza(B.dir, 'first-password', 'org/project1', firstOutput);
    assert.deepEqual(data, { password: 'hunter2' });

    const again = run(['import-keys', '-c', B.conf, backup]);
    assert.match(again.stdout, /kept 1 existing \(use --force to overwrite\)/);
    const forced = run(['import-keys', '-c', B.conf, backup, '--force']);
    assert.match(forced.stdout, /Imported 0 new and 1 replaced key\(s\)/);

    // Deployment C has another password: the import fails and says why.
    const C = deployment('another-password');
    const bad = run(['import-keys', '-c', C.conf, backup]);
    assert.equal(bad.code, 1);
    assert.match(
      bad.stderr,
      /Unable to import \/keystorage\/gerrit\/org\/org%2Fproject1\/secrets: wrong \[keystore\] password/,
    );
  });

  it('export-keys --format zuul writes encrypted PEM for zuul-admin, which import-keys also reads', () => {
    const backup = join(A.dir, 'zuul-keys.json');
    assert.equal(run(['export-keys', '-c', A.conf, '--format', 'zuul', backup]).code, 0);
    const text = readFileSync(backup, 'utf8');
    assert.match(text, /BEGIN RSA PRIVATE KEY-----\\nProc-Type: 4,ENCRYPTED/);
    const D = deployment('first-password');
    const imp = run(['import-keys', '-c', D.conf, backup]);
    assert.equal(imp.code, 0, imp.stderr);
  });

  it('missing [keystore] password or a bad backup file are clear errors', () => {
    const dir = tempDir('zuul-ts-cli-nopw-');
    const conf = join(dir, 'zuul.conf');
    writeFileSync(conf, '[database]\ndburi=sqlite:///zuul.db\n');
    const r = run(['export-keys', '-c', conf, join(dir, 'out.json')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\[keystore\].*must set "password"/);
    writeFileSync(join(dir, 'bad.json'), '{"keys": not json');
    const b = run(['import-keys', '-c', A.conf, join(dir, 'bad.json')]);
    assert.equal(b.code, 1);
    assert.match(b.stderr, /bad\.json: not valid JSON/);
    assert.ok(!b.stderr.includes('not json"'), 'the file content is not echoed');
  });
});
