// GET /api/tenant/{tenant_name}/jobs (reference §26): every job sorted by
// name (abstract ones, `base` and `noop` included) with the first line of
// the first description, the parent/branches of each non-base variant, and
// the union of the variants' tags (first-seen order).
// GET /api/tenant/{tenant_name}/job/{job_name} (§25): every variant of one
// job in definition order, as Zuul's Job.toDict.

import type { Layout, LayoutJobVariant } from '../../model/layout.js';
import type { RouteModule } from '../context.js';
import { JOB_VARIANT_SCHEMA, jobVariantJson } from './job-variant.js';
import { sendError, TENANT_ERRORS, TENANT_PARAMS, tenantLayout } from './tenant-lookup.js';

const JOB_SUMMARY_SCHEMA = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    description: { type: 'string' },
    variants: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          parent: { type: 'string' },
          branches: { type: 'array', items: { type: 'string' } },
        },
      },
    },
    tags: { type: 'array', items: { type: 'string' } },
  },
  required: ['name'],
} as const;

/** The `/jobs` entry of one job. */
export function jobSummary(
  name: string,
  variants: readonly LayoutJobVariant[],
  defaultParent: string,
): Record<string, unknown> {
  let description: string | undefined;
  const tags = new Set<string>();
  const out: Record<string, unknown>[] = [];
  for (const { variant } of variants) {
    if (description === undefined && variant.description) {
      description = variant.description.split('\n')[0];
    }
    for (const tag of variant.tags ?? []) tags.add(tag);
    const entry: Record<string, unknown> = {};
    // A base job is one declared with `parent: null`.
    if (variant.parent !== null) entry.parent = variant.parent ?? defaultParent;
    if (variant.branches?.length) entry.branches = variant.branches.map((r) => r.pattern);
    if (Object.keys(entry).length) out.push(entry);
  }
  const job: Record<string, unknown> = { name };
  if (description) job.description = description;
  if (out.length) job.variants = out;
  if (tags.size) job.tags = [...tags];
  return job;
}

const JOB_PATH = /^.*?\/tenant\/[^/]*\/job\/(.*)$/s;

/**
 * The job name of a `/job/{job_name}` request, decoded from the raw URL
 * with "plus" semantics as Zuul does (`+` is a space, `%2B` a plus).
 * Undefined when the path is not a job path or its escapes are invalid.
 */
export function jobNameFromUrl(url: string): string | undefined {
  const q = url.indexOf('?');
  const m = JOB_PATH.exec(q === -1 ? url : url.slice(0, q));
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1]!.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/**
 * The serialised `/jobs` body of each layout. Layouts never change once
 * built, and on an OpenDev-sized tenant building this list (sort, one
 * summary per job, serialisation) costs ~15 ms of CPU: doing it once per
 * layout keeps the endpoint fast under load (docs/benchmarks.md).
 */
const jobsBodies = new WeakMap<Layout, string>();

export const jobsRoutes: RouteModule = (app, ctx) => {
  app.get<{ Params: { tenant_name: string } }>(
    '/api/tenant/:tenant_name/jobs',
    {
      schema: {
        params: TENANT_PARAMS,
        response: { 200: { type: 'array', items: JOB_SUMMARY_SCHEMA }, ...TENANT_ERRORS },
      },
    },
    async (req, reply) => {
      const t = tenantLayout(ctx, req.params.tenant_name, reply);
      if (!t) return reply;
      let body = jobsBodies.get(t.layout);
      if (body === undefined) {
        const names = [...t.layout.jobs.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        const jobs = names.map((n) =>
          jobSummary(n, t.layout.jobs.get(n) ?? [], t.layout.tenant.defaultParent),
        );
        body = reply.serialize(jobs) as string;
        jobsBodies.set(t.layout, body);
      }
      return reply.type('application/json; charset=utf-8').send(body);
    },
  );

  app.get<{ Params: { tenant_name: string; '*': string } }>(
    '/api/tenant/:tenant_name/job/*',
    {
      schema: {
        params: {
          type: 'object',
          properties: {
            tenant_name: { type: 'string' },
            '*': { type: 'string', description: '{job_name}; `+` decodes to a space' },
          },
        },
        response: {
          200: { type: 'array', items: JOB_VARIANT_SCHEMA },
          400: TENANT_ERRORS[404],
          ...TENANT_ERRORS,
        },
      },
    },
    async (req, reply) => {
      const t = tenantLayout(ctx, req.params.tenant_name, reply);
      if (!t) return reply;
      const name = jobNameFromUrl(req.url);
      if (name === undefined) return sendError(reply, 400, 'Invalid job name');
      const variants = t.layout.jobs.get(name);
      if (!variants?.length) return sendError(reply, 404, 'Job not found');
      return variants.map((v) =>
        jobVariantJson(t.layout, {
          variant: v.variant,
          projectCanonicalName: v.projectCanonicalName,
          branchMatcher: v.branchMatcher,
          projectPipeline: false,
          builtin: v.builtin,
        }),
      );
    },
  );
};
