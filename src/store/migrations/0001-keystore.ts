// The keystore: encrypted project and tenant key pairs (keys-store.ts).

import type { Migration } from '../migrations.js';

export const keystoreKeys: Migration = {
  id: 1,
  name: 'keystore keys',
  async up(db, ctx) {
    // MySQL cannot index TEXT; the three must fit one InnoDB key (3072 bytes
    // at 4 bytes per utf8mb4 character). Other engines keep the shipped text.
    const mysql = ctx.dialect === 'mysql';
    await db.schema
      .createTable('keystore_keys')
      .addColumn('kind', mysql ? 'varchar(64)' : 'text', (c) => c.notNull())
      .addColumn('connection', mysql ? 'varchar(255)' : 'text', (c) => c.notNull())
      .addColumn('name', mysql ? 'varchar(255)' : 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('created', 'bigint', (c) => c.notNull())
      .addColumn('private_key', 'text', (c) => c.notNull())
      // The primary key is what settles races between processes generating
      // the same key (insert if absent). Its name is database-global on
      // PostgreSQL, hence the table prefix.
      .addPrimaryKeyConstraint(ctx.name('keystore_keys_pkey'), [
        'kind',
        'connection',
        'name',
        'version',
      ])
      .execute();
  },
};
