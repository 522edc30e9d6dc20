// The request queue: merge requests today, build requests later (requests.ts).

import { sql } from 'kysely';
import type { Migration } from '../migrations.js';

export const requestsTable: Migration = {
  id: 4,
  name: 'request queue',
  async up(db, ctx) {
    // Payloads and results (config file contents, repo states) can pass
    // MySQL's 64 KiB TEXT limit; the other engines' text has no such limit.
    const big = ctx.dialect === 'mysql' ? sql`longtext` : sql`text`;
    await db.schema
      .createTable('requests')
      // Indexed strings are varchar: MySQL cannot index or key a TEXT column.
      .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('kind', 'varchar(64)', (c) => c.notNull())
      .addColumn('state', 'varchar(16)', (c) => c.notNull())
      .addColumn('precedence', 'integer', (c) => c.notNull())
      .addColumn('created', 'bigint', (c) => c.notNull())
      .addColumn('payload', big, (c) => c.notNull())
      .addColumn('requester', 'varchar(64)')
      .addColumn('worker', 'varchar(64)')
      .addColumn('lease_id', 'varchar(64)')
      .addColumn('lease_expires', 'bigint')
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('max_attempts', 'integer', (c) => c.notNull())
      .addColumn('started', 'bigint')
      .addColumn('finished', 'bigint')
      .addColumn('result', big)
      .addColumn('error', big)
      .execute();
    // Claiming scans by state and kind in precedence, then age, order.
    await db.schema
      .createIndex(ctx.name('requests_claim_idx'))
      .on('requests')
      .columns(['state', 'kind', 'precedence', 'created'])
      .execute();
    await db.schema
      .createIndex(ctx.name('requests_finished_idx'))
      .on('requests')
      .column('finished')
      .execute();
  },
};
