// The component registry: one row per running component (components.ts).

import type { Migration } from '../migrations.js';

export const componentsTable: Migration = {
  id: 2,
  name: 'component registry',
  async up(db, ctx) {
    // MySQL cannot index TEXT; other engines keep the shipped type.
    await db.schema
      .createTable('components')
      .addColumn('id', ctx.dialect === 'mysql' ? 'varchar(255)' : 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('hostname', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('version', 'text')
      .addColumn('started', 'bigint', (c) => c.notNull())
      .addColumn('heartbeat', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex(ctx.name('components_heartbeat_idx'))
      .on('components')
      .column('heartbeat')
      .execute();
  },
};
