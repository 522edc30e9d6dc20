// JSON schemas of the history endpoints' answers (reference §11-15, §49),
// with the field types Zuul really sends (its own OpenAPI says "string"
// for everything). Fastify serialises with them, so every field must be
// listed: an unlisted one would be dropped.

const STR = { type: 'string' } as const;
const STR_OR_NULL = { type: ['string', 'null'] } as const;
const BOOL_OR_NULL = { type: ['boolean', 'null'] } as const;
const TIME = {
  type: ['string', 'null'],
  description: 'UTC, `YYYY-MM-DDTHH:MM:SS`',
} as const;

export const REF_SCHEMA = {
  type: 'object',
  properties: {
    project: STR,
    branch: STR_OR_NULL,
    change: { type: ['integer', 'null'] },
    patchset: STR_OR_NULL,
    ref: STR_OR_NULL,
    oldrev: STR_OR_NULL,
    newrev: STR_OR_NULL,
    ref_url: STR_OR_NULL,
  },
  required: ['project', 'branch', 'change', 'patchset', 'ref', 'oldrev', 'newrev', 'ref_url'],
} as const;

const BUILD_PROPERTIES = {
  _id: { type: 'integer' },
  uuid: STR,
  job_name: STR,
  result: { type: ['string', 'null'], description: 'null while the build runs' },
  held: BOOL_OR_NULL,
  start_time: TIME,
  end_time: TIME,
  duration: { type: ['number', 'null'], description: 'Seconds' },
  voting: BOOL_OR_NULL,
  log_url: STR_OR_NULL,
  nodeset: STR_OR_NULL,
  error_detail: STR_OR_NULL,
  final: BOOL_OR_NULL,
  artifacts: {
    type: 'array',
    items: {
      type: 'object',
      properties: {
        name: STR,
        url: STR,
        metadata: { type: 'object', additionalProperties: true },
      },
      required: ['name', 'url'],
    },
  },
  provides: {
    type: 'array',
    items: { type: 'object', properties: { name: STR }, required: ['name'] },
  },
  ref: REF_SCHEMA,
} as const;

const BUILD_REQUIRED = Object.keys(BUILD_PROPERTIES);

/** A build inside a buildset. */
export const BUILD_SCHEMA = {
  type: 'object',
  properties: BUILD_PROPERTIES,
  required: BUILD_REQUIRED,
} as const;

/** A build on its own: with its buildset's pipeline, event and uuid (refs in /build only). */
export const TOP_BUILD_SCHEMA = {
  type: 'object',
  properties: {
    ...BUILD_PROPERTIES,
    pipeline: STR,
    event_id: STR_OR_NULL,
    event_timestamp: TIME,
    buildset: {
      type: 'object',
      properties: { uuid: STR, refs: { type: 'array', items: REF_SCHEMA } },
      required: ['uuid'],
    },
  },
  required: [...BUILD_REQUIRED, 'pipeline', 'event_id', 'event_timestamp', 'buildset'],
} as const;

const BUILDSET_PROPERTIES = {
  _id: { type: 'integer' },
  uuid: STR,
  result: STR_OR_NULL,
  message: STR_OR_NULL,
  pipeline: STR,
  event_id: STR_OR_NULL,
  event_timestamp: TIME,
  first_build_start_time: TIME,
  last_build_end_time: TIME,
  refs: { type: 'array', items: REF_SCHEMA },
} as const;

export const BUILDSET_SCHEMA = {
  type: 'object',
  properties: BUILDSET_PROPERTIES,
  required: Object.keys(BUILDSET_PROPERTIES),
} as const;

/** /buildset/{uuid}: `builds` and `events` are left out when empty. */
export const FULL_BUILDSET_SCHEMA = {
  type: 'object',
  properties: {
    ...BUILDSET_PROPERTIES,
    builds: { type: 'array', items: BUILD_SCHEMA },
    events: {
      type: 'array',
      items: {
        type: 'object',
        properties: { event_time: TIME, event_type: STR, description: STR_OR_NULL },
        required: ['event_time', 'event_type', 'description'],
      },
    },
  },
  required: Object.keys(BUILDSET_PROPERTIES),
} as const;

const BUILD_TIME_PROPERTIES = {
  _id: { type: 'integer' },
  uuid: STR,
  job_name: STR,
  result: STR_OR_NULL,
  start_time: TIME,
  end_time: TIME,
  duration: { type: ['number', 'null'], description: 'Seconds' },
  final: BOOL_OR_NULL,
  project: STR,
  branch: STR_OR_NULL,
  pipeline: STR,
  ref: STR_OR_NULL,
} as const;

export const BUILD_TIME_SCHEMA = {
  type: 'object',
  properties: BUILD_TIME_PROPERTIES,
  required: Object.keys(BUILD_TIME_PROPERTIES),
} as const;

export const SYSTEM_EVENT_SCHEMA = {
  type: 'object',
  properties: {
    event_id: STR_OR_NULL,
    event_time: TIME,
    event_type: STR,
    description: STR_OR_NULL,
  },
  required: ['event_id', 'event_time', 'event_type', 'description'],
} as const;
