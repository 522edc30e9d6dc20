// A fastify app serving the configuration endpoints over real fixture
// repositories: layouts built the way the server builds them, keys from a
// keystore on a temporary SQLite store.

import { join } from 'node:path';
import fastify, { type FastifyInstance } from 'fastify';
import { openDeployment } from '../../src/config/tenant-layout.js';
import { openStore, type Store } from '../../src/store/db.js';
import { Keystore } from '../../src/store/keystore.js';
import type { TenantState, WebContext } from '../../src/web/context.js';
import { configErrorsRoutes } from '../../src/web/routes/config-errors.js';
import { freezeRoutes } from '../../src/web/routes/freeze.js';
import { jobsRoutes } from '../../src/web/routes/jobs.js';
import { keysRoutes } from '../../src/web/routes/keys.js';
import { labelsRoutes } from '../../src/web/routes/labels.js';
import { pipelinesRoutes } from '../../src/web/routes/pipelines.js';
import { projectsRoutes } from '../../src/web/routes/projects.js';
import { semaphoresRoutes } from '../../src/web/routes/semaphores.js';
import { deployFixture } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/store.js';

export const MODULES = [
  projectsRoutes,
  jobsRoutes,
  pipelinesRoutes,
  semaphoresRoutes,
  labelsRoutes,
  configErrorsRoutes,
  freezeRoutes,
  keysRoutes,
];

export interface TestApp {
  app: FastifyInstance;
  store: Store;
  keystore: Keystore;
  close(): Promise<void>;
}

export interface FixtureContext {
  ctx: WebContext;
  store: Store;
  keystore: Keystore;
}

/**
 * Deploys a fixture scenario and builds every tenant's layout, with keys
 * from a keystore on a temporary SQLite store. Tenants named in `notReady`
 * are left without a layout (422).
 */
export async function fixtureContext(
  scenario: string,
  notReady: string[] = [],
): Promise<FixtureContext> {
  const fx = deployFixture(scenario);
  const deployment = await openDeployment(fx.confPath);
  const tenants = new Map<string, TenantState>();
  for (const t of deployment.tenantFile.tenants) {
    tenants.set(
      t.name,
      notReady.includes(t.name) ? { config: t } : { config: t, layout: await deployment.layout(t) },
    );
  }
  await deployment.close();
  const store = await openStore({ uri: `sqlite:///${join(tempDir(), 'zuul.db')}` });
  const keystore = new Keystore(store, 'test-password', { secretsKeyBits: 1024, sshKeyBits: 1024 });
  const ctx: WebContext = {
    conf: deployment.system.conf,
    connections: deployment.system.connections,
    tenantFile: () => deployment.tenantFile,
    tenants: () => tenants,
    keys: {
      projectSecretsKey: async (c, p) => (await keystore.getProjectSecretsKey(c, p)).publicPem,
      projectSshKey: async (c, p) => (await keystore.getProjectSshKey(c, p)).publicKey,
      tenantSshKey: async (t) => (await keystore.getTenantSshKey(t)).publicKey,
    },
    version: 'test',
  };
  return { ctx, store, keystore };
}

/** The configuration endpoints over a fixture scenario, on a bare fastify. */
export async function fixtureApp(scenario: string, notReady: string[] = []): Promise<TestApp> {
  const { ctx, store, keystore } = await fixtureContext(scenario, notReady);
  const app = fastify();
  for (const m of MODULES) m(app, ctx);
  await app.ready();
  return {
    app,
    store,
    keystore,
    close: async () => {
      await app.close();
      await store.close();
    },
  };
}

/** GET a path; the status and the parsed JSON body (or text). */
export async function get(
  app: FastifyInstance,
  url: string,
): Promise<{ status: number; body: unknown; type: string; text: string }> {
  const r = await app.inject({ method: 'GET', url });
  const type = String(r.headers['content-type'] ?? '');
  return {
    status: r.statusCode,
    type,
    text: r.body,
    body: type.includes('json') ? JSON.parse(r.body) : undefined,
  };
}
