// GET /api/tenant/{tenant_name}/labels (reference §28): legacy Nodepool
// labels first (the launchers' supported labels, none until launcher
// registrations exist), then the layout's NIZ label objects.

import type { RouteModule } from '../context.js';
import { TENANT_ERRORS, TENANT_PARAMS, tenantLayout } from './tenant-lookup.js';

/** Python's `urllib.parse.quote_plus(s)` (no safe characters beyond `_.-~`). */
export function quotePlus(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** Canonical name of a launcher object: quoted project canonical name, `/`, quoted name. */
export function launcherCanonicalName(projectCanonical: string, name: string): string {
  return `${quotePlus(projectCanonical)}/${quotePlus(name)}`;
}

const LABEL_SCHEMA = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    canonical_name: { type: 'string' },
    description: { type: ['string', 'null'] },
  },
  required: ['name'],
} as const;

export const labelsRoutes: RouteModule = (app, ctx) => {
  app.get<{ Params: { tenant_name: string } }>(
    '/api/tenant/:tenant_name/labels',
    {
      schema: {
        params: TENANT_PARAMS,
        response: { 200: { type: 'array', items: LABEL_SCHEMA }, ...TENANT_ERRORS },
      },
    },
    async (req, reply) => {
      const t = tenantLayout(ctx, req.params.tenant_name, reply);
      if (!t) return reply;
      const legacy: { name: string }[] = [];
      const niz = [...t.layout.labels.values()].map((l) => ({
        name: l.name,
        canonical_name: launcherCanonicalName(l.sourceContext.projectCanonical, l.name),
        description: l.description ?? null,
      }));
      return [...legacy, ...niz];
    },
  );
};
