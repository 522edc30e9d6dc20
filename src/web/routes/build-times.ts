// GET /api/tenant/{t}/build-times (reference §11): finished builds with
// their durations, latest end first (the dashboard's "Runtime" page).

import type { RouteModule } from '../context.js';
import { HISTORY_ERRORS, HISTORY_TAG, type TenantRequest, withHistory } from './history-common.js';
import { BUILD_TIMES_QUERY, buildTimeFiltersOf, pageOf, type Query } from './history-params.js';
import { BUILD_TIME_SCHEMA } from './history-schemas.js';
import { TENANT_PARAMS } from './tenant-lookup.js';

export const buildTimesRoutes: RouteModule = (app, ctx) => {
  app.get(
    '/api/tenant/:tenant_name/build-times',
    {
      schema: {
        summary: 'Build durations',
        description:
          'Finished builds with their start, end and duration, latest end first; all filters are exact.',
        tags: [HISTORY_TAG],
        params: TENANT_PARAMS,
        querystring: BUILD_TIMES_QUERY,
        response: { 200: { type: 'array', items: BUILD_TIME_SCHEMA }, ...HISTORY_ERRORS },
      },
    },
    async (req: TenantRequest<Query>, reply) =>
      withHistory(ctx, req.params.tenant_name, reply, (history, tenant) =>
        history.buildTimes(tenant, buildTimeFiltersOf(req.query), pageOf(req.query)),
      ),
  );
};
