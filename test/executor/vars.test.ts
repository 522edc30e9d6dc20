// The zuul.* variables and the inventory (semantics §F.5, §F.6), field by
// field, and what a real playbook sees of them.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Unsafe } from '../../src/executor/ansible-yaml.js';
import { buildPaths } from '../../src/executor/build-dir.js';
import { BuildRunner } from '../../src/executor/runner.js';
import { buildInventory, type NodeInfo } from '../../src/executor/vars/inventory.js';
import type { RefInfo } from '../../src/executor/vars/refs.js';
import {
  baseVars,
  definedNames,
  playbookSecretVars,
  VarsError,
} from '../../src/executor/vars/variables.js';
import { pyQuote, workspaceProjectPath } from '../../src/executor/vars/workspace.js';
import { type ZuulVarsInput, zuulVars } from '../../src/executor/vars/zuul-vars.js';
import { ansible, jobDir, makeBuild } from './helpers.js';

const dir = jobDir();
after(() => dir.cleanup());

const HOST = 'review.example.org';
const change: RefInfo = {
  project: { name: 'org/project', canonicalHostname: HOST },
  kind: 'change',
  ref: 'refs/changes/45/12345/2',
  branch: 'main',
  change: 12345,
  patchset: 2,
  url: 'https://review.example.org/12345',
  message: 'Fix {{ the }} bug\n\nDepends-On: x',
  topic: 'bugfix',
  commitId: 'a'.repeat(40),
};
const ahead: RefInfo = {
  project: { name: 'org/lib', canonicalHostname: HOST },
  kind: 'change',
  ref: 'refs/changes/01/1/1',
  branch: 'main',
  change: 1,
  patchset: 1,
  url: 'https://review.example.org/1',
  message: 'Lib change',
  topic: null,
  commitId: 'b'.repeat(40),
};

function input(over: Partial<ZuulVarsInput> = {}): ZuulVarsInput {
  return {
    tenant: 'example',
    pipeline: { name: 'check', postReview: false },
    job: {
      name: 'unit-tests',
      voting: true,
      timeout: 1800,
      preTimeout: 600,
      postTimeout: 900,
      tags: ['zeta', 'alpha'],
      attempts: 3,
      overrideCheckout: null,
      inheritancePath: ['<Job base branches: None source: ci/config@main#1>'],
      workspaceScheme: 'golang',
      imageBuildName: null,
    },
    build: { uuid: 'build-uuid', buildsetUuid: 'buildset-uuid', attempt: 2, eventId: 'ev1' },
    change,
    items: [ahead, change],
    buildsetRefs: [change],
    buildRefs: [change],
    projects: [
      {
        project: change.project,
        required: false,
        checkout: 'main',
        checkoutDescription: 'zuul branch',
        commit: 'c'.repeat(40),
      },
      { project: { name: 'org/lib', canonicalHostname: HOST }, required: true },
    ],
    childJobs: ['docs', 'deploy'],
    executor: {
      hostname: 'ze01.example.org',
      paths: buildPaths('/var/lib/zuul/builds/build-uuid'),
    },
    ansibleVersion: '9',
    ...over,
  };
}

describe('workspace paths (§F.3)', () => {
  it('places projects by workspace-scheme', () => {
    assert.equal(workspaceProjectPath('golang', HOST, 'org/project'), `${HOST}/org/project`);
    assert.equal(workspaceProjectPath('flat', HOST, 'org/project'), 'project');
    assert.equal(workspaceProjectPath('unique', HOST, 'org/project'), `${HOST}/org/org%2Fproject`);
    assert.equal(pyQuote("a b!'~_.-é"), 'a%20b%21%27~_.-%C3%A9');
  });
});

describe('zuul variables (§F.6)', () => {
  it('has every change and build field', () => {
    const z = zuulVars(input());
    assert.equal(z.build, 'build-uuid');
    assert.equal(z.buildset, 'buildset-uuid');
    assert.equal(z.tenant, 'example');
    assert.equal(z.pipeline, 'check');
    assert.equal(z.post_review, false);
    assert.equal(z.job, 'unit-tests');
    assert.equal(z.event_id, 'ev1');
    assert.equal(z.voting, true);
    assert.equal(z.timeout, 1800);
    assert.equal(z.pre_timeout, 600);
    assert.equal(z.post_timeout, 900);
    assert.deepEqual(z.jobtags, ['alpha', 'zeta']);
    assert.equal(z.attempts, 2);
    assert.equal(z.max_attempts, 3);
    assert.deepEqual(z.child_jobs, ['docs', 'deploy']);
    assert.equal(z.ansible_version, '9');
    assert.deepEqual(z._inheritance_path, ['<Job base branches: None source: ci/config@main#1>']);
    assert.ok(!('override_checkout' in z), 'only when the job sets one');
    assert.ok(!('artifacts' in z), 'only when there are some');

    assert.deepEqual(z.project, {
      name: 'org/project',
      short_name: 'project',
      canonical_hostname: HOST,
      canonical_name: `${HOST}/org/project`,
      src_dir: `src/${HOST}/org/project`,
    });
    assert.equal(z.ref, 'refs/changes/45/12345/2');
    assert.equal(z.branch, 'main');
    assert.equal(z.change, '12345');
    assert.equal(z.patchset, '2');
    assert.equal(z.change_url, 'https://review.example.org/12345');
    assert.ok(z.change_message instanceof Unsafe);
    assert.equal((z.change_message as Unsafe).value, change.message);
    assert.equal(z.message, Buffer.from(change.message!).toString('base64'));
    assert.equal(z.topic, 'bugfix');
    assert.equal(z.commit_id, 'a'.repeat(40));
    assert.ok(!('oldrev' in z) && !('newrev' in z) && !('tag' in z));

    assert.deepEqual(z.executor, {
      hostname: 'ze01.example.org',
      src_root: '/var/lib/zuul/builds/build-uuid/work/src',
      log_root: '/var/lib/zuul/builds/build-uuid/work/logs',
      work_root: '/var/lib/zuul/builds/build-uuid/work',
      inventory_file: '/var/lib/zuul/builds/build-uuid/ansible/inventory.yaml',
      result_data_file: '/var/lib/zuul/builds/build-uuid/work/results.json',
    });
  });

  it('lists items head first, and build/buildset refs with the deprecated src_dir too', () => {
    const z = zuulVars(input());
    const items = z.items as Record<string, unknown>[];
    assert.deepEqual(
      items.map((i) => i.change),
      ['1', '12345'],
    );
    assert.deepEqual(Object.keys(items[0]!).sort(), [
      'branch',
      'change',
      'change_message',
      'change_url',
      'commit_id',
      'patchset',
      'project',
      'ref',
      'topic',
    ]);
    const br = (z.build_refs as Record<string, unknown>[])[0]!;
    assert.equal(br.src_dir, `src/${HOST}/org/project`);
    assert.equal((br.project as Record<string, unknown>).src_dir, `src/${HOST}/org/project`);
    assert.equal((z.buildset_refs as unknown[]).length, 1);
  });

  it('describes every workspace project with its checkout', () => {
    const z = zuulVars(input());
    assert.deepEqual(z.projects, {
      [`${HOST}/org/project`]: {
        name: 'org/project',
        short_name: 'project',
        canonical_name: `${HOST}/org/project`,
        canonical_hostname: HOST,
        src_dir: `src/${HOST}/org/project`,
        required: false,
        checkout: 'main',
        checkout_description: 'zuul branch',
        commit: 'c'.repeat(40),
      },
      [`${HOST}/org/lib`]: {
        name: 'org/lib',
        short_name: 'lib',
        canonical_name: `${HOST}/org/lib`,
        canonical_hostname: HOST,
        src_dir: `src/${HOST}/org/lib`,
        required: true,
      },
    });
  });

  it('describes tags and branch refs without change fields', () => {
    const tag: RefInfo = {
      project: change.project,
      kind: 'tag',
      ref: 'refs/tags/1.0',
      tag: '1.0',
      oldrev: '0'.repeat(40),
      newrev: 'd'.repeat(40),
      url: 'https://git.example.org/commit/ddd',
    };
    const z = zuulVars(input({ change: tag, items: [tag], buildRefs: [tag], buildsetRefs: [tag] }));
    assert.equal(z.tag, '1.0');
    assert.equal(z.newrev, 'd'.repeat(40));
    assert.ok(!('oldrev' in z), 'a zero oldrev is left out');
    assert.equal(z.commit_id, 'd'.repeat(40));
    assert.ok(!('branch' in z) && !('change' in z) && !('message' in z));
    const del: RefInfo = {
      project: change.project,
      kind: 'branch',
      ref: 'refs/heads/old',
      branch: 'old',
      oldrev: 'e'.repeat(40),
      newrev: '0'.repeat(40),
    };
    const zd = zuulVars(input({ change: del, items: [del] }));
    assert.equal(zd.branch, 'old');
    assert.equal(zd.commit_id, 'e'.repeat(40), 'a deleted branch points at its old revision');
  });

  it('adds override_checkout, artifacts and image fields when present, and places by scheme', () => {
    const z = zuulVars(
      input({
        job: {
          ...input().job,
          overrideCheckout: 'stable',
          imageBuildName: 'ubuntu',
          workspaceScheme: 'flat',
        },
        artifacts: [
          {
            name: 'docs',
            url: 'https://l/docs',
            project: 'org/lib',
            job: 'build-docs',
            change: '1',
          },
        ],
        imageFormats: ['qcow2'],
      }),
    );
    assert.equal(z.override_checkout, 'stable');
    assert.deepEqual(z.artifacts, [
      { name: 'docs', url: 'https://l/docs', project: 'org/lib', job: 'build-docs', change: '1' },
    ]);
    assert.equal(z.image_build_name, 'ubuntu');
    assert.deepEqual(z.image_formats, ['qcow2']);
    assert.equal((z.project as Record<string, unknown>).src_dir, 'src/project');
  });
});

describe('inventory and variable precedence (§F.5)', () => {
  const node: NodeInfo = {
    names: ['controller'],
    label: 'ubuntu-noble',
    interfaceIp: '192.0.2.10',
    publicIpv4: '192.0.2.10',
    connectionPort: 22,
    cloud: 'example',
    provider: 'example-region1',
    region: 'region1',
    externalId: '1234',
  };

  it('builds hosts with connection and nodepool variables, groups and zuul_unreachable', () => {
    const inv = buildInventory({
      nodes: [
        node,
        {
          names: ['compute1', 'compute2'],
          label: 'small',
          interfaceIp: '192.0.2.11',
          username: 'cloud',
          pythonPath: '/usr/bin/python3',
        },
      ],
      groups: [{ name: 'computes', nodes: ['compute1', 'compute2'] }],
      vars: { vars: {}, groupVars: {}, hostVars: {}, extraVars: {} },
      defaultUsername: 'zuul',
    }) as { all: { hosts: Record<string, Record<string, unknown>>; children: unknown } };
    const c = inv.all.hosts.controller!;
    assert.equal(c.ansible_host, '192.0.2.10');
    assert.equal(c.ansible_port, 22);
    assert.equal(c.ansible_user, 'zuul');
    assert.equal(c.ansible_python_interpreter, 'auto');
    assert.equal(c.ansible_connection, 'ssh');
    assert.deepEqual(c.nodepool, {
      label: 'ubuntu-noble',
      az: null,
      cloud: 'example',
      provider: 'example-region1',
      region: 'region1',
      host_id: null,
      external_id: '1234',
      slot: null,
      interface_ip: '192.0.2.10',
      public_ipv4: '192.0.2.10',
      private_ipv4: null,
      public_ipv6: null,
      private_ipv6: null,
      node_properties: {},
    });
    const c2 = inv.all.hosts.compute2!;
    assert.equal(c2.ansible_user, 'cloud');
    assert.equal(c2.ansible_python_interpreter, '/usr/bin/python3');
    assert.deepEqual(inv.all.children, {
      computes: { hosts: { compute1: null, compute2: null } },
      zuul_unreachable: { hosts: {} },
    });
  });

  it('layers parent data < include-vars < job vars < group-vars < host-vars < extra-vars', () => {
    const inv = buildInventory({
      nodes: [node],
      groups: [
        { name: 'b-group', nodes: ['controller'] },
        { name: 'a-group', nodes: ['controller'] },
      ],
      vars: {
        parentData: { from_parent: 1, level: 'parent', zuul: { x: 1 }, deep: { a: 1 } },
        includeVars: [{ level: 'include', deep: { b: 2 } }],
        vars: { level: 'job', deep: { c: 3 } },
        groupVars: {
          all: { level: 'group-all' },
          'a-group': { level: 'a-group', a_only: 1 },
          'b-group': { level: 'b-group' },
        },
        hostVars: {
          controller: {
            level: 'host',
            ansible_host: 'ignored',
            ansible_python_interpreter: '/opt/py',
          },
        },
        extraVars: { extra: true },
      },
      defaultUsername: 'zuul',
    }) as {
      all: { hosts: Record<string, Record<string, unknown>>; vars: Record<string, unknown> };
    };
    const c = inv.all.hosts.controller!;
    assert.equal(c.level, 'host');
    assert.equal(c.a_only, 1);
    assert.equal(c.from_parent, 1);
    assert.deepEqual(c.deep, { a: 1, b: 2, c: 3 });
    assert.equal(c.extra, true);
    assert.equal(c.ansible_host, '192.0.2.10', 'Zuul-set connection variables beat host-vars');
    assert.equal(c.ansible_python_interpreter, '/opt/py', 'host-vars may choose the interpreter');
    assert.ok(!('zuul' in c), 'returned zuul data is not a variable');
    const unsafe = c.unsafe_vars as Record<string, unknown>;
    assert.ok(unsafe.level instanceof Unsafe && (unsafe.level as Unsafe).value === 'host');
    // localhost: group-vars of groups it is not in do not apply.
    assert.equal(inv.all.vars.level, 'group-all');
    assert.equal(inv.all.vars.extra, true);
  });

  it('refuses variables named zuul or nodepool', () => {
    assert.throws(
      () => baseVars({ vars: { nodepool: 1 }, groupVars: {}, hostVars: {}, extraVars: {} }),
      (e: unknown) => e instanceof VarsError && /'nodepool'.*job vars/.test((e as Error).message),
    );
    assert.throws(
      () =>
        buildInventory({
          nodes: [node],
          groups: [],
          vars: { vars: {}, groupVars: {}, hostVars: { controller: { zuul: 1 } }, extraVars: {} },
          defaultUsername: 'zuul',
        }),
      /'zuul'.*host-vars for controller/,
    );
  });

  it('gives secret parent data only the names nothing else defines', () => {
    const input = { vars: { shared: 1 }, groupVars: {}, hostVars: {}, extraVars: { ev: 1 } };
    const defined = definedNames(input, baseVars(input));
    assert.deepEqual(
      playbookSecretVars(
        { mine: 'secret' },
        { shared: 'x', ev: 'x', mine: 'x', only_parent: 'p', zuul: 'x' },
        defined,
      ),
      { only_parent: 'p', mine: 'secret' },
    );
  });
});

describe('what a playbook sees', () => {
  it('reads the zuul variables and the inventory variables as built', async () => {
    const t = makeBuild(dir, {
      run: [
        {
          name: 'run.yaml',
          trusted: false,
          yaml: `- hosts: localhost
  gather_facts: false
  tasks:
    - copy:
        content: "{{ {'zuul': zuul, 'level': level, 'unsafe_level': unsafe_vars.level} | to_json }}"
        dest: "{{ zuul.executor.work_root }}/seen.json"
`,
        },
      ],
    });
    const vi = input({
      executor: { hostname: 'ze01', paths: t.paths },
      build: { uuid: t.build.uuid, buildsetUuid: 'bs', attempt: 1 },
    });
    t.build.zuulVars = { zuul: zuulVars(vi) };
    t.build.inventory = buildInventory({
      nodes: [],
      groups: [],
      vars: { vars: { level: '{{ 6 * 7 }}' }, groupVars: {}, hostVars: {}, extraVars: {} },
      defaultUsername: 'zuul',
    });
    const outcome = await new BuildRunner(t.build, { ansible: ansible() }).run();
    assert.equal(outcome.result, 'SUCCESS');
    const seen = JSON.parse(readFileSync(join(t.paths.work, 'seen.json'), 'utf8'));
    assert.equal(seen.level, '42', 'job variables are templated');
    assert.equal(seen.unsafe_level, '{{ 6 * 7 }}', 'unsafe_vars are not');
    const z = seen.zuul;
    assert.equal(z.build, t.build.uuid);
    assert.equal(z.change, '12345');
    assert.equal(z.change_message, change.message, 'the commit message is not templated');
    assert.equal(z.items[0].change_message, 'Lib change');
    assert.equal(z.executor.work_root, t.paths.work);
    assert.equal(z.projects[`${HOST}/org/lib`].required, true);
    assert.deepEqual(z.child_jobs, ['docs', 'deploy']);
    assert.equal(z.max_attempts, 3);
  });
});
