// GET /api/tenant/{t}/flavors, /images and /providers (reference §18, §23,
// §44) over an in-memory layout with launcher objects, field by field.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fastify, { type FastifyInstance } from 'fastify';
import type { ZuulConf } from '../../src/config/zuul-conf.js';
import type { TenantState, WebContext } from '../../src/web/context.js';
import { launcherConfigRoutes } from '../../src/web/routes/launcher-config.js';
import { layoutFromFiles, testConnections } from '../helpers/layout.js';
import { get } from './config-endpoints-helpers.js';

const TENANT = `
- tenant:
    name: example
    source:
      gerrit:
        config-projects:
          - common-config
        untrusted-projects:
          - org/project:
              include-provider-config: true
          - org/other
`;

const COMMON = `
- image: {name: debian, type: cloud}
- image: {name: debian-local, type: zuul, description: Built here}
- flavor: {name: normal, description: Two cores}
- flavor: {name: large/2}
- label: {name: debian-normal, image: debian, flavor: normal}
- label: {name: debian-large, image: debian-local, flavor: large/2}
- section:
    name: base-section
    connection: gerrit
    abstract: true
    images: [debian]
    flavors:
      - name: normal
        flavor-name: m1.small
    labels: [debian-normal]
- section:
    name: region-section
    parent: base-section
    region: east
    images:
      - name: debian-local
      - name: debian
        image-id: abc
    flavors: [large/2]
- provider:
    name: east-main
    section: region-section
    labels:
      - debian-large
      - name: debian-normal
        key-name: k
      - not-a-label
- provider:
    name: bare
    section: base-section
`;

const PROJECT = '- image: {name: fedora, type: zuul}\n';

const CC = 'review.example.com%2Fcommon-config';
const PC = 'review.example.com%2Forg%2Fproject';

describe('launcher configuration endpoints', () => {
  let app: FastifyInstance;
  before(async () => {
    const layout = await layoutFromFiles(TENANT, {
      gerrit: {
        'common-config': { master: { 'zuul.yaml': COMMON } },
        'org/project': { master: { 'zuul.yaml': PROJECT } },
        // Not loaded: untrusted projects need include-provider-config.
        'org/other': { master: { 'zuul.yaml': '- flavor: {name: hidden}\n' } },
      },
    });
    assert.deepEqual(
      layout.errors.map((e) => e.error),
      [],
    );
    const tenants = new Map<string, TenantState>([
      ['example', { config: layout.tenant, layout }],
      ['loading', { config: { ...layout.tenant, name: 'loading' } }],
    ]);
    const ctx: WebContext = {
      conf: {} as ZuulConf,
      connections: testConnections(),
      tenantFile: () => {
        throw new Error('not used');
      },
      tenants: () => tenants,
      keys: {
        projectSecretsKey: async () => '',
        projectSshKey: async () => '',
        tenantSshKey: async () => '',
      },
      version: 'test',
    };
    app = fastify();
    launcherConfigRoutes(app, ctx);
    await app.ready();
  });
  after(() => app.close());

  test('flavors: every flavor with its quoted canonical name and description', async () => {
    const r = await get(app, '/api/tenant/example/flavors');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, [
      { name: 'normal', canonical_name: `${CC}/normal`, description: 'Two cores' },
      { name: 'large/2', canonical_name: `${CC}/large%2F2`, description: null },
    ]);
  });

  test('images: project, branch and type; no build artifacts without a launcher', async () => {
    const r = await get(app, '/api/tenant/example/images');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, [
      {
        name: 'debian',
        canonical_name: `${CC}/debian`,
        project_canonical_name: 'review.example.com/common-config',
        branch: 'master',
        type: 'cloud',
      },
      {
        name: 'debian-local',
        canonical_name: `${CC}/debian-local`,
        project_canonical_name: 'review.example.com/common-config',
        branch: 'master',
        type: 'zuul',
      },
      {
        name: 'fedora',
        canonical_name: `${PC}/fedora`,
        project_canonical_name: 'review.example.com/org/project',
        branch: 'master',
        type: 'zuul',
      },
    ]);
  });

  test('providers: images, labels and flavors flattened over the section chain', async () => {
    const r = await get(app, '/api/tenant/example/providers');
    assert.equal(r.status, 200);
    const ref = (name: string, quoted = name) => ({ name, canonical_name: `${CC}/${quoted}` });
    assert.deepEqual(r.body, [
      {
        ...ref('east-main'),
        images: [
          { ...ref('debian'), type: 'cloud' },
          { ...ref('debian-local'), type: 'zuul' },
        ],
        labels: [ref('debian-normal'), ref('debian-large')],
        flavors: [ref('normal'), ref('large/2', 'large%2F2')],
      },
      {
        ...ref('bare'),
        images: [{ ...ref('debian'), type: 'cloud' }],
        labels: [ref('debian-normal')],
        flavors: [ref('normal')],
      },
    ]);
  });

  test('unknown tenant: 404; tenant still loading: 422', async () => {
    for (const path of ['flavors', 'images', 'providers']) {
      const r = await get(app, `/api/tenant/nope/${path}`);
      assert.equal(r.status, 404);
      assert.deepEqual(r.body, { error: 'Not Found', description: 'Unknown tenant' });
      assert.equal((await get(app, `/api/tenant/loading/${path}`)).status, 422);
    }
  });
});
