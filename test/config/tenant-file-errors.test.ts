// Every way the tenant file can be refused: the message a user sees and the
// line it points at.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTenantFile } from '../../src/config/tenant-file.js';
import { lineOf, parse, parseError, tenant } from './tenant-test-helpers.js';

/** A minimal valid tenant to embed in the cases. */
const TENANT = `- tenant:
    name: t
    source:
      gerrit:
        config-projects:
          - config
        untrusted-projects:
          - org/a
`;

function expectError(text: string, message: RegExp, needle: string, nth = 1): void {
  const err = parseError(text);
  assert.match(err.problem, message);
  assert.equal(err.line, lineOf(text, needle, nth), `line of ${needle}`);
  assert.equal(err.fileName, 'main.yaml');
  assert.ok(err.message.startsWith(`main.yaml, line ${err.line}: `), err.message);
}

describe('tenant file structure errors', () => {
  it('refuses a file that is not a list', () => {
    const text = 'tenant:\n  name: t\n';
    expectError(text, /^Configuration file is not a list/, 'tenant:');
    // An empty file is not a list either.
    assert.match(parseError('# nothing\n').problem, /^Configuration file is not a list/);
  });

  it('refuses an item that is not a mapping', () => {
    expectError(
      `${TENANT}- just-a-string\n`,
      /^Configuration item is not a dictionary/,
      'just-a-string',
    );
  });

  it('refuses an item with more than one key', () => {
    const text = `${TENANT}- tenant:\n  name: badly-indented\n`;
    expectError(text, /^Configuration item has more than one key/, '- tenant:', 2);
  });

  it('refuses an unknown item type', () => {
    const text = `${TENANT}- pipeline:\n    name: check\n`;
    expectError(text, /^Configuration item not recognized/, '- pipeline:');
  });

  it('refuses a duplicate tenant name', () => {
    const text = `${TENANT}${TENANT}`;
    expectError(text, /^Duplicate configuration for tenant t$/, 'name: t', 2);
  });

  it('refuses a second api-root', () => {
    const text = `- api-root:\n    authentication-realm: a\n- api-root:\n    authentication-realm: b\n`;
    expectError(text, /^More than one api-root object$/, '- api-root:', 2);
  });

  it('reports YAML syntax errors and duplicate keys with their line', () => {
    expectError(`${TENANT}    name: again\n`, /"name" appears more than once/, 'name: again');
    const bad = `${TENANT}- tenant: [unclosed\n`;
    const err = parseError(bad);
    assert.ok(err.line !== undefined && err.line >= lineOf(bad, '[unclosed'));
  });
});

describe('tenant schema errors', () => {
  it('refuses unknown tenant attributes', () => {
    const text = TENANT.replace('    name: t\n', '    name: t\n    max-nodes: 3\n');
    expectError(text, /^extra keys not allowed @ data\['max-nodes'\]$/, 'max-nodes:');
  });

  it('requires a tenant name', () => {
    const text = TENANT.replace('    name: t\n', '');
    expectError(text, /^required key not provided @ data\['name'\]$/, '- tenant:');
  });

  it('checks attribute value types', () => {
    expectError(
      TENANT.replace('    name: t\n', '    name: t\n    max-nodes-per-job: five\n'),
      /^expected int for dictionary value @ data\['max-nodes-per-job'\]$/,
      'max-nodes-per-job',
    );
    expectError(
      TENANT.replace('    name: t\n', '    name: t\n    use-nodepool: sometimes\n'),
      /^expected bool for dictionary value @ data\['use-nodepool'\]$/,
      'use-nodepool',
    );
    expectError(
      TENANT.replace('    name: t\n', '    name: t\n    max-oidc-ttl: 0\n'),
      /max-oidc-ttl/,
      'max-oidc-ttl',
    );
  });

  it('refuses a default OIDC ttl above the maximum', () => {
    const text = TENANT.replace(
      '    name: t\n',
      '    name: t\n    max-oidc-ttl: 600\n    default-oidc-ttl: 900\n',
    );
    expectError(
      text,
      /default-oidc-ttl \(900\) may not exceed max-oidc-ttl \(600\)/,
      'default-oidc-ttl',
    );
  });

  it('caps an unset default OIDC ttl to a lower maximum', () => {
    const text = TENANT.replace('    name: t\n', '    name: t\n    max-oidc-ttl: 600\n');
    const t = tenant(parse(text), 't');
    assert.equal(t.maxOidcTtl, 600);
    assert.equal(t.defaultOidcTtl, 600);
  });

  it('refuses a source connection that is not configured', () => {
    const text = TENANT.replace('      gerrit:', '      nope:');
    expectError(text, /^Unknown connection named "nope"\.$/, 'nope:');
  });

  it('refuses an unknown key under a source', () => {
    const text = TENANT.replace('        untrusted-projects:', '        trusted-projects:');
    expectError(
      text,
      /extra keys not allowed @ data\['source'\]\['gerrit'\]\['trusted-projects'\]/,
      'trusted-projects',
    );
  });

  it('refuses a global semaphore the file does not define', () => {
    const text = `- global-semaphore:\n    name: known\n${TENANT.replace(
      '    name: t\n',
      '    name: t\n    semaphores:\n      - known\n      - unknown\n',
    )}`;
    expectError(text, /^The global semaphore "unknown" was not found\./, '- unknown');
    // A defined one is accepted.
    assert.deepEqual(tenant(parse(text.replace('      - unknown\n', '')), 't').semaphores, [
      'known',
    ]);
  });
});

describe('project entry errors', () => {
  const withUntrusted = (entry: string) => TENANT.replace('          - org/a\n', `${entry}\n`);

  it('refuses unknown project options, naming the full path', () => {
    expectError(
      withUntrusted('          - org/a:\n              exclude-branchs: [wip]'),
      /^extra keys not allowed @ data\['source'\]\['gerrit'\]\['untrusted-projects'\]\[0\]\['org\/a'\]\['exclude-branchs'\]$/,
      'exclude-branchs',
    );
  });

  it('checks project option value types', () => {
    expectError(
      withUntrusted('          - org/a:\n              exclude-unprotected-branches: maybe'),
      /^expected bool for dictionary value @ .*\['exclude-unprotected-branches'\]$/,
      'exclude-unprotected-branches',
    );
    expectError(
      withUntrusted('          - org/a:\n              shadow: {a: b}'),
      /not a valid value for dictionary value @ .*\['shadow'\]$/,
      'shadow:',
    );
  });

  it('refuses configure-projects on a config project', () => {
    const text = TENANT.replace(
      '          - config\n',
      '          - config:\n              configure-projects: [org/a]\n',
    );
    expectError(
      text,
      /^extra keys not allowed @ .*\['config'\]\['configure-projects'\]$/,
      'configure-projects',
    );
  });

  it('refuses options that are not a mapping', () => {
    expectError(
      withUntrusted('          - org/a:'),
      /expected a dictionary for the options of project "org\/a"/,
      '- org/a:',
    );
  });

  it('refuses unknown configuration classes', () => {
    expectError(
      withUntrusted('          - org/a:\n              include: [job, jobs]'),
      /^"jobs" is not a configuration class/,
      'include: [job, jobs]',
    );
  });

  it('refuses the standard config roots in extra-config-paths', () => {
    for (const root of ['zuul.yaml', 'zuul.d/', '.zuul.yaml', '.zuul.d/']) {
      expectError(
        withUntrusted(
          `          - org/a:\n              extra-config-paths:\n                - extra.d/\n                - ${root}`,
        ),
        /^Default zuul configs are not allowed in extra-config-paths/,
        `- ${root}`,
      );
    }
    expectError(
      withUntrusted('          - org/a:\n              extra-config-paths: 5'),
      /^Expected str or list of str for extra-config-paths$/,
      'extra-config-paths',
    );
  });

  it('refuses invalid branch regexes', () => {
    expectError(
      withUntrusted("          - org/a:\n              include-branches: ['(unclosed']"),
      /^Invalid regular expression "\(unclosed" in include-branches/,
      'include-branches',
    );
  });

  it('refuses a project listed twice in one tenant', () => {
    const text = withUntrusted(
      '          - org/a\n          - exclude: job\n            projects:\n              - org/a',
    );
    expectError(text, /^Project org\/a is already in project index/, '- org/a', 2);
    // Also across the two lists.
    expectError(
      TENANT.replace('          - config\n', '          - config\n          - org/a\n'),
      /already in project index/,
      '- org/a',
      2,
    );
  });

  it('allows the same name on two connections unless they share a hostname', () => {
    const text = `${TENANT}      github:\n        untrusted-projects:\n          - org/a\n`;
    assert.equal(tenant(parse(text), 't').projects.length, 3);
    assert.throws(
      () =>
        parseTenantFile(text, {
          fileName: 'main.yaml',
          connectionNames: new Set(['gerrit', 'github']),
          canonicalHostnames: new Map([
            ['gerrit', 'example.com'],
            ['github', 'example.com'],
          ]),
        }),
      /Project example\.com\/org\/a is already in project index/,
    );
  });

  it('refuses configure-projects that reach a config project', () => {
    const text = withUntrusted(
      "          - org/a:\n              configure-projects: ['org/.*', 'conf.*']",
    );
    expectError(
      text,
      /^Untrusted-project org\/a may not configure config-project config$/,
      'configure-projects',
    );
    // Matching untrusted projects only is fine.
    parse(text.replace(", 'conf.*'", ''));
  });

  it('refuses mappings that are neither a project nor a group', () => {
    expectError(
      withUntrusted('          - org/a: {}\n            org/b: {}'),
      /^Unable to parse project/,
      '- org/a',
    );
    // A lone `projects:` key is a project called "projects" whose options are a list.
    expectError(
      withUntrusted('          - projects:\n              - org/a'),
      /options of project "projects"/,
      '- projects:',
    );
  });

  it('refuses nested project groups', () => {
    const text = withUntrusted(
      '          - include: [job]\n            projects:\n              - exclude: [job]\n                projects: [org/a]',
    );
    expectError(text, /^Project groups may not be nested/, '- exclude: [job]');
  });

  it('refuses unknown group keys', () => {
    const text = withUntrusted(
      '          - include: [job]\n            shadow: config\n            projects: [org/a]',
    );
    expectError(text, /^extra keys not allowed @ .*\['shadow'\]$/, 'shadow: config');
  });
});

describe('rules and roles', () => {
  it('only warns about undefined rule names and keeps them', () => {
    const text = `- authorization-rule:\n    name: known\n    conditions: {sub: x}\n${TENANT.replace(
      '    name: t\n',
      '    name: t\n    admin-rules: [known, missing]\n    access-rules: other\n',
    )}`;
    const tf = parse(text);
    assert.deepEqual(tenant(tf, 't').adminRules, ['known', 'missing']);
    assert.deepEqual(tenant(tf, 't').accessRules, ['other']);
    assert.deepEqual(
      tf.warnings.map((w) => [w.line, /"(\w+)"/.exec(w.message)?.[1]]),
      [
        [lineOf(text, 'admin-rules'), 'missing'],
        [lineOf(text, 'access-rules'), 'other'],
      ],
    );
  });

  it('refuses malformed rules', () => {
    expectError(
      '- authorization-rule:\n    name: r\n',
      /^required key not provided @ data\['conditions'\]$/,
      '- authorization-rule:',
    );
    expectError(
      '- authorization-rule:\n    name: r\n    conditions: [groups]\n',
      /@ data\['conditions'\]/,
      'conditions',
    );
  });

  it('reads roles and refuses duplicates, including the built-in ones', () => {
    const role =
      '- role:\n    name: enqueuer\n    permissions:\n      enqueue:\n        conditions: {project: org/a}\n      autohold: true\n      promote: false\n';
    const tf = parse(role);
    const r = tf.roles.get('enqueuer')!;
    assert.deepEqual(
      [...r.permissions],
      [
        ['autohold', true],
        ['enqueue', { project: 'org/a' }],
      ],
    );
    assert.equal(tf.roles.get('admin')?.allPermissions, true);
    expectError(
      `${role}${role}`,
      /^Duplicate configuration for role enqueuer$/,
      'name: enqueuer',
      2,
    );
    expectError(
      '- role:\n    name: read\n',
      /^Duplicate configuration for role read \(a built-in role\)$/,
      'name: read',
    );
    expectError(
      '- role:\n    name: x\n    permissions:\n      launch-rockets: true\n',
      /extra keys not allowed @ data\['permissions'\]\['launch-rockets'\]/,
      'launch-rockets',
    );
    expectError(
      '- role:\n    name: x\n    permissions:\n      autohold: {conditions: {project: a}}\n',
      /@ data\['permissions'\]\['autohold'\]/,
      'autohold',
    );
  });

  it('reads role-mappings and warns about undefined roles', () => {
    const text = `- authorization-rule:\n    name: everyone\n    conditions: {iss: x}\n${TENANT.replace(
      '    name: t\n',
      '    name: t\n    anonymous-read-access: false\n    role-mappings:\n      everyone: [read, autohold-role]\n      admins: admin\n',
    )}`;
    const tf = parse(text);
    const t = tenant(tf, 't');
    assert.equal(t.anonymousReadAccess, false);
    assert.deepEqual(
      [...t.roleMappings!],
      [
        ['everyone', ['read', 'autohold-role']],
        ['admins', ['admin']],
      ],
    );
    assert.deepEqual(
      tf.warnings.map((w) => w.message.match(/undefined (\w+(?: \w+)?) "([\w-]+)"/)?.slice(1)),
      [
        ['role', 'autohold-role'],
        ['authorization rule', 'admins'],
      ],
    );
  });
});
