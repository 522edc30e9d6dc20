// GET /api/openapi.json and /api/openapi.yaml (issue 4 point 4): an
// OpenAPI 3 document generated from the route schemas that lists every
// route buildApp registers, and whose response schemas the real answers on
// the openstack fixture satisfy.

import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { after, before, describe, test } from 'node:test';
import { Ajv } from 'ajv';
import type { FastifyInstance, RouteOptions } from 'fastify';
import yaml from 'js-yaml';
import type { Store } from '../../src/store/db.js';
import { StoreHistory } from '../../src/store/history/reader.js';
import { buildApp } from '../../src/web/app.js';
import type { WebContext } from '../../src/web/context.js';
import { openApiPathsOf, packageVersion } from '../../src/web/openapi.js';
import { seedDataset } from '../helpers/history.js';
import { fixtureContext } from './config-endpoints-helpers.js';

const T = '/api/tenant/openstack';
const NOVA = '/pipeline/check/project/openstack/nova/branch/master';

/** Requests that answer 200 on the openstack fixture, by OpenAPI path. */
const SAMPLES: Record<string, string[]> = {
  '/api/tenant/{tenant}/info': [`${T}/info`, '/api/tenant/nope/info'],
  '/api/tenant/{tenant_name}/project/{project_name}': [
    `${T}/project/openstack/nova`,
    `${T}/project/review.example.com/openstack/nova`,
  ],
  '/api/tenant/{tenant_name}/job/{job_name}': [`${T}/job/dsvm`, `${T}/job/base`],
  '/api/tenant/{tenant_name}/pipeline/{pipeline_name}/project/{project_name}/branch/{branch_name}/freeze-jobs':
    [`${T}${NOVA}/freeze-jobs`],
  '/api/tenant/{tenant_name}/pipeline/{pipeline_name}/project/{project_name}/branch/{branch_name}/freeze-job/{job_name}':
    [`${T}${NOVA}/freeze-job/dsvm`],
  '/api/tenant/{tenant_name}/key/{project_name}.pub': [`${T}/key/openstack/nova.pub`],
  '/api/tenant/{tenant_name}/project-ssh-key/{project_name}.pub': [
    `${T}/project-ssh-key/openstack/nova.pub`,
  ],
};

/** The request of a path template with only the tenant as parameter. */
function sampleOf(path: string): string[] {
  if (SAMPLES[path]) return SAMPLES[path];
  const tenantOnly = path.replace('{tenant_name}', 'openstack').replace('{tenant}', 'openstack');
  return /[{}]/.test(tenantOnly) ? [] : [tenantOnly];
}

interface Operation {
  summary?: string;
  parameters?: { in: string; name: string; required?: boolean }[];
  responses: Record<string, { description: string; content?: Record<string, { schema: object }> }>;
}
interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
}

async function openApiContext(scenario: string): Promise<{ ctx: WebContext; store: Store }> {
  const { ctx, store } = await fixtureContext(scenario);
  // A component registry answer (added without naming its type, so this
  // test does not depend on the registry's interface).
  const components = {
    listing: async () => ({
      scheduler: [{ hostname: 'zuul.example.com', state: 'running', version: '0.1.0' }],
      web: [{ hostname: 'zuul.example.com', state: 'running', version: null }],
    }),
  };
  Object.assign(ctx, { components });
  // A build history for the history endpoints, with one build and one
  // buildset to show by UUID.
  const history = await seedDataset(store, 'openstack');
  ctx.history = new StoreHistory(store);
  SAMPLES['/api/tenant/{tenant_name}/build/{uuid}'] = [
    `${T}/build/${history.check1.builds[0]!.uuid}`,
  ];
  SAMPLES['/api/tenant/{tenant_name}/buildset/{uuid}'] = [
    `${T}/buildset/${history.check1.uuid}`,
    `${T}/buildset/${history.gate2.uuid}`,
  ];
  return { ctx, store };
}

describe('OpenAPI document on the openstack fixture', () => {
  let app: FastifyInstance;
  let store: Store;
  let doc: OpenApiDocument;
  const registered: { method: string; url: string }[] = [];

  before(async () => {
    const fx = await openApiContext('openstack');
    store = fx.store;
    // Every route buildApp registers, seen by an onRoute hook added as soon
    // as the instance exists (fastify publishes it on this channel).
    const onInit = (message: unknown): void => {
      const instance = (message as { fastify: FastifyInstance }).fastify;
      instance.addHook('onRoute', (route: RouteOptions) => {
        const methods = Array.isArray(route.method) ? route.method : [route.method];
        for (const method of methods) registered.push({ method, url: route.url });
      });
    };
    subscribe('fastify.initialization', onInit);
    try {
      app = buildApp(fx.ctx);
    } finally {
      unsubscribe('fastify.initialization', onInit);
    }
    await app.ready();
    const res = await app.inject('/api/openapi.json');
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    doc = res.json();
  });
  after(async () => {
    await app?.close();
    await store?.close();
  });

  test('an OpenAPI 3 document: version, info, paths, operations with responses', () => {
    assert.match(doc.openapi, /^3\.\d+\.\d+$/);
    assert.equal(doc.info.title, 'zuul-ts');
    assert.equal(doc.info.version, packageVersion());
    assert.match(doc.info.version, /^\d+\.\d+\.\d+/);
    assert.equal(typeof doc.paths, 'object');
    for (const [path, item] of Object.entries(doc.paths)) {
      assert.ok(path.startsWith('/api'), path);
      const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(item)) {
        const where = `${method.toUpperCase()} ${path}`;
        assert.ok(op.summary, `${where}: summary`);
        assert.ok(Object.keys(op.responses).length > 0, `${where}: responses`);
        for (const [status, r] of Object.entries(op.responses)) {
          assert.ok(r.description, `${where} ${status}: description`);
        }
        // Every template parameter is a documented, required path parameter.
        const pathParams = (op.parameters ?? []).filter((p) => p.in === 'path');
        assert.deepEqual(pathParams.map((p) => p.name).sort(), [...names].sort(), where);
        for (const p of pathParams) assert.equal(p.required, true, `${where}: ${p.name}`);
      }
    }
  });

  test('every route the server registers is in the document', () => {
    const routes = registered.filter(
      (r) => r.method !== 'OPTIONS' && r.method !== 'HEAD' && r.url !== '*' && r.url !== '/*',
    );
    assert.ok(routes.length >= 15, `${routes.length} routes`);
    for (const r of routes) {
      const paths = openApiPathsOf(r.method, r.url);
      assert.ok(paths.length > 0, `${r.method} ${r.url}`);
      for (const path of paths) {
        assert.ok(
          doc.paths[path]?.[r.method.toLowerCase()],
          `${r.method} ${r.url} documented as ${path}`,
        );
      }
    }
    // And nothing else: every documented operation is a registered route.
    const documented = new Set(routes.flatMap((r) => openApiPathsOf(r.method, r.url)));
    for (const path of Object.keys(doc.paths)) assert.ok(documented.has(path), path);
  });

  test('query parameters of config-errors are documented', () => {
    const op = doc.paths['/api/tenant/{tenant_name}/config-errors']?.get;
    const query = (op?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
    assert.deepEqual(query.sort(), ['branch', 'limit', 'name', 'project', 'severity', 'skip']);
  });

  test('real answers validate against the documented response schemas', async () => {
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    let checked = 0;
    for (const [path, item] of Object.entries(doc.paths)) {
      const op = item.get;
      if (!op) continue;
      const urls = sampleOf(path);
      assert.ok(urls.length > 0, `no sample request for GET ${path}`);
      for (const url of urls) {
        const res = await app.inject(url);
        assert.equal(res.statusCode, 200, `${url}: ${res.body.slice(0, 200)}`);
        const content = op.responses['200']?.content;
        assert.ok(content, `GET ${path}: 200 content`);
        const [type, media] = Object.entries(content)[0]!;
        assert.ok(
          String(res.headers['content-type']).startsWith(type),
          `${url}: ${res.headers['content-type']} is ${type}`,
        );
        const body = type.includes('json') ? res.json() : res.body;
        const validate = ajv.compile(media.schema);
        assert.ok(
          validate(body),
          `${url} does not match GET ${path}: ${ajv.errorsText(validate.errors)}`,
        );
        checked += 1;
      }
    }
    assert.ok(checked >= 18, `${checked} answers checked`);
  });

  test('error answers validate against the documented 404 schema', async () => {
    const ajv = new Ajv({ strict: false });
    const op = doc.paths['/api/tenant/{tenant_name}/jobs']?.get;
    const schema = op?.responses['404']?.content?.['application/json']?.schema;
    assert.ok(schema);
    const res = await app.inject('/api/tenant/nope/jobs');
    assert.equal(res.statusCode, 404);
    assert.ok(ajv.validate(schema, res.json()), ajv.errorsText());
  });

  test('/api/openapi.yaml parses to the same document', async () => {
    const res = await app.inject('/api/openapi.yaml');
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^application\/yaml/);
    assert.deepEqual(yaml.load(res.body), doc);
  });
});
