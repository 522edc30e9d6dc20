// Zuul 10.0 gave GitHub trigger filters a stricter, per-event shape but only
// warns when a filter does not fit it (accepting the old, looser schema), and
// warns about deprecated spellings. These are those warnings, in Zuul's words.

import type { ConfigPath, ConfigProblem } from '../../config/errors.js';
import { deprecation } from '../schema-common.js';

interface EventShape {
  /** Keys allowed besides the ones every filter may have. */
  keys: readonly string[];
  /** Allowed `action` values, when action is restricted. */
  actions?: readonly string[];
  /** Allowed `state` values. */
  states?: readonly string[];
}

const COMMON_KEYS = ['event', 'require', 'reject', 'debug', 'permission'];

function pullRequestShape(action: unknown): EventShape {
  // Zuul picks the shape from a scalar action; a list uses the default shape.
  switch (action) {
    case 'comment':
      return { keys: ['branch', 'action', 'comment'], actions: ['comment'] };
    case 'labeled':
    case 'unlabeled':
      return { keys: ['branch', 'action', 'label'], actions: ['labeled', 'unlabeled'] };
    case 'status':
      return { keys: ['branch', 'action', 'status'], actions: ['status'] };
    default:
      return { keys: ['branch', 'action'], actions: ['opened', 'changed', 'closed', 'reopened'] };
  }
}

function shapeFor(event: string, action: unknown): EventShape | undefined {
  switch (event) {
    case 'pull_request':
      return pullRequestShape(action);
    case 'pull_request_review':
      return {
        keys: ['branch', 'action', 'state'],
        actions: ['submitted', 'dismissed'],
        states: ['approved', 'commented', 'changes_requested', 'dismissed', 'pending'],
      };
    case 'push':
      return { keys: ['ref'] };
    case 'check_run':
      return { keys: ['action', 'check'], actions: ['rerequested', 'completed'] };
    default:
      return undefined;
  }
}

function describe(path: ConfigPath): string {
  return `data${path.map((p) => (typeof p === 'number' ? `[${p}]` : `['${p}']`)).join('')}`;
}

/** The first way `filter` departs from its event's shape, voluptuous-style. */
function shapeError(filter: Readonly<Record<string, unknown>>): string | undefined {
  const event = filter.event;
  if (typeof event !== 'string') return undefined;
  const shape = shapeFor(event, filter.action);
  if (!shape) return undefined;
  const allowed = new Set([...COMMON_KEYS, ...shape.keys]);
  for (const [key, value] of Object.entries(filter)) {
    if (!allowed.has(key)) return `extra keys not allowed @ ${describe([key])}`;
    const values = key === 'action' ? shape.actions : key === 'state' ? shape.states : undefined;
    if (!values) continue;
    const list = Array.isArray(value) ? value : [value];
    const bad = list.findIndex((v) => !values.includes(v as string));
    if (bad >= 0) {
      return Array.isArray(value)
        ? `not a valid value @ ${describe([key, bad])}`
        : `not a valid value for dictionary value @ ${describe([key])}`;
    }
  }
  return undefined;
}

/** Deprecation and shape warnings for one github trigger filter. */
export function githubTriggerWarnings(filter: Readonly<Record<string, unknown>>): ConfigProblem[] {
  const warnings: ConfigProblem[] = [];
  if ('require-status' in filter) {
    warnings.push(
      deprecation(
        'Github require-status Deprecation',
        "The 'require-status' trigger attribute is deprecated.  Use 'require' instead.",
        ['require-status'],
      ),
    );
  }
  if ('unlabel' in filter) {
    warnings.push(
      deprecation(
        'Github unlabel Deprecation',
        "The 'unlabel' trigger attribute is deprecated.  Use 'label' instead.",
        ['unlabel'],
      ),
    );
  }
  if (Array.isArray(filter.event)) {
    warnings.push(
      deprecation(
        'Github event list Deprecation',
        "Specifying the 'event' trigger attribute as a list is deprecated.  Use a single item instead.",
        ['event'],
      ),
    );
  }
  const error = shapeError(filter);
  if (error) {
    warnings.push(
      deprecation(
        'Github Trigger Configuration Warning',
        `The trigger configuration as supplied has an error: ${error}`,
        [],
      ),
    );
  }
  if (filter.action === 'requested') {
    warnings.push(
      deprecation(
        'Github requested action Deprecation',
        "The 'requested' value for the 'action' trigger attribute is deprecated.  Use 'rerequested' instead.",
        ['action'],
      ),
    );
  }
  return warnings;
}
