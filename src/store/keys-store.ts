// Rows of `keystore_keys`: encrypted private keys, one row per key version.
// Pure data access; encryption and generation live in keystore.ts.

import type { Kysely } from 'kysely';
import type { StoreDialect } from './db.js';
import type { Database } from './schema.js';

export type KeyKind = 'project-secrets' | 'project-ssh' | 'tenant-ssh';

export const KEY_KINDS: readonly KeyKind[] = ['project-secrets', 'project-ssh', 'tenant-ssh'];

export interface KeyId {
  kind: KeyKind;
  /** Connection name for project keys, '' for tenant keys. */
  connection: string;
  /** Project name within its connection, or the tenant name. */
  name: string;
}

export interface StoredKey extends KeyId {
  version: number;
  /** Unix seconds. */
  created: number;
  /** Sealed with the keystore password (lib/crypto/password-cipher.ts). */
  privateKey: string;
}

export interface ImportCounts {
  created: number;
  updated: number;
  /** Already present and left alone (no overwrite). */
  kept: number;
}

export class KeysStore {
  constructor(
    private readonly db: Kysely<Database>,
    /** Insert-if-absent is spelt differently on MySQL. */
    private readonly dialect: StoreDialect,
  ) {}

  /** The lowest version of a key (Zuul uses `keys[0]`), or undefined. */
  async get(id: KeyId): Promise<StoredKey | undefined> {
    const row = await this.db
      .selectFrom('keystore_keys')
      .selectAll()
      .where('kind', '=', id.kind)
      .where('connection', '=', id.connection)
      .where('name', '=', id.name)
      .orderBy('version')
      .limit(1)
      .executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  /**
   * Stores the key unless one with the same id and version exists; true
   * when this call stored it. The primary key makes this safe between
   * processes: the loser of a race simply inserts nothing.
   */
  async insertIfAbsent(key: StoredKey, db: Kysely<Database> = this.db): Promise<boolean> {
    const insert = db.insertInto('keystore_keys').values(toRow(key));
    const res = await (this.dialect === 'mysql'
      ? // INSERT IGNORE: the row count is 0 when the key exists.
        insert.ignore()
      : insert.onConflict((oc) => oc.columns(['kind', 'connection', 'name', 'version']).doNothing())
    ).executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async upsert(key: StoredKey, db: Kysely<Database> = this.db): Promise<'created' | 'updated'> {
    if (await this.insertIfAbsent(key, db)) return 'created';
    await db
      .updateTable('keystore_keys')
      .set({ created: key.created, private_key: key.privateKey })
      .where('kind', '=', key.kind)
      .where('connection', '=', key.connection)
      .where('name', '=', key.name)
      .where('version', '=', key.version)
      .execute();
    return 'updated';
  }

  /** Stores many keys in one transaction: all or nothing. */
  async importAll(keys: readonly StoredKey[], overwrite: boolean): Promise<ImportCounts> {
    return this.db.transaction().execute(async (trx) => {
      const counts: ImportCounts = { created: 0, updated: 0, kept: 0 };
      for (const key of keys) {
        if (overwrite) counts[await this.upsert(key, trx)]++;
        else if (await this.insertIfAbsent(key, trx)) counts.created++;
        else counts.kept++;
      }
      return counts;
    });
  }

  /** Every stored key, ordered by kind, connection, name, version. */
  async list(): Promise<StoredKey[]> {
    const rows = await this.db
      .selectFrom('keystore_keys')
      .selectAll()
      .orderBy('kind')
      .orderBy('connection')
      .orderBy('name')
      .orderBy('version')
      .execute();
    return rows.map(fromRow);
  }

  /** Deletes every version of a key; returns how many rows went. */
  async delete(id: KeyId): Promise<number> {
    const res = await this.db
      .deleteFrom('keystore_keys')
      .where('kind', '=', id.kind)
      .where('connection', '=', id.connection)
      .where('name', '=', id.name)
      .executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}

interface Row {
  kind: string;
  connection: string;
  name: string;
  version: number;
  created: number | string;
  private_key: string;
}

function fromRow(r: Row): StoredKey {
  return {
    kind: r.kind as KeyKind,
    connection: r.connection,
    name: r.name,
    version: Number(r.version),
    created: Number(r.created),
    privateKey: r.private_key,
  };
}

function toRow(k: StoredKey) {
  return {
    kind: k.kind,
    connection: k.connection,
    name: k.name,
    version: k.version,
    created: k.created,
    private_key: k.privateKey,
  };
}
