// GET /api/tenant/{t}/badge (reference §10): a shields.io-style SVG badge,
// "build | passing" when the newest completed buildset matching the
// project/pipeline/branch filters (fuzzy, repeatable) succeeded and
// "build | failing" for any other result; 404 when none matches. Never
// cached, so a README shows the current state.

import type { RouteModule } from '../context.js';
import { HttpError } from '../http.js';
import { HISTORY_ERRORS, HISTORY_TAG, type TenantRequest, withHistory } from './history-common.js';
import { badgeFiltersOf, type Query, queryParam } from './history-params.js';
import { TENANT_PARAMS } from './tenant-lookup.js';

/** The badge's geometry in viewBox units (a tenth of a pixel), as Zuul's. */
const LABEL_WIDTH = 368;

function badgeSvg(status: string, color: string, statusWidth: number): string {
  const width = LABEL_WIDTH + statusWidth;
  const labelX = LABEL_WIDTH / 2;
  const statusX = LABEL_WIDTH + statusWidth / 2;
  // Each text is drawn twice: a faint black copy 10 units lower right as its shadow.
  const text = (x: number, s: string) =>
    `<text x="${x + 10}" y="148" fill="#000" opacity=".25">${s}</text>` +
    `<text x="${x}" y="138">${s}</text>`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width / 10}" height="20" viewBox="0 0 ${width} 200" role="img" aria-label="build: ${status}">`,
    `<title>build: ${status}</title>`,
    '<linearGradient id="shade" x2="0" y2="100%"><stop offset="0" stop-color="#EEE" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>',
    `<mask id="round"><rect width="${width}" height="200" rx="30" fill="#FFF"/></mask>`,
    '<g mask="url(#round)">',
    `<rect width="${LABEL_WIDTH}" height="200" fill="#555"/>`,
    `<rect x="${LABEL_WIDTH}" width="${statusWidth}" height="200" fill="${color}"/>`,
    `<rect width="${width}" height="200" fill="url(#shade)"/>`,
    '</g>',
    '<g aria-hidden="true" fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" font-size="110">',
    text(labelX, 'build'),
    text(statusX, status),
    '</g>',
    '</svg>',
    '',
  ].join('\n');
}

export const PASSING_SVG = badgeSvg('passing', '#3C1', 518);
export const FAILING_SVG = badgeSvg('failing', '#E43', 434);

export const badgeRoutes: RouteModule = (app, ctx) => {
  app.get(
    '/api/tenant/:tenant_name/badge',
    {
      schema: {
        summary: 'Build status badge',
        description:
          'An SVG badge: "passing" when the newest completed buildset matching the filters succeeded, "failing" for any other result.',
        tags: [HISTORY_TAG],
        produces: ['image/svg+xml'],
        params: TENANT_PARAMS,
        querystring: {
          type: 'object',
          properties: {
            project: queryParam('Project short name; `*` wildcards; repeatable'),
            pipeline: queryParam('Pipeline; `*` wildcards; repeatable'),
            branch: queryParam('Branch; `*` wildcards; repeatable'),
          },
        },
        response: { 200: { type: 'string' }, ...HISTORY_ERRORS },
      },
    },
    async (req: TenantRequest<Query>, reply) =>
      withHistory(ctx, req.params.tenant_name, reply, async (history, tenant) => {
        const latest = await history.latestResult(tenant, badgeFiltersOf(req.query));
        if (!latest) throw new HttpError(404, 'No buildset found');
        return reply
          .type('image/svg+xml')
          .header('Cache-Control', 'no-cache')
          .send(latest.result === 'SUCCESS' ? PASSING_SVG : FAILING_SVG);
      }),
  );
};
