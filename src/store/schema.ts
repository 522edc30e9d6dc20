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

export interface Database {
  schema_migrations: SchemaMigrationsTable;
  keystore_keys: KeystoreKeysTable;
  components: ComponentsTable;
}

/** Every logical table name; the prefix plugin renames exactly these. */
export const TABLE_NAMES: readonly (keyof Database)[] = [
  'schema_migrations',
  'keystore_keys',
  'components',
];
