// Reading /system-events: a tenant's system events, newest first.

import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { systemEventJson } from './serialise.js';
import type { Page, SystemEventFilters, SystemEventJson } from './types.js';

export async function listSystemEvents(
  db: Kysely<Database>,
  tenant: string,
  f: SystemEventFilters,
  page: Page,
): Promise<SystemEventJson[]> {
  let q = db
    .selectFrom('zuul_system_event')
    .select(['event_id', 'event_time', 'event_type', 'description'])
    .where('tenant', '=', tenant);
  if (f.event_type?.length) q = q.where('event_type', 'in', f.event_type);
  const rows = await q.orderBy('id', 'desc').limit(page.limit).offset(page.skip).execute();
  return rows.map(systemEventJson);
}
