// What every history route does first: resolve the tenant (404/422, as
// every tenant endpoint), check that a build history exists (503), parse
// the query (400), then ask the history. Errors are answered here as JSON
// so the routes behave the same with or without buildApp's error handler.

import type { FastifyReply, FastifyRequest } from 'fastify';
import type { HistoryReader } from '../../store/history/reader.js';
import type { WebContext } from '../context.js';
import { HttpError } from '../http.js';
import { ERROR_SCHEMA, sendError, TENANT_ERRORS, tenantLayout } from './tenant-lookup.js';

export const HISTORY_ERRORS = { 400: ERROR_SCHEMA, ...TENANT_ERRORS, 503: ERROR_SCHEMA } as const;

export const HISTORY_TAG = 'history';

/**
 * Runs `fn` with the history for tenant `tenantName`; returns its answer,
 * or the reply after an error was sent.
 */
export async function withHistory<T>(
  ctx: WebContext,
  tenantName: string,
  reply: FastifyReply,
  fn: (history: HistoryReader, tenant: string) => Promise<T>,
): Promise<T | FastifyReply> {
  const t = tenantLayout(ctx, tenantName, reply);
  if (!t) return reply;
  if (!ctx.history) {
    return sendError(reply, 503, 'The build history is not available: no database is configured');
  }
  try {
    return await fn(ctx.history, t.tenant.config.name);
  } catch (err) {
    if (err instanceof HttpError) return sendError(reply, err.statusCode, err.message);
    throw err;
  }
}

export type TenantRequest<Q = Record<string, string | string[] | undefined>> = FastifyRequest<{
  Params: { tenant_name: string };
  Querystring: Q;
}>;
