// The events of a running build, kept in the store beside its request
// (table executor_build_events) so the component that asked for the build
// sees it progress from any process: the executor writes `started`,
// `playbook`, `paused`, `early_failure` and `result`; the requester writes
// `resume` to let a paused build continue.
//
// After each write the request's wake-up is announced (the request queue's
// "look at request <id> again" signal): requesters waiting on the request
// and the executor running it re-read. The rows are the truth; a lost
// wake-up only costs a poll period.

import type { Selectable } from 'kysely';
import type { Store } from '../store/db.js';
import { announceDone } from '../store/requests-signals.js';
import type { ExecutorBuildEventsTable } from '../store/schema.js';
import type { BuildEvent, BuildResultPayload } from './protocol.js';

/** A `result` event: written when the request row could not take the result (it was cancelled). */
export interface ResultEvent {
  type: 'result';
  uuid: string;
  result: BuildResultPayload;
}

/** The requester lets a paused build continue. */
export interface ResumeEvent {
  type: 'resume';
  uuid: string;
}

/** Every kind of stored event: runBuild's own, plus the two above. */
export type StoredEventBody = BuildEvent | ResultEvent | ResumeEvent;

export interface StoredBuildEvent {
  /** Increases along one request's events. */
  id: number;
  requestId: string;
  build: string;
  type: StoredEventBody['type'];
  event: StoredEventBody;
  /** Which claim of the request wrote it (1 = the first executor's); for a resume, the claim it answers. */
  attempt: number;
  /** Unix ms. */
  created: number;
}

interface Envelope {
  attempt: number;
  event: StoredEventBody;
}

function toEvent(r: Selectable<ExecutorBuildEventsTable>): StoredBuildEvent {
  const env = JSON.parse(r.payload) as Envelope;
  return {
    id: Number(r.id),
    requestId: r.request_id,
    build: r.build,
    type: r.type as StoredEventBody['type'],
    event: env.event,
    attempt: env.attempt,
    created: Number(r.created),
  };
}

export class BuildEvents {
  constructor(
    readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Adds an event to request `requestId` and wakes whoever waits on it.
   * `attempt`: the claim that wrote it (a resume: the claim it answers).
   */
  async append(
    requestId: string,
    event: StoredEventBody,
    attempt = 0,
    at = this.now(),
  ): Promise<void> {
    const payload = JSON.stringify({ attempt, event } satisfies Envelope);
    await this.store.db
      .insertInto('executor_build_events')
      .values({
        request_id: requestId,
        build: event.uuid.slice(0, 64),
        type: event.type,
        payload,
        created: at,
      })
      .execute();
    await announceDone(this.store, requestId);
  }

  /** The request's events after event id `after`, oldest first. */
  async list(requestId: string, after = 0): Promise<StoredBuildEvent[]> {
    const rows = await this.store.db
      .selectFrom('executor_build_events')
      .selectAll()
      .where('request_id', '=', requestId)
      .where('id', '>', after)
      .orderBy('id')
      .execute();
    return rows.map(toEvent);
  }

  /**
   * Whether the requester resumed the pause of claim `attempt` (a resume
   * written for an earlier claim, whose executor died, does not count).
   */
  async resumeRequested(requestId: string, attempt: number): Promise<boolean> {
    const rows = await this.store.db
      .selectFrom('executor_build_events')
      .selectAll()
      .where('request_id', '=', requestId)
      .where('type', '=', 'resume')
      .execute();
    return rows.some((r) => toEvent(r).attempt === attempt);
  }

  /** Deletes one request's events (its requester has read the result). */
  async remove(requestId: string): Promise<void> {
    await this.store.db
      .deleteFrom('executor_build_events')
      .where('request_id', '=', requestId)
      .execute();
  }

  /**
   * Deletes events older than `maxAgeMs` whose request is gone (pruned by
   * the queue, or removed by its requester). Returns how many.
   */
  async prune(maxAgeMs: number): Promise<number> {
    const res = await this.store.db
      .deleteFrom('executor_build_events')
      .where('created', '<', this.now() - maxAgeMs)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('requests')
              .select('requests.id')
              .whereRef('requests.id', '=', 'executor_build_events.request_id'),
          ),
        ),
      )
      .executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}
