// GET /api/tenant/{t}/system-events (reference §49): the tenant's system
// events, newest first. Zuul's handler was not available to read; this
// follows the table and the field list it is known to have, with /builds'
// conventions (repeatable exact filter, limit 50, skip).

import type { RouteModule } from '../context.js';
import { HISTORY_ERRORS, HISTORY_TAG, type TenantRequest, withHistory } from './history-common.js';
import {
  PAGE_PARAMS,
  pageOf,
  type Query,
  queryParam,
  systemEventFiltersOf,
} from './history-params.js';
import { SYSTEM_EVENT_SCHEMA } from './history-schemas.js';
import { TENANT_PARAMS } from './tenant-lookup.js';

export const systemEventsRoutes: RouteModule = (app, ctx) => {
  app.get(
    '/api/tenant/:tenant_name/system-events',
    {
      schema: {
        summary: 'List system events',
        description: "The tenant's system events, newest first.",
        tags: [HISTORY_TAG],
        params: TENANT_PARAMS,
        querystring: {
          type: 'object',
          properties: {
            event_type: queryParam('Event type; exact, repeat for several'),
            ...PAGE_PARAMS,
          },
        },
        response: { 200: { type: 'array', items: SYSTEM_EVENT_SCHEMA }, ...HISTORY_ERRORS },
      },
    },
    async (req: TenantRequest<Query>, reply) =>
      withHistory(ctx, req.params.tenant_name, reply, (history, tenant) =>
        history.systemEvents(tenant, systemEventFiltersOf(req.query), pageOf(req.query)),
      ),
  );
};
