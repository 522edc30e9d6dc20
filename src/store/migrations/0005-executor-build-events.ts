// What happens to a running build, between the executor running it and the
// component that asked for it (src/executor/events.ts): the executor's
// started / playbook / paused / early-failure / result events, and the
// requester's resume of a paused build. Rows live as long as their request.

import { sql } from 'kysely';
import type { Migration } from '../migrations.js';

export const executorBuildEvents: Migration = {
  id: 5,
  name: 'executor build events',
  async up(db, ctx) {
    let t = db.schema.createTable('executor_build_events');
    if (ctx.dialect === 'postgresql') t = t.addColumn('id', 'serial', (c) => c.primaryKey());
    else if (ctx.dialect === 'mysql') {
      t = t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
    } else t = t.addColumn('id', 'integer', (c) => c.primaryKey());
    // A result event can carry returned data: past MySQL's 64 KiB TEXT.
    const big = ctx.dialect === 'mysql' ? sql`longtext` : sql`text`;
    await t
      .addColumn('request_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('build', 'varchar(64)', (c) => c.notNull())
      .addColumn('type', 'varchar(32)', (c) => c.notNull())
      .addColumn('payload', big, (c) => c.notNull())
      .addColumn('created', 'bigint', (c) => c.notNull())
      .execute();
    // Readers follow one request's events in order.
    await db.schema
      .createIndex(ctx.name('executor_build_events_request_idx'))
      .on('executor_build_events')
      .columns(['request_id', 'id'])
      .execute();
    await db.schema
      .createIndex(ctx.name('executor_build_events_created_idx'))
      .on('executor_build_events')
      .column('created')
      .execute();
  },
};
