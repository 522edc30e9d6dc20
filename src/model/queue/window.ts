// The active window of a dependent pipeline's shared change queue
// (semantics §E.7): how many items, counted in queue order from the head,
// may run jobs at once, and how a report moves that number.

import type { Pipeline, PipelineManagerName } from '../pipeline.js';

/** The window settings of a pipeline (a subset of `Pipeline`). */
export type WindowSettings = Pick<
  Pipeline,
  | 'window'
  | 'windowFloor'
  | 'windowCeiling'
  | 'windowIncreaseType'
  | 'windowIncreaseFactor'
  | 'windowDecreaseType'
  | 'windowDecreaseFactor'
>;

/** `Infinity` stands for "unlimited". */
export type WindowSize = number;

/** The window a new queue starts with, by manager. */
export function initialWindow(manager: PipelineManagerName, settings: WindowSettings): WindowSize {
  switch (manager) {
    case 'independent':
      return Number.POSITIVE_INFINITY;
    case 'serial':
    case 'supercedent':
      return 1;
    case 'dependent':
      return settings.window === 0 ? Number.POSITIVE_INFINITY : settings.window;
  }
}

/** Only dependent pipelines move their window; the others keep it fixed. */
function adjusts(manager: PipelineManagerName, current: WindowSize): boolean {
  return manager === 'dependent' && Number.isFinite(current);
}

/** After an item reported with every change merged and every voting job succeeding. */
export function windowAfterSuccess(
  manager: PipelineManagerName,
  settings: WindowSettings,
  current: WindowSize,
): WindowSize {
  if (!adjusts(manager, current)) return current;
  const grown =
    settings.windowIncreaseType === 'linear'
      ? current + settings.windowIncreaseFactor
      : current * settings.windowIncreaseFactor;
  return settings.windowCeiling === null ? grown : Math.min(grown, settings.windowCeiling);
}

/** After an item reported without all its voting jobs succeeding. */
export function windowAfterFailure(
  manager: PipelineManagerName,
  settings: WindowSettings,
  current: WindowSize,
): WindowSize {
  if (!adjusts(manager, current)) return current;
  const shrunk =
    settings.windowDecreaseType === 'linear'
      ? current - settings.windowDecreaseFactor
      : Math.floor(current / settings.windowDecreaseFactor);
  return Math.max(shrunk, settings.windowFloor);
}

/**
 * A "static" window never moves (both adjustments multiply or divide by 1),
 * so a reconfiguration puts it back to the configured size; any other
 * window keeps what it has learned, raised to the new floor.
 */
export function windowAfterReconfiguration(
  manager: PipelineManagerName,
  settings: WindowSettings,
  current: WindowSize,
): WindowSize {
  const configured = initialWindow(manager, settings);
  if (manager !== 'dependent' || !Number.isFinite(configured)) return configured;
  const isStatic =
    settings.windowIncreaseType === 'exponential' &&
    settings.windowDecreaseType === 'exponential' &&
    settings.windowIncreaseFactor === 1 &&
    settings.windowDecreaseFactor === 1;
  if (isStatic || !Number.isFinite(current)) return configured;
  return Math.max(current, settings.windowFloor);
}
