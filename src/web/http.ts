// HTTP helpers shared by the web application and every route module:
// errors with a status, tenant resolution (API reference §0.4), the CORS
// and caching headers Zuul sets (§0.6).

import type { FastifyReply } from 'fastify';
import type { Layout } from '../model/layout.js';
import type { TenantConfig } from '../model/tenant.js';
import type { TenantState, WebContext } from './context.js';

/** Reason phrases used as the `error` field of JSON error bodies. */
const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function statusText(status: number): string {
  return STATUS_TEXT[status] ?? (status >= 500 ? 'Server Error' : 'Error');
}

/**
 * An error the client should see: thrown from a handler (or a PublicKeys
 * method), answered as `{"error": <reason>, "description": <message>}`
 * with `statusCode`. Any other thrown error is a 500 with a generic text.
 */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** The JSON body of an error answer under /api/. */
export interface ErrorBody {
  error: string;
  description: string;
}

export function errorBody(status: number, description: string): ErrorBody {
  return { error: statusText(status), description };
}

/** A loaded tenant: what `tenantOr404` returns. */
export interface ReadyTenant extends TenantState {
  config: TenantConfig;
  layout: Layout;
}

/**
 * Resolves `/api/tenant/{tenant_name}/…` as Zuul does, before any other
 * check: 404 `Unknown tenant` when the tenant file has no such tenant, 422
 * `Tenant <name> isn't ready` while its first layout is still loading.
 */
export function tenantOr404(ctx: WebContext, name: string): ReadyTenant {
  const state = ctx.tenants().get(name);
  if (!state) throw new HttpError(404, 'Unknown tenant');
  if (!state.layout) throw new HttpError(422, `Tenant ${name} isn't ready`);
  return state as ReadyTenant;
}

/** `Cache-Control: public, max-age=<seconds>`. */
export function cacheFor(reply: FastifyReply, seconds: number): void {
  reply.header('Cache-Control', `public, max-age=${seconds}`);
}

/** The CORS headers of an OPTIONS preflight answer (§0.6). */
export function preflightHeaders(methods: readonly string[]): Record<string, string> {
  return {
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Allow-Headers': 'Authorization, Content-Type',
    'Access-Control-Allow-Methods': [...methods, 'OPTIONS'].join(', '),
    'Access-Control-Max-Age': '86400',
  };
}

/** Schema of a JSON error body, for route `response` schemas (4xx). */
export const ERROR_SCHEMA = {
  type: 'object',
  properties: {
    error: { type: 'string' },
    description: { type: 'string' },
  },
  required: ['error', 'description'],
} as const;
