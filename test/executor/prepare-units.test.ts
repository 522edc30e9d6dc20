// The pure parts of build preparation: which branch or tag a repository is
// checked out at, the order of post and cleanup playbooks, which projects a
// request puts in the workspace (include-/exclude-projects), what children
// inherit from their parents, encrypted secrets surviving JSON, and the
// build's ssh-agent.

import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { EncryptedValue } from '../../src/config/yaml.js';
import { chooseCheckout, PrepareError, refNames } from '../../src/executor/prepare/checkout.js';
import { parentArtifacts, parentData, skipReason } from '../../src/executor/prepare/parents.js';
import { phasePlaybooks } from '../../src/executor/prepare/playbooks.js';
import { buildRequest } from '../../src/executor/prepare/request.js';
import { reviveEncrypted, SecretDecrypter } from '../../src/executor/prepare/secrets.js';
import type { BuildPlaybook, BuildRequest } from '../../src/executor/protocol.js';
import { SshAgent } from '../../src/executor/ssh-agent.js';
import type { RefInfo } from '../../src/executor/vars/refs.js';
import { encryptSecret } from '../../src/lib/crypto/secrets.js';
import { freezeJobGraph } from '../../src/model/freeze/index.js';
import { BASE_JOB, change, HOST, layoutOf, PIPELINES } from '../model/freeze-helpers.js';

const names = refNames({
  refs: {
    'refs/heads/master': 'a',
    'refs/heads/stable/2.0': 'b',
    'refs/tags/v1': 'c',
  },
  merged: { feature: { commit: 'd', previous: 'e' } },
});

describe('checkout choice (§F.3 step 5)', () => {
  const base = { names, defaultBranch: 'master', project: 'example.org/p' };

  it('knows branches and tags of a repo state, merged branches included', () => {
    assert.deepEqual([...names.branches].sort(), ['feature', 'master', 'stable/2.0']);
    assert.deepEqual([...names.refs].sort(), ['feature', 'master', 'stable/2.0', 'v1']);
  });

  it('takes the first rule that names something the project has', () => {
    const pick = (
      extra: Parameters<typeof chooseCheckout>[0] extends infer T ? Partial<T> : never,
    ) => chooseCheckout({ ...base, ...extra });
    assert.deepEqual(pick({ projectOverrideCheckout: 'v1', projectOverrideBranch: 'feature' }), {
      ref: 'v1',
      description: 'project override ref',
    });
    assert.deepEqual(pick({ projectOverrideCheckout: 'nope', projectOverrideBranch: 'feature' }), {
      ref: 'feature',
      description: 'project override branch',
    });
    // An override branch must be a branch; a tag is only accepted as a checkout.
    assert.deepEqual(pick({ projectOverrideBranch: 'v1', jobOverrideCheckout: 'v1' }), {
      ref: 'v1',
      description: 'job override ref',
    });
    assert.deepEqual(pick({ jobOverrideBranch: 'stable/2.0', itemBranch: 'feature' }), {
      ref: 'stable/2.0',
      description: 'job override branch',
    });
    assert.deepEqual(pick({ itemRef: 'refs/tags/v1', itemBranch: 'feature' }), {
      ref: 'v1',
      description: 'tag ref',
    });
    assert.deepEqual(pick({ itemBranch: 'feature' }), {
      ref: 'feature',
      description: 'zuul branch',
    });
    assert.deepEqual(pick({ itemBranch: 'missing', playbookBranch: 'stable/2.0' }), {
      ref: 'stable/2.0',
      description: 'playbook branch',
    });
    assert.deepEqual(pick({ itemBranch: 'missing' }), {
      ref: 'master',
      description: 'project default branch',
    });
  });

  it("fails with Zuul's message when not even the default branch exists", () => {
    assert.throws(
      () => chooseCheckout({ ...base, defaultBranch: 'main' }),
      (e: Error) =>
        e instanceof PrepareError &&
        e.message === 'Project example.org/p does not have the default branch main',
    );
  });
});

const pb = (path: string, nestingLevel: number): BuildPlaybook => ({
  project: 'example.org/config',
  branch: 'master',
  path,
  trusted: true,
  cleanup: false,
  nestingLevel,
  roles: [],
  secrets: [],
});

describe('post and cleanup playbook order', () => {
  it('runs deeper levels first and post-run before cleanup-run within a level', () => {
    const req = {
      job: {
        preRun: [],
        run: [],
        postRun: [pb('child-post', 2), pb('base-post', 0)],
        cleanupRun: [pb('child-cleanup', 2), pb('mid-cleanup', 1), pb('base-cleanup', 0)],
      },
    } as unknown as BuildRequest;
    assert.deepEqual(
      phasePlaybooks(req).post.map((p) => `${p.path}${p.cleanup ? ' (cleanup)' : ''}`),
      [
        'child-post',
        'child-cleanup (cleanup)',
        'mid-cleanup (cleanup)',
        'base-post',
        'base-cleanup (cleanup)',
      ],
    );
  });
});

describe('build requests from a frozen job', () => {
  const refOf = (project: string): RefInfo => ({
    project: { name: project, canonicalHostname: HOST },
    kind: 'change',
    ref: 'refs/changes/01/1/1',
    branch: 'master',
    change: 1,
    patchset: 1,
  });

  async function requestFor(job: string, items: string[]) {
    const layout = await layoutOf(['org/a', 'org/b', 'org/c', 'org/roles'], {
      'ci/config': {
        master: {
          'zuul.yaml': `${PIPELINES}${BASE_JOB}
- job:
    name: plain
    required-projects: [org/c]
- job:
    name: only-change
    run: playbooks/only.yaml
    include-projects:
      - type: change
    roles:
      - zuul: org/roles
- job:
    name: not-b
    exclude-projects: [org/b]
- project:
    name: org/a
    check:
      jobs: [plain, only-change, not-b]
`,
        },
      },
    });
    const r = freezeJobGraph(
      layout,
      { name: 'check', postReview: false },
      { changes: [change('org/a')] },
    );
    assert.ok(r.ok, !r.ok ? r.message : '');
    const frozen = r.graph.jobs.find((j) => j.name === job)!;
    return buildRequest({
      layout,
      pipeline: { name: 'check', postReview: false },
      job: frozen,
      childJobs: [],
      gitUrl: (c, p) => `file:///repos/${c}/${p}`,
      uuid: 'u1',
      buildsetUuid: 'bs1',
      change: refOf('org/a'),
      items: items.map(refOf),
      repoState: {},
      nodes: [],
    });
  }

  it("lists required projects first, then the items' projects, each once", async () => {
    const req = await requestFor('plain', ['org/b', 'org/a', 'org/b']);
    assert.deepEqual(
      req.workspace.map((w) => [w.project, w.required]),
      [
        [`${HOST}/org/c`, true],
        [`${HOST}/org/b`, false],
        [`${HOST}/org/a`, false],
      ],
    );
    // The base job's playbook project is described too, for its checkout.
    assert.deepEqual(Object.keys(req.projects).sort(), [
      `${HOST}/ci/config`,
      `${HOST}/org/a`,
      `${HOST}/org/b`,
      `${HOST}/org/c`,
    ]);
    assert.equal(req.projects[`${HOST}/org/c`]!.url, 'file:///repos/gerrit/org/c');
    assert.deepEqual(
      req.job.run.map((p) => [p.project, p.path, p.trusted]),
      [[`${HOST}/ci/config`, 'playbooks/base-run.yaml', true]],
    );
  });

  it("applies include-projects and exclude-projects to the items' projects", async () => {
    const only = await requestFor('only-change', ['org/b', 'org/a']);
    assert.deepEqual(
      only.workspace.map((w) => w.project),
      [`${HOST}/org/a`],
    );
    assert.ok(only.projects[`${HOST}/org/roles`], 'role repositories are still described');
    const notB = await requestFor('not-b', ['org/b', 'org/c', 'org/a']);
    assert.deepEqual(
      notB.workspace.map((w) => w.project),
      [`${HOST}/org/c`, `${HOST}/org/a`],
    );
  });

  it('carries secrets still encrypted, and they decrypt after a JSON round trip', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const data = { user: 'bot', password: new EncryptedValue(encryptSecret('s3cr3t', publicKey)) };
    const wire = JSON.parse(JSON.stringify({ data }));
    assert.ok(!JSON.stringify(wire).includes('s3cr3t'));
    const revived = reviveEncrypted(wire.data) as Record<string, unknown>;
    assert.ok(revived.password instanceof EncryptedValue);
    assert.equal(revived.user, 'bot');
    const keys = {
      getProjectSecretsKey: async () => ({ privateKey, publicKey, publicPem: '', created: 0 }),
    } as unknown as ConstructorParameters<typeof SecretDecrypter>[0];
    const out = await new SecretDecrypter(keys).playbookSecrets({
      ...pb('x', 0),
      secrets: [
        {
          alias: 'creds',
          secretName: 'site',
          connection: 'gerrit',
          project: 'org/a',
          data: wire.data,
        },
      ],
    });
    assert.deepEqual(out, { creds: { user: 'bot', password: 's3cr3t' } });
    await assert.rejects(
      new SecretDecrypter(undefined).playbookSecrets({
        ...pb('x', 0),
        secrets: [
          {
            alias: 'c',
            secretName: 'site',
            connection: 'gerrit',
            project: 'org/a',
            data: wire.data,
          },
        ],
      }),
      /Secret site of project org\/a cannot be decrypted: this executor has no keystore/,
    );
  });
});

describe('what children inherit', () => {
  const chg: RefInfo = {
    project: { name: 'org/a', canonicalHostname: HOST },
    kind: 'change',
    ref: 'refs/changes/01/1/1',
    branch: 'master',
    change: 1,
    patchset: 2,
  };
  const build = (
    job: string,
    data: Record<string, unknown>,
    extra: Record<string, unknown> = {},
  ) => ({
    job,
    change: chg,
    result: {
      result: 'SUCCESS' as const,
      data,
      secretData: {},
      artifacts: [],
      childJobs: null,
      ...extra,
    },
  });

  it('merges returned data in graph order, later parents winning, without zuul keys', () => {
    const merged = parentData([
      build('a', { x: { one: 1, two: 2 }, zuul: { pause: true }, keep: 'a' }),
      build('b', { x: { two: 'b' }, other: true }),
    ]);
    assert.deepEqual(merged.data, { x: { one: 1, two: 'b' }, keep: 'a', other: true });
  });

  it('turns returned artifacts into zuul.artifacts entries naming their build', () => {
    const arts = parentArtifacts([
      build(
        'a',
        {},
        { artifacts: [{ name: 'docs', url: 'https://logs/docs/', metadata: { t: 1 } }] },
      ),
    ]);
    assert.deepEqual(arts, [
      {
        name: 'docs',
        url: 'https://logs/docs/',
        metadata: { t: 1 },
        project: 'org/a',
        job: 'a',
        branch: 'master',
        change: '1',
        patchset: '2',
        ref: 'refs/changes/01/1/1',
      },
    ]);
  });

  it('skips a job after a failed parent, a child_jobs filter, or a skipped hard parent', () => {
    const failed = build('p', {}, { result: 'FAILURE' });
    assert.equal(
      skipReason('c', [{ job: 'p', soft: true, build: failed }]),
      'Skipped due to failed job p',
    );
    const filtering = build('p', {}, { childJobs: ['other'] });
    assert.equal(
      skipReason('c', [{ job: 'p', soft: false, build: filtering }]),
      'Skipped due to child_jobs return value in job p',
    );
    const none = build('p', {}, { childJobs: [] });
    assert.equal(skipReason('c', [{ job: 'p', soft: true, build: none }]), undefined);
    assert.equal(
      skipReason('c', [{ job: 'p', soft: false, skipped: true }]),
      'Skipped due to skipped job p',
    );
    assert.equal(skipReason('c', [{ job: 'p', soft: true, skipped: true }]), undefined);
    assert.equal(skipReason('c', [{ job: 'p', soft: false, build: build('p', {}) }]), undefined);
  });
});

describe('the build ssh-agent', () => {
  it('holds the keys it is given and goes away when stopped', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const agent = await SshAgent.start();
    try {
      assert.deepEqual(await agent.list(), []);
      await agent.add('tenant key', privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
      const keys = await agent.list();
      assert.equal(keys.length, 1);
      assert.match(keys[0]!, /^ssh-rsa AAAA/);
      await assert.rejects(agent.add('garbage', 'not a key\n'), /ssh-add garbage failed/);
    } finally {
      agent.stop();
    }
    assert.equal(existsSync(agent.socket), false);
  });
});
