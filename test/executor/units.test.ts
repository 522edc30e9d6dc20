// Executor pieces that need no Ansible run: zuul_return merging and
// checks, ansible.cfg, sandbox arguments, console timestamps, finding
// Ansible, build directories.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseZuulConf } from '../../src/config/zuul-conf.js';
import { ansibleCfg } from '../../src/executor/ansible-cfg.js';
import {
  AnsibleNotFoundError,
  findAnsible,
  zuulAnsibleVersion,
} from '../../src/executor/ansible-install.js';
import { markUnsafe, toAnsibleYaml } from '../../src/executor/ansible-yaml.js';
import { buildPaths, createBuildDir } from '../../src/executor/build-dir.js';
import { consoleTimestamp } from '../../src/executor/job-output.js';
import { mergeReturned, returnedZuul } from '../../src/executor/results.js';
import { bwrapArgs, splitPaths } from '../../src/executor/sandbox.js';
import { executorSettings } from '../../src/executor/settings.js';

const scratch = mkdtempSync(join(tmpdir(), 'zuul-ts-exec-units-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('zuul_return merging (§F.9)', () => {
  it('deep-merges mappings, concatenates artifacts, warnings and file comments, replaces the rest', () => {
    const a = {
      x: { keep: 1, over: 1 },
      zuul: {
        artifacts: [{ name: 'a', url: 'u1' }],
        warnings: ['w1'],
        file_comments: { f: [{ line: 1, message: 'm1' }] },
        child_jobs: ['one'],
        retry: true,
      },
    };
    const b = {
      x: { over: 2 },
      zuul: {
        artifacts: [{ name: 'b', url: 'u2' }],
        warnings: ['w2'],
        file_comments: { f: [{ line: 2, message: 'm2' }], g: [{ message: 'm3' }] },
        child_jobs: [],
        retry: false,
      },
    };
    assert.deepEqual(mergeReturned(a, b), {
      x: { keep: 1, over: 2 },
      zuul: {
        artifacts: [
          { name: 'a', url: 'u1' },
          { name: 'b', url: 'u2' },
        ],
        warnings: ['w1', 'w2'],
        file_comments: {
          f: [
            { line: 1, message: 'm1' },
            { line: 2, message: 'm2' },
          ],
          g: [{ message: 'm3' }],
        },
        child_jobs: [],
        retry: false,
      },
    });
  });

  it('concatenates only under zuul: other lists are replaced', () => {
    assert.deepEqual(mergeReturned({ artifacts: [1] }, { artifacts: [2] }), { artifacts: [2] });
  });

  it('rejects malformed special keys with a message naming them', () => {
    assert.throws(() => returnedZuul({ zuul: { artifacts: [{ name: 'x' }] } }), /"name" and "url"/);
    assert.throws(() => returnedZuul({ zuul: { warnings: 'w' } }), /zuul\.warnings/);
    assert.throws(() => returnedZuul({ zuul: { child_jobs: [1] } }), /zuul\.child_jobs/);
    assert.throws(() => returnedZuul({ zuul: 'x' }), /must be a mapping/);
    assert.deepEqual(returnedZuul({ other: 1 }), { artifacts: [], warnings: [] });
  });
});

describe('ansible.cfg', () => {
  it("uses zuul-ts's callbacks and plugins, keeps state in the build dir, copies [ansible_callback] sections", () => {
    const p = buildPaths('/jobs/b1');
    const cfg = ansibleCfg({
      paths: p,
      inventory: '/jobs/b1/ansible/playbook_0/inventory.yaml',
      plugins: '/opt/zuul-ts/ansible',
      rolesPath: ['/jobs/b1/untrusted/project_1/roles', '/jobs/b1/untrusted/project_2'],
      callbacks: [{ name: 'ara', options: { api_server: 'http://ara.example.org' } }],
    });
    const lines = cfg.split('\n');
    for (const want of [
      'inventory = /jobs/b1/ansible/playbook_0/inventory.yaml',
      'stdout_callback = zuul_stream',
      'callbacks_enabled = zuul_json, ara',
      'callback_plugins = /opt/zuul-ts/ansible/callback',
      'action_plugins = /opt/zuul-ts/ansible/action',
      'library = /opt/zuul-ts/ansible/library',
      'fact_caching_connection = /jobs/b1/.ansible/fact-cache',
      'control_path_dir = /jobs/b1/.ansible/cp',
      'roles_path = /jobs/b1/untrusted/project_1/roles:/jobs/b1/untrusted/project_2',
      'retry_files_enabled = False',
      '[callback_ara]',
      'api_server = http://ara.example.org',
    ]) {
      assert.ok(lines.includes(want), `ansible.cfg has "${want}":\n${cfg}`);
    }
    assert.match(cfg, /UserKnownHostsFile=\/jobs\/b1\/work\/\.ssh\/known_hosts/);
  });

  it('refuses values that would break the file', () => {
    assert.throws(
      () =>
        ansibleCfg({
          paths: buildPaths('/j/b'),
          inventory: 'x\ny',
          plugins: '/p',
        }),
      /one line/,
    );
  });
});

describe('sandbox arguments', () => {
  const p = buildPaths('/jobs/b2');
  const base = {
    paths: p,
    playbookDir: '/jobs/b2/ansible/playbook_0',
    ansibleRoots: ['/usr', '/opt/venv'],
    plugins: '/opt/zuul-ts/ansible',
  };
  const pairs = (args: string[], flag: string) =>
    args.flatMap((a, i) => (a === flag ? [args[i + 1]] : []));

  it('shows an untrusted playbook only its own playbook dir, untrusted checkouts and work/', () => {
    const args = bwrapArgs({
      ...base,
      trusted: false,
      roFiles: ['/jobs/b2/ansible/zuul_vars.yaml'],
    });
    const ro = pairs(args, '--ro-bind');
    const rw = pairs(args, '--bind');
    assert.ok(ro.includes('/jobs/b2/ansible/playbook_0'));
    assert.ok(ro.includes('/jobs/b2/ansible/zuul_vars.yaml'));
    assert.ok(ro.includes('/jobs/b2/untrusted'));
    assert.ok(!ro.includes('/jobs/b2/ansible'), 'not the whole ansible/ dir (debug inventory)');
    assert.ok(!ro.includes('/jobs/b2/trusted'));
    assert.ok(
      ro.includes('/opt/venv') && !ro.includes('/usr/') && ro.includes('/opt/zuul-ts/ansible'),
    );
    assert.deepEqual(rw, ['/jobs/b2/work', '/jobs/b2/.ansible']);
    assert.ok(!ro.some((r) => r === '/etc' || r === '/etc/shadow'), 'no whole /etc');
    assert.ok(args.includes('--unshare-pid') && args.includes('--die-with-parent'));
  });

  it('shows a trusted playbook all of ansible/ and the trusted checkouts', () => {
    const ro = pairs(bwrapArgs({ ...base, trusted: true }), '--ro-bind');
    assert.ok(ro.includes('/jobs/b2/ansible') && ro.includes('/jobs/b2/trusted'));
    assert.ok(!ro.includes('/jobs/b2/untrusted'));
  });

  it('puts memory files on a private mount made read-only', () => {
    const args = bwrapArgs({
      ...base,
      trusted: true,
      memoryFiles: [
        {
          fd: 3,
          dest: '/jobs/b2/ansible/playbook_0/group_vars/all.yaml',
          dir: '/jobs/b2/ansible/playbook_0/group_vars',
        },
      ],
    });
    const s = args.join(' ');
    assert.match(
      s,
      /--tmpfs \/jobs\/b2\/ansible\/playbook_0\/group_vars --perms 0600 --file 3 \/jobs\/b2\/ansible\/playbook_0\/group_vars\/all\.yaml --remount-ro \/jobs\/b2\/ansible\/playbook_0\/group_vars/,
    );
  });

  it('splits :-separated path settings', () => {
    assert.deepEqual(splitPaths('/a::/b:'), ['/a', '/b']);
    assert.deepEqual(splitPaths(undefined), []);
  });
});

describe('console timestamps', () => {
  it("formats local time like Python's datetime, with microseconds", () => {
    const d = new Date(2024, 0, 2, 3, 4, 5, 67);
    assert.equal(consoleTimestamp(d), '2024-01-02 03:04:05.067000');
  });
});

describe('finding Ansible', () => {
  it('maps ansible-core releases to Zuul Ansible versions', () => {
    assert.equal(zuulAnsibleVersion('2.16.14'), '9');
    assert.equal(zuulAnsibleVersion('2.18.1'), '11');
  });

  it('finds the project installation and reports its version', () => {
    const a = findAnsible();
    assert.match(a.coreVersion, /^2\.\d+\.\d+/);
    assert.ok(a.playbook.endsWith('ansible-playbook'));
    assert.ok(a.roots.length > 0);
  });

  it('names the path it looked at when ansible_root has no Ansible', () => {
    assert.throws(
      () => findAnsible({ ansibleRoot: join(scratch, 'nothing'), version: '9' }),
      (e: unknown) =>
        e instanceof AnsibleNotFoundError &&
        e.message.includes(join(scratch, 'nothing', '9', 'bin')),
    );
  });

  it('explains how to install Ansible when there is none anywhere', () => {
    assert.throws(
      () => findAnsible({ projectRoot: scratch, pathEnv: scratch }),
      /scripts\/setup\.sh/,
    );
  });
});

describe('build directories and Ansible YAML', () => {
  it('creates the §F.2 layout with mode 0700 and an empty console log', () => {
    const p = createBuildDir(join(scratch, 'jobs'), 'abc123');
    assert.equal(statSync(p.root).mode & 0o777, 0o700);
    for (const d of [p.ansible, p.trusted, p.untrusted, p.src, p.logs, p.tmp]) {
      assert.ok(statSync(d).isDirectory());
    }
    assert.equal(statSync(p.jobOutput).size, 0);
    assert.throws(() => createBuildDir(join(scratch, 'jobs'), '../escape'), /Invalid build UUID/);
  });

  it('tags every string as !unsafe, keys left plain', () => {
    const text = toAnsibleYaml(markUnsafe({ k: '{{ x }}', n: 1, l: ['a'] }));
    // 'n' is quoted: YAML 1.1 readers (PyYAML) would take it for a boolean.
    assert.equal(text, "k: !unsafe '{{ x }}'\n'n': 1\nl:\n  - !unsafe a\n");
  });
});

describe('[executor] settings', () => {
  it('reads paths, sandbox extras and ansible_callback sections from zuul.conf', () => {
    const conf = parseZuulConf(
      [
        '[executor]',
        'state_dir = /srv/zuul',
        'trusted_ro_paths = /opt/a:/opt/b',
        'untrusted_rw_paths = /scratch',
        'variables = site-vars.yaml',
        '[ansible_callback "ara"]',
        'api_server = http://ara',
      ].join('\n'),
      '/etc/zuul/zuul.conf',
    );
    const s = executorSettings(conf);
    assert.equal(s.jobDir, '/srv/zuul/builds');
    assert.equal(s.variablesFile, '/etc/zuul/site-vars.yaml');
    assert.equal(s.ansibleRoot, undefined, "Zuul's default ansible_root is not searched");
    assert.deepEqual(s.trustedRoPaths, ['/opt/a', '/opt/b']);
    assert.deepEqual(s.untrustedRwPaths, ['/scratch']);
    assert.equal(s.defaultUsername, 'zuul');
    assert.equal(s.ansibleSetupTimeout, 60);
    assert.deepEqual(s.callbacks, [{ name: 'ara', options: { api_server: 'http://ara' } }]);
  });
});
