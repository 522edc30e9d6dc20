// GET /api/tenant/{t}/builds and /build/{uuid} (reference §12, §13): the
// build history, newest first, with Zuul's filters (history-params.ts).

import type { RouteModule } from '../context.js';
import { HttpError } from '../http.js';
import { HISTORY_ERRORS, HISTORY_TAG, type TenantRequest, withHistory } from './history-common.js';
import { BUILD_QUERY, buildFiltersOf, pageOf, type Query } from './history-params.js';
import { TOP_BUILD_SCHEMA } from './history-schemas.js';
import { TENANT_PARAMS } from './tenant-lookup.js';

export const buildsRoutes: RouteModule = (app, ctx) => {
  app.get(
    '/api/tenant/:tenant_name/builds',
    {
      schema: {
        summary: 'List builds',
        description:
          "Builds of the tenant, newest first (by `_id`), filtered by any combination of the parameters. Page with `limit`/`skip`, or keep results stable while new builds arrive by passing the first page's highest `_id` as `idx_max`.",
        tags: [HISTORY_TAG],
        params: TENANT_PARAMS,
        querystring: BUILD_QUERY,
        response: { 200: { type: 'array', items: TOP_BUILD_SCHEMA }, ...HISTORY_ERRORS },
      },
    },
    async (req: TenantRequest<Query>, reply) =>
      withHistory(ctx, req.params.tenant_name, reply, (history, tenant) =>
        history.builds(tenant, buildFiltersOf(req.query), pageOf(req.query)),
      ),
  );

  app.get<{ Params: { tenant_name: string; uuid: string } }>(
    '/api/tenant/:tenant_name/build/:uuid',
    {
      schema: {
        summary: 'Show a build',
        description: "One build by UUID, with its buildset's UUID and refs.",
        tags: [HISTORY_TAG],
        params: {
          type: 'object',
          properties: { tenant_name: { type: 'string' }, uuid: { type: 'string' } },
          required: ['tenant_name', 'uuid'],
        },
        response: { 200: TOP_BUILD_SCHEMA, ...HISTORY_ERRORS },
      },
    },
    async (req, reply) =>
      withHistory(ctx, req.params.tenant_name, reply, async (history, tenant) => {
        const build = await history.build(tenant, req.params.uuid);
        if (!build) throw new HttpError(404, 'Build not found');
        return build;
      }),
  );
};
