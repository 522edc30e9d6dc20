// The state store's tables, as Kysely sees them. Names here are logical:
// `[database] table_prefix` is added by the TablePrefixPlugin (db.ts), so
// queries never spell the prefix. Each store module owns its tables and
// adds them here; the migrations that create them live in migrations/.

import type { ColumnType } from 'kysely';

/** PostgreSQL returns BIGINT as a string; SQLite as a number. */
export type BigIntColumn = ColumnType<number | string, number, number>;

/** Applied migrations (migrations.ts). */
export interface SchemaMigrationsTable {
  id: number;
  name: string;
  /** ISO 8601, UTC. */
  applied_at: string;
}

/** Encrypted key pairs (keys-store.ts). One row per key version. */
export interface KeystoreKeysTable {
  /** KeyKind: project-secrets, project-ssh or tenant-ssh. */
  kind: string;
  /** Connection name for project keys; '' for tenant keys. */
  connection: string;
  /** Project name within the connection, or the tenant name. */
  name: string;
  version: number;
  /** Unix time (seconds) the key was created. */
  created: BigIntColumn;
  /** The private key, encrypted with `[keystore] password` (lib/crypto/password-cipher.ts). */
  private_key: string;
}

/** Running components and their heartbeats (components.ts). */
export interface ComponentsTable {
  /** Random id of one component instance. */
  id: string;
  /** Zuul's component kind: scheduler, executor, merger, web, fingergw, launcher. */
  kind: string;
  hostname: string;
  /** initializing | running | paused | stopped. */
  state: string;
  version: string | null;
  /** Unix time in milliseconds. */
  started: BigIntColumn;
  /** Unix time in milliseconds of the last heartbeat. */
  heartbeat: BigIntColumn;
}

/** Work requests (merge requests, later builds) and their results (requests.ts). */
export interface RequestsTable {
  /** Random UUID (hex, as Zuul's request ids). */
  id: string;
  /** What to do, e.g. `merger:merge`; workers claim the kinds they serve. */
  kind: string;
  /** requested | running | completed | failed | cancelled. */
  state: string;
  /** Zuul's precedence: lower runs first (100 high, 200 normal, 300 low). */
  precedence: number;
  /** Unix ms. */
  created: BigIntColumn;
  /** JSON. */
  payload: string;
  /** Who asked (a component id), for diagnostics. */
  requester: string | null;
  /** Component id of the worker holding the lease. */
  worker: string | null;
  /** Fencing token of the current claim: results from an older claim are refused. */
  lease_id: string | null;
  /** Unix ms after which another worker may take the request over. */
  lease_expires: ColumnType<number | string | null, number | null, number | null>;
  /** Claims so far (a released claim does not count). */
  attempts: number;
  /** After this many claims lost to dead workers the request fails. */
  max_attempts: number;
  started: ColumnType<number | string | null, number | null, number | null>;
  finished: ColumnType<number | string | null, number | null, number | null>;
  /** JSON, once completed. */
  result: string | null;
  /** Why it failed. */
  error: string | null;
}

/** Unix milliseconds (UTC) in a BIGINT; PostgreSQL returns strings. */
export type MsColumn = ColumnType<number | string, number, number>;
export type NullableMsColumn = ColumnType<number | string | null, number | null, number | null>;
/** Auto-increment primary key (serial on PostgreSQL). */
export type SerialId = ColumnType<number, number | undefined, never>;

/** Build history (migration 0003; read by src/store/history/): one row per buildset. */
export interface ZuulBuildsetTable {
  id: SerialId;
  uuid: string;
  tenant: string;
  pipeline: string;
  result: string | null;
  message: string | null;
  event_id: string | null;
  event_timestamp: NullableMsColumn;
  first_build_start_time: NullableMsColumn;
  last_build_end_time: NullableMsColumn;
  /** Last write, for pruning. */
  updated: MsColumn;
}

/** One distinct ref/change, shared by buildsets and builds. */
export interface ZuulRefTable {
  id: SerialId;
  /** The reporter's unique deduplication key for the other fields. */
  ref_key: string;
  project: string;
  ref: string | null;
  ref_url: string | null;
  change: number | null;
  patchset: string | null;
  oldrev: string | null;
  newrev: string | null;
  branch: string | null;
}

export interface ZuulBuildsetRefTable {
  buildset_id: number;
  ref_id: number;
}

/** 0/1 flags (SQLite has no boolean). */
export type FlagColumn = number | null;

export interface ZuulBuildTable {
  id: SerialId;
  buildset_id: number;
  /** The build's own ref (one of its buildset's refs). */
  ref_id: number;
  uuid: string;
  job_name: string;
  result: string | null;
  start_time: NullableMsColumn;
  end_time: NullableMsColumn;
  voting: FlagColumn;
  log_url: string | null;
  nodeset: string | null;
  error_detail: string | null;
  final: FlagColumn;
  held: FlagColumn;
  /** Copies of the buildset's and the ref's fields, for filtering. */
  tenant: string;
  pipeline: string;
  project: string;
  branch: string | null;
  change: number | null;
  patchset: string | null;
  ref: string | null;
  newrev: string | null;
}

export interface ZuulArtifactTable {
  id: SerialId;
  build_id: number;
  name: string;
  url: string;
  /** JSON object, or NULL when the artifact has no metadata. */
  meta: string | null;
}

export interface ZuulProvidesTable {
  id: SerialId;
  build_id: number;
  name: string;
}

export interface ZuulBuildEventTable {
  id: SerialId;
  build_id: number;
  event_time: MsColumn;
  event_type: string;
  description: string | null;
}

export interface ZuulBuildsetEventTable {
  id: SerialId;
  buildset_id: number;
  event_time: MsColumn;
  event_type: string;
  description: string | null;
}

export interface ZuulSystemEventTable {
  id: SerialId;
  tenant: string;
  event_id: string | null;
  event_time: MsColumn;
  event_type: string;
  description: string | null;
}

export interface Database {
  schema_migrations: SchemaMigrationsTable;
  keystore_keys: KeystoreKeysTable;
  components: ComponentsTable;
  requests: RequestsTable;
  zuul_buildset: ZuulBuildsetTable;
  zuul_ref: ZuulRefTable;
  zuul_buildset_ref: ZuulBuildsetRefTable;
  zuul_build: ZuulBuildTable;
  zuul_artifact: ZuulArtifactTable;
  zuul_provides: ZuulProvidesTable;
  zuul_build_event: ZuulBuildEventTable;
  zuul_buildset_event: ZuulBuildsetEventTable;
  zuul_system_event: ZuulSystemEventTable;
  executor_build_events: ExecutorBuildEventsTable;
}

/** Every logical table name; the prefix plugin renames exactly these. */
export const TABLE_NAMES: readonly (keyof Database)[] = [
  'schema_migrations',
  'keystore_keys',
  'components',
  'requests',
  'zuul_buildset',
  'zuul_ref',
  'zuul_buildset_ref',
  'zuul_build',
  'zuul_artifact',
  'zuul_provides',
  'zuul_build_event',
  'zuul_buildset_event',
  'zuul_system_event',
  'executor_build_events',
];

/** Events of running builds, executor ↔ requester (src/executor/events.ts). */
export interface ExecutorBuildEventsTable {
  /** Orders one request's events. */
  id: SerialId;
  /** The build request (requests.id). */
  request_id: string;
  /** Build UUID. */
  build: string;
  /** started | playbook | paused | early_failure | result (executor); resume (requester). */
  type: string;
  /** JSON. */
  payload: string;
  /** Unix ms. */
  created: MsColumn;
}
