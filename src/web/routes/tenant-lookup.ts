// Tenant and project resolution for the configuration endpoints
// (reference §0.4): the foundation's `tenantOr404` (404 `Unknown tenant`,
// 422 `Tenant <name> isn't ready`), answered here directly as JSON
// `{"error", "description"}` so the routes behave the same with or without
// buildApp's error handler (tests register the modules on a bare fastify).

import type { FastifyReply } from 'fastify';
import type { Layout, LayoutProject } from '../../model/layout.js';
import { resolveProjectName } from '../../model/layout.js';
import type { WebContext } from '../context.js';
import { errorBody, HttpError, type ReadyTenant, tenantOr404 } from '../http.js';

/** Sends a JSON error body; returns the reply for `return sendError(…)`. */
export function sendError(reply: FastifyReply, status: number, description: string): FastifyReply {
  return reply
    .code(status)
    .type('application/json; charset=utf-8')
    .send(errorBody(status, description));
}

/** The tenant and its layout, or undefined after replying 404/422. */
export function tenantLayout(
  ctx: WebContext,
  name: string,
  reply: FastifyReply,
): { tenant: ReadyTenant; layout: Layout } | undefined {
  try {
    const tenant = tenantOr404(ctx, name);
    return { tenant, layout: tenant.layout };
  } catch (err) {
    if (!(err instanceof HttpError)) throw err;
    sendError(reply, err.statusCode, err.message);
    return undefined;
  }
}

/**
 * A project by short or canonical name. Unknown → 404 `Unknown project`;
 * an ambiguous short name → 500, as in Zuul. Undefined after replying.
 */
export function projectOr404(
  layout: Layout,
  name: string,
  reply: FastifyReply,
): LayoutProject | undefined {
  let project: LayoutProject | undefined;
  try {
    project = resolveProjectName(layout, name);
  } catch (err) {
    sendError(reply, 500, (err as Error).message);
    return undefined;
  }
  if (!project) {
    sendError(reply, 404, 'Unknown project');
    return undefined;
  }
  return project;
}

/** Error response schema shared by every route of these modules. */
export const ERROR_SCHEMA = {
  type: 'object',
  properties: { error: { type: 'string' }, description: { type: 'string' } },
  required: ['error', 'description'],
} as const;

/** `{tenant_name}` path parameter schema. */
export const TENANT_PARAMS = {
  type: 'object',
  properties: { tenant_name: { type: 'string' } },
  required: ['tenant_name'],
} as const;

/** The standard error responses of a tenant endpoint. */
export const TENANT_ERRORS = { 404: ERROR_SCHEMA, 422: ERROR_SCHEMA, 500: ERROR_SCHEMA } as const;

/** JSON schema of a source context as the API shows it. */
export const SOURCE_CONTEXT_SCHEMA = {
  type: ['object', 'null'],
  properties: {
    project: { type: 'string' },
    branch: { type: 'string' },
    path: { type: 'string' },
  },
} as const;
