// GET /api/tenant/{tenant_name}/config-errors (reference §16): the
// tenant's loading and layout errors in loading order, filtered by exact
// single values of `project` (short name of the source context's project),
// `branch`, `severity` and `name`; a repeated parameter never matches, as
// in Zuul (it compares a list with a string). `limit` (default 50) and
// `skip` (default 0) page the result; like Zuul, the limit is checked after
// an entry is added, so `limit=0` still returns one entry. A non-integer
// `limit`/`skip` is a 400 here (Zuul answers 500).

import { toJson } from '../../cli/config-check.js';
import type { ConfigError } from '../../model/config-error.js';
import type { RouteModule } from '../context.js';
import {
  ERROR_SCHEMA,
  SOURCE_CONTEXT_SCHEMA,
  sendError,
  TENANT_ERRORS,
  TENANT_PARAMS,
  tenantLayout,
} from './tenant-lookup.js';

const CONFIG_ERROR_SCHEMA = {
  type: 'object',
  properties: {
    source_context: SOURCE_CONTEXT_SCHEMA,
    error: { type: 'string' },
    short_error: { type: 'string' },
    severity: { type: 'string', enum: ['error', 'warning'] },
    name: { type: 'string' },
    line: { type: ['integer', 'null'], description: 'zuul-ts extra: 1-based line of the problem' },
  },
  required: ['source_context', 'error', 'short_error', 'severity', 'name'],
} as const;

// A parameter may be repeated (a list, which never matches a filter).
const QUERY_VALUE = {
  anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
} as const;

type Query = Record<string, string | string[] | undefined>;

/** Whether a filter value (absent, a string, or a repeated parameter) accepts `actual`. */
function accepts(filter: string | string[] | undefined, actual: string | undefined): boolean {
  if (filter === undefined || filter === '') return true;
  if (Array.isArray(filter)) return false;
  return filter === actual;
}

function intParam(value: string | string[] | undefined, dflt: number): number | undefined {
  if (value === undefined) return dflt;
  if (Array.isArray(value) || !/^\s*[-+]?\d+\s*$/.test(value)) return undefined;
  return Number.parseInt(value, 10);
}

/** Zuul's filtering and paging over a layout's errors. */
export function filterConfigErrors(
  errors: readonly ConfigError[],
  query: Query,
): ConfigError[] | { bad: string } {
  const limit = intParam(query.limit, 50);
  if (limit === undefined) return { bad: 'limit must be an integer' };
  const skip = intParam(query.skip, 0);
  if (skip === undefined) return { bad: 'skip must be an integer' };
  const out: ConfigError[] = [];
  let skipped = 0;
  for (const e of errors) {
    if (!accepts(query.project, e.sourceContext?.project)) continue;
    if (!accepts(query.branch, e.sourceContext?.branch)) continue;
    if (!accepts(query.severity, e.severity)) continue;
    if (!accepts(query.name, e.name)) continue;
    if (skipped < skip) {
      skipped += 1;
      continue;
    }
    out.push(e);
    if (out.length >= limit) break;
  }
  return out;
}

export const configErrorsRoutes: RouteModule = (app, ctx) => {
  app.get<{ Params: { tenant_name: string }; Querystring: Query }>(
    '/api/tenant/:tenant_name/config-errors',
    {
      schema: {
        params: TENANT_PARAMS,
        querystring: {
          type: 'object',
          properties: {
            project: QUERY_VALUE,
            branch: QUERY_VALUE,
            severity: QUERY_VALUE,
            name: QUERY_VALUE,
            limit: QUERY_VALUE,
            skip: QUERY_VALUE,
          },
        },
        response: {
          200: { type: 'array', items: CONFIG_ERROR_SCHEMA },
          400: ERROR_SCHEMA,
          ...TENANT_ERRORS,
        },
      },
    },
    async (req, reply) => {
      const t = tenantLayout(ctx, req.params.tenant_name, reply);
      if (!t) return reply;
      const result = filterConfigErrors(t.layout.errors, req.query);
      if (!Array.isArray(result)) return sendError(reply, 400, result.bad);
      return result.map(toJson);
    },
  );
};
