// The web application: a fastify instance with Zuul's API conventions
// (API reference §0) and every route module of routes/index.ts.
//
// - JSON answers carry `Content-Type: application/json; charset=utf-8`
//   (fastify's default for objects).
// - Every answer under /api/ carries `Access-Control-Allow-Origin: *`; an
//   OPTIONS request to an /api/ path is a CORS preflight answered 204 with
//   the methods the path has (`GET, OPTIONS` when it has none), before any
//   tenant check (§0.6).
// - Repeated slashes in the path are collapsed before routing (§0.3).
// - Errors under /api/ are JSON `{"error": …, "description": …}`; bad
//   input (malformed paths, invalid percent-encoding or UTF-8, oversized or
//   over-repeated query strings) is a 4xx, never a 500.
// - Query strings: repeated parameters become lists (`?a=1&a=2` →
//   `{a: ['1', '2']}`), `+` is a space, unknown parameters are ignored.
// - Whitelabel: when one tenant is served on its own (`opts.whitelabelTenant`,
//   or the tenant whose `web-root` is `[web] root`), `/api/<x>` means
//   `/api/tenant/<T>/<x>`, as Zuul's documented reverse-proxy rewrite does.
// - Anything else is the dashboard's: files from `[web] static_path` (the
//   single-page app's index.html for unknown paths), or a small HTML page.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
} from 'fastify';
import type { WebContext } from './context.js';
import { errorBody, HttpError, preflightHeaders, statusText } from './http.js';
import { registerOpenApi } from './openapi.js';
import { ROUTES } from './routes/index.js';

export interface BuildAppOptions {
  /** A pino logger (the server's); no logging when absent. */
  logger?: FastifyBaseLogger;
  /** Serve this tenant whitelabeled (overrides the `[web] root` match). */
  whitelabelTenant?: string;
}

/** Longest request target accepted (longer: 414). */
export const MAX_URL_LENGTH = 8192;
/** Most query parameters accepted in one request (more: 400). */
export const MAX_QUERY_PARAMS = 1000;

/** Methods a preflight may list, in the order Zuul writes them. */
const CORS_METHODS = ['GET', 'POST', 'PUT', 'DELETE'] as const;

/** `/api/<x>` paths that stay root paths in whitelabel mode. */
const ROOT_ONLY = new Set(['', 'tenants', 'connections', 'components', 'authorizations']);

const BAD_QUERY = Symbol('badQuery');

type ParsedQuery = Record<string, string | string[]> & { [BAD_QUERY]?: string };

function decodeComponent(s: string): string {
  return decodeURIComponent(s.replace(/\+/g, ' '));
}

/**
 * Parses a query string. Never throws: a problem is recorded on the result
 * (under a symbol) and answered 400 by the onRequest hook.
 */
export function parseQuery(str: string): ParsedQuery {
  const values = new Map<string, string | string[]>();
  const result = (bad?: string): ParsedQuery => {
    const out = Object.fromEntries(values) as ParsedQuery;
    if (bad !== undefined) out[BAD_QUERY] = bad;
    return out;
  };
  if (str === '') return result();
  let count = 0;
  for (const part of str.split('&')) {
    if (part === '') continue;
    count += 1;
    if (count > MAX_QUERY_PARAMS) {
      return result(`Too many query parameters (at most ${MAX_QUERY_PARAMS})`);
    }
    const eq = part.indexOf('=');
    const rawKey = eq < 0 ? part : part.slice(0, eq);
    const rawValue = eq < 0 ? '' : part.slice(eq + 1);
    let key: string;
    let value: string;
    try {
      key = decodeComponent(rawKey);
      value = decodeComponent(rawValue);
    } catch {
      return result(
        `Invalid percent-encoding or UTF-8 in the query parameter "${rawKey.slice(0, 100)}"`,
      );
    }
    const prev = values.get(key);
    if (prev === undefined) values.set(key, value);
    else if (Array.isArray(prev)) prev.push(value);
    else values.set(key, [prev, value]);
  }
  return result();
}

/** The path of a request target with repeated slashes collapsed; the query kept. */
export function normalisePath(url: string): string {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const norm = path.replace(/\/{2,}/g, '/');
  return q < 0 ? norm : norm + url.slice(q);
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

function isApiPath(path: string): boolean {
  return path === '/api' || path.startsWith('/api/');
}

/** `[web] root` with one trailing slash, or undefined. */
function webRoot(ctx: WebContext): string | undefined {
  const root = ctx.conf.get('web', 'root');
  if (!root) return undefined;
  return root.endsWith('/') ? root : `${root}/`;
}

/**
 * The tenant served whitelabeled: the option, else the only tenant whose
 * `web-root` is this server's `[web] root`.
 */
export function whitelabelTenantOf(ctx: WebContext, opts: BuildAppOptions): string | undefined {
  if (opts.whitelabelTenant) return opts.whitelabelTenant;
  const root = webRoot(ctx);
  if (!root) return undefined;
  const matches = ctx.tenantFile().tenants.filter((t) => t.webRoot === root);
  return matches.length === 1 ? matches[0]!.name : undefined;
}

/** Rewrites `/api/<x>` to `/api/tenant/<T>/<x>` in whitelabel mode. */
function whitelabelRewrite(url: string, tenant: string): string {
  const path = pathOf(url);
  if (!path.startsWith('/api/')) return url;
  const rest = path.slice('/api/'.length);
  if (
    ROOT_ONLY.has(rest.replace(/\/$/, '')) ||
    rest.startsWith('tenant/') ||
    rest.startsWith('connection/')
  ) {
    return url;
  }
  return `/api/tenant/${encodeURIComponent(tenant)}/${url.slice('/api/'.length)}`;
}

function sendError(reply: FastifyReply, status: number, description: string): FastifyReply {
  return reply
    .code(status)
    .type('application/json; charset=utf-8')
    .send(errorBody(status, description));
}

export function buildApp(ctx: WebContext, opts: BuildAppOptions = {}): FastifyInstance {
  const app = Fastify({
    ...(opts.logger ? { loggerInstance: opts.logger } : { logger: false }),
    // Route parameters (tenant, job, pipeline names) may be long; greedy
    // project paths are wildcards and have no limit.
    routerOptions: {
      maxParamLength: 1000,
      querystringParser: parseQuery,
    },
    rewriteUrl(req) {
      const raw = req.url ?? '/';
      let url = normalisePath(raw);
      const tenant = whitelabelTenantOf(ctx, opts);
      if (tenant !== undefined) url = whitelabelRewrite(url, tenant);
      return url;
    },
    frameworkErrors(error, _req, reply) {
      const description =
        error.code === 'FST_ERR_BAD_URL'
          ? 'Malformed path: invalid percent-encoding or UTF-8'
          : error.message;
      sendError(reply, 400, description);
    },
    clientErrorHandler(err: NodeJS.ErrnoException, socket) {
      if (err.code === 'ECONNRESET' || !socket.writable) {
        socket.destroy();
        return;
      }
      const status =
        err.code === 'HPE_HEADER_OVERFLOW'
          ? 431
          : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? 408
            : 400;
      const description =
        status === 431
          ? 'The request line or headers are too large'
          : status === 408
            ? 'Request timeout'
            : 'Malformed HTTP request';
      const body = JSON.stringify(errorBody(status, description));
      socket.end(
        `HTTP/1.1 ${status} ${statusText(status)}\r\n` +
          'Content-Type: application/json; charset=utf-8\r\n' +
          `Content-Length: ${Buffer.byteLength(body)}\r\n` +
          'Connection: close\r\n\r\n' +
          body,
      );
    },
  });

  app.addHook('onRequest', async (req, reply) => {
    const path = pathOf(req.url);
    const api = isApiPath(path);
    if ((req.raw.url ?? '').length > MAX_URL_LENGTH) {
      return sendError(reply, 414, `The request target is longer than ${MAX_URL_LENGTH} bytes`);
    }
    const bad = (req.query as ParsedQuery | undefined)?.[BAD_QUERY];
    if (bad !== undefined) return sendError(reply, 400, bad);
    if (api && req.method === 'OPTIONS') {
      const methods = CORS_METHODS.filter((m) => app.findRoute({ method: m, url: path }) !== null);
      return reply
        .code(204)
        .headers(preflightHeaders(methods.length ? methods : ['GET']))
        .send();
    }
    return undefined;
  });

  app.addHook('onSend', async (req, reply, payload) => {
    if (isApiPath(pathOf(req.url)) && !reply.hasHeader('Access-Control-Allow-Origin')) {
      reply.header('Access-Control-Allow-Origin', '*');
    }
    return payload;
  });

  app.setErrorHandler((err: FastifyError | HttpError, req, reply) => {
    const code = err.statusCode;
    const status = code !== undefined && code >= 400 && code < 600 ? code : 500;
    if (status >= 500 && !(err instanceof HttpError)) {
      req.log.error({ err }, 'request failed');
      return sendError(reply, status, 'Internal error; see the server log');
    }
    return sendError(reply, status, err.message);
  });

  const staticRoot = ctx.conf.resolvePath('web', 'static_path');
  const cacheExpiry = ctx.conf.getInt('web', 'static_cache_expiry', 3600);
  app.setNotFoundHandler((req, reply) => {
    const path = pathOf(req.url);
    if (isApiPath(path)) return sendError(reply, 404, `No API endpoint ${req.method} ${path}`);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendError(reply, 404, `Nothing to ${req.method} at ${path}`);
    }
    return serveStatic(reply, staticRoot, path, cacheExpiry);
  });

  registerOpenApi(app);
  for (const route of ROUTES) route(app, ctx);
  return app;
}

// ---- the dashboard's files -------------------------------------------------

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.jpg': 'image/jpeg',
  '.gif': 'image/gif',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
};

const PLACEHOLDER = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>zuul-ts</title></head>
<body><h1>zuul-ts</h1>
<p>The dashboard is not installed (set <code>[web] static_path</code>). The REST API is at <a href="/api">/api</a>.</p>
</body></html>
`;

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * A file under `root` for a URL path, never outside it (Zuul 13.1.1 fixed
 * exactly that): paths with `..` or NUL segments are refused (404).
 */
function staticFile(root: string, path: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return undefined;
  }
  const segments = decoded.split(/[/\\]/).filter((s) => s !== '');
  if (segments.some((s) => s === '..' || s === '.' || s.includes('\0'))) return undefined;
  const full = resolve(root, ...segments);
  if (full !== root && !full.startsWith(root + sep)) return undefined;
  return full;
}

function serveStatic(
  reply: FastifyReply,
  root: string | undefined,
  path: string,
  cacheExpiry: number,
): FastifyReply {
  if (root && existsSync(root)) {
    const file = staticFile(resolve(root), path);
    if (file === undefined) return sendError(reply, 404, 'Not found');
    if (isFile(file)) {
      const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
      return reply
        .code(200)
        .type(type)
        .header('Cache-Control', `public, max-age=${cacheExpiry}`)
        .send(readFileSync(file));
    }
    // Single-page app: any other path is the app's own route.
    const index = join(resolve(root), 'index.html');
    if (isFile(index)) {
      return reply.code(200).type('text/html; charset=utf-8').send(readFileSync(index));
    }
  }
  return reply.code(200).type('text/html; charset=utf-8').send(PLACEHOLDER);
}
