// `- job:` stanzas through parseConfigFile (semantics §C.2, zuul14 §C.2):
// every attribute, its defaults (left undefined so inheritance can tell
// "not set" from "set"), scalar-or-list forms, override control, and one
// precisely placed error per bad stanza that never hides its neighbours.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { JobVariant } from '../../src/model/job.js';
import {
  assertIsolatedError,
  lineOf,
  oneError,
  parse,
  parseClean,
  SOURCE,
  y,
} from './parsers-helpers.js';

/** Parses one job stanza that must load cleanly. */
function job(text: string): JobVariant {
  const r = parseClean(text);
  assert.equal(r.jobs.length, 1);
  return r.jobs[0]!;
}

/** A job with `attrs` (YAML lines indented for the stanza body). */
function jobWith(attrs: string): JobVariant {
  return job(`- job:\n    name: j\n${attrs.replace(/^/gm, '    ')}\n`);
}

function stanza(attrs: string): string {
  return `- job:\n    name: j\n${attrs.replace(/^/gm, '    ')}\n`;
}

describe('job: minimal stanza and defaults', () => {
  test('only a name: every optional attribute stays undefined', () => {
    const j = job(y`
      - job:
          name: unit-tests
    `);
    assert.deepEqual(Object.keys(j).sort(), ['line', 'name', 'overrideControl', 'sourceContext']);
    assert.equal(j.name, 'unit-tests');
    assert.deepEqual(j.overrideControl, {});
    assert.deepEqual(j.sourceContext, SOURCE);
    assert.equal('parent' in j, false, 'no parent key: the tenant default parent applies');
  });

  test('line is the 0-based line of the stanza', () => {
    const text = y`
      # leading comment
      - job:
          name: first

      - job:
          name: second
    `;
    const r = parseClean(text);
    assert.deepEqual(
      r.jobs.map((j) => [j.name, j.line]),
      [
        ['first', lineOf(text, '- job:') - 1],
        ['second', lineOf(text, '- job:', 2) - 1],
      ],
    );
  });

  test('parent: null makes a base job; a string names the parent', () => {
    assert.equal(jobWith('parent: null').parent, null);
    assert.equal(jobWith('parent: ~').parent, null);
    assert.equal(jobWith('parent: base').parent, 'base');
  });

  test('false and zero values are kept, not dropped as unset', () => {
    const j = jobWith(y`
      voting: false
      abstract: false
      final: false
      protected: false
      hold-following-changes: false
      match-on-config-updates: false
      ansible-split-streams: false
      workspace-checkout: false
      deduplicate: false
      timeout: 0
    `);
    assert.equal(j.voting, false);
    assert.equal(j.abstract, false);
    assert.equal(j.final, false);
    assert.equal(j.protected, false);
    assert.equal(j.holdFollowingChanges, false);
    assert.equal(j.matchOnConfigUpdates, false);
    assert.equal(j.ansibleSplitStreams, false);
    assert.equal(j.workspaceCheckout, false);
    assert.equal(j.deduplicate, false);
    assert.equal(j.timeout, 0);
  });

  test('PyYAML booleans (yes/no/on/off) are booleans', () => {
    const j = jobWith('voting: no\nabstract: yes\nfinal: On\nprotected: OFF');
    assert.equal(j.voting, false);
    assert.equal(j.abstract, true);
    assert.equal(j.final, true);
    assert.equal(j.protected, false);
  });
});

describe('job: every attribute', () => {
  const text = y`
    - job:
        name: full
        parent: base
        description: A job.
        variant-description: the variant
        abstract: true
        final: false
        protected: true
        intermediate: true
        attribute-control:
          vars:
            final: true
          requires:
            final: true
        success-message: yay
        failure-message: boo
        hold-following-changes: true
        voting: false
        semaphores:
          - sem-a
          - name: sem-b
            resources-first: true
        tags: [t1, t2]
        provides: artifact-a
        requires: [artifact-b]
        secrets:
          - plain
          - name: alias
            secret: real
            pass-to-parent: true
        nodeset: ubuntu-noble
        override-checkout: stable/2024
        override-branch: stable/2023
        pre-timeout: 100
        timeout: 1800
        post-timeout: 600
        attempts: 5
        pre-run: playbooks/pre.yaml
        run: playbooks/run.yaml
        post-run: playbooks/post.yaml
        ansible-split-streams: true
        ansible-version: 9
        roles:
          - zuul: org/roles
          - zuul: org/more-roles
            name: more
          - galaxy: some.role
        required-projects:
          - org/lib
          - name: org/other
            override-checkout: feature
            override-branch: feature-old
        include-projects: org/lib
        exclude-projects:
          - type: change
        vars:
          tox_env: py312
          nested:
            a: [1, 2]
        extra-vars:
          ev: 1
        host-vars:
          controller:
            hv: 2
        group-vars:
          computes:
            gv: 3
        include-vars:
          - vars.yaml
          - name: other.yaml
            project: org/other
            required: false
          - name: zp.yaml
            zuul-project: true
            use-ref: false
        dependencies:
          - build
          - name: lint
            soft: true
        allowed-projects: [org/project, org/lib]
        post-review: true
        branches: ^stable/.*$
        files:
          - ^src/
          - regex: ^doc/
            negate: true
        irrelevant-files: ^README$
        match-on-config-updates: false
        deduplicate: auto
        failure-output: ['^FAIL', 'error:']
        workspace-scheme: flat
        workspace-checkout: auto
        image-name: debian-bookworm
        type: initializer
        failure-url: http://example.com/f
        success-url: http://example.com/s
  `;

  test('all attributes parse into the job variant', () => {
    const j = job(text);
    assert.equal(j.parent, 'base');
    assert.equal(j.description, 'A job.');
    assert.equal(j.variantDescription, 'the variant');
    assert.equal(j.abstract, true);
    assert.equal(j.final, false);
    assert.equal(j.protected, true);
    assert.equal(j.intermediate, true);
    assert.deepEqual(j.attributeControl, { vars: { final: true }, requires: { final: true } });
    assert.equal(j.successMessage, 'yay');
    assert.equal(j.failureMessage, 'boo');
    assert.equal(j.holdFollowingChanges, true);
    assert.equal(j.voting, false);
    assert.deepEqual(j.semaphores, [
      { name: 'sem-a', resourcesFirst: false },
      { name: 'sem-b', resourcesFirst: true },
    ]);
    assert.deepEqual(j.tags, ['t1', 't2']);
    assert.deepEqual(j.provides, ['artifact-a']);
    assert.deepEqual(j.requires, ['artifact-b']);
    assert.deepEqual(j.secrets, [
      { name: 'plain', secret: 'plain', passToParent: false },
      { name: 'alias', secret: 'real', passToParent: true },
    ]);
    assert.equal(j.nodeset, 'ubuntu-noble');
    assert.equal(j.overrideCheckout, 'stable/2024');
    assert.equal(j.overrideBranch, 'stable/2023');
    assert.equal(j.preTimeout, 100);
    assert.equal(j.timeout, 1800);
    assert.equal(j.postTimeout, 600);
    assert.equal(j.attempts, 5);
    assert.deepEqual(j.preRun, [{ path: 'playbooks/pre.yaml', semaphores: [], cleanup: false }]);
    assert.deepEqual(j.run, [{ path: 'playbooks/run.yaml', semaphores: [], cleanup: false }]);
    assert.deepEqual(j.postRun, [{ path: 'playbooks/post.yaml', semaphores: [], cleanup: false }]);
    assert.equal(j.cleanupRun, undefined);
    assert.equal(j.ansibleSplitStreams, true);
    assert.equal(j.ansibleVersion, '9');
    assert.deepEqual(j.roles, [
      { type: 'zuul', project: 'org/roles' },
      { type: 'zuul', project: 'org/more-roles', name: 'more' },
      { type: 'galaxy', name: 'some.role' },
    ]);
    assert.deepEqual(j.requiredProjects, [
      { project: 'org/lib' },
      { project: 'org/other', overrideCheckout: 'feature', overrideBranch: 'feature-old' },
    ]);
    assert.deepEqual(j.includeProjects, [{ type: 'name', name: 'org/lib' }]);
    assert.deepEqual(j.excludeProjects, [{ type: 'change' }]);
    assert.deepEqual(j.vars, { tox_env: 'py312', nested: { a: [1, 2] } });
    assert.deepEqual(j.extraVars, { ev: 1 });
    assert.deepEqual(j.hostVars, { controller: { hv: 2 } });
    assert.deepEqual(j.groupVars, { computes: { gv: 3 } });
    assert.deepEqual(j.includeVars, [
      { name: 'vars.yaml', zuulProject: false, useRef: true, required: true },
      {
        name: 'other.yaml',
        project: 'org/other',
        zuulProject: false,
        useRef: true,
        required: false,
      },
      { name: 'zp.yaml', project: undefined, zuulProject: true, useRef: false, required: true },
    ]);
    assert.deepEqual(j.dependencies, [
      { name: 'build', soft: false },
      { name: 'lint', soft: true },
    ]);
    assert.deepEqual(j.allowedProjects, ['org/project', 'org/lib']);
    assert.equal(j.postReview, true);
    assert.deepEqual(
      j.branches?.map((b) => [b.pattern, b.negate]),
      [['^stable/.*$', false]],
    );
    assert.deepEqual(
      j.files?.map((b) => [b.pattern, b.negate]),
      [
        ['^src/', false],
        ['^doc/', true],
      ],
    );
    assert.deepEqual(
      j.irrelevantFiles?.map((b) => b.pattern),
      ['^README$'],
    );
    assert.equal(j.matchOnConfigUpdates, false);
    assert.equal(j.deduplicate, 'auto');
    assert.deepEqual(j.failureOutput, ['^FAIL', 'error:']);
    assert.equal(j.workspaceScheme, 'flat');
    assert.equal(j.workspaceCheckout, 'auto');
    assert.equal(j.imageName, 'debian-bookworm');
    assert.equal(j.type, 'initializer');
    assert.deepEqual(j.overrideControl, {});
  });

  test('the ignored failure-url/success-url are accepted', () => {
    const j = jobWith('failure-url: x\nsuccess-url: y');
    assert.equal(j.name, 'j');
  });

  for (const t of ['regular', 'initializer', 'reporter']) {
    test(`type: ${t}`, () => assert.equal(jobWith(`type: ${t}`).type, t));
  }
  for (const s of ['golang', 'flat', 'unique']) {
    test(`workspace-scheme: ${s}`, () =>
      assert.equal(jobWith(`workspace-scheme: ${s}`).workspaceScheme, s));
  }
  for (const [v, want] of [
    ['true', true],
    ['false', false],
    ['auto', 'auto'],
  ] as const) {
    test(`deduplicate: ${v} and workspace-checkout: ${v}`, () => {
      const j = jobWith(`deduplicate: ${v}\nworkspace-checkout: ${v}`);
      assert.equal(j.deduplicate, want);
      assert.equal(j.workspaceCheckout, want);
    });
  }

  test('image-build-name (the development name) is accepted as image-name', () => {
    assert.equal(jobWith('image-build-name: debian').imageName, 'debian');
    assert.equal(jobWith('image-name: ubuntu').imageName, 'ubuntu');
  });

  test('the deprecated semaphore form, and semaphores winning over it', () => {
    assert.deepEqual(jobWith('semaphore: one').semaphores, [
      { name: 'one', resourcesFirst: false },
    ]);
    assert.deepEqual(jobWith('semaphore:\n  name: one\n  resources-first: true').semaphores, [
      { name: 'one', resourcesFirst: true },
    ]);
    assert.deepEqual(jobWith('semaphore: one\nsemaphores: two').semaphores, [
      { name: 'two', resourcesFirst: false },
    ]);
  });
});

describe('job: scalar-or-list attributes', () => {
  const cases: [string, string, string, (j: JobVariant) => unknown][] = [
    ['tags', 'a', '[a]', (j) => j.tags],
    ['provides', 'a', '[a]', (j) => j.provides],
    ['requires', 'a', '[a]', (j) => j.requires],
    ['secrets', 's', '[s]', (j) => j.secrets],
    ['semaphores', 's', '[s]', (j) => j.semaphores],
    ['pre-run', 'p.yaml', '[p.yaml]', (j) => j.preRun],
    ['run', 'p.yaml', '[p.yaml]', (j) => j.run],
    ['post-run', 'p.yaml', '[p.yaml]', (j) => j.postRun],
    ['required-projects', 'org/a', '[org/a]', (j) => j.requiredProjects],
    ['include-projects', 'org/a', '[org/a]', (j) => j.includeProjects],
    ['exclude-projects', 'org/a', '[org/a]', (j) => j.excludeProjects],
    ['include-vars', 'v.yaml', '[v.yaml]', (j) => j.includeVars],
    ['dependencies', 'd', '[d]', (j) => j.dependencies],
    ['allowed-projects', 'org/a', '[org/a]', (j) => j.allowedProjects],
    ['branches', 'master', '[master]', (j) => j.branches],
    ['files', '^a', "['^a']", (j) => j.files],
    ['irrelevant-files', '^a', "['^a']", (j) => j.irrelevantFiles],
    ['failure-output', 'x', '[x]', (j) => j.failureOutput],
  ];
  for (const [attr, scalar, list, get] of cases) {
    test(`${attr}: a single value is a one-element list`, () => {
      const one = get(jobWith(`${attr}: ${scalar}`));
      const many = get(jobWith(`${attr}: ${list}`));
      assert.ok(Array.isArray(one) && one.length === 1, `${attr}: ${JSON.stringify(one)}`);
      assert.deepEqual(one, many);
    });
  }

  test('a playbook may be a mapping with semaphores, singly or listed', () => {
    const j = jobWith(y`
      pre-run:
        name: pre.yaml
        semaphores: s1
      run:
        - one.yaml
        - name: two.yaml
          semaphores: [s2, s3]
      post-run:
        - name: post.yaml
          cleanup: true
        - name: post2.yaml
          semaphores: s4
    `);
    assert.deepEqual(j.preRun, [{ path: 'pre.yaml', semaphores: ['s1'], cleanup: false }]);
    assert.deepEqual(j.run, [
      { path: 'one.yaml', semaphores: [], cleanup: false },
      { path: 'two.yaml', semaphores: ['s2', 's3'], cleanup: false },
    ]);
    assert.deepEqual(j.postRun, [
      { path: 'post.yaml', semaphores: [], cleanup: true },
      { path: 'post2.yaml', semaphores: ['s4'], cleanup: false },
    ]);
  });
});

describe('job: override control (!override / !inherit)', () => {
  const controlled: [string, string][] = [
    ['tags', '[a]'],
    ['provides', '[a]'],
    ['requires', '[a]'],
    ['required-projects', '[org/a]'],
    ['include-projects', '[org/a]'],
    ['exclude-projects', '[org/a]'],
    ['vars', '{a: 1}'],
    ['extra-vars', '{a: 1}'],
    ['host-vars', '{h: {a: 1}}'],
    ['group-vars', '{g: {a: 1}}'],
    ['include-vars', '[v.yaml]'],
    ['dependencies', '[d]'],
    ['files', "['^a']"],
    ['irrelevant-files', "['^a']"],
    ['failure-output', '[x]'],
  ];
  for (const [attr, value] of controlled) {
    test(`${attr} accepts both tags and records them`, () => {
      const plain = jobWith(`${attr}: ${value}`);
      const over = jobWith(`${attr}: !override ${value}`);
      const inherit = jobWith(`${attr}: !inherit ${value}`);
      assert.deepEqual(over.overrideControl, { [attr]: true });
      assert.deepEqual(inherit.overrideControl, { [attr]: false });
      // The tag does not change the value itself.
      const strip = (j: JobVariant) => ({ ...j, overrideControl: {} });
      assert.deepEqual(strip(over), strip(plain));
      assert.deepEqual(strip(inherit), strip(plain));
    });
  }

  test('a tagged scalar is a one-element list', () => {
    const j = jobWith('tags: !override solo');
    assert.deepEqual(j.tags, ['solo']);
    assert.deepEqual(j.overrideControl, { tags: true });
  });

  test('block-style tagged values', () => {
    const j = jobWith(y`
      vars: !override
        a: 1
      dependencies: !inherit
        - build
    `);
    assert.deepEqual(j.vars, { a: 1 });
    assert.deepEqual(j.dependencies, [{ name: 'build', soft: false }]);
    assert.deepEqual(j.overrideControl, { vars: true, dependencies: false });
  });

  const unsupported: [string, string][] = [
    ['run', 'playbooks/run.yaml'],
    ['pre-run', '[a.yaml]'],
    ['voting', 'true'],
    ['timeout', '5'],
    ['parent', 'base'],
    ['semaphores', '[s]'],
    ['nodeset', 'n'],
    ['branches', 'master'],
    ['secrets', '[s]'],
    ['allowed-projects', '[org/a]'],
  ];
  for (const [attr, value] of unsupported) {
    for (const tag of ['override', 'inherit']) {
      test(`!${tag} is rejected on ${attr}`, () => {
        assertIsolatedError(stanza(`${attr}: !${tag} ${value}`), {
          message: new RegExp(`!${tag} tag is not supported on the "${attr}" attribute`),
          at: `${attr}:`,
        });
      });
    }
  }

  test('!override is rejected on name', () => {
    assertIsolatedError('- job:\n    name: !override j\n', {
      message: /!override tag is not supported on the "name" attribute/,
      at: 'name:',
    });
  });

  test('a tag below the attribute level is rejected', () => {
    assertIsolatedError(stanza('vars:\n  outer:\n    inner: !override 1'), {
      message: /!override tag is only supported on job attributes/,
      at: 'inner:',
    });
  });
});

describe('job: cleanup-run (deprecated)', () => {
  test('gives a "Cleanup Run Deprecation" warning and keeps the job', () => {
    const r = assertIsolatedError(
      stanza('cleanup-run:\n  - c1.yaml\n  - name: c2.yaml\n    semaphores: s'),
      {
        name: 'Cleanup Run Deprecation',
        severity: 'warning',
        message: /cleanup-run.*deprecated/,
        at: 'cleanup-run:',
        kept: true,
      },
    );
    const j = r.jobs.find((x) => x.name === 'j')!;
    assert.deepEqual(j.cleanupRun, [
      { path: 'c1.yaml', semaphores: [], cleanup: true },
      { path: 'c2.yaml', semaphores: ['s'], cleanup: true },
    ]);
  });
});

describe('job: secrets', () => {
  test('string, mapping and pass-to-parent forms', () => {
    const j = jobWith(y`
      secrets:
        - plain_secret
        - name: alias
          secret: obj
        - name: ptp
          secret: obj2
          pass-to-parent: false
    `);
    assert.deepEqual(j.secrets, [
      { name: 'plain_secret', secret: 'plain_secret', passToParent: false },
      { name: 'alias', secret: 'obj', passToParent: false },
      { name: 'ptp', secret: 'obj2', passToParent: false },
    ]);
  });

  test('the short form must be a variable name too (Zuul: secret-inheritance fixture)', () => {
    assertIsolatedError(stanza('secrets: [my-secret]'), {
      message: /Variable names may only contain letters, numbers, and underscores/,
      at: 'my-secret',
      // Zuul reports it and keeps the job, so children still find it.
      kept: true,
    });
  });

  test('an alias that is not a valid variable name is an error', () => {
    assertIsolatedError(stanza('secrets:\n  - name: my-alias\n    secret: s'), {
      message: /Variable names may only contain letters, numbers, and underscores/,
      at: 'my-alias',
      kept: true,
    });
  });

  for (const reserved of ['zuul', 'nodepool', 'unsafe_vars', 'ansible_host']) {
    test(`the alias "${reserved}" is reserved`, () => {
      assertIsolatedError(stanza(`secrets:\n  - ok\n  - name: ${reserved}\n    secret: s`), {
        message: new RegExp(
          `Defining a variable named .${reserved}. is not allowed|Variables named .zuul., .nodepool., or .unsafe_vars. are not allowed`,
        ),
        at: `name: ${reserved}`,
        kept: true,
      });
    });
  }

  test('a mapping without "secret" is an error at the item', () => {
    assertIsolatedError(stanza('secrets:\n  - name: alias'), {
      message: /required key not provided @ data\['secrets'\]\[0\]\['secret'\]/,
      at: 'name: alias',
    });
  });
});

describe('job: variable names', () => {
  const reserved = [
    'zuul',
    'nodepool',
    'unsafe_vars',
    'ansible_connection',
    'ansible_host',
    'ansible_python_interpreter',
    'ansible_shell_executable',
    'ansible_user',
  ];
  for (const name of reserved) {
    for (const attr of ['vars', 'extra-vars']) {
      test(`${attr} may not set "${name}"`, () => {
        assertIsolatedError(stanza(`${attr}:\n  fine: 1\n  ${name}: x`), {
          message: new RegExp(`Defining a variable named .${name}. is not allowed`),
          at: `${name}:`,
        });
      });
    }
    for (const attr of ['host-vars', 'group-vars']) {
      test(`${attr} may not set "${name}" for a host or group`, () => {
        assertIsolatedError(stanza(`${attr}:\n  target:\n    fine: 1\n    ${name}: x`), {
          message: new RegExp(`Defining a variable named .${name}. is not allowed`),
          at: `${name}:`,
        });
      });
    }
  }

  for (const bad of ['1abc', 'foo-bar', 'with space', '_leading', 'dotted.name']) {
    test(`"${bad}" is not a valid variable name`, () => {
      assertIsolatedError(stanza(`vars:\n  '${bad}': 1`), {
        message: /Variable names may only contain letters, numbers, and underscores/,
        at: `'${bad}'`,
      });
    });
  }

  test('valid names, nested keys and host names are not restricted', () => {
    const j = jobWith(y`
      vars:
        Foo_1: x
        nested:
          zuul: not-checked
          'any-key': 1
      host-vars:
        host-1.example.com:
          ok_var: 1
      group-vars:
        'group-with-dash':
          ok_var: 2
    `);
    assert.deepEqual(j.vars, { Foo_1: 'x', nested: { zuul: 'not-checked', 'any-key': 1 } });
    assert.deepEqual(j.hostVars, { 'host-1.example.com': { ok_var: 1 } });
  });

  test('host-vars values must be mappings', () => {
    assertIsolatedError(stanza('host-vars:\n  h: 5'), {
      message: /expected a dictionary for dictionary value @ data\['host-vars'\]\['h'\]/,
      at: 'h: 5',
    });
  });
});

describe('job: semantic checks', () => {
  test('post-review: false is an error', () => {
    assertIsolatedError(stanza('post-review: false'), {
      message: /Once set, the post-review attribute may not be unset/,
      at: 'post-review',
    });
  });

  test('post-review: true', () => {
    assert.equal(jobWith('post-review: true').postReview, true);
  });

  test('intermediate without abstract is an error', () => {
    assertIsolatedError(stanza('description: x\nintermediate: true'), {
      message: /An intermediate job must also be abstract/,
      at: 'intermediate',
    });
    assertIsolatedError(stanza('intermediate: true\nabstract: false'), {
      message: /An intermediate job must also be abstract/,
      at: 'intermediate',
    });
  });

  test('intermediate with abstract is fine', () => {
    const j = jobWith('intermediate: true\nabstract: true');
    assert.equal(j.intermediate, true);
    assert.equal(j.abstract, true);
  });

  const allowed = [
    'requires',
    'provides',
    'tags',
    'files',
    'irrelevant-files',
    'required-projects',
    'include-projects',
    'exclude-projects',
    'vars',
    'extra-vars',
    'host-vars',
    'group-vars',
    'include-vars',
    'dependencies',
    'failure-output',
    'type',
  ];
  test('attribute-control accepts every allowed attribute', () => {
    const j = jobWith(
      `attribute-control:\n${allowed.map((a) => `  ${a}:\n    final: true`).join('\n')}`,
    );
    assert.deepEqual(Object.keys(j.attributeControl!).sort(), [...allowed].sort());
    for (const a of allowed) assert.deepEqual(j.attributeControl![a], { final: true });
  });

  for (const bad of ['run', 'voting', 'timeout', 'nodeset', 'bogus']) {
    test(`attribute-control rejects "${bad}"`, () => {
      assertIsolatedError(
        stanza(`attribute-control:\n  vars:\n    final: true\n  ${bad}:\n    final: true`),
        { message: new RegExp(`"${bad}" may not be controlled`), at: `  ${bad}:` },
      );
    });
  }

  test('attribute-control: only "final" may be set', () => {
    assertIsolatedError(stanza('attribute-control:\n  vars:\n    bogus: true'), {
      message: /extra keys not allowed @ data\['attribute-control'\]\['vars'\]\['bogus'\]/,
      at: 'bogus',
    });
  });

  for (const [written, want] of [
    ["'9'", '9'],
    ['9', '9'],
    ["'11'", '11'],
    ['11', '11'],
  ] as const) {
    test(`ansible-version: ${written} is accepted as "${want}"`, () => {
      assert.equal(jobWith(`ansible-version: ${written}`).ansibleVersion, want);
    });
  }
  for (const bad of ["'8'", '8', '2.9', "'10'"]) {
    test(`ansible-version: ${bad} is rejected`, () => {
      assertIsolatedError(stanza(`ansible-version: ${bad}`), {
        message: /Ansible version ".*" is not supported/,
        at: 'ansible-version',
      });
    });
  }

  test('pre-timeout greater than timeout is "Pre-Timeout Exceeds Timeout"', () => {
    const e = assertIsolatedError(stanza('timeout: 100\npre-timeout: 200'), {
      name: 'Pre-Timeout Exceeds Timeout',
      message: /The job "j" has a pre-timeout of 200 that exceeds its timeout of 100\./,
      at: 'pre-timeout',
    }).errors[0]!;
    assert.equal(e.severity, 'error');
  });

  test('pre-timeout equal to timeout, or without timeout, is fine', () => {
    assert.equal(jobWith('timeout: 100\npre-timeout: 100').preTimeout, 100);
    assert.equal(jobWith('pre-timeout: 100').preTimeout, 100);
  });

  test('a semaphore used by the job and a playbook is an error', () => {
    assertIsolatedError(stanza('semaphores: [a, b]\nrun:\n  - name: r.yaml\n    semaphores: b'), {
      message: /Semaphore "b" is used both as a job semaphore and as a playbook semaphore/,
      at: 'semaphores: [a, b]',
    });
  });

  test('different job and playbook semaphores are fine', () => {
    const j = jobWith('semaphores: a\npost-run:\n  name: p.yaml\n  semaphores: b');
    assert.deepEqual(j.semaphores, [{ name: 'a', resourcesFirst: false }]);
    assert.deepEqual(j.postRun?.[0]?.semaphores, ['b']);
  });
});

describe('job: inline nodesets', () => {
  test('nodes and groups', () => {
    const j = jobWith(y`
      nodeset:
        nodes:
          - name: controller
            label: ubuntu-noble
          - name: [compute1, compute2]
            label: ubuntu-noble
        groups:
          - name: computes
            nodes: [compute1, compute2]
    `);
    assert.deepEqual(j.nodeset, {
      nodes: [
        { names: ['controller'], label: 'ubuntu-noble' },
        { names: ['compute1', 'compute2'], label: 'ubuntu-noble' },
      ],
      groups: [{ name: 'computes', nodes: ['compute1', 'compute2'] }],
      alternatives: [],
    });
  });

  test('an empty node list is an executor-only nodeset', () => {
    assert.deepEqual(jobWith('nodeset:\n  nodes: []').nodeset, {
      nodes: [],
      groups: [],
      alternatives: [],
    });
  });

  test('a single node mapping (as in Zuul test fixtures)', () => {
    assert.deepEqual(jobWith('nodeset:\n  nodes:\n    name: test\n    label: label1').nodeset, {
      nodes: [{ names: ['test'], label: 'label1' }],
      groups: [],
      alternatives: [],
    });
  });

  test('inline alternatives', () => {
    const j = jobWith(y`
      nodeset:
        alternatives:
          - big
          - nodes:
              - name: n
                label: small
    `);
    assert.deepEqual(j.nodeset, {
      nodes: [],
      groups: [],
      alternatives: [
        'big',
        { nodes: [{ names: ['n'], label: 'small' }], groups: [], alternatives: [] },
      ],
    });
  });

  test('an inline nodeset may not have a name', () => {
    assertIsolatedError(stanza('nodeset:\n  name: x\n  nodes: []'), {
      message: /An inline nodeset may not have a name/,
      at: 'name: x',
    });
  });

  test('errors inside an inline nodeset point at the node', () => {
    assertIsolatedError(
      stanza('nodeset:\n  nodes:\n    - name: a\n      label: l\n    - name: a\n      label: l'),
      { name: 'Duplicate Node', message: /Duplicate node name: a/, at: 7 },
    );
  });

  test('a nodeset value that is neither a name nor a mapping', () => {
    assertIsolatedError(stanza('nodeset: [a, b]'), {
      message: /nodeset/,
      at: 'nodeset',
    });
  });
});

describe('job: variant-description', () => {
  test('explicit value wins', () => {
    assert.equal(jobWith('branches: master\nvariant-description: mine').variantDescription, 'mine');
  });

  test('defaults to the branch patterns joined with spaces', () => {
    assert.equal(jobWith('branches: master').variantDescription, 'master');
    assert.equal(
      jobWith("branches: [master, '^stable/.*']").variantDescription,
      'master ^stable/.*',
    );
  });

  test('a negated regex is rendered with "(negated)"', () => {
    const j = jobWith(y`
      branches:
        - regex: ^stable/.*
          negate: true
        - master
    `);
    assert.equal(j.variantDescription, '^stable/.* (negated) master');
    assert.deepEqual(
      j.branches?.map((b) => [b.pattern, b.negate]),
      [
        ['^stable/.*', true],
        ['master', false],
      ],
    );
  });

  test('no branches, no description', () => {
    assert.equal(jobWith('voting: true').variantDescription, undefined);
  });
});

describe('job: regexes', () => {
  test('an RE2-incompatible regex gives a "Regex Deprecation" warning and keeps the job', () => {
    const r = assertIsolatedError(stanza("branches: '^(?!stable)'"), {
      name: 'Regex Deprecation',
      severity: 'warning',
      message:
        /^All regular expressions must conform to RE2 syntax.*\n\nThe RE2 syntax error is: .*\(\?!/s,
      at: 'branches',
      kept: true,
    });
    assert.equal(r.jobs.find((j) => j.name === 'j')?.branches?.[0]?.re2Incompatible, true);
  });

  for (const attr of ['branches', 'files', 'irrelevant-files', 'failure-output']) {
    test(`an invalid regex in ${attr} is an error at the item`, () => {
      assertIsolatedError(stanza(`${attr}:\n  - ok\n  - '(unclosed'`), {
        message: /Invalid regular expression "\(unclosed"/,
        at: '(unclosed',
      });
    });
  }

  test('a regex mapping with an unknown key is an error', () => {
    assertIsolatedError(stanza('files:\n  - regex: ^a\n    bogus: true'), {
      message: /extra keys not allowed @ data\['files'\]\[0\]\['bogus'\]/,
      at: 'bogus',
    });
  });
});

describe('job: schema errors', () => {
  test('an unknown attribute: "extra keys not allowed @ data[…]"', () => {
    assertIsolatedError(stanza('voting: true\nbogus: 1'), {
      message: /^extra keys not allowed @ data\['bogus'\]$/,
      at: 'bogus',
    });
  });

  test('a name is required; the error points at the stanza', () => {
    assertIsolatedError('- job:\n    description: nameless\n', {
      message: /required key not provided @ data\['name'\]/,
      at: '- job:',
    });
  });

  const wrongTypes: [string, string, RegExp][] = [
    ['timeout: abc', 'timeout', /expected int for dictionary value @ data\['timeout'\]/],
    ['attempts: 1.5', 'attempts', /expected int for dictionary value @ data\['attempts'\]/],
    ['voting: maybe', 'voting', /expected bool for dictionary value @ data\['voting'\]/],
    [
      'description: [a]',
      'description',
      /expected str for dictionary value @ data\['description'\]/,
    ],
    ['vars: [a]', 'vars', /expected a dictionary for dictionary value @ data\['vars'\]/],
    ['roles: org/roles', 'roles', /expected a list for dictionary value @ data\['roles'\]/],
    [
      'workspace-scheme: bogus',
      'workspace-scheme',
      /not a valid value for dictionary value @ data\['workspace-scheme'\]/,
    ],
    [
      'deduplicate: sometimes',
      'deduplicate',
      /not a valid value for dictionary value @ data\['deduplicate'\]/,
    ],
    ['type: bogus', 'type', /not a valid value for dictionary value @ data\['type'\]/],
    ['parent: [a]', 'parent', /data\['parent'\]/],
  ];
  for (const [line, at, message] of wrongTypes) {
    test(`wrong type: ${line}`, () => {
      assertIsolatedError(stanza(line), { message, at });
    });
  }

  test('a mistake inside a list item points at the item', () => {
    assertIsolatedError(stanza('run:\n  - name: a.yaml\n    cleanup: true'), {
      message: /extra keys not allowed @ data\['run'\]\[0\]\['cleanup'\]/,
      at: 'cleanup',
    });
    assertIsolatedError(stanza('roles:\n  - bogus: x'), {
      message: /data\['roles'\]\[0\]/,
      at: 'bogus',
    });
  });

  test('every failing stanza in a file gives its own error; the good ones load', () => {
    const text = y`
      - job:
          name: good-1
      - job:
          name: bad-1
          timeout: x
      - job:
          name: good-2
      - job:
          name: bad-2
          post-review: false
      - job:
          name: good-3
    `;
    const r = parse(text);
    assert.deepEqual(
      r.jobs.map((j) => j.name),
      ['good-1', 'good-2', 'good-3'],
    );
    assert.deepEqual(
      r.errors.map((e) => e.mark!.line + 1),
      [lineOf(text, 'timeout: x'), lineOf(text, 'post-review')],
    );
    assert.match(r.errors[0]!.error, /the "timeout" attribute of the "bad-1" job stanza/);
    assert.match(r.errors[1]!.error, /the "post-review" attribute of the "bad-2" job stanza/);
  });

  test('the error record carries the source context of the file', () => {
    const source = { ...SOURCE, project: 'org/other', branch: 'stable/1', path: '.zuul.yaml' };
    const r = parse(stanza('bogus: 1'), source);
    oneError(r, { message: /extra keys/, line: 3, source });
  });
});

describe('job: values that are not plain YAML', () => {
  test('an encrypted value is not a string', () => {
    const r = parse(stanza('description: !encrypted/pkcs1-oaep abc'));
    oneError(r, { message: /expected str for dictionary value @ data\['description'\]/, line: 3 });
  });
});
