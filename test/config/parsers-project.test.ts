// `- project:` and `- project-template:` stanzas through parseConfigFile
// (semantics §C.3, §C.4): attributes, pipeline sections and their job
// entries, and one precisely placed error per bad stanza.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ProjectStanza, ProjectTemplate } from '../../src/model/project-config.js';
import { assertIsolatedError, lineOf, parse, parseClean, y } from './parsers-helpers.js';

function project(text: string): ProjectStanza {
  const r = parseClean(text);
  assert.equal(r.projects.length, 1);
  return r.projects[0]!;
}

function template(text: string): ProjectTemplate {
  const r = parseClean(text);
  assert.equal(r.projectTemplates.length, 1);
  return r.projectTemplates[0]!;
}

/** A project stanza with `body` (YAML lines, indented for the stanza). */
function projectStanza(body: string): string {
  return `- project:\n${body.replace(/^/gm, '    ')}\n`;
}

function templateStanza(body: string): string {
  return `- project-template:\n    name: tmpl\n${body.replace(/^/gm, '    ')}\n`;
}

describe('project: attributes', () => {
  test('an empty project stanza names the project holding the file', () => {
    const p = project(y`
      - project:
          check:
            jobs: []
    `);
    assert.equal(p.name, undefined);
    assert.equal(p.isRegex, false);
    assert.deepEqual(p.templates, []);
    assert.deepEqual(p.vars, {});
    assert.equal(p.branches, undefined);
    assert.equal(p.defaultBranch, undefined);
    assert.equal(p.mergeMode, undefined);
    assert.equal(p.queue, undefined);
    assert.equal(p.line, 0);
  });

  test('every attribute', () => {
    const p = project(y`
      - project:
          name: org/project
          description: The project.
          branches: [master, '^stable/']
          templates: [python-jobs, docs-jobs]
          default-branch: main
          merge-mode: squash-merge
          queue: integrated
          vars:
            docs_dir: doc/build
    `);
    assert.equal(p.name, 'org/project');
    assert.equal(p.description, 'The project.');
    assert.deepEqual(
      p.branches?.map((b) => b.pattern),
      ['master', '^stable/'],
    );
    assert.deepEqual(p.templates, ['python-jobs', 'docs-jobs']);
    assert.equal(p.defaultBranch, 'main');
    assert.equal(p.mergeMode, 'squash-merge');
    assert.equal(p.queue, 'integrated');
    assert.deepEqual(p.vars, { docs_dir: 'doc/build' });
    assert.equal(p.pipelines.size, 0);
  });

  test('a name starting with ^ is a regex', () => {
    assert.equal(project('- project:\n    name: ^org/.*\n').isRegex, true);
  });

  test('templates: a single name or a list', () => {
    assert.deepEqual(project('- project:\n    templates: one\n').templates, ['one']);
    assert.deepEqual(project('- project:\n    templates: [one, two]\n').templates, ['one', 'two']);
  });

  test('branches: a regex mapping with negate', () => {
    const p = project('- project:\n    branches:\n      regex: ^stable/\n      negate: true\n');
    assert.deepEqual(
      p.branches?.map((b) => [b.pattern, b.negate]),
      [['^stable/', true]],
    );
  });

  for (const mode of ['merge', 'merge-resolve', 'cherry-pick', 'squash-merge', 'rebase']) {
    test(`merge-mode: ${mode}`, () => {
      assert.equal(project(`- project:\n    merge-mode: ${mode}\n`).mergeMode, mode);
    });
  }

  for (const bad of ['merge-ort', 'merge-recursive', 'fast-forward', 'bogus']) {
    test(`merge-mode: ${bad} is rejected`, () => {
      assertIsolatedError(projectStanza(`queue: q\nmerge-mode: ${bad}`), {
        message: /merge-mode/,
        at: 'merge-mode',
      });
    });
  }

  for (const reserved of ['zuul', 'nodepool', 'unsafe_vars']) {
    test(`vars may not set "${reserved}"`, () => {
      assertIsolatedError(projectStanza(`vars:\n  ok: 1\n  ${reserved}: x`), {
        message: new RegExp(
          `Defining a variable named .${reserved}. is not allowed|Variables named .zuul., .nodepool., or .unsafe_vars. are not allowed`,
        ),
        at: `${reserved}:`,
      });
    });
  }

  test('project vars may set the ansible_* names jobs may not', () => {
    const p = project('- project:\n    vars:\n      ansible_host: h\n      ansible_user: u\n');
    assert.deepEqual(p.vars, { ansible_host: 'h', ansible_user: 'u' });
  });

  test('project vars names must still be valid variable names', () => {
    assertIsolatedError(projectStanza("vars:\n  'foo-bar': 1"), {
      message: /Variable names may only contain letters, numbers, and underscores/,
      at: 'foo-bar',
    });
  });

  const wrongTypes: [string, string, RegExp][] = [
    [
      'description: [a]',
      'description',
      /expected str for dictionary value @ data\['description'\]/,
    ],
    ['queue: {a: 1}', 'queue', /expected str for dictionary value @ data\['queue'\]/],
    [
      'default-branch: [a]',
      'default-branch',
      /expected str for dictionary value @ data\['default-branch'\]/,
    ],
    ['vars: [a]', 'vars', /expected a dictionary for dictionary value @ data\['vars'\]/],
    ['templates: {a: 1}', 'templates', /data\['templates'\]/],
  ];
  for (const [line, at, message] of wrongTypes) {
    test(`wrong type: ${line}`, () => {
      assertIsolatedError(projectStanza(line), { message, at });
    });
  }

  test('!override / !inherit are not allowed on project attributes', () => {
    assertIsolatedError(projectStanza('vars: !override\n  a: 1'), {
      message: /!override tag is only supported on job attributes/,
      at: 'vars:',
    });
    assertIsolatedError(projectStanza('check: !inherit\n  jobs: [a]'), {
      message: /!inherit tag is only supported on job attributes/,
      at: 'check:',
    });
    assertIsolatedError(projectStanza('check:\n  jobs: !override [a]'), {
      message: /!override tag is only supported on job attributes/,
      at: 'jobs:',
    });
  });
});

describe('project: pipeline sections', () => {
  const text = y`
    - project:
        queue: integrated
        check:
          jobs:
            - unit-tests
            - integration:
                voting: false
                dependencies: [unit-tests]
            - docs:
                files: ^doc/
                branches: master
        gate:
          fail-fast: true
          debug: true
          jobs:
            - unit-tests
            - integration
        post:
          jobs: []
  `;

  test('keys that are not attributes are pipeline sections, in the order written', () => {
    const p = project(text);
    assert.deepEqual([...p.pipelines.keys()], ['check', 'gate', 'post']);
  });

  test('job entries: names and one-key mappings with job attributes', () => {
    const check = project(text).pipelines.get('check')!;
    assert.deepEqual(
      check.jobs.map((j) => j.name),
      ['unit-tests', 'integration', 'docs'],
    );
    assert.equal(check.jobs[0]!.variant, undefined, 'a bare name has no variant');
    const integration = check.jobs[1]!.variant!;
    assert.equal(integration.name, 'integration');
    assert.equal(integration.voting, false);
    assert.deepEqual(integration.dependencies, [{ name: 'unit-tests', soft: false }]);
    assert.equal(integration.branches, undefined, 'no implied branch matcher on an entry');
    const docs = check.jobs[2]!.variant!;
    assert.deepEqual(
      docs.files?.map((f) => f.pattern),
      ['^doc/'],
    );
    assert.deepEqual(
      docs.branches?.map((b) => b.pattern),
      ['master'],
    );
    assert.equal(check.debug, undefined);
    assert.equal(check.failFast, undefined);
  });

  test('debug and fail-fast', () => {
    const gate = project(text).pipelines.get('gate')!;
    assert.equal(gate.debug, true);
    assert.equal(gate.failFast, true);
    const off = project('- project:\n    check:\n      debug: false\n      fail-fast: false\n');
    assert.equal(off.pipelines.get('check')!.debug, false);
    assert.equal(off.pipelines.get('check')!.failFast, false);
  });

  test('jobs: [] makes the project participate with no jobs', () => {
    const post = project(text).pipelines.get('post')!;
    assert.deepEqual(post.jobs, []);
  });

  test('the same job may be listed several times', () => {
    const p = project(
      '- project:\n    check:\n      jobs:\n        - a\n        - a:\n            voting: false\n',
    );
    assert.deepEqual(
      p.pipelines.get('check')!.jobs.map((j) => j.name),
      ['a', 'a'],
    );
  });

  test('override tags on the attributes of a job entry', () => {
    const p = project(y`
      - project:
          check:
            jobs:
              - a:
                  tags: !override [x]
                  vars: !inherit
                    v: 1
    `);
    const v = p.pipelines.get('check')!.jobs[0]!.variant!;
    assert.deepEqual(v.overrideControl, { tags: true, vars: false });
    assert.deepEqual(v.tags, ['x']);
  });

  test('a job entry with more than one key is an error (usually wrong indentation)', () => {
    // Zuul itself silently uses the first key; we refuse the ambiguity.
    assertIsolatedError(
      projectStanza('check:\n  jobs:\n    - a:\n        voting: false\n      b: {}'),
      {
        message: /exactly one key/,
        at: '- a:',
      },
    );
  });

  test('an unknown attribute in a job entry points at it', () => {
    assertIsolatedError(projectStanza('check:\n  jobs:\n    - a\n    - b:\n        bogus: 1'), {
      message: /extra keys not allowed @ data\['check'\]\['jobs'\]\[1\]\['b'\]\['bogus'\]/,
      at: 'bogus',
    });
  });

  test('a job entry may not rename the job', () => {
    assertIsolatedError(projectStanza('check:\n  jobs:\n    - b:\n        name: c'), {
      message: /extra keys not allowed @ data\['check'\]\['jobs'\]\[0\]\['b'\]\['name'\]/,
      at: 'name: c',
    });
  });

  test('job entry checks apply (e.g. post-review: false)', () => {
    assertIsolatedError(projectStanza('check:\n  jobs:\n    - b:\n        post-review: false'), {
      message: /post-review attribute may not be unset/,
      at: 'post-review',
    });
  });

  test('an unknown key in a pipeline section', () => {
    assertIsolatedError(projectStanza('check:\n  jobs: []\n  bogus: 1'), {
      message: /extra keys not allowed @ data\['check'\]\['bogus'\]/,
      at: 'bogus',
    });
  });

  test('a pipeline section that is not a mapping', () => {
    assertIsolatedError(projectStanza('check: [a, b]'), {
      message: /data\['check'\]/,
      at: 'check',
    });
  });

  test('jobs that are not a list', () => {
    assertIsolatedError(projectStanza('check:\n  jobs: a'), {
      message: /data\['check'\]\['jobs'\]/,
      at: 'jobs',
    });
  });

  test('wrong types of debug and fail-fast', () => {
    assertIsolatedError(projectStanza('check:\n  debug: sometimes'), {
      message: /expected bool for dictionary value @ data\['check'\]\['debug'\]/,
      at: 'debug',
    });
    assertIsolatedError(projectStanza('gate:\n  fail-fast: 1'), {
      message: /expected bool for dictionary value @ data\['gate'\]\['fail-fast'\]/,
      at: 'fail-fast',
    });
  });

  test('stanzas of every kind survive a failing project', () => {
    const text = y`
      - project:
          check:
            jobs:
              - ok
      - project:
          name: org/bad
          merge-mode: bogus
      - project-template:
          name: t
          check:
            jobs: [x]
    `;
    const r = parse(text);
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0]!.mark!.line + 1, lineOf(text, 'merge-mode'));
    assert.match(r.errors[0]!.error, /the "merge-mode" attribute of the "org\/bad" project stanza/);
    assert.equal(r.projects.length, 1);
    assert.equal(r.projectTemplates.length, 1);
  });
});

describe('project-template', () => {
  test('allowed keys: name, description, queue, vars and pipeline sections', () => {
    const t = template(y`
      - project-template:
          name: python-jobs
          description: Python jobs.
          queue: integrated
          vars:
            ansible_host: allowed-here
          check:
            jobs:
              - tox-py312
              - tox-pep8:
                  voting: false
    `);
    assert.equal(t.name, 'python-jobs');
    assert.equal(t.description, 'Python jobs.');
    assert.equal(t.queue, 'integrated');
    assert.deepEqual(t.vars, { ansible_host: 'allowed-here' });
    const check = t.pipelines.get('check')!;
    assert.deepEqual(
      check.jobs.map((j) => j.name),
      ['tox-py312', 'tox-pep8'],
    );
    assert.equal(check.jobs[1]!.variant!.voting, false);
    assert.equal(t.line, 0);
  });

  for (const [key, value] of [
    ['branches', 'master'],
    ['templates', '[other]'],
    ['default-branch', 'main'],
    ['merge-mode', 'merge'],
  ]) {
    test(`rejects ${key}`, () => {
      assertIsolatedError(templateStanza(`${key}: ${value}`), {
        message: new RegExp(`extra keys not allowed @ data\\['${key}'\\]`),
        at: `${key}:`,
      });
    });
  }

  test('a name is required', () => {
    assertIsolatedError('- project-template:\n    check:\n      jobs: []\n', {
      message: /required key not provided @ data\['name'\]/,
      at: '- project-template:',
    });
  });

  for (const reserved of ['zuul', 'nodepool', 'unsafe_vars']) {
    test(`vars may not set "${reserved}"`, () => {
      assertIsolatedError(templateStanza(`vars:\n  ${reserved}: x`), {
        message: new RegExp(
          `Defining a variable named .${reserved}. is not allowed|Variables named .zuul., .nodepool., or .unsafe_vars. are not allowed`,
        ),
        at: `${reserved}:`,
      });
    });
  }

  test('errors in a template job entry point at the attribute', () => {
    assertIsolatedError(templateStanza('gate:\n  jobs:\n    - j:\n        timeout: soon'), {
      message:
        /expected int for dictionary value @ data\['gate'\]\['jobs'\]\[0\]\['j'\]\['timeout'\]/,
      at: 'timeout',
    });
  });
});

describe('project and template: the file pragma', () => {
  test('a pragma written last still applies to every stanza of the file', () => {
    const r = parseClean(y`
      - project:
          check:
            jobs: [a]
      - project-template:
          name: t
      - job:
          name: j
      - pragma:
          implied-branch-matchers: false
          implied-branches:
            - master
            - ^stable/
    `);
    const p = r.projects[0]!;
    const t = r.projectTemplates[0]!;
    const j = r.jobs[0]!;
    for (const obj of [p, t, j]) {
      assert.equal(obj.pragmaImpliedBranchMatchers, false);
      assert.deepEqual(
        obj.pragmaImpliedBranches?.map((b) => b.pattern),
        ['master', '^stable/'],
      );
    }
    assert.equal(
      p.pipelines.get('check')!.jobs[0]!.variant,
      undefined,
      'pragmas do not create entry variants',
    );
  });

  test('without a pragma nothing is set', () => {
    const r = parseClean('- project:\n    queue: q\n- job:\n    name: j\n');
    assert.equal(r.projects[0]!.pragmaImpliedBranchMatchers, undefined);
    assert.equal(r.projects[0]!.pragmaImpliedBranches, undefined);
    assert.equal('pragmaImpliedBranches' in r.jobs[0]!, false);
  });

  test('a pragma only affects its own file', () => {
    parseClean('- pragma:\n    implied-branch-matchers: true\n');
    const r = parseClean('- project:\n    queue: q\n');
    assert.equal(r.projects[0]!.pragmaImpliedBranchMatchers, undefined);
  });

  test('project-pipeline entries do not get the pragma', () => {
    const r = parseClean(y`
      - pragma:
          implied-branches: master
      - project:
          check:
            jobs:
              - a:
                  voting: false
    `);
    const v = r.projects[0]!.pipelines.get('check')!.jobs[0]!.variant!;
    assert.equal(v.pragmaImpliedBranches, undefined);
  });
});
