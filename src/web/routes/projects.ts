// GET /api/tenant/{tenant_name}/projects (reference §42): every project of
// the tenant, config and untrusted, sorted by name.
// GET /api/tenant/{tenant_name}/project/{project_name} (§37): one project
// (greedy name, `/` included) with its metadata and every project stanza
// that applies to it, pipelines sorted by name, each job's variants as
// Zuul's Job.toDict.

import type { JobVariant } from '../../model/job.js';
import type { Layout, LayoutProject, LayoutProjectStanza } from '../../model/layout.js';
import type { ProjectStanza } from '../../model/project-config.js';
import type { RouteModule } from '../context.js';
import { JOB_VARIANT_SCHEMA, jobVariantJson, sourceContextJson } from './job-variant.js';
import {
  projectOr404,
  SOURCE_CONTEXT_SCHEMA,
  TENANT_ERRORS,
  TENANT_PARAMS,
  tenantLayout,
} from './tenant-lookup.js';

const PROJECT_SCHEMA = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    connection_name: { type: 'string' },
    canonical_name: { type: 'string' },
    type: { type: 'string', enum: ['config', 'untrusted'] },
  },
  required: ['name', 'connection_name', 'canonical_name', 'type'],
} as const;

export const projectsRoutes: RouteModule = (app, ctx) => {
  app.get<{ Params: { tenant_name: string } }>(
    '/api/tenant/:tenant_name/projects',
    {
      schema: {
        params: TENANT_PARAMS,
        response: { 200: { type: 'array', items: PROJECT_SCHEMA }, ...TENANT_ERRORS },
      },
    },
    async (req, reply) => {
      const t = tenantLayout(ctx, req.params.tenant_name, reply);
      if (!t) return reply;
      // Zuul lists config projects, then untrusted ones, then sorts stably by name.
      const all = [...t.layout.projects.values()];
      const ordered = [...all.filter((p) => p.trusted), ...all.filter((p) => !p.trusted)];
      return ordered
        .map((p) => ({
          name: p.name,
          connection_name: p.connectionName,
          canonical_name: p.canonicalName,
          type: p.trusted ? 'config' : 'untrusted',
        }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
  );

  app.get<{ Params: { tenant_name: string; '*': string } }>(
    '/api/tenant/:tenant_name/project/*',
    {
      schema: {
        params: {
          type: 'object',
          properties: {
            tenant_name: { type: 'string' },
            '*': {
              type: 'string',
              description: '{project_name}, short or canonical; may contain `/`',
            },
          },
        },
        response: { 200: PROJECT_DETAIL_SCHEMA, ...TENANT_ERRORS },
      },
    },
    async (req, reply) => {
      const t = tenantLayout(ctx, req.params.tenant_name, reply);
      if (!t) return reply;
      const project = projectOr404(t.layout, req.params['*'], reply);
      if (!project) return reply;
      return projectJson(t.layout, project);
    },
  );
};

/** The `/project/{project_name}` answer for one project of the layout. */
export function projectJson(layout: Layout, project: LayoutProject): Record<string, unknown> {
  const md = layout.projectMetadata.get(project.canonicalName);
  const stanzas = layout.projectConfigs.get(project.canonicalName) ?? [];
  return {
    name: project.name,
    connection_name: project.connectionName,
    canonical_name: project.canonicalName,
    configs: stanzas.map((s) => projectConfigJson(layout, s)),
    // Only projects with a project stanza have metadata, as in Zuul.
    metadata: md
      ? {
          merge_mode: md.mergeMode,
          default_branch: md.defaultBranch,
          queue_name: md.queue ?? null,
          is_template: false,
        }
      : {},
  };
}

function projectConfigJson(
  layout: Layout,
  placed: LayoutProjectStanza<ProjectStanza>,
): Record<string, unknown> {
  const s = placed.stanza;
  const pipelines = [...s.pipelines.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, ppc]) => {
      // One inner list per job name (first-listed order), its entries in order.
      const byName = new Map<string, JobVariant[]>();
      for (const entry of ppc.jobs) {
        const variant: JobVariant = entry.variant ?? {
          name: entry.name,
          sourceContext: s.sourceContext,
          overrideControl: {},
        };
        const list = byName.get(entry.name);
        if (list) list.push(variant);
        else byName.set(entry.name, [variant]);
      }
      return {
        name,
        jobs: [...byName.values()].map((variants) =>
          variants.map((variant) =>
            jobVariantJson(layout, {
              variant,
              projectCanonicalName: placed.projectCanonicalName,
              projectPipeline: true,
            }),
          ),
        ),
      };
    });
  return {
    source_context: sourceContextJson(s.sourceContext),
    is_template: false,
    templates: [...s.templates],
    default_branch: s.defaultBranch ?? null,
    queue_name: s.queue ?? null,
    merge_mode: s.mergeMode ?? null,
    pipelines,
  };
}

const PROJECT_DETAIL_SCHEMA = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    connection_name: { type: 'string' },
    canonical_name: { type: 'string' },
    metadata: {
      type: 'object',
      properties: {
        merge_mode: { type: 'string' },
        default_branch: { type: 'string' },
        queue_name: { type: ['string', 'null'] },
        is_template: { type: 'boolean' },
      },
    },
    configs: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          source_context: SOURCE_CONTEXT_SCHEMA,
          is_template: { type: 'boolean' },
          templates: { type: 'array', items: { type: 'string' } },
          default_branch: { type: ['string', 'null'] },
          queue_name: { type: ['string', 'null'] },
          merge_mode: { type: ['string', 'null'] },
          pipelines: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                name: { type: 'string' },
                jobs: { type: 'array', items: { type: 'array', items: JOB_VARIANT_SCHEMA } },
              },
              required: ['name', 'jobs'],
            },
          },
        },
      },
    },
  },
  required: ['name', 'connection_name', 'canonical_name', 'metadata', 'configs'],
} as const;
