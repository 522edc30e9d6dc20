// GET /api/tenant/{t}/pipeline/{pipeline_name}/project/{project_name}/branch/{branch_name}/freeze-jobs
// and …/freeze-job/{job_name} (reference §33–34): the job graph frozen for
// the tip of a project branch, file matchers skipped, secrets redacted.
// `{project_name}` and `{branch_name}` are greedy (`.*`, as in Zuul's
// routes), so the path after `/pipeline/` is matched here by one regex:
// the project takes everything up to the last `/branch/`.

import { freezeJobJson, freezeJobsJson } from '../../model/freeze/index.js';
import type { RouteModule } from '../context.js';
import { sendError, TENANT_ERRORS, tenantLayout } from './tenant-lookup.js';

const FREEZE_JOBS = /^([^/]+)\/project\/(.*)\/branch\/(.*)\/freeze-jobs$/s;
const FREEZE_JOB = /^([^/]+)\/project\/(.*)\/branch\/(.*)\/freeze-job\/([^/]+)$/s;

const FREEZE_JOBS_SCHEMA = {
  type: 'array',
  items: {
    type: 'object',
    properties: {
      name: { type: 'string' },
      dependencies: {
        type: 'array',
        items: {
          type: 'object',
          properties: { name: { type: 'string' }, soft: { type: 'boolean' } },
          required: ['name', 'soft'],
        },
      },
    },
    required: ['name', 'dependencies'],
  },
} as const;

// The executor parameters of a job (§33): an open shape, passed through whole.
const FREEZE_JOB_SCHEMA = {
  type: 'object',
  additionalProperties: true,
  properties: { job: { type: 'string' }, branch: { type: 'string' } },
} as const;

/** Splits the path after `/pipeline/` into its parts, or undefined. */
export function parseFreezePath(
  rest: string,
):
  | { kind: 'jobs'; pipeline: string; project: string; branch: string }
  | { kind: 'job'; pipeline: string; project: string; branch: string; job: string }
  | undefined {
  let m = FREEZE_JOBS.exec(rest);
  if (m) return { kind: 'jobs', pipeline: m[1]!, project: m[2]!, branch: m[3]! };
  m = FREEZE_JOB.exec(rest);
  if (m) return { kind: 'job', pipeline: m[1]!, project: m[2]!, branch: m[3]!, job: m[4]! };
  return undefined;
}

export const freezeRoutes: RouteModule = (app, ctx) => {
  app.get<{ Params: { tenant_name: string; '*': string } }>(
    '/api/tenant/:tenant_name/pipeline/*',
    {
      schema: {
        params: {
          type: 'object',
          properties: {
            tenant_name: { type: 'string' },
            '*': {
              type: 'string',
              description:
                '{pipeline_name}/project/{project_name}/branch/{branch_name}/freeze-jobs or …/freeze-job/{job_name}',
            },
          },
        },
        response: {
          200: { anyOf: [FREEZE_JOBS_SCHEMA, FREEZE_JOB_SCHEMA] },
          ...TENANT_ERRORS,
        },
      },
    },
    async (req, reply) => {
      const t = tenantLayout(ctx, req.params.tenant_name, reply);
      if (!t) return reply;
      const parsed = parseFreezePath(req.params['*']);
      if (!parsed) return sendError(reply, 404, 'Not found');
      const r =
        parsed.kind === 'jobs'
          ? freezeJobsJson(t.layout, parsed.pipeline, parsed.project, parsed.branch)
          : freezeJobJson(t.layout, parsed.pipeline, parsed.project, parsed.branch, parsed.job);
      if (!r.ok) return sendError(reply, r.status, r.error);
      return r.json;
    },
  );
};
