// One test per rule 1–4 and 15 of semantics §H (the parts layouts and
// freezing decide), each from a small configuration of its own. Rules 5–10
// are in test/model/freeze-rules.test.ts; 11–14 are runtime rules.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Layout } from '../../src/model/layout.js';
import { type InMemoryFiles, layoutFromFiles } from '../helpers/layout.js';
import {
  BASE_JOB,
  change,
  errorOf,
  freeze,
  jobOf,
  jobsOf,
  PIPELINES,
} from '../model/freeze-helpers.js';

type Files = InMemoryFiles['gerrit'];

/** Layout of tenant `t` (config project ci/config plus `untrusted`) from `files`. */
async function build(
  untrusted: string[],
  files: Files,
  opts: {
    tenantExtra?: string;
    configOptions?: string;
    defaultBranches?: Record<string, string>;
  } = {},
): Promise<Layout> {
  const tenant = `
- tenant:
    name: t
${opts.tenantExtra ?? ''}    source:
      gerrit:
        config-projects:
          - ci/config${opts.configOptions ?? ''}
        untrusted-projects:
${untrusted.map((p) => `          - ${p}`).join('\n')}
`;
  return layoutFromFiles(tenant, { gerrit: files }, { defaultBranches: opts.defaultBranches });
}

const errorsOf = (layout: Layout, severity = 'error') =>
  layout.errors.filter((e) => e.severity === severity).map((e) => e.shortError);

const names = (
  layout: Layout,
  pipeline: string,
  project: string,
  branch: string,
  files?: string[],
) => [...jobsOf(freeze(layout, pipeline, change(project, branch, files))).keys()];

/** Where each variant of a job was defined, as `branch:path`. */
const origins = (layout: Layout, job: string) =>
  (layout.jobs.get(job) ?? []).map(
    (v) => `${v.variant.sourceContext.branch}:${v.variant.sourceContext.path}`,
  );

const config = (extra = '') => ({ master: { 'zuul.yaml': `${PIPELINES}${BASE_JOB}${extra}` } });

test('§H rule 1: config regexes match at the start; implied matchers, tenant branch filters and regex project names match whole names', async () => {
  const layout = await build(
    ['org/lib', 'org/lib2:\n              include-branches: [master, stable]'],
    {
      'ci/config': config(`
- job: {name: on-stable, branches: stable}
- job: {name: on-2024, branches: '2024'}
- job: {name: docs, files: ['docs/']}
- job: {name: code, irrelevant-files: ['README']}
- project:
    name: ^org/lib
    check: {jobs: [regex-job]}
- job: {name: regex-job}
- nodeset: {name: jammy, nodes: [{name: n, label: ubuntu-jammy}]}
- nodeset: {name: mine, nodes: [{name: n, label: my-ubuntu}]}
`),
      'org/lib': {
        master: {
          '.zuul.yaml': `
- job: {name: lib-job, vars: {from: master}}
- project:
    check: {jobs: [on-stable, on-2024, docs, code, lib-job]}
`,
        },
        stable: {
          '.zuul.yaml': `
- job: {name: lib-job, vars: {from: stable}}
- project:
    check: {jobs: [on-stable, on-2024, lib-job]}
`,
        },
        'stable/2024': {
          '.zuul.yaml': `
- project:
    check: {jobs: [on-stable, on-2024, lib-job]}
`,
        },
      },
      'org/lib2': {
        master: { '.zuul.yaml': '- job: {name: lib2-master}\n' },
        stable: { '.zuul.yaml': '- job: {name: lib2-stable}\n' },
        'stable/2024': { '.zuul.yaml': '- job: {name: lib2-2024}\n' },
      },
    },
    { tenantExtra: '    allowed-labels: [ubuntu]\n' },
  );

  // allowed-labels are start-anchored: `ubuntu` allows ubuntu-jammy, not my-ubuntu.
  assert.deepEqual(errorsOf(layout), [
    'Label named "my-ubuntu" is not part of the allowed labels (ubuntu) for this tenant.',
  ]);
  // Tenant include-branches are full matches: `stable` does not include stable/2024.
  assert.ok(layout.jobs.has('lib2-stable'));
  assert.ok(!layout.jobs.has('lib2-2024'), 'stable/2024 is not an included branch');

  // Job branch matchers are start-anchored: `stable` matches stable/2024,
  // `2024` matches nothing. lib-job's implied matchers are exact
  // comparisons with master and stable, so no variant matches stable/2024
  // and the job does not run there (the config project's regex stanza has
  // no matcher and applies).
  const onBranch = jobsOf(freeze(layout, 'check', change('org/lib', 'stable/2024')));
  assert.deepEqual([...onBranch.keys()], ['on-stable', 'regex-job']);
  const onStable = jobsOf(freeze(layout, 'check', change('org/lib', 'stable')));
  assert.deepEqual([...onStable.keys()], ['on-stable', 'lib-job', 'regex-job']);
  assert.deepEqual(onStable.get('lib-job')?.vars, { from: 'stable' });

  // File matchers are start-anchored: docs/ matches docs/x, not src/docs/x;
  // README (irrelevant) matches README.rst but not doc/README.
  const run = (files: string[]) => names(layout, 'check', 'org/lib', 'master', files);
  assert.deepEqual(run(['docs/x.rst']), ['docs', 'code', 'lib-job', 'regex-job']);
  assert.deepEqual(run(['src/docs/x.rst']), ['code', 'lib-job', 'regex-job']);
  assert.deepEqual(run(['README.rst']), ['lib-job', 'regex-job']);
  assert.deepEqual(run(['doc/README']), ['code', 'lib-job', 'regex-job']);

  // A regex project name is a full match: ^org/lib configures org/lib
  // (after its own stanza), not org/lib2.
  assert.equal(layout.projectConfigs.get('review.example.com/org/lib2'), undefined);
});

test('§H rule 2: config file discovery — first root with data, recursive sorted *.yaml, .zuul.ignore, extra-config-paths last', async () => {
  const job = (n: number) => `- job: {name: j, vars: {v${n}: ${n}, last: ${n}}}\n`;
  const layout = await build(
    ['org/lib:\n              extra-config-paths: [extra/, single.yaml]', 'org/both'],
    {
      'ci/config': config(),
      'org/lib': {
        master: {
          // An empty zuul.yaml holds no data: zuul.d/ is the root.
          'zuul.yaml': '',
          'zuul.d/b/inner.yaml': job(2),
          'zuul.d/a.yaml': `${job(1)}- project: {check: {jobs: [j]}}\n`,
          'zuul.d/c.yml': '- job: {name: not-yaml-suffix}\n',
          'zuul.d/notes.txt': 'not configuration',
          'zuul.d/playbooks/.zuul.ignore': '',
          'zuul.d/playbooks/run.yaml': '- hosts: all\n  tasks: []\n',
          // A later root with data is ignored, with a warning.
          '.zuul.yaml': '- job: {name: dot-job}\n',
          'single.yaml': job(4),
          'extra/z/deep.yaml': job(3),
        },
      },
      'org/both': {
        master: {
          'zuul.yaml': '- job: {name: from-zuul-yaml}\n',
          'zuul.d/x.yaml': '- job: {name: from-zuul-d}\n',
        },
      },
    },
  );
  assert.deepEqual(errorsOf(layout), [], 'ignored playbooks and non-yaml files are never parsed');
  // Extra files come before extra directories, whatever the listed order.
  assert.deepEqual(origins(layout, 'j'), [
    'master:zuul.d/a.yaml',
    'master:zuul.d/b/inner.yaml',
    'master:single.yaml',
    'master:extra/z/deep.yaml',
  ]);
  assert.ok(!layout.jobs.has('not-yaml-suffix'));
  assert.ok(!layout.jobs.has('dot-job'));
  assert.ok(layout.jobs.has('from-zuul-yaml'));
  assert.ok(!layout.jobs.has('from-zuul-d'));
  const warnings = layout.errors.filter((e) => e.severity === 'warning');
  assert.deepEqual(
    warnings.map((w) => `${w.name} ${w.sourceContext?.project}`),
    ['Multiple Project Configurations org/lib', 'Multiple Project Configurations org/both'],
  );
  // The frozen job applies the variants in that order.
  assert.deepEqual(jobOf(freeze(layout, 'check', change('org/lib')), 'j').vars, {
    v1: 1,
    v2: 2,
    v4: 4,
    v3: 3,
    last: 3,
  });
});

test('§H rule 3: config projects load from load-branch (default master, not the default branch); untrusted from every branch, default first', async () => {
  const files: Files = {
    'ci/config': {
      master: { 'zuul.yaml': `${PIPELINES}${BASE_JOB}- job: {name: from-master}\n` },
      main: { 'zuul.yaml': `${PIPELINES}${BASE_JOB}- job: {name: from-main}\n` },
    },
    'org/lib': {
      master: { '.zuul.yaml': '- job: {name: lib-job, vars: {b: master}}\n' },
      develop: {
        '.zuul.yaml': `- job: {name: lib-job, vars: {b: develop}}
- project: {check: {jobs: [lib-job]}}
`,
      },
    },
  };
  const defaultBranches = { 'ci/config': 'main', 'org/lib': 'develop' };
  const layout = await build(['org/lib'], files, { defaultBranches });
  assert.deepEqual(errorsOf(layout), []);
  assert.ok(layout.jobs.has('from-master'), 'the literal master branch is read');
  assert.ok(!layout.jobs.has('from-main'), 'the repository default branch is not');
  assert.deepEqual(origins(layout, 'lib-job'), ['develop:.zuul.yaml', 'master:.zuul.yaml']);
  // Both untrusted branches are read; each variant applies on its own branch.
  assert.deepEqual(jobOf(freeze(layout, 'check', change('org/lib', 'develop')), 'lib-job').vars, {
    b: 'develop',
  });

  const fromMain = await build(['org/lib'], files, {
    defaultBranches,
    configOptions: ':\n              load-branch: main',
  });
  assert.ok(fromMain.jobs.has('from-main'));
  assert.ok(!fromMain.jobs.has('from-master'));
});

test('§H rule 4: implied branch matchers depend on trust and branch count; adding a branch changes them', async () => {
  const app = `
- project:
    check: {jobs: [single-job, multi-job, config-job]}
- project:
    templates: [single-template, multi-template]
`;
  const files = (singleBranches: string[]): Files => ({
    // Two branches, but a config project: still no implied matchers.
    'ci/config': {
      ...config('- job: {name: config-job}\n'),
      stable: { 'zuul.yaml': '- job: {name: unread}\n' },
    },
    'org/single': Object.fromEntries(
      singleBranches.map((b) => [
        b,
        {
          '.zuul.yaml': `
- job: {name: single-job}
- job: {name: single-template-job}
- project-template: {name: single-template, check: {jobs: [single-template-job]}}
- project: {check: {jobs: [single-job]}}
`,
        },
      ]),
    ),
    'org/multi': Object.fromEntries(
      ['master', 'stable'].map((b) => [
        b,
        {
          '.zuul.yaml': `
- job: {name: multi-job}
- job: {name: multi-template-job}
- project-template: {name: multi-template, check: {jobs: [multi-template-job]}}
`,
        },
      ]),
    ),
    'org/app': { master: { '.zuul.yaml': app }, feature: { '.zuul.yaml': app } },
  });
  const projects = ['org/single', 'org/multi', 'org/app'];
  const layout = await build(projects, files(['master']));
  assert.deepEqual(errorsOf(layout), []);
  const matcherOf = (job: string) => layout.jobs.get(job)?.map((v) => v.branchMatcher);
  assert.deepEqual(matcherOf('single-job'), [undefined], 'one branch: no implied matcher');
  assert.deepEqual(matcherOf('multi-job'), [
    { kind: 'exact', branch: 'master' },
    { kind: 'exact', branch: 'stable' },
  ]);
  assert.deepEqual(matcherOf('config-job'), [undefined], 'config projects: none');
  // An untrusted project's own project stanza always gets one.
  assert.deepEqual(
    layout.projectConfigs.get('review.example.com/org/single')?.map((s) => s.branchMatcher),
    [{ kind: 'exact', branch: 'master' }],
  );
  // A change on org/app's feature branch: jobs and templates of the
  // single-branch project apply, those of the branched one do not.
  assert.deepEqual(names(layout, 'check', 'org/app', 'feature'), [
    'single-job',
    'config-job',
    'single-template-job',
  ]);

  // Branching org/single gives its stanzas exact matchers: same files, other meaning.
  const branched = await build(projects, files(['master', 'stable']));
  assert.deepEqual(
    branched.jobs.get('single-job')?.map((v) => v.branchMatcher),
    [
      { kind: 'exact', branch: 'master' },
      { kind: 'exact', branch: 'stable' },
    ],
  );
  assert.deepEqual(names(branched, 'check', 'org/app', 'feature'), ['config-job']);

  // The tenant flag forces matchers on a single-branch project's jobs, a
  // pragma turns them off on a branched one.
  const forced = await build(
    ['org/single:\n              implied-branch-matchers: true', 'org/multi', 'org/app'],
    {
      ...files(['master']),
      'org/multi': {
        master: {
          '.zuul.yaml': '- pragma: {implied-branch-matchers: false}\n- job: {name: multi-job}\n',
        },
        stable: {
          '.zuul.yaml': '- pragma: {implied-branch-matchers: false}\n- job: {name: multi-job}\n',
        },
      },
    },
  );
  assert.deepEqual(
    forced.jobs.get('single-job')?.map((v) => v.branchMatcher),
    [{ kind: 'exact', branch: 'master' }],
  );
  assert.deepEqual(
    forced.jobs.get('multi-job')?.map((v) => v.branchMatcher),
    [undefined, undefined],
  );

  // A project with always-dynamic-branches is no job library: its jobs (not
  // its templates) get implied matchers with a single static branch.
  const appDyn = '- project:\n    templates: [dyn-template]\n    check: {jobs: [dyn-job]}\n';
  const dynamic = await build(
    ["org/dyn:\n              always-dynamic-branches: ['^feature/.*']", 'org/app'],
    {
      'ci/config': config(),
      'org/dyn': {
        master: {
          '.zuul.yaml': `
- job: {name: dyn-job}
- job: {name: dyn-template-job}
- project-template: {name: dyn-template, check: {jobs: [dyn-template-job]}}
`,
        },
        'feature/x': { '.zuul.yaml': '' },
      },
      'org/app': { master: { '.zuul.yaml': appDyn }, feature: { '.zuul.yaml': appDyn } },
    },
  );
  assert.deepEqual(errorsOf(dynamic), []);
  assert.deepEqual(
    dynamic.jobs.get('dyn-job')?.map((v) => v.branchMatcher),
    [{ kind: 'exact', branch: 'master' }],
  );
  assert.deepEqual(
    dynamic.projectTemplates.get('dyn-template')?.map((t) => t.branchMatcher),
    [undefined],
  );
  assert.deepEqual(names(dynamic, 'check', 'org/app', 'master'), ['dyn-template-job', 'dyn-job']);
  assert.deepEqual(names(dynamic, 'check', 'org/app', 'feature'), []);
});

// Any base64 text will do: layouts and freezing never decrypt.
const CIPHER_A = 'QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB';
const CIPHER_B = 'QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJC';
const secretYaml = (name: string, cipher: string) =>
  `- secret:\n    name: ${name}\n    data:\n      password: !encrypted/pkcs1-oaep\n        - ${cipher}\n`;

test('§H rule 15: secrets reach only their stanza’s playbooks (and pass-to-parent parents), harden untrusted jobs, and must be identical across branches', async () => {
  const lib = `${secretYaml('lib_secret', CIPHER_A)}${secretYaml('ptp_secret', CIPHER_B)}
- job:
    name: parent
    pre-run: parent-pre.yaml
    run: parent-run.yaml
    post-run: parent-post.yaml
- job:
    name: with-secrets
    parent: parent
    run: child-run.yaml
    secrets:
      - lib_secret
      - {name: passed, secret: ptp_secret, pass-to-parent: true}
- job: {name: grandchild, parent: with-secrets, run: grandchild-run.yaml}
- job: {name: own-secret, run: own-run.yaml, secrets: [lib_secret], allowed-projects: [org/lib, org/other]}
- project:
    check: {jobs: [with-secrets]}
    post: {jobs: [with-secrets, grandchild, own-secret]}
`;
  const rewrapped = `${CIPHER_A.slice(0, 20)}\n          ${CIPHER_A.slice(20)}`;
  const layout = await build(['org/lib', 'org/other', 'org/third'], {
    'ci/config': config(`${secretYaml('trusted_secret', CIPHER_A)}
- job: {name: trusted-job, run: trusted-run.yaml, secrets: [trusted_secret]}
- project:
    name: org/third
    post: {jobs: [own-secret]}
`),
    'org/lib': {
      master: { '.zuul.yaml': lib },
      // The same ciphertext, wrapped differently: the same bytes.
      stable: {
        '.zuul.yaml': lib.replace(`- ${CIPHER_A}\n`, `- |\n          ${rewrapped}\n`),
      },
      // Re-encrypted: other bytes.
      broken: { '.zuul.yaml': lib.replace(`- ${CIPHER_A}\n`, `- ${CIPHER_B}\n`) },
    },
    'org/other': {
      master: {
        '.zuul.yaml': `- project:
    check: {jobs: [trusted-job]}
    post: {jobs: [own-secret]}
`,
      },
    },
  });
  assert.deepEqual(errorsOf(layout), [
    'Secret lib_secret does not match existing definition in branch master',
  ]);

  const post = freeze(layout, 'post', change('org/lib'));
  const job = jobOf(post, 'with-secrets');
  const seen = (j: typeof job) =>
    [...j.preRun, ...j.run, ...j.postRun].map(
      (p) => `${p.path}: ${p.secrets.map((s) => s.alias).join(',')}`,
    );
  // The declaring stanza's playbook gets both; the parent's playbooks only
  // the secret passed to it.
  assert.deepEqual(seen(job), [
    'parent-pre.yaml: passed',
    'child-run.yaml: lib_secret,passed',
    'parent-post.yaml: passed',
  ]);
  assert.equal(job.run[0]?.secrets[0]?.projectCanonicalName, 'review.example.com/org/lib');
  // Passing a secret to an untrusted parent's playbooks makes the job
  // post-review first; then, as in Zuul 14, the own-project limit (added
  // only to jobs not yet post-review) is not.
  assert.equal(job.postReview, true);
  assert.equal(job.allowedProjects, null);
  // An untrusted job with secrets is post-review and limited to its own
  // project, whatever its allowed-projects say.
  const own = jobOf(post, 'own-secret');
  assert.equal(own.postReview, true);
  assert.deepEqual([...(own.allowedProjects ?? [])], ['org/lib']);
  // Secrets never inherit: the grandchild's own playbook gets none.
  assert.deepEqual(seen(jobOf(post, 'grandchild')), [
    'parent-pre.yaml: passed',
    'grandchild-run.yaml: ',
    'parent-post.yaml: passed',
  ]);
  assert.equal(
    errorOf(freeze(layout, 'check', change('org/lib'))),
    'Pre-review pipeline check does not allow post-review job with-secrets',
  );
  // Another untrusted project may not run it; a config project may attach it.
  assert.equal(
    errorOf(freeze(layout, 'post', change('org/other'))),
    'Project org/other is not allowed to run job own-secret',
  );
  assert.equal(jobOf(freeze(layout, 'post', change('org/third')), 'own-secret').postReview, true);
  // A trusted job's secrets do not harden it.
  const trusted = jobOf(freeze(layout, 'check', change('org/other')), 'trusted-job');
  assert.equal(trusted.postReview, false);
  assert.equal(trusted.allowedProjects, null);
  assert.deepEqual(seen(trusted), ['trusted-run.yaml: trusted_secret']);
});
