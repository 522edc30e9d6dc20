// Public keys (reference §27, §36, §50): a project's secrets key (PEM),
// its SSH key and the tenant's SSH key (OpenSSH, with a trailing newline),
// as text/plain. Project names may be short or canonical and contain `/`,
// so the routes take the rest of the path and require the `.pub` suffix.

import type { FastifyReply } from 'fastify';
import type { RouteModule, WebContext } from '../context.js';
import {
  ERROR_SCHEMA,
  projectOr404,
  sendError,
  TENANT_ERRORS,
  tenantLayout,
} from './tenant-lookup.js';

const TEXT_RESPONSE = { 200: { type: 'string' }, ...TENANT_ERRORS } as const;

const PROJECT_PARAMS = {
  type: 'object',
  properties: {
    tenant_name: { type: 'string' },
    '*': { type: 'string', description: '{project_name}.pub (short or canonical name)' },
  },
} as const;

function text(reply: FastifyReply, body: string): FastifyReply {
  return reply.type('text/plain; charset=utf-8').send(body);
}

function withNewline(s: string): string {
  return s.endsWith('\n') ? s : `${s}\n`;
}

function projectKeyRoute(
  app: Parameters<RouteModule>[0],
  ctx: WebContext,
  segment: string,
  get: (connection: string, project: string) => Promise<string>,
): void {
  app.get<{ Params: { tenant_name: string; '*': string } }>(
    `/api/tenant/:tenant_name/${segment}/*`,
    { schema: { params: PROJECT_PARAMS, response: TEXT_RESPONSE } },
    async (req, reply) => {
      const t = tenantLayout(ctx, req.params.tenant_name, reply);
      if (!t) return reply;
      const rest = req.params['*'];
      if (!rest.endsWith('.pub') || rest.length <= 4)
        return sendError(reply, 404, 'Unknown project');
      const project = projectOr404(t.layout, rest.slice(0, -4), reply);
      if (!project) return reply;
      return text(reply, withNewline(await get(project.connectionName, project.name)));
    },
  );
}

export const keysRoutes: RouteModule = (app, ctx) => {
  projectKeyRoute(app, ctx, 'key', (c, p) => ctx.keys.projectSecretsKey(c, p));
  projectKeyRoute(app, ctx, 'project-ssh-key', (c, p) => ctx.keys.projectSshKey(c, p));
  app.get<{ Params: { tenant_name: string } }>(
    '/api/tenant/:tenant_name/tenant-ssh-key/ssh.pub',
    {
      schema: {
        params: {
          type: 'object',
          properties: { tenant_name: { type: 'string' } },
          required: ['tenant_name'],
        },
        response: {
          200: { type: 'string' },
          404: ERROR_SCHEMA,
          422: ERROR_SCHEMA,
          500: ERROR_SCHEMA,
        },
      },
    },
    async (req, reply) => {
      const t = tenantLayout(ctx, req.params.tenant_name, reply);
      if (!t) return reply;
      return text(reply, withNewline(await ctx.keys.tenantSshKey(req.params.tenant_name)));
    },
  );
};
