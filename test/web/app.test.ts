// The web application over real fixture repositories: the discovery
// endpoints field by field (API reference §1, §4, §5, §24, §52), CORS,
// repeated slashes, tenant resolution and bad requests.

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseZuulConf } from '../../src/config/zuul-conf.js';
import { buildApp } from '../../src/web/app.js';
import type { WebContext } from '../../src/web/context.js';
import { type HttpError, tenantOr404 } from '../../src/web/http.js';
import { KeystorePublicKeys, WebServer } from '../../src/web/server.js';
import { deployFixture } from '../helpers/fixtures.js';

const AUTH_CONF = `
[auth zuul_operator]
driver=HS256
allow_authz_override=true
realm=zuul.example.com
client_id=zuul.example.com
issuer_id=zuul_operator
secret=NoDanaOnlyZuul

[auth myOIDC]
driver=OpenIDConnect
realm=myOIDC1
default=true
client_id=zuul
issuer_id=http://oidc1

[web]
stats_url=https://graphite.example.com
static_cache_expiry=1200
`;

describe('web app: discovery endpoints on the multi-tenant fixture', () => {
  let server: WebServer;
  let root: string;

  before(async () => {
    const d = deployFixture('multi-tenant', { extraConf: AUTH_CONF });
    root = d.root;
    server = await WebServer.start({
      confPath: d.confPath,
      version: '0.1.0',
      host: '127.0.0.1',
      port: 0,
      commandSocket: false,
    });
    await server.ready;
  });
  after(async () => {
    await server?.close();
  });

  test('GET /api lists the route templates', async () => {
    const res = await server.app.inject('/api');
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(res.headers['access-control-allow-origin'], '*');
    const body = res.json();
    assert.equal(body.info, '/api/info');
    assert.equal(body.tenants, '/api/tenants');
    assert.equal(body.project, '/api/tenant/{tenant}/project/{project:.*}');
    assert.equal(body.key, '/api/tenant/{tenant}/key/{project:.*}.pub');
    assert.equal(body.status, '/api/tenant/{tenant}/status');
  });

  test('GET /api/info: capabilities, realms, stats; no tenant', async () => {
    const res = await server.app.inject('/api/info');
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(res.headers['cache-control'], 'public, max-age=1200');
    assert.equal(res.headers['access-control-allow-origin'], '*');
    assert.deepEqual(res.json(), {
      info: {
        capabilities: {
          job_history: false,
          auth: {
            realms: {
              'zuul.example.com': {
                authority: 'zuul_operator',
                client_id: 'zuul.example.com',
                type: 'JWT',
                driver: 'HS256',
              },
              myOIDC1: {
                authority: 'http://oidc1',
                client_id: 'zuul',
                type: 'JWT',
                driver: 'OpenIDConnect',
                scope: 'openid profile',
                load_user_info: true,
              },
            },
            default_realm: 'myOIDC1',
            read_protected: false,
            auth_log_file_requests: false,
          },
        },
        stats: { url: 'https://graphite.example.com', prefix: null, type: 'graphite' },
        websocket_url: null,
      },
    });
  });

  test('GET /api/tenant/{t}/info: known and unknown tenants', async () => {
    const known = (await server.app.inject('/api/tenant/tenant-one/info')).json();
    assert.equal(known.info.tenant, 'tenant-one');
    assert.deepEqual(Object.keys(known.info.capabilities.auth).sort(), [
      'auth_log_file_requests',
      'default_realm',
      'niz',
      'read_protected',
      'realms',
    ]);
    assert.equal(known.info.capabilities.auth.niz, false);
    assert.equal(known.info.capabilities.auth.read_protected, false);
    const res = await server.app.inject('/api/tenant/nope/info');
    assert.equal(res.statusCode, 200);
    const unknown = res.json();
    assert.equal(unknown.info.tenant, 'nope');
    assert.deepEqual(Object.keys(unknown.info.capabilities.auth).sort(), [
      'default_realm',
      'realms',
    ]);
  });

  test('GET /api/tenants: sorted, with project and queue counts, cached 1 s', async () => {
    const res = await server.app.inject('/api/tenants');
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(res.headers['cache-control'], 'public, max-age=1');
    assert.deepEqual(res.json(), [
      { name: 'tenant-one', projects: 1, queue: 0 },
      { name: 'tenant-three', projects: 1, queue: 0 },
      { name: 'tenant-two', projects: 1, queue: 0 },
    ]);
  });

  test('GET /api/connections: source connections only, gerrit fields', async () => {
    const body = (await server.app.inject('/api/connections')).json() as Record<string, unknown>[];
    assert.ok(body.length >= 1);
    const gerrit = body.find((c) => c.name === 'gerrit')!;
    assert.equal(gerrit.driver, 'gerrit');
    assert.equal(gerrit.canonical_hostname, 'review.example.com');
    assert.equal(typeof gerrit.server, 'string');
    assert.equal(gerrit.ssh_server, gerrit.server);
    assert.equal(gerrit.port, 29418);
    assert.equal(gerrit.baseurl, `https://${gerrit.server}`);
    assert.ok(!body.some((c) => c.driver === 'smtp'), 'smtp has no source');
  });

  test('CORS preflight: 204 before any tenant check', async () => {
    const res = await server.app.inject({ method: 'OPTIONS', url: '/api/tenant/my-tenant/info' });
    assert.equal(res.statusCode, 204);
    assert.equal(res.headers['access-control-allow-origin'], '*');
    assert.equal(res.headers['access-control-allow-headers'], 'Authorization, Content-Type');
    assert.equal(res.headers['access-control-allow-methods'], 'GET, OPTIONS');
    assert.equal(res.headers['access-control-max-age'], '86400');
    const unknown = await server.app.inject({ method: 'OPTIONS', url: '/api/tenant/x/status' });
    assert.equal(unknown.statusCode, 204);
    assert.equal(unknown.headers['access-control-allow-methods'], 'GET, OPTIONS');
  });

  test('repeated slashes are collapsed', async () => {
    const res = await server.app.inject('//api///tenant//tenant-one//info');
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().info.tenant, 'tenant-one');
  });

  test('unknown /api paths: 404 JSON; other paths: the dashboard placeholder', async () => {
    const res = await server.app.inject('/api/no/such/thing');
    assert.equal(res.statusCode, 404);
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(res.json().error, 'Not Found');
    assert.match(res.json().description, /no\/such\/thing/);
    const page = await server.app.inject('/t/tenant-one/status');
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
  });

  test('unknown query parameters are ignored', async () => {
    const res = await server.app.inject('/api/tenants?foo=1&bar');
    assert.equal(res.statusCode, 200);
  });

  test('bad requests are 4xx with a message, never 500', async () => {
    const cases: [string, number][] = [
      ['/api/tenant/%E0%A4%A/info', 400],
      ['/api/tenant/%FF/info', 400],
      ['/api/tenant/%/info', 400],
      ['/api/tenants?project=%FF', 400],
      ['/api/tenants?project=%zz', 400],
      // 10,000 repeated parameters: too long a target; 1,001 short ones: too many.
      [`/api/tenants?${'project=a&'.repeat(10_000)}`, 414],
      [`/api/tenants?${'a&'.repeat(1001)}`, 400],
      [`/api/tenants?q=${'x'.repeat(20_000)}`, 414],
      // Path parameters longer than 1000 characters.
      [`/api/tenant/${'t'.repeat(5000)}/info`, 400],
    ];
    for (const [url, status] of cases) {
      const res = await server.app.inject(url);
      assert.equal(res.statusCode, status, url.slice(0, 80));
      if (status >= 400) {
        const body = res.json();
        assert.equal(typeof body.error, 'string', url.slice(0, 80));
        assert.ok(body.description.length > 0, url.slice(0, 80));
      }
    }
  });

  test('over a real socket: an oversized request line gets a JSON 431', async () => {
    const url = `${server.address()}/api/tenants?q=${'x'.repeat(40_000)}`;
    const { status, body } = await new Promise<{ status: number; body: string }>((res, rej) => {
      const req = request(url, (r) => {
        let b = '';
        r.setEncoding('utf8');
        r.on('data', (c: string) => {
          b += c;
        });
        r.on('end', () => res({ status: r.statusCode ?? 0, body: b }));
      });
      req.on('error', rej);
      req.end();
    });
    assert.equal(status, 431);
    assert.equal(JSON.parse(body).error, 'Request Header Fields Too Large');
  });

  test('static files: served from [web] static_path, never outside it', async () => {
    const staticDir = join(root, 'static');
    mkdirSync(staticDir, { recursive: true });
    writeFileSync(join(staticDir, 'index.html'), '<html>app</html>');
    writeFileSync(join(staticDir, 'main.js'), 'console.log(1)');
    writeFileSync(join(root, 'secret.txt'), 'secret');
    const ctx: WebContext = {
      ...server.ctx,
      conf: Object.assign(Object.create(Object.getPrototypeOf(server.ctx.conf)), server.ctx.conf, {
        get: (section: string, key: string, fallback?: string) =>
          section === 'web' && key === 'static_path'
            ? staticDir
            : server.ctx.conf.get(section, key, fallback as string),
        resolvePath: (section: string, key: string) =>
          section === 'web' && key === 'static_path'
            ? staticDir
            : server.ctx.conf.resolvePath(section, key),
      }),
    };
    const app = buildApp(ctx);
    const js = await app.inject('/main.js');
    assert.equal(js.statusCode, 200);
    assert.equal(js.body, 'console.log(1)');
    const spa = await app.inject('/t/tenant-one/builds');
    assert.equal(spa.body, '<html>app</html>');
    for (const url of ['/../secret.txt', '/%2e%2e/secret.txt', '/static/..%2f..%2fsecret.txt']) {
      const res = await app.inject(url);
      assert.notEqual(res.body, 'secret', url);
    }
    await app.close();
  });
});

describe('web app: tenant resolution and whitelabel', () => {
  test('tenantOr404: 404 unknown tenant, 422 while loading, then the layout', async () => {
    const d = deployFixture('single-tenant');
    const server = await WebServer.start({
      confPath: d.confPath,
      version: '0.1.0',
      host: '127.0.0.1',
      port: 0,
      commandSocket: false,
    });
    try {
      // A route module that resolves its tenant, as the configuration routes do.
      const app = buildApp(server.ctx);
      app.get<{ Params: { tenant: string } }>('/api/tenant/:tenant/probe', async (req) => {
        const t = tenantOr404(server.ctx, req.params.tenant);
        return { jobs: t.layout.jobs.size };
      });
      const unknown = await app.inject('/api/tenant/nope/probe');
      assert.equal(unknown.statusCode, 404);
      assert.deepEqual(unknown.json(), { error: 'Not Found', description: 'Unknown tenant' });
      if (!server.ctx.tenants().get('tenant-one')?.layout) {
        const loading = await app.inject('/api/tenant/tenant-one/probe');
        assert.equal(loading.statusCode, 422);
        assert.equal(loading.json().description, "Tenant tenant-one isn't ready");
        const tenants = await app.inject('/api/tenants');
        assert.deepEqual(tenants.json(), [], 'only loaded tenants are listed');
      }
      await server.ready;
      const ready = await app.inject('/api/tenant/tenant-one/probe');
      assert.equal(ready.statusCode, 200);
      assert.ok(ready.json().jobs > 0);

      // Whitelabel: /api/<x> is the tenant's /api/tenant/<T>/<x>.
      const wl = buildApp(server.ctx, { whitelabelTenant: 'tenant-one' });
      wl.get<{ Params: { tenant: string } }>('/api/tenant/:tenant/probe', async (req) => ({
        tenant: tenantOr404(server.ctx, req.params.tenant).config.name,
      }));
      const info = (await wl.inject('/api/info')).json();
      assert.equal(info.info.tenant, 'tenant-one');
      assert.deepEqual((await wl.inject('/api/probe')).json(), { tenant: 'tenant-one' });
      assert.equal((await wl.inject('/api/tenants')).statusCode, 200);
      assert.equal((await wl.inject('/api/connections')).statusCode, 200);
      await app.close();
      await wl.close();
    } finally {
      await server.close();
    }
  });

  test('public keys: from the keystore; without [keystore] a clear 503', async () => {
    const bare = new KeystorePublicKeys(
      parseZuulConf('[scheduler]\ntenant_config=x\n', '/tmp/zuul.conf'),
    );
    await assert.rejects(bare.projectSecretsKey('gerrit', 'org/project'), (err: HttpError) => {
      assert.equal(err.statusCode, 503);
      assert.match(err.message, /\[keystore\] password/);
      return true;
    });
    const d = deployFixture('single-tenant');
    const server = await WebServer.start({
      confPath: d.confPath,
      version: '0.1.0',
      host: '127.0.0.1',
      port: 0,
      commandSocket: false,
    });
    try {
      await server.ready;
      const key = await server.ctx.keys.projectSecretsKey('gerrit', 'org/project');
      assert.match(key, /^-----BEGIN PUBLIC KEY-----/);
      const ssh = await server.ctx.keys.tenantSshKey('tenant-one');
      assert.match(ssh, /^ssh-rsa /);
    } finally {
      await server.close();
    }
  });
});
