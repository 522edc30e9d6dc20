// Authorization rules read from a tenant file, matched against token claims
// the way Zuul does.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { roleGrant, ruleMatches } from '../../src/model/tenant.js';
import { parse } from './tenant-test-helpers.js';

const tf = parse(`
- authorization-rule:
    name: scalar
    conditions:
      sub: alice
- authorization-rule:
    name: group
    conditions:
      - groups: release
- authorization-rule:
    name: any-of
    conditions:
      - sub: alice
        iss: https://idp.example.org
      - sub: bob
- authorization-rule:
    name: dotted
    conditions:
      - resources_access.account.roles: admin
- authorization-rule:
    name: nested
    conditions:
      - resources_access:
          account:
            roles: [admin, "{tenant.name}-admin"]
- authorization-rule:
    name: tenant-group
    conditions:
      - groups: "{tenant.name}-release"
- authorization-rule:
    name: boolean
    conditions:
      - email_verified: true
- authorization-rule:
    name: uid
    conditions:
      - zuul_uid: carol
- authorization-rule:
    name: quoted-claim
    conditions:
      - "'https://example.org/groups'": ops
`);

const rule = (name: string) => {
  const r = tf.authorizationRules.get(name);
  assert.ok(r, name);
  return r;
};

describe('authorization rule matching', () => {
  it('matches a scalar claim by equality', () => {
    assert.ok(ruleMatches(rule('scalar'), { sub: 'alice' }, 't'));
    assert.ok(!ruleMatches(rule('scalar'), { sub: 'alicia' }, 't'));
    assert.ok(!ruleMatches(rule('scalar'), {}, 't'));
  });

  it('matches a list claim by membership', () => {
    assert.ok(ruleMatches(rule('group'), { groups: ['dev', 'release'] }, 't'));
    assert.ok(ruleMatches(rule('group'), { groups: 'release' }, 't'));
    assert.ok(!ruleMatches(rule('group'), { groups: ['dev'] }, 't'));
    // Claims that are neither strings nor lists never match a string.
    assert.ok(!ruleMatches(rule('group'), { groups: { release: true } }, 't'));
  });

  it('needs every claim of one mapping, and any one mapping', () => {
    const anyOf = rule('any-of');
    assert.ok(ruleMatches(anyOf, { sub: 'alice', iss: 'https://idp.example.org' }, 't'));
    assert.ok(!ruleMatches(anyOf, { sub: 'alice', iss: 'https://evil.example.org' }, 't'));
    assert.ok(ruleMatches(anyOf, { sub: 'bob', iss: 'anything' }, 't'));
  });

  it('follows dotted keys into nested claims', () => {
    const claims = { resources_access: { account: { roles: ['view', 'admin'] } } };
    assert.ok(ruleMatches(rule('dotted'), claims, 't'));
    assert.ok(
      !ruleMatches(rule('dotted'), { resources_access: { account: { roles: ['view'] } } }, 't'),
    );
    // The dotted key is a path, not a literal top-level claim name.
    assert.ok(!ruleMatches(rule('dotted'), { 'resources_access.account.roles': 'admin' }, 't'));
  });

  it('allows quoting a claim name that contains dots', () => {
    assert.ok(ruleMatches(rule('quoted-claim'), { 'https://example.org/groups': ['ops'] }, 't'));
  });

  it('compares nested mappings recursively', () => {
    const nested = rule('nested');
    const token = (roles: unknown) => ({ resources_access: { account: { roles } } });
    // A claim list must be a subset of the condition list (templated).
    assert.ok(ruleMatches(nested, token(['admin']), 'prod'));
    assert.ok(ruleMatches(nested, token(['admin', 'prod-admin']), 'prod'));
    assert.ok(!ruleMatches(nested, token(['admin', 'other']), 'prod'));
    assert.ok(!ruleMatches(nested, token([]), 'prod'));
    // A scalar claim must be one of the condition list.
    assert.ok(ruleMatches(nested, token('prod-admin'), 'prod'));
    assert.ok(!ruleMatches(nested, token('prod-admin'), 'dev'));
    // Missing levels never match.
    assert.ok(!ruleMatches(nested, { resources_access: {} }, 'prod'));
    assert.ok(!ruleMatches(nested, { resources_access: 'admin' }, 'prod'));
  });

  it('fills {tenant.name} in condition strings', () => {
    const r = rule('tenant-group');
    assert.ok(ruleMatches(r, { groups: ['prod-release'] }, 'prod'));
    assert.ok(!ruleMatches(r, { groups: ['prod-release'] }, 'dev'));
    // Without a tenant (api-root rules) a templated condition cannot match.
    assert.ok(!ruleMatches(r, { groups: ['{tenant.name}-release'] }, undefined));
  });

  it('matches boolean claims', () => {
    assert.ok(ruleMatches(rule('boolean'), { email_verified: true }, 't'));
    assert.ok(!ruleMatches(rule('boolean'), { email_verified: false }, 't'));
    assert.ok(!ruleMatches(rule('boolean'), { email_verified: 'true' }, 't'));
  });

  it('reads zuul_uid through the authenticator uid claim', () => {
    const uid = rule('uid');
    assert.ok(ruleMatches(uid, { sub: 'carol' }, 't'));
    assert.ok(!ruleMatches(uid, { sub: 'dave', zuul_uid: 'carol' }, 't'));
    assert.ok(
      ruleMatches(uid, { sub: 'dave', preferred_username: 'carol' }, 't', 'preferred_username'),
    );
    assert.ok(!ruleMatches(uid, { sub: 'carol' }, 't', 'preferred_username'));
  });
});

describe('built-in roles', () => {
  it('admin grants every permission and read only read', () => {
    const admin = tf.roles.get('admin')!;
    const read = tf.roles.get('read')!;
    assert.equal(roleGrant(admin, 'dequeue'), true);
    assert.equal(roleGrant(admin, 'build-image'), true);
    assert.equal(roleGrant(read, 'read'), true);
    assert.equal(roleGrant(read, 'enqueue'), undefined);
  });
});
