// Parses a `- pipeline:` stanza into a Pipeline (semantics §C.1, with the
// Zuul 14 changes). Throws a ConfigProblem whose path names the offending
// attribute; warnings (deprecated syntax) go to ctx.warn.

import {
  emptyReporters,
  PIPELINE_DEFAULTS,
  type Pipeline,
  type PipelineManagerName,
  type Precedence,
  REPORTER_ACTIONS,
  type WindowAdjustType,
} from '../../model/pipeline.js';
import { ConfigProblem } from '../errors.js';
import { asList, stripOverrideTags } from '../schema.js';
import {
  type PipelineParseContext,
  parseReporters,
  parseRequirements,
  parseTriggers,
} from './pipeline-connections.js';
import { messageProblems } from './pipeline-messages.js';
import { checkWindowValues, PipelineStanza } from './pipeline-schema.js';
import { validateDetailed } from './validate-detail.js';

export type { PipelineConnection, PipelineParseContext } from './pipeline-connections.js';

function asMapping(raw: unknown): Record<string, unknown> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigProblem('expected a dictionary', 'Unknown', []);
  }
  const { value, tags } = stripOverrideTags(raw as Record<string, unknown>);
  const [tagged] = tags.entries();
  if (tagged) {
    // Override control only means something for job attributes.
    throw new ConfigProblem(
      `The !${tagged[1]} tag is only supported on job attributes`,
      'Unknown',
      [tagged[0]],
    );
  }
  return value;
}

function orDefault<T>(value: unknown, fallback: T): T {
  return value === undefined ? fallback : (value as T);
}

/** Parses one pipeline stanza. */
export function parsePipeline(raw: unknown, ctx: PipelineParseContext): Pipeline {
  const c = asMapping(raw);
  validateDetailed(PipelineStanza, c, []);
  checkWindowValues(c);
  const [messageError] = messageProblems(c);
  if (messageError) throw messageError;

  const triggers = parseTriggers(c.trigger, ctx);
  const requires = parseRequirements(c.require, 'require', ctx);
  const rejects = parseRequirements(c.reject, 'reject', ctx);
  const reporters = emptyReporters();
  for (const action of REPORTER_ACTIONS) {
    reporters[action] = parseReporters(c[action], action, ctx);
  }
  // As in Zuul: without their own reporters these report like a failure.
  if (!reporters['merge-conflict'].length) reporters['merge-conflict'] = [...reporters.failure];
  if (!reporters['config-error'].length) reporters['config-error'] = [...reporters.failure];

  // Connections the stanza names (what allow-other-connections: false admits).
  const connections = new Set<string>();
  for (const list of [triggers, requires, rejects, ...REPORTER_ACTIONS.map((a) => reporters[a])]) {
    for (const item of list) connections.add(item.connection);
  }
  const d = PIPELINE_DEFAULTS;
  return {
    name: c.name as string,
    manager: c.manager as PipelineManagerName,
    description: c.description as string | undefined,
    precedence: orDefault<Precedence>(c.precedence, d.precedence),
    postReview: orDefault(c['post-review'], d.postReview),
    dequeueOnNewPatchset: orDefault(c['dequeue-on-new-patchset'], d.dequeueOnNewPatchset),
    ignoreDependencies: orDefault(c['ignore-dependencies'], d.ignoreDependencies),
    allowOtherConnections: orDefault(c['allow-other-connections'], d.allowOtherConnections),
    supercedes: asList(c.supercedes as string | string[] | undefined),
    successMessage: orDefault(c['success-message'], d.successMessage),
    failureMessage: orDefault(c['failure-message'], d.failureMessage),
    mergeConflictMessage: orDefault(c['merge-conflict-message'], d.mergeConflictMessage),
    startMessage: orDefault(c['start-message'], d.startMessage),
    enqueueMessage: orDefault(c['enqueue-message'], d.enqueueMessage),
    noJobsMessage: orDefault(c['no-jobs-message'], d.noJobsMessage),
    dequeueMessage: orDefault(c['dequeue-message'], d.dequeueMessage),
    footerMessage: orDefault(c['footer-message'], d.footerMessage),
    triggers,
    requires,
    rejects,
    reporters,
    connections: [...connections],
    disableAfterConsecutiveFailures: orDefault<number | null>(
      c['disable-after-consecutive-failures'],
      d.disableAfterConsecutiveFailures,
    ),
    window: orDefault(c.window, d.window),
    windowFloor: orDefault(c['window-floor'], d.windowFloor),
    // `window-ceiling: null` (or absent) means unlimited.
    windowCeiling: orDefault<number | null>(c['window-ceiling'], d.windowCeiling),
    windowIncreaseType: orDefault<WindowAdjustType>(
      c['window-increase-type'],
      d.windowIncreaseType,
    ),
    windowIncreaseFactor: orDefault(c['window-increase-factor'], d.windowIncreaseFactor),
    windowDecreaseType: orDefault<WindowAdjustType>(
      c['window-decrease-type'],
      d.windowDecreaseType,
    ),
    windowDecreaseFactor: orDefault(c['window-decrease-factor'], d.windowDecreaseFactor),
    sourceContext: ctx.source,
  };
}
