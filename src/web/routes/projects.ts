// GET /api/tenant/{tenant_name}/projects (reference §42): every project of
// the tenant, config and untrusted, sorted by name.

import type { RouteModule } from '../context.js';
import { TENANT_ERRORS, TENANT_PARAMS, tenantLayout } from './tenant-lookup.js';

const PROJECT_SCHEMA = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    connection_name: { type: 'string' },
    canonical_name: { type: 'string' },
    type: { type: 'string', enum: ['config', 'untrusted'] },
  },
  required: ['name', 'connection_name', 'canonical_name', 'type'],
} as const;

export const projectsRoutes: RouteModule = (app, ctx) => {
  app.get<{ Params: { tenant_name: string } }>(
    '/api/tenant/:tenant_name/projects',
    {
      schema: {
        params: TENANT_PARAMS,
        response: { 200: { type: 'array', items: PROJECT_SCHEMA }, ...TENANT_ERRORS },
      },
    },
    async (req, reply) => {
      const t = tenantLayout(ctx, req.params.tenant_name, reply);
      if (!t) return reply;
      // Zuul lists config projects, then untrusted ones, then sorts stably by name.
      const all = [...t.layout.projects.values()];
      const ordered = [...all.filter((p) => p.trusted), ...all.filter((p) => !p.trusted)];
      return ordered
        .map((p) => ({
          name: p.name,
          connection_name: p.connectionName,
          canonical_name: p.canonicalName,
          type: p.trusted ? 'config' : 'untrusted',
        }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
  );
};
