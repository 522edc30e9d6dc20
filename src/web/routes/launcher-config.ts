// The configuration side of the launcher endpoints (reference §18, §23,
// §44): GET /api/tenant/{tenant_name}/flavors, /images and /providers,
// answered from the layout's image, flavor, label, section and provider
// objects.
//
// The runtime parts come from the launcher's image registry (build
// artifacts, uploads, their locks and provider state). zuul-ts has no
// launcher yet, so there is no build artifact and no upload: zuul images
// carry no `build_artifacts` (Zuul leaves the key out when the list is
// empty, so the answers are exactly Zuul's for a launcher with nothing
// built). The schemas below describe the full objects all the same.

import type { Provider, Section } from '../../model/launcher-objects.js';
import type { Layout } from '../../model/layout.js';
import type { RouteModule } from '../context.js';
import { launcherCanonicalName } from './labels.js';
import { TENANT_ERRORS, TENANT_PARAMS, tenantLayout } from './tenant-lookup.js';

const STATE_TIME = { type: ['string', 'null'], description: 'UTC, YYYY-MM-DDTHH:MM:SS' } as const;

/** An image upload to one provider endpoint (launcher runtime data). */
const UPLOAD_SCHEMA = {
  type: 'object',
  properties: {
    uuid: { type: 'string' },
    canonical_name: { type: 'string' },
    artifact_uuid: { type: 'string' },
    endpoint_name: { type: 'string' },
    external_id: { type: ['string', 'null'] },
    timestamp: STATE_TIME,
    validated: { type: ['boolean', 'null'] },
    state: { type: 'string', enum: ['pending', 'uploading', 'ready', 'deleting'] },
    state_time: STATE_TIME,
    is_locked: { type: 'boolean' },
    lock_holder: { type: ['string', 'null'] },
  },
  required: ['uuid', 'canonical_name', 'artifact_uuid', 'endpoint_name', 'state'],
} as const;

/** An image build artifact with its uploads (launcher runtime data). */
const ARTIFACT_SCHEMA = {
  type: 'object',
  properties: {
    uuid: { type: 'string' },
    canonical_name: { type: 'string' },
    build_tenant: { type: 'boolean' },
    build_uuid: { type: ['string', 'null'] },
    format: { type: ['string', 'null'] },
    md5sum: { type: ['string', 'null'] },
    sha256: { type: ['string', 'null'] },
    url: { type: ['string', 'null'] },
    timestamp: STATE_TIME,
    validated: { type: ['boolean', 'null'] },
    state: { type: 'string', enum: ['ready', 'deleting'] },
    state_time: STATE_TIME,
    is_locked: { type: 'boolean' },
    lock_holder: { type: ['string', 'null'] },
    uploads: { type: 'array', items: UPLOAD_SCHEMA },
  },
  required: ['uuid', 'canonical_name', 'build_tenant', 'state'],
} as const;

const IMAGE_TYPE = { type: 'string', enum: ['zuul', 'cloud'] } as const;

const FLAVOR_SCHEMA = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    canonical_name: { type: 'string' },
    description: { type: ['string', 'null'] },
  },
  required: ['name', 'canonical_name', 'description'],
} as const;

const IMAGE_SCHEMA = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    canonical_name: { type: 'string' },
    project_canonical_name: { type: 'string' },
    branch: { type: 'string' },
    type: IMAGE_TYPE,
    build_artifacts: { type: 'array', items: ARTIFACT_SCHEMA },
  },
  required: ['name', 'canonical_name', 'project_canonical_name', 'branch', 'type'],
} as const;

const NAMED_SCHEMA = {
  type: 'object',
  properties: { name: { type: 'string' }, canonical_name: { type: 'string' } },
  required: ['name', 'canonical_name'],
} as const;

const PROVIDER_SCHEMA = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    canonical_name: { type: 'string' },
    images: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          canonical_name: { type: 'string' },
          type: IMAGE_TYPE,
          build_artifacts: { type: 'array', items: ARTIFACT_SCHEMA },
        },
        required: ['name', 'canonical_name', 'type'],
      },
    },
    labels: { type: 'array', items: NAMED_SCHEMA },
    flavors: { type: 'array', items: NAMED_SCHEMA },
  },
  required: ['name', 'canonical_name', 'images', 'labels', 'flavors'],
} as const;

/**
 * The names in a section's or provider's `images`/`flavors`/`labels` list
 * (entries are names or mappings with a `name`).
 */
function entryNames(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  const out: string[] = [];
  for (const e of list) {
    if (typeof e === 'string') out.push(e);
    else if (e && typeof e === 'object' && typeof (e as { name?: unknown }).name === 'string') {
      out.push((e as { name: string }).name);
    }
  }
  return out;
}

/** The provider's section chain, root section first (stops at unknown sections and cycles). */
function sectionChain(layout: Layout, provider: Provider): Section[] {
  const chain: Section[] = [];
  const seen = new Set<string>();
  let name: string | undefined = provider.section;
  while (name !== undefined && !seen.has(name)) {
    seen.add(name);
    const section = layout.sections.get(name);
    if (!section) break;
    chain.unshift(section);
    name = section.parent;
  }
  return chain;
}

/**
 * The names of a provider's entries of one kind after flattening: the root
 * section's first, then each more specific level's new names, the
 * provider's last; a name redefined lower down keeps its first place.
 */
export function providerEntryNames(
  layout: Layout,
  provider: Provider,
  key: 'images' | 'flavors' | 'labels',
): string[] {
  const names = new Set<string>();
  for (const level of [...sectionChain(layout, provider), provider]) {
    for (const n of entryNames(level.config[key])) names.add(n);
  }
  return [...names];
}

export const launcherConfigRoutes: RouteModule = (app, ctx) => {
  app.get<{ Params: { tenant_name: string } }>(
    '/api/tenant/:tenant_name/flavors',
    {
      schema: {
        params: TENANT_PARAMS,
        response: { 200: { type: 'array', items: FLAVOR_SCHEMA }, ...TENANT_ERRORS },
      },
    },
    async (req, reply) => {
      const t = tenantLayout(ctx, req.params.tenant_name, reply);
      if (!t) return reply;
      return [...t.layout.flavors.values()].map((f) => ({
        name: f.name,
        canonical_name: launcherCanonicalName(f.sourceContext.projectCanonical, f.name),
        description: f.description ?? null,
      }));
    },
  );

  app.get<{ Params: { tenant_name: string } }>(
    '/api/tenant/:tenant_name/images',
    {
      schema: {
        params: TENANT_PARAMS,
        response: { 200: { type: 'array', items: IMAGE_SCHEMA }, ...TENANT_ERRORS },
      },
    },
    async (req, reply) => {
      const t = tenantLayout(ctx, req.params.tenant_name, reply);
      if (!t) return reply;
      // No `build_artifacts`: they come from the launcher's image registry.
      return [...t.layout.images.values()].map((i) => ({
        name: i.name,
        canonical_name: launcherCanonicalName(i.sourceContext.projectCanonical, i.name),
        project_canonical_name: i.sourceContext.projectCanonical,
        branch: i.sourceContext.branch,
        type: i.type,
      }));
    },
  );

  app.get<{ Params: { tenant_name: string } }>(
    '/api/tenant/:tenant_name/providers',
    {
      schema: {
        params: TENANT_PARAMS,
        response: { 200: { type: 'array', items: PROVIDER_SCHEMA }, ...TENANT_ERRORS },
      },
    },
    async (req, reply) => {
      const t = tenantLayout(ctx, req.params.tenant_name, reply);
      if (!t) return reply;
      const layout = t.layout;
      // Entries naming no object of the layout are left out (the launcher
      // will report them when it validates the flattened provider).
      const named = <T extends { name: string; sourceContext: { projectCanonical: string } }>(
        names: string[],
        objects: ReadonlyMap<string, T>,
      ): T[] => names.flatMap((n) => objects.get(n) ?? []);
      const ref = (o: { name: string; sourceContext: { projectCanonical: string } }) => ({
        name: o.name,
        canonical_name: launcherCanonicalName(o.sourceContext.projectCanonical, o.name),
      });
      return [...layout.providers.values()].map((p) => ({
        ...ref(p),
        // No `build_artifacts` on zuul images: no launcher, no uploads.
        images: named(providerEntryNames(layout, p, 'images'), layout.images).map((i) => ({
          ...ref(i),
          type: i.type,
        })),
        labels: named(providerEntryNames(layout, p, 'labels'), layout.labels).map(ref),
        flavors: named(providerEntryNames(layout, p, 'flavors'), layout.flavors).map(ref),
      }));
    },
  );
};
