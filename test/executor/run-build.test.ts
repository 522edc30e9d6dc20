// runBuild as the executor service calls it: a JSON build request in, a
// result payload out, events on the way. Requests are written by hand here
// (the scheduler's side is tested through run-job).

import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import type { BuildEvent, BuildRequest } from '../../src/executor/protocol.js';
import { runBuild } from '../../src/executor/run-build.js';
import type { ExecutorSettings } from '../../src/executor/settings.js';
import { RepoCache } from '../../src/merger/repo-cache.js';
import { tempDir, Upstream } from '../helpers/git-repos.js';
import { ansible } from './helpers.js';

const tmp = tempDir('zuul-ts-run-build-');
after(() => tmp.cleanup());

const settings: ExecutorSettings = {
  stateDir: join(tmp.path, 'state'),
  jobDir: join(tmp.path, 'state', 'builds'),
  defaultUsername: 'zuul',
  ansibleSetupTimeout: 60,
  hostname: 'executor.example.org',
  trustedRoPaths: [],
  trustedRwPaths: [],
  untrustedRoPaths: [],
  untrustedRwPaths: [],
  callbacks: [],
  gitDir: join(tmp.path, 'state', 'executor-git'),
  logRoot: join(tmp.path, 'state', 'logs'),
  webRoot: 'https://zuul.example.org/',
  privateKeyFile: join(tmp.path, 'no-key'),
};

const HOST = 'git.example.org';

function request(upstream: Upstream, extra: Partial<BuildRequest['job']> = {}): BuildRequest {
  const canonical = `${HOST}/org/project`;
  const project = { name: 'org/project', canonicalHostname: HOST };
  const change = { project, kind: 'branch' as const, ref: 'refs/heads/master', branch: 'master' };
  return {
    uuid: `b${Date.now()}`,
    buildsetUuid: 'bs',
    tenant: 'tenant-one',
    pipeline: { name: 'check', postReview: false },
    zone: null,
    eventId: null,
    attempt: 1,
    job: {
      name: 'job',
      voting: true,
      timeout: null,
      preTimeout: null,
      postTimeout: null,
      tags: [],
      attempts: 3,
      overrideBranch: null,
      overrideCheckout: null,
      inheritancePath: [],
      workspaceScheme: 'flat',
      workspaceCheckout: true,
      imageBuildName: null,
      failureOutput: [],
      ansibleVersion: null,
      vars: {},
      extraVars: {},
      hostVars: {},
      groupVars: {},
      includeVars: [],
      preRun: [],
      run: [
        {
          project: canonical,
          branch: 'master',
          path: 'run.yaml',
          trusted: false,
          cleanup: false,
          nestingLevel: 0,
          roles: [],
          secrets: [],
        },
      ],
      postRun: [],
      cleanupRun: [],
      ...extra,
    },
    projects: {
      [canonical]: {
        connection: 'git',
        name: 'org/project',
        canonicalName: canonical,
        canonicalHostname: HOST,
        url: upstream.url,
        defaultBranch: 'master',
      },
    },
    workspace: [{ project: canonical, required: false }],
    repoState: {},
    change,
    items: [change],
    buildsetRefs: [change],
    buildRefs: [change],
    nodes: [],
    groups: [],
    childJobs: [],
    parent: { data: {}, secretData: {} },
    artifacts: [],
  };
}

const upstream = new Upstream(tmp.path, 'org/project', 'master');
upstream.commit('master', {
  'run.yaml': `- hosts: localhost
  gather_facts: false
  tasks:
    - name: the workspace has no files, only the repository
      command: ls -A {{ zuul.executor.work_root }}/{{ zuul.project.src_dir }}
      register: listing
    - assert:
        that:
          - listing.stdout == '.git'
    - zuul_return:
        data:
          zuul:
            artifacts:
              - name: report
                url: report/index.html
`,
});

describe('runBuild', () => {
  const ctx = () => ({
    settings,
    repoCache: new RepoCache({ gitDir: settings.gitDir }),
    ansible: ansible(),
    log: pino({ level: 'silent' }),
    signal: new AbortController().signal,
  });

  it('runs a hand-written request with workspace-checkout false and reports events', async () => {
    const events: BuildEvent['type'][] = [];
    const req = request(upstream, { workspaceCheckout: false });
    const result = await runBuild(req, { ...ctx(), onEvent: (e) => events.push(e.type) });
    assert.equal(result.result, 'SUCCESS', result.errorDetail ?? '');
    assert.equal(result.logUrl, `https://zuul.example.org/logs/${req.uuid}/`);
    assert.deepEqual(result.artifacts, [
      { name: 'report', url: `https://zuul.example.org/logs/${req.uuid}/report/index.html` },
    ]);
    assert.deepEqual(events, ['started', 'playbook', 'playbook']);
    assert.equal(result.executorHostname, 'executor.example.org');
    assert.ok(existsSync(join(settings.logRoot, req.uuid, 'job-output.txt')));
    assert.equal(existsSync(join(settings.jobDir, req.uuid)), false, 'build dir removed');
  });

  it('ends a malformed request with ERROR saying what is wrong', async () => {
    const req = request(upstream) as unknown as Record<string, unknown>;
    delete (req.job as Record<string, unknown>).run;
    const result = await runBuild(req as unknown as BuildRequest, ctx());
    assert.equal(result.result, 'ERROR');
    assert.equal(result.errorDetail, 'Invalid build request: job.run must be a list of playbooks');
    const bad = await runBuild({ uuid: '../x' } as unknown as BuildRequest, ctx());
    assert.equal(bad.errorDetail, 'Invalid build request: uuid must be a build UUID');
  });

  it('ends with ERROR when a role repository has no role', async () => {
    const req = request(upstream);
    req.job.run[0]!.roles = [
      { targetName: 'project', project: `${HOST}/org/project`, implicit: false },
    ];
    const result = await runBuild(req, ctx());
    assert.equal(result.result, 'ERROR');
    assert.equal(result.errorDetail, `Unable to find role in ${HOST}/org/project (branch master)`);
    // The implicit role of the job's own repository is skipped instead.
    req.uuid = `${req.uuid}i`;
    req.job.run[0]!.roles[0]!.implicit = true;
    req.job.workspaceCheckout = false;
    assert.equal((await runBuild(req, ctx())).result, 'SUCCESS');
    assert.deepEqual(readdirSync(settings.jobDir), []);
  });
});
