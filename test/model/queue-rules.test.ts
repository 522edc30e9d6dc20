// §H rules 11–14 on the pure scheduling pieces: dependent-queue resets and
// the window, enqueue vs participation, the item result, and what happens
// to a build's outcome.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PIPELINE_DEFAULTS } from '../../src/model/pipeline.js';
import { decideAttempt, resultAfterPostRun } from '../../src/model/queue/build-attempts.js';
import { ChangeQueue, type ItemStatus } from '../../src/model/queue/change-queue.js';
import {
  allJobsSucceeded,
  chooseReport,
  type ItemReportState,
  itemSucceeded,
  refusedEnqueueAction,
  resultAfterMerge,
  windowEffect,
} from '../../src/model/queue/report.js';
import {
  initialWindow,
  windowAfterFailure,
  windowAfterReconfiguration,
  windowAfterSuccess,
} from '../../src/model/queue/window.js';

function statuses(over: Record<string, Partial<ItemStatus>>): (id: string) => ItemStatus {
  return (id) => ({
    live: true,
    merged: false,
    needsFailingChange: false,
    jobFailed: false,
    ...over[id],
  });
}

function queueOf(...ids: string[]): ChangeQueue {
  const q = new ChangeQueue();
  for (const id of ids) q.enqueue(id);
  return q;
}

describe('rule 11: dependent pipeline resets', () => {
  it('re-bases the items behind a failing item onto the nearest non-failing one', () => {
    const q = queueOf('A', 'B', 'C');
    const res = q.process(statuses({ B: { jobFailed: true } }), 20);
    assert.deepEqual(res.events, [
      { type: 'failing', item: 'B', reason: 'job-failed' },
      { type: 'moved', item: 'C', ahead: 'A' },
    ]);
    assert.equal(q.itemAhead('C'), 'A');
    assert.equal(q.itemAhead('B'), 'A');
    assert.deepEqual(q.itemsBehind('A'), ['B', 'C'], 'the queue is now a tree');
    assert.deepEqual([...res.failing], ['B']);
    // Queue order is unchanged: the window still counts B.
    assert.deepEqual(q.items(), ['A', 'B', 'C']);
  });

  it('moves every item behind the failure, recursively, each onto the one before', () => {
    const q = queueOf('A', 'B', 'C', 'D');
    const res = q.process(statuses({ B: { jobFailed: true } }), 20);
    assert.deepEqual(
      res.events.filter((e) => e.type === 'moved'),
      [
        { type: 'moved', item: 'C', ahead: 'A' },
        { type: 'moved', item: 'D', ahead: 'C' },
      ],
    );
    // A second pass with nothing new changes nothing.
    const again = q.process(statuses({ B: { jobFailed: true } }), 20);
    assert.deepEqual(
      again.events.filter((e) => e.type === 'moved'),
      [],
    );
  });

  it('a failing head leaves the next item as a head of its own', () => {
    const q = queueOf('B', 'C');
    q.process(statuses({ B: { jobFailed: true } }), 20);
    assert.equal(q.itemAhead('C'), null);
    assert.ok(q.isHead('B') && q.isHead('C'), 'both can report independently');
  });

  it('does not move an item whose item ahead has merged', () => {
    const q = queueOf('A', 'B', 'C');
    const res = q.process(statuses({ A: { jobFailed: true, merged: true } }), 20);
    assert.equal(
      res.events.some((e) => e.type === 'moved' && e.item === 'B'),
      false,
    );
  });

  it('an item needing a change of a failing item fails without moving', () => {
    const q = queueOf('A', 'B', 'C');
    const res = q.process(
      statuses({ B: { jobFailed: true }, C: { needsFailingChange: true } }),
      20,
    );
    assert.deepEqual(res.events[1], { type: 'failing', item: 'C', reason: 'needs-failing-change' });
    assert.equal(q.itemAhead('C'), 'B');
  });

  it('dequeuing the head makes the items behind it heads', () => {
    const q = queueOf('A', 'B', 'C');
    q.process(statuses({ B: { jobFailed: true } }), 20);
    q.dequeue('A');
    assert.deepEqual(q.itemsBehind(null), ['B', 'C']);
  });

  it('the window counts items in queue order, failing ones included', () => {
    const q = queueOf('A', 'B', 'C', 'D', 'E');
    const res = q.process(statuses({ B: { jobFailed: true } }), 3);
    assert.deepEqual(res.active, ['A', 'B', 'C']);
  });

  it('the window starts at 20, grows by 1 per merge, halves per failure, never below 3', () => {
    const s = PIPELINE_DEFAULTS;
    let w = initialWindow('dependent', s);
    assert.equal(w, 20);
    w = windowAfterSuccess('dependent', s, w);
    assert.equal(w, 21);
    w = windowAfterFailure('dependent', s, w);
    assert.equal(w, 10);
    w = windowAfterFailure('dependent', s, w);
    w = windowAfterFailure('dependent', s, w);
    assert.equal(w, 3, '10 → 5 → floor 3 (not 2)');
    assert.equal(windowAfterFailure('dependent', s, 7), 3, 'integer halving: 7 → 3');
  });

  it('honours linear decrease, the ceiling, and unlimited/fixed windows', () => {
    const s = { ...PIPELINE_DEFAULTS, windowDecreaseType: 'linear' as const, windowCeiling: 21 };
    assert.equal(windowAfterFailure('dependent', s, 10), 8);
    assert.equal(windowAfterSuccess('dependent', s, 21), 21);
    assert.equal(initialWindow('dependent', { ...s, window: 0 }), Number.POSITIVE_INFINITY);
    assert.equal(initialWindow('serial', s), 1);
    assert.equal(windowAfterFailure('serial', s, 1), 1);
    assert.equal(initialWindow('independent', s), Number.POSITIVE_INFINITY);
  });

  it('a reconfiguration keeps a learned window (raised to the floor) but resets a static one', () => {
    const s = PIPELINE_DEFAULTS;
    assert.equal(windowAfterReconfiguration('dependent', s, 7), 7);
    assert.equal(windowAfterReconfiguration('dependent', { ...s, windowFloor: 9 }, 7), 9);
    const fixed = {
      ...s,
      window: 5,
      windowIncreaseType: 'exponential' as const,
      windowIncreaseFactor: 1,
      windowDecreaseFactor: 1,
    };
    assert.equal(windowAfterReconfiguration('dependent', fixed, 12), 5);
  });
});

function item(over: Partial<ItemReportState>): ItemReportState {
  return {
    participates: true,
    jobs: [{ name: 'unit', voting: true, result: 'SUCCESS' }],
    configErrors: false,
    mergeConflict: false,
    dequeuedMissingRequirements: false,
    ...over,
  };
}

describe('rule 12: enqueue vs participation', () => {
  it('an item of a project without jobs in the pipeline reports no-jobs', () => {
    assert.deepEqual(chooseReport(item({ participates: false, jobs: [] })), {
      action: 'no-jobs',
      result: 'NO_JOBS',
    });
  });

  it('config errors and merge conflicts are reported only where the project participates', () => {
    const broken = { jobs: [], configErrors: true, mergeConflict: true };
    assert.equal(chooseReport(item({ ...broken, participates: false })).action, 'no-jobs');
    assert.deepEqual(chooseReport(item({ ...broken, participates: true })), {
      action: 'config-error',
      result: 'CONFIG_ERROR',
    });
    assert.deepEqual(chooseReport(item({ jobs: [], mergeConflict: true })), {
      action: 'merge-conflict',
      result: 'MERGE_CONFLICT',
    });
  });

  it('a refused enqueue reports to failure reporters only for participating projects', () => {
    assert.equal(refusedEnqueueAction(true), 'failure');
    assert.equal(refusedEnqueueAction(false), undefined);
  });

  it('needing-change and missing-requirements dequeues report failure', () => {
    assert.equal(
      chooseReport(item({ dequeuedNeedingChange: 'Change 2 is needed.' })).result,
      'FAILURE',
    );
    assert.equal(chooseReport(item({ dequeuedMissingRequirements: true })).action, 'failure');
  });
});

describe('rule 13: item result', () => {
  const job = (name: string, voting: boolean, result?: string) => ({ name, voting, result });

  it('voting jobs must succeed or be skipped; non-voting failures never fail an item', () => {
    assert.ok(allJobsSucceeded([job('a', true, 'SUCCESS'), job('b', false, 'FAILURE')]));
    assert.ok(allJobsSucceeded([job('a', true, 'SUCCESS'), job('b', true, 'SKIPPED')]));
    assert.ok(!allJobsSucceeded([job('a', true, 'SUCCESS'), job('b', true, 'POST_FAILURE')]));
  });

  it('a voting job without a build fails the item', () => {
    assert.ok(!allJobsSucceeded([job('a', true, 'SUCCESS'), job('b', true)]));
    assert.ok(allJobsSucceeded([job('a', true, 'SUCCESS'), job('b', false)]));
  });

  it('an item whose every job was skipped has not succeeded', () => {
    assert.ok(!allJobsSucceeded([job('a', true, 'SKIPPED'), job('b', false, 'SKIPPED')]));
    assert.equal(chooseReport(item({ jobs: [job('a', true, 'SKIPPED')] })).result, 'FAILURE');
  });

  it('a dependent success must also merge; a refused merge is MERGE_FAILURE and keeps the window', () => {
    const ok = chooseReport(item({}));
    assert.equal(ok.result, 'SUCCESS');
    assert.ok(itemSucceeded(ok, true, true));
    assert.ok(!itemSucceeded(ok, true, false));
    assert.ok(itemSucceeded(ok, false, false), 'independent pipelines merge nothing');
    assert.equal(resultAfterMerge(ok, false), 'MERGE_FAILURE');
    assert.equal(resultAfterMerge(ok, true), 'SUCCESS');
    assert.equal(windowEffect(ok, true), 'grow');
    assert.equal(windowEffect(ok, false), 'none');
    assert.equal(windowEffect(chooseReport(item({ mergeConflict: true })), false), 'shrink');
  });
});

describe('rule 14: executor outcomes, as the scheduler handles them', () => {
  it('retryable outcomes retry until attempts, then RETRY_LIMIT', () => {
    assert.deepEqual(decideAttempt(undefined, 1, 3), { retry: true, recordAs: 'RETRY' });
    assert.deepEqual(decideAttempt(undefined, 2, 3), { retry: true, recordAs: 'RETRY' });
    assert.deepEqual(decideAttempt(undefined, 3, 3), { retry: false, result: 'RETRY_LIMIT' });
  });

  it('ABORTED always retries; MERGE_CONFLICT while tries remain; a Zuul cancel never', () => {
    assert.equal(decideAttempt('ABORTED', 3, 3).retry, true);
    assert.equal(decideAttempt('MERGE_CONFLICT', 1, 3).retry, true);
    assert.deepEqual(decideAttempt('MERGE_CONFLICT', 3, 3), {
      retry: false,
      result: 'MERGE_CONFLICT',
    });
    assert.deepEqual(decideAttempt(undefined, 1, 3, true), { retry: false, result: 'CANCELED' });
    assert.deepEqual(decideAttempt('FAILURE', 1, 3), { retry: false, result: 'FAILURE' });
  });

  it('a post-run failure replaces FAILURE and SUCCESS but not TIMED_OUT or a pending retry', () => {
    assert.equal(resultAfterPostRun('FAILURE', true), 'POST_FAILURE');
    assert.equal(resultAfterPostRun('SUCCESS', true), 'POST_FAILURE');
    assert.equal(resultAfterPostRun('TIMED_OUT', true), 'TIMED_OUT');
    assert.equal(resultAfterPostRun(undefined, true), undefined);
    assert.equal(resultAfterPostRun('SUCCESS', false), 'SUCCESS');
  });
});
