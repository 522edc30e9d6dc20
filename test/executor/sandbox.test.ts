// The bubblewrap sandbox, seen from playbooks: untrusted playbooks see
// only their own build directory; trusted playbooks also see the paths the
// operator granted them (`[executor] trusted_ro_paths`).

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BuildRunner } from '../../src/executor/runner.js';
import { ansible, jobDir, makeBuild } from './helpers.js';

const dir = jobDir();
const outside = mkdtempSync(join(tmpdir(), 'zuul-ts-outside-'));
after(() => {
  dir.cleanup();
  rmSync(outside, { recursive: true, force: true });
});

const localhost = (tasks: string) => `- hosts: localhost
  gather_facts: false
  tasks:
${tasks}`;

/** A playbook that copies `file` into work/<into> and must succeed doing so. */
const readInto = (file: string, into: string) =>
  localhost(`
    - shell: "cat ${file} > $HOME/${into}"
`);

describe('executor sandbox', () => {
  it('keeps an untrusted playbook from reading a file outside its build; a trusted one with trusted_ro_paths reads it', async () => {
    const secretFile = join(outside, 'executor-secret.txt');
    writeFileSync(secretFile, 'executor-only data\n');
    const t = makeBuild(dir, {
      run: [{ name: 'run.yaml', trusted: false, yaml: readInto(secretFile, 'untrusted.txt') }],
      post: [{ name: 'post.yaml', trusted: true, yaml: readInto(secretFile, 'trusted.txt') }],
    });
    const outcome = await new BuildRunner(t.build, {
      ansible: ansible(),
      trustedRoPaths: [outside],
    }).run();
    assert.equal(outcome.result, 'FAILURE', 'the untrusted read failed the run playbook');
    assert.match(t.jobOutput(), /executor-secret\.txt: No such file or directory/);
    assert.equal(readFileSync(join(t.paths.work, 'trusted.txt'), 'utf8'), 'executor-only data\n');
    assert.equal(
      readFileSync(join(t.paths.work, 'untrusted.txt'), 'utf8'),
      '',
      'the shell created the target in work/, but had nothing to copy into it',
    );
  });

  it("keeps an untrusted playbook out of another build's directory and the executor's inventory", async () => {
    const other = makeBuild(dir, {});
    writeFileSync(join(other.paths.work, 'private.txt'), 'other build\n');
    const t = makeBuild(dir, {
      run: [
        {
          name: 'run.yaml',
          trusted: false,
          yaml: localhost(`
    - name: other build
      shell: "cat ${join(other.paths.work, 'private.txt')}"
      ignore_errors: true
      register: other_build
    - name: job dir listing
      shell: "ls ${dir.path} > $HOME/job-dir-listing.txt"
    - name: debug inventory
      shell: "cat $ZUUL_JOBDIR/ansible/inventory.yaml"
      ignore_errors: true
      register: inventory
    - name: write to the playbook checkout
      shell: "echo x >> {{ zuul_execution_canonical_name_and_path | basename }}"
      args:
        chdir: "{{ playbook_dir }}"
      ignore_errors: true
      register: checkout
    - copy:
        content: "{{ [other_build.rc, inventory.rc, checkout.rc] | to_json }}"
        dest: "{{ lookup('env', 'HOME') }}/rcs.json"
`),
        },
      ],
      post: [
        {
          name: 'post.yaml',
          yaml: localhost(`
    - shell: "cat {{ zuul_inventory_file }} > $HOME/inventory-copy.yaml"
      vars:
        zuul_inventory_file: "{{ lookup('env', 'ZUUL_JOBDIR') }}/ansible/inventory.yaml"
`),
        },
      ],
    });
    const outcome = await new BuildRunner(t.build, { ansible: ansible() }).run();
    assert.equal(outcome.result, 'SUCCESS');
    const rcs = JSON.parse(readFileSync(join(t.paths.work, 'rcs.json'), 'utf8')) as number[];
    assert.ok(
      rcs.every((rc) => rc !== 0),
      `every read/write outside the sandbox failed: ${rcs}`,
    );
    assert.match(t.jobOutput(), /private\.txt: No such file or directory/);
    assert.deepEqual(
      readFileSync(join(t.paths.work, 'job-dir-listing.txt'), 'utf8').trim().split('\n'),
      [t.build.uuid],
      'the job dir shows only this build',
    );
    assert.match(t.jobOutput(), /Read-only file system/);
    assert.ok(
      readFileSync(join(t.paths.work, 'inventory-copy.yaml'), 'utf8').includes('all:'),
      'a trusted playbook reads the debug inventory',
    );
    assert.ok(!readFileSync(t.build.run[0]!.path, 'utf8').includes('\nx\n'));
  });

  it('names a missing trusted_ro_paths entry in the error', async () => {
    const t = makeBuild(dir, { run: [{ name: 'run.yaml', yaml: localhost('    - ping:\n') }] });
    const missing = join(outside, 'not-there');
    const outcome = await new BuildRunner(t.build, {
      ansible: ansible(),
      trustedRoPaths: [missing],
    }).run();
    assert.equal(outcome.result, 'ERROR');
    assert.equal(
      outcome.error,
      `[executor] trusted_ro_paths names ${missing}, which does not exist`,
    );
    assert.match(t.jobOutput(), /ERROR: \[executor\] trusted_ro_paths names .*not-there/);
  });

  it('ends the build with ERROR when bubblewrap is missing', async () => {
    const t = makeBuild(dir, { run: [{ name: 'run.yaml', yaml: localhost('    - ping:\n') }] });
    const outcome = await new BuildRunner(t.build, {
      ansible: ansible(),
      bwrap: join(outside, 'no-bwrap-here'),
    }).run();
    assert.equal(outcome.result, 'ERROR');
    assert.match(
      outcome.error ?? '',
      /bubblewrap .* not found: install the Debian package "bubblewrap"/,
    );
    assert.deepEqual(outcome.playbooks, []);
  });
});
