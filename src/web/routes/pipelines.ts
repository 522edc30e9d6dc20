// GET /api/tenant/{tenant_name}/pipelines (reference §35): pipelines in
// layout order, each with one trigger per `trigger:` key. A trigger tied to
// a connection is named after the connection; the others (timer, zuul) by
// their driver.

import type { RouteModule } from '../context.js';
import { TENANT_ERRORS, TENANT_PARAMS, tenantLayout } from './tenant-lookup.js';

const PIPELINE_SCHEMA = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    triggers: {
      type: 'array',
      items: {
        type: 'object',
        properties: { name: { type: 'string' }, driver: { type: 'string' } },
        required: ['name', 'driver'],
      },
    },
  },
  required: ['name', 'triggers'],
} as const;

export const pipelinesRoutes: RouteModule = (app, ctx) => {
  app.get<{ Params: { tenant_name: string } }>(
    '/api/tenant/:tenant_name/pipelines',
    {
      schema: {
        params: TENANT_PARAMS,
        response: { 200: { type: 'array', items: PIPELINE_SCHEMA }, ...TENANT_ERRORS },
      },
    },
    async (req, reply) => {
      const t = tenantLayout(ctx, req.params.tenant_name, reply);
      if (!t) return reply;
      return [...t.layout.pipelines.values()].map((p) => {
        const seen = new Set<string>();
        const triggers: { name: string; driver: string }[] = [];
        for (const trig of p.triggers) {
          if (seen.has(trig.connection)) continue;
          seen.add(trig.connection);
          const conn = ctx.connections.get(trig.connection);
          triggers.push({ name: trig.connection, driver: conn?.driverName ?? trig.connection });
        }
        return { name: p.name, triggers };
      });
    },
  );
};
