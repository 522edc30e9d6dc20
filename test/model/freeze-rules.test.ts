// One test per rule 5–10 of semantics §H, each from a small configuration.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { transitive } from '../../src/model/freeze/index.js';
import {
  BASE_JOB,
  change,
  errorOf,
  freeze,
  jobOf,
  jobsOf,
  layoutOf,
  PIPELINES,
  playbookOrder,
} from './freeze-helpers.js';

test('§H rule 5: variant collection order, default parent, silent non-matches', async () => {
  const layout = await layoutOf(['org/lib'], {
    'ci/config': {
      master: {
        'zuul.yaml': `${PIPELINES}${BASE_JOB}
- job: {name: other-base, parent: null, pre-run: other-pre.yaml}
`,
      },
    },
    'org/lib': {
      master: {
        '.zuul.yaml': `
- job: {name: mid, pre-run: mid-pre.yaml}
- job: {name: child, parent: mid, run: child.yaml}
- job: {name: child, vars: {second: true}}
- job: {name: multi, run: multi.yaml}
- job: {name: multi, parent: other-base, vars: {b: 1}}
- job: {name: multi, vars: {c: 1}}
- job: {name: alt, parent: other-base, run: alt.yaml}
- job: {name: alt, vars: {d: 1}}
- job: {name: stable-only, branches: stable}
- job: {name: orphan, parent: stable-only}
- job: {name: gated}
- project:
    check:
      jobs:
        - child
        - multi
        - alt
        - orphan
        - gated: {branches: stable}
`,
      },
      stable: {
        '.zuul.yaml': `
- job: {name: child, branches: [master, stable], vars: {from_stable: true}}
`,
      },
    },
  });
  const result = freeze(layout, 'check', change('org/lib', 'master'));
  const jobs = jobsOf(result);
  // `orphan`'s parent has no variant for master and `gated`'s only entry
  // is for stable: both silently absent, no error.
  assert.deepEqual([...jobs.keys()], ['child', 'multi', 'alt']);
  const child = jobs.get('child')!;
  const names = child.inheritancePath.map((l) => /^<Job (\S+)/.exec(l)![1]);
  // base (default parent of `mid`), mid, child's master variants in file
  // order, the stable-branch variant (default branch first), the entry.
  assert.deepEqual(names, ['base', 'mid', 'child', 'child', 'child', 'child']);
  assert.match(child.inheritancePath[4], /@stable#/);
  assert.deepEqual(child.vars, { second: true, from_stable: true });
  assert.deepEqual(playbookOrder(child), ['mid-pre.yaml', 'child.yaml']);

  // The default parent joins only before the first collected variant; a
  // later variant's own parent chain is inserted just before it.
  const multi = jobs.get('multi')!;
  const multiNames = multi.inheritancePath.map((l) => /^<Job (\S+)/.exec(l)![1]);
  assert.deepEqual(multiNames, ['base', 'multi', 'other-base', 'multi', 'multi', 'multi']);
  assert.deepEqual(playbookOrder(multi), ['other-pre.yaml', 'multi.yaml']);
  assert.deepEqual(multi.vars, { b: 1, c: 1 });
  // The first collected variant had a parent: no default parent at all.
  const alt = jobs.get('alt')!;
  assert.deepEqual(
    alt.inheritancePath.map((l) => /^<Job (\S+)/.exec(l)![1]),
    ['other-base', 'alt', 'alt', 'alt'],
  );
});

test('§H rule 6: how each attribute combines', async () => {
  const layout = await layoutOf(['org/lib', 'org/dep1', 'org/dep2', 'org/roles'], {
    'ci/config': {
      master: {
        'zuul.yaml': `${PIPELINES}
- job:
    name: base
    parent: null
    pre-run: base-pre.yaml
    run: base-run.yaml
    post-run: base-post.yaml
    vars: {a: {x: 1, l: [1]}, keep: 1}
    files: ['^base/']
    tags: [t-base]
    required-projects: [{name: org/dep1, override-checkout: old}]
    allowed-projects: [org/lib, org/dep1]
    abstract: true
- secret:
    name: base_secret
    data: {k: v}
- job:
    name: with-secret
    secrets: [base_secret]
    run: secret-run.yaml
`,
      },
    },
    'org/lib': {
      master: {
        '.zuul.yaml': `
- job:
    name: child
    roles: [{zuul: org/roles}]
    pre-run: child-pre.yaml
    run: child-run.yaml
    post-run: [child-post1.yaml, child-post2.yaml]
    vars: {a: {y: 2, l: [2]}}
    files: ['^child/']
    tags: [t-child]
    required-projects: [{name: org/dep1}, org/dep2]
    allowed-projects: [org/lib]
    post-review: true
- job:
    name: child
    tags: !override [t-only]
    vars: !override {fresh: 1}
- job:
    name: grandchild
    parent: with-secret
- project:
    post:
      jobs: [child, grandchild]
`,
      },
    },
  });
  const result = freeze(layout, 'post', change('org/lib', 'master'));
  const child = jobOf(result, 'child');
  // run replaces, pre-run appends (parent first), post-run prepends (child
  // first, in listed order).
  assert.deepEqual(
    child.run.map((p) => p.path),
    ['child-run.yaml'],
  );
  assert.deepEqual(
    child.preRun.map((p) => p.path),
    ['base-pre.yaml', 'child-pre.yaml'],
  );
  assert.deepEqual(
    child.postRun.map((p) => p.path),
    ['child-post1.yaml', 'child-post2.yaml', 'base-post.yaml'],
  );
  // !override on vars and tags flips deep-merge / union to replace.
  assert.deepEqual(child.vars, { fresh: 1 });
  assert.deepEqual(child.tags, ['t-only']);
  // files replace.
  assert.deepEqual(
    child.files?.map((r) => r.pattern),
    ['^child/'],
  );
  // required-projects merge per project (the child's entry for dep1 wins).
  assert.deepEqual(
    [...child.requiredProjects.values()],
    [
      {
        projectCanonicalName: 'review.example.com/org/dep1',
        overrideBranch: null,
        overrideCheckout: null,
      },
      {
        projectCanonicalName: 'review.example.com/org/dep2',
        overrideBranch: null,
        overrideCheckout: null,
      },
    ],
  );
  // allowed-projects intersect.
  assert.deepEqual([...(child.allowedProjects ?? [])], ['org/lib']);
  // roles: newer first, before the implicit roles; the base playbooks keep
  // the roles of their time.
  assert.deepEqual(
    child.roles.map((r) => `${r.targetName}${r.implicit ? '*' : ''}`),
    ['lib*', 'roles', 'config*'],
  );
  assert.deepEqual(
    child.preRun[0].roles.map((r) => r.targetName),
    ['config'],
  );
  // post-review is sticky; abstract resets on inheritance.
  assert.equal(child.postReview, true);
  assert.equal(child.abstract, false);

  // Deep merge without !override: nested mappings merge, lists are leaves.
  const grand = jobOf(result, 'grandchild');
  assert.deepEqual(grand.vars, { a: { x: 1, l: [1] }, keep: 1 });
  // Secrets never inherit: the child's own playbooks (none here) would not
  // get them, the parent's playbook keeps its own.
  assert.deepEqual(
    grand.run.map((p) => [p.path, p.secrets.map((s) => s.alias)]),
    [['secret-run.yaml', ['base_secret']]],
  );
  assert.deepEqual(grand.preRun[0].secrets, []);
});

test('§H rule 7: project/template vars < job vars < project-pipeline variant vars', async () => {
  const layout = await layoutOf(['org/lib'], {
    'ci/config': {
      master: {
        'zuul.yaml': `${PIPELINES}${BASE_JOB}
- project-template:
    name: tmpl
    vars: {p: template, q: template, r: template, n: {t: 1, j: 0}}
    check:
      jobs: [job]
`,
      },
    },
    'org/lib': {
      master: {
        '.zuul.yaml': `
- job:
    name: job
    vars: {r: job, s: job, n: {j: 1}}
- project:
    templates: [tmpl]
    vars: {q: project, s: project}
    check:
      jobs:
        - job: {vars: {s: variant, n: {v: 1}}}
`,
      },
    },
  });
  const job = jobOf(freeze(layout, 'check', change('org/lib')), 'job');
  assert.deepEqual(job.vars, {
    p: 'template',
    q: 'project',
    r: 'job',
    s: 'variant',
    n: { t: 1, j: 1, v: 1 },
  });
});

test('§H rule 8: final/protected block execution attributes, not context ones', async () => {
  const files = (entry: string) => ({
    'ci/config': {
      master: {
        'zuul.yaml': `${PIPELINES}${BASE_JOB}
- job:
    name: locked
    final: true
    tags: [locked]
    attribute-control: {tags: {final: true}}
- job:
    name: guarded
    protected: true
    branches: master
- job:
    name: guarded
    branches: stable
`,
      },
    },
    'org/lib': {
      master: {
        '.zuul.yaml': `
- job: {name: guarded-child, parent: guarded}
- project:
    check:
      jobs:
        - ${entry}
`,
      },
    },
  });
  // Context attributes on a final job: fine.
  let layout = await layoutOf(
    ['org/lib'],
    files("locked: {voting: false, files: ['^src/'], dependencies: [], failure-message: 'no'}"),
  );
  const locked = jobOf(freeze(layout, 'check', change('org/lib')), 'locked');
  assert.equal(locked.voting, false);
  assert.equal(locked.failureMessage, 'no');
  // An execution attribute on a final job: the item fails.
  layout = await layoutOf(['org/lib'], files('locked: {timeout: 10}'));
  assert.match(
    errorOf(freeze(layout, 'check', change('org/lib'))),
    /^Unable to modify final job <Job locked .*> attribute timeout=10 with variant <Job locked /,
  );
  // attribute-control finalizes a context attribute.
  layout = await layoutOf(['org/lib'], files('locked: {tags: [x]}'));
  assert.match(
    errorOf(freeze(layout, 'check', change('org/lib'))),
    /^Unable to modify job <Job locked .*> final attribute tags=\['x'\] with variant/,
  );
  // A protected job: another project may attach it with context attributes…
  layout = await layoutOf(['org/lib'], files('guarded: {voting: false}'));
  assert.equal(jobOf(freeze(layout, 'check', change('org/lib')), 'guarded').voting, false);
  // …but not inherit from it (a job stanza always sets its roles).
  layout = await layoutOf(['org/lib'], files('guarded-child'));
  assert.equal(
    errorOf(freeze(layout, 'check', change('org/lib'))).replace(/<Job [^>]*>/, '<Job>'),
    'Job <Job> which is defined in review.example.com/ci/config is protected and cannot be inherited from other projects.',
  );
});

test('§H rule 9: file matchers on the frozen job, /COMMIT_MSG, irrelevant-files, forcing', async () => {
  const layout = await layoutOf(['org/lib'], {
    'ci/config': { master: { 'zuul.yaml': `${PIPELINES}${BASE_JOB}` } },
    'org/lib': {
      master: {
        '.zuul.yaml': `
- job: {name: docs, files: ['^src/']}
- job: {name: unit, irrelevant-files: ['^docs/', '^README']}
- job: {name: build, files: ['^never/']}
- job: {name: publish, files: ['^src/'], dependencies: [build]}
- project:
    check:
      jobs:
        - docs: {files: ['^doc/']}
        - unit
        - build
        - publish
`,
      },
    },
  });
  const names = (files: string[] | null) => {
    const r = freeze(layout, 'check', change('org/lib', 'master', files));
    return [...jobsOf(r).keys()].sort();
  };
  // The entry's `files` replaced the job's: only doc/ changes run `docs`.
  assert.deepEqual(names(['doc/index.rst']), ['docs', 'unit']);
  // irrelevant-files skips only when every file matches; publish runs for
  // src/ and forces its hard dependency `build` back in.
  assert.deepEqual(names(['docs/a', 'src/x.c']), ['build', 'publish', 'unit']);
  assert.deepEqual(names(['docs/a', 'README']), []);
  // No file list, an empty one, or only the commit message: everything runs.
  const all = ['build', 'docs', 'publish', 'unit'];
  assert.deepEqual(names(null), all);
  assert.deepEqual(names([]), all);
  assert.deepEqual(names(['/COMMIT_MSG']), all);
  // match-on-config-updates: a job whose definition the item changes ignores its matchers.
  const r = freeze(layout, 'check', change('org/lib', 'master', ['other']), {
    updatesJobConfig: (job) => job.name === 'docs',
  });
  assert.deepEqual([...jobsOf(r).keys()].sort(), ['docs', 'unit']);
});

test('§H rule 10: missing hard dependency fails the item, soft ones are dropped', async () => {
  const layout = await layoutOf(['org/lib'], {
    'ci/config': { master: { 'zuul.yaml': `${PIPELINES}${BASE_JOB}` } },
    'org/lib': {
      master: {
        '.zuul.yaml': `
- job: {name: a}
- job: {name: b, dependencies: [a]}
- job: {name: c, dependencies: [{name: b, soft: true}]}
- job: {name: d, dependencies: [{name: elsewhere, soft: true}, c]}
- job: {name: elsewhere}
- project:
    check:
      jobs: [a, b, c, d]
    gate:
      jobs: [b]
`,
      },
    },
  });
  const ok = freeze(layout, 'check', change('org/lib'));
  assert.ok(ok.ok);
  const byName = jobsOf(ok);
  // The soft dependency on a job not in the graph is dropped.
  assert.deepEqual(
    ok.graph.dependencies.get(byName.get('d')!)!.map((e) => e.job.name),
    ['c'],
  );
  // A failed build skips every transitive dependent, soft edges included;
  // child_jobs skipping follows hard edges only.
  const a = byName.get('a')!;
  assert.deepEqual(
    transitive(ok.graph.dependents, a)
      .map((j) => j.name)
      .sort(),
    ['b', 'c', 'd'],
  );
  assert.deepEqual(
    transitive(ok.graph.dependents, a, true).map((j) => j.name),
    ['b'],
  );

  const failed = freeze(layout, 'gate', change('org/lib'));
  assert.ok(!failed.ok);
  assert.equal(failed.message, 'Unable to freeze job graph: Job b depends on a which was not run.');
});
