// GET /api/tenant/{t}/buildsets and /buildset/{uuid} (reference §14, §15).

import type { RouteModule } from '../context.js';
import { HttpError } from '../http.js';
import { HISTORY_ERRORS, HISTORY_TAG, type TenantRequest, withHistory } from './history-common.js';
import { BUILDSET_QUERY, buildsetFiltersOf, pageOf, type Query } from './history-params.js';
import { BUILDSET_SCHEMA, FULL_BUILDSET_SCHEMA } from './history-schemas.js';
import { TENANT_PARAMS } from './tenant-lookup.js';

export const buildsetsRoutes: RouteModule = (app, ctx) => {
  app.get(
    '/api/tenant/:tenant_name/buildsets',
    {
      schema: {
        summary: 'List buildsets',
        description:
          'Buildsets of the tenant, newest first, with their refs; a buildset matches the ref filters when any of its refs does.',
        tags: [HISTORY_TAG],
        params: TENANT_PARAMS,
        querystring: BUILDSET_QUERY,
        response: { 200: { type: 'array', items: BUILDSET_SCHEMA }, ...HISTORY_ERRORS },
      },
    },
    async (req: TenantRequest<Query>, reply) =>
      withHistory(ctx, req.params.tenant_name, reply, (history, tenant) =>
        history.buildsets(tenant, buildsetFiltersOf(req.query), pageOf(req.query)),
      ),
  );

  app.get<{ Params: { tenant_name: string; uuid: string } }>(
    '/api/tenant/:tenant_name/buildset/:uuid',
    {
      schema: {
        summary: 'Show a buildset',
        description:
          'One buildset by UUID with its refs, builds and events (`builds` and `events` are left out when empty).',
        tags: [HISTORY_TAG],
        params: {
          type: 'object',
          properties: { tenant_name: { type: 'string' }, uuid: { type: 'string' } },
          required: ['tenant_name', 'uuid'],
        },
        response: { 200: FULL_BUILDSET_SCHEMA, ...HISTORY_ERRORS },
      },
    },
    async (req, reply) =>
      withHistory(ctx, req.params.tenant_name, reply, async (history, tenant) => {
        const buildset = await history.buildset(tenant, req.params.uuid);
        if (!buildset) throw new HttpError(404, 'Buildset not found');
        return buildset;
      }),
  );
};
