// The schema of a `- pipeline:` stanza's own attributes (semantics §C.1).
// The trigger/require/reject/reporter sections are only required to be
// mappings here; their keys are connection names and their values are
// checked against each connection's driver (pipeline-connections.ts).

import { Type } from '@sinclair/typebox';
import {
  PIPELINE_DEFAULTS,
  PIPELINE_MANAGERS,
  PRECEDENCES,
  REPORTER_ACTIONS,
  WINDOW_ADJUST_TYPES,
} from '../../model/pipeline.js';
import { ConfigProblem } from '../errors.js';
import { Bool, Int, ScalarOrList, Str } from '../schema.js';

const Opt = Type.Optional;

function OneOf(values: readonly string[]) {
  return Type.Union(values.map((v) => Type.Literal(v)));
}

/** connection name → that driver's configuration. */
const Section = Type.Record(Type.String(), Type.Unknown());

const reporterSections = Object.fromEntries(REPORTER_ACTIONS.map((a) => [a, Opt(Section)]));

export const MESSAGE_ATTRIBUTES = [
  'success-message',
  'failure-message',
  'merge-conflict-message',
  'start-message',
  'enqueue-message',
  'no-jobs-message',
  'dequeue-message',
  'footer-message',
] as const;

const messages = Object.fromEntries(MESSAGE_ATTRIBUTES.map((m) => [m, Opt(Str)]));

// `variant-description` is deliberately absent: Zuul's docs list it under
// pipeline, but it is a job attribute and Zuul rejects it here.
export const PipelineStanza = Type.Object(
  {
    name: Str,
    manager: OneOf(PIPELINE_MANAGERS),
    description: Opt(Str),
    precedence: Opt(OneOf(PRECEDENCES)),
    supercedes: Opt(ScalarOrList(Str)),
    'allow-other-connections': Opt(Bool),
    'post-review': Opt(Bool),
    'dequeue-on-new-patchset': Opt(Bool),
    'ignore-dependencies': Opt(Bool),
    'disable-after-consecutive-failures': Opt(Int),
    window: Opt(Int),
    'window-floor': Opt(Int),
    'window-ceiling': Opt(Type.Union([Int, Type.Null()])),
    'window-increase-type': Opt(OneOf(WINDOW_ADJUST_TYPES)),
    'window-increase-factor': Opt(Int),
    'window-decrease-type': Opt(OneOf(WINDOW_ADJUST_TYPES)),
    'window-decrease-factor': Opt(Int),
    ...messages,
    trigger: Section,
    require: Opt(Section),
    reject: Opt(Section),
    ...reporterSections,
  },
  { additionalProperties: false },
);

/** Lowest value each integer attribute accepts (Zuul's vs.Range). */
const MINIMUMS: Record<string, number> = {
  window: 0,
  'window-floor': 1,
  'window-ceiling': 1,
  'window-increase-factor': 1,
  'window-decrease-factor': 1,
  'disable-after-consecutive-failures': 1,
};

/** Range checks the schema leaves to us, with voluptuous' wording. */
export function checkWindowValues(stanza: Readonly<Record<string, unknown>>): void {
  for (const [attr, min] of Object.entries(MINIMUMS)) {
    const v = stanza[attr];
    if (typeof v === 'number' && v < min) {
      throw new ConfigProblem(
        `value must be at least ${min} for dictionary value @ data['${attr}']`,
        'Unknown',
        [attr],
      );
    }
  }
  const floor = (stanza['window-floor'] as number | undefined) ?? PIPELINE_DEFAULTS.windowFloor;
  const ceiling = stanza['window-ceiling'] as number | null | undefined;
  if (typeof ceiling === 'number' && ceiling < floor) {
    throw new ConfigProblem(
      'Pipeline window-ceiling may not be less than window-floor',
      'Unknown',
      ['window-ceiling'],
    );
  }
}
