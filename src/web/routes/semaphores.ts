// GET /api/tenant/{tenant_name}/semaphores (reference §45): the tenant's
// semaphores and the global semaphores it may use, sorted by name. Holders
// come from the scheduler; until it exists nobody holds a semaphore.

import type { RouteModule } from '../context.js';
import { TENANT_ERRORS, TENANT_PARAMS, tenantLayout } from './tenant-lookup.js';

const SEMAPHORE_SCHEMA = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    global: { type: 'boolean' },
    max: { type: 'integer' },
    holders: {
      type: 'object',
      properties: {
        count: { type: 'integer' },
        this_tenant: {
          type: 'array',
          items: {
            type: 'object',
            properties: { buildset_uuid: { type: 'string' }, job_name: { type: 'string' } },
          },
        },
        other_tenants: { type: 'integer' },
      },
      required: ['count', 'this_tenant', 'other_tenants'],
    },
  },
  required: ['name', 'global', 'max', 'holders'],
} as const;

export const semaphoresRoutes: RouteModule = (app, ctx) => {
  app.get<{ Params: { tenant_name: string } }>(
    '/api/tenant/:tenant_name/semaphores',
    {
      schema: {
        params: TENANT_PARAMS,
        response: { 200: { type: 'array', items: SEMAPHORE_SCHEMA }, ...TENANT_ERRORS },
      },
    },
    async (req, reply) => {
      const t = tenantLayout(ctx, req.params.tenant_name, reply);
      if (!t) return reply;
      return [...t.layout.semaphores.values()]
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
        .map((s) => ({
          name: s.name,
          global: 'global' in s && s.global === true,
          max: s.max,
          holders: { count: 0, this_tenant: [], other_tenants: 0 },
        }));
    },
  );
};
