// The keystore: encrypted project and tenant key pairs (keys-store.ts).

import type { Migration } from '../migrations.js';

export const keystoreKeys: Migration = {
  id: 1,
  name: 'keystore keys',
  async up(db, ctx) {
    await db.schema
      .createTable('keystore_keys')
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('connection', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
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
