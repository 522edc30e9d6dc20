// GET /api/components (API reference §3): the component registry, an
// object keyed by kind; kinds without a live component are absent.

import type { RouteModule, WebContext } from '../context.js';
import { HttpError } from '../http.js';

export const COMPONENTS_SCHEMA = {
  description: 'Registered components by kind; kinds with none are absent',
  type: 'object',
  additionalProperties: {
    type: 'array',
    items: {
      type: 'object',
      properties: {
        hostname: { type: 'string' },
        state: { type: 'string', enum: ['initializing', 'running', 'paused', 'stopped'] },
        version: { type: ['string', 'null'] },
      },
      required: ['hostname', 'state', 'version'],
    },
  },
} as const;

export const componentsRoutes: RouteModule = (app, ctx: WebContext) => {
  app.get('/api/components', { schema: { response: { 200: COMPONENTS_SCHEMA } } }, async () => {
    if (!ctx.components) throw new HttpError(503, 'The component registry is not available');
    try {
      return await ctx.components.listing();
    } catch (err) {
      throw new HttpError(
        503,
        `The component registry is not available: ${(err as Error).message}`,
      );
    }
  });
};
