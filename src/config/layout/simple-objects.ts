// Adding the objects whose duplicates follow one rule (semantics §D.3):
// nodesets, secrets, semaphores, queues and the launcher objects may be
// repeated only on other branches of the same project, identically; plus
// pipelines, whose names are simply unique.

import type { SourceContext } from '../../model/config-error.js';
import type { Nodeset } from '../../model/nodeset.js';
import { nodesetsEqual } from '../../model/nodeset.js';
import type { Secret, Semaphore } from '../../model/objects.js';
import type { Pipeline, ReporterAction } from '../../model/pipeline.js';
import type { BuildContext } from './context.js';
import { LayoutProblem } from './context.js';

interface Named {
  name: string;
  sourceContext: SourceContext;
}

/** Zuul's capitalised object names, as they appear in its messages. */
export type ObjectKind =
  | 'Nodeset'
  | 'Secret'
  | 'Semaphore'
  | 'Queue'
  | 'Image'
  | 'Flavor'
  | 'Label'
  | 'Section'
  | 'Provider';

/** Content of an object without where it came from, for comparing duplicates. */
function sameContent(kind: ObjectKind, a: Named, b: Named): boolean {
  if (kind === 'Secret') return (a as Secret).fingerprint === (b as Secret).fingerprint;
  if (kind === 'Nodeset') return nodesetsEqual(a as Nodeset, b as Nodeset);
  const strip = (o: Named) => JSON.stringify({ ...o, sourceContext: undefined });
  return strip(a) === strip(b);
}

/**
 * Adds `obj` unless one of that name exists: the same content from another
 * branch of the same project is ignored; anything else is an error.
 */
export function addIdentical<T extends Named>(
  ctx: BuildContext,
  kind: ObjectKind,
  map: Map<string, T>,
  obj: T,
): void {
  const other = map.get(obj.name);
  if (!other) {
    map.set(obj.name, obj);
    return;
  }
  const problem = duplicateProblem(kind, other, obj);
  if (problem) ctx.errorAt(obj, problem);
}

function duplicateProblem(kind: ObjectKind, other: Named, obj: Named): string | undefined {
  if (other.sourceContext.projectCanonical !== obj.sourceContext.projectCanonical) {
    return `${kind} ${obj.name} already defined in project ${other.sourceContext.project}`;
  }
  if (other.sourceContext.branch === obj.sourceContext.branch) {
    return `${kind} ${obj.name} already defined`;
  }
  if (!sameContent(kind, other, obj)) {
    return `${kind} ${obj.name} does not match existing definition in branch ${other.sourceContext.branch}`;
  }
  return undefined;
}

/** The reporter actions Zuul checks against `allowed-reporters` (config-error is not among them). */
const CHECKED_ACTIONS: readonly ReporterAction[] = [
  'enqueue',
  'start',
  'success',
  'failure',
  'merge-conflict',
  'no-jobs',
  'disabled',
  'dequeue',
];

/** Adds a pipeline: unique name, connections allowed by the tenant. */
export function addPipeline(ctx: BuildContext, pipeline: Pipeline): void {
  ctx.attempt(pipeline, () => {
    if (ctx.maps.pipelines.has(pipeline.name)) {
      throw new LayoutProblem(`Pipeline ${pipeline.name} is already defined`);
    }
    const { allowedReporters, allowedTriggers } = ctx.tenant;
    if (allowedReporters) {
      for (const action of CHECKED_ACTIONS) {
        for (const r of pipeline.reporters[action]) {
          if (!allowedReporters.includes(r.connection)) {
            throw unknownConnection(r.connection, [action, r.connection]);
          }
        }
      }
    }
    if (allowedTriggers) {
      for (const t of pipeline.triggers) {
        if (!allowedTriggers.includes(t.connection)) {
          throw unknownConnection(t.connection, ['trigger', t.connection]);
        }
      }
    }
    ctx.maps.pipelines.set(pipeline.name, pipeline);
  });
}

function unknownConnection(name: string, path: string[]): LayoutProblem {
  return new LayoutProblem(`Unknown connection named "${name}".`, 'Unknown Connection', path);
}

/** Every `supercedes` entry must name a pipeline of the layout. */
export function validatePipeline(ctx: BuildContext, pipeline: Pipeline): void {
  for (const other of pipeline.supercedes) {
    if (!ctx.maps.pipelines.has(other)) {
      ctx.errorAt(
        pipeline,
        `The pipeline "${pipeline.name}" supercedes an unknown pipeline ${other}.`,
        'Unknown',
        ['supercedes'],
      );
      return;
    }
  }
}

/** The global semaphores the tenant is granted, added before any in-repo one. */
export function addGlobalSemaphores(ctx: BuildContext): void {
  for (const name of ctx.tenant.semaphores) {
    const global = ctx.options.globalSemaphores?.get(name);
    // The tenant-file parser already rejects grants of unknown semaphores.
    if (global) ctx.maps.semaphores.set(name, { ...global, global: true });
  }
}

/** An in-repo semaphore: may not take the name of a granted global one. */
export function addSemaphore(ctx: BuildContext, semaphore: Semaphore): void {
  if (ctx.tenant.semaphores.includes(semaphore.name)) {
    ctx.errorAt(
      semaphore,
      `Semaphore ${semaphore.name} shadows a global semaphore and will be ignored`,
    );
    return;
  }
  addIdentical(ctx, 'Semaphore', ctx.maps.semaphores as Map<string, Semaphore>, semaphore);
}
