// Reusing the reference validation of a base layout. A speculative layout
// differs from the running layout only in the objects of a few project
// branches; a job variant or project stanza that both layouts share (the
// same resolved copy, see BuildContext.memoized) and that names nothing
// those project branches define, old or new, validates exactly as it did in
// the base layout. Its outcome (no problem, or the problem it threw) is
// replayed at the same point of the build, so the errors and their order
// are those of a full build.

import type { JobVariant } from '../../model/job.js';
import type { Layout } from '../../model/layout.js';
import type { ProjectStanza, ProjectTemplate } from '../../model/project-config.js';

/** Names defined by the project branches in which a layout differs from its base. */
export interface DirtyNames {
  jobs: ReadonlySet<string>;
  nodesets: ReadonlySet<string>;
  secrets: ReadonlySet<string>;
  /** Something every validation may depend on changed (labels, images, …): replay nothing. */
  everything: boolean;
}

export interface ValidationReuse {
  /** A layout built from the same tenant and projects. */
  base: Layout;
  dirty: DirtyNames;
}

const NO_PROBLEM = Symbol('no problem');
/** Validation outcomes of every layout built, by layout. */
const outcomesByLayout = new WeakMap<Layout, Map<object, unknown>>();

/** Whether a variant's references avoid every dirty name. */
export function variantClean(job: JobVariant, dirty: DirtyNames): boolean {
  if (typeof job.parent === 'string' && dirty.jobs.has(job.parent)) return false;
  // Nodesets refer to nodesets (alternatives): any change is taken to matter.
  if (job.nodeset !== undefined && dirty.nodesets.size > 0) return false;
  for (const dep of job.dependencies ?? []) if (dirty.jobs.has(dep.name)) return false;
  for (const ref of job.secrets ?? []) if (dirty.secrets.has(ref.secret)) return false;
  return true;
}

/** Whether a project or template stanza's job entries avoid every dirty name. */
export function stanzaClean(stanza: ProjectStanza | ProjectTemplate, dirty: DirtyNames): boolean {
  for (const ppc of stanza.pipelines.values()) {
    for (const entry of ppc.jobs) {
      if (dirty.jobs.has(entry.name)) return false;
      if (entry.variant && !variantClean(entry.variant, dirty)) return false;
    }
  }
  return true;
}

/** The validation outcomes of one build, and those of its base to replay. */
export class ValidationOutcomes {
  private readonly current = new Map<object, unknown>();
  private readonly base: Map<object, unknown> | undefined;

  constructor(private readonly reuse: ValidationReuse | undefined) {
    this.base = reuse && !reuse.dirty.everything ? outcomesByLayout.get(reuse.base) : undefined;
  }

  /**
   * Runs `validate` for `obj`, or replays the base layout's outcome when
   * the base validated the same object and `clean` says nothing it depends
   * on changed. Throws the problem either way.
   */
  check<T extends object>(
    obj: T,
    clean: (obj: T, dirty: DirtyNames) => boolean,
    validate: () => void,
  ): void {
    const known = this.base?.get(obj);
    if (known !== undefined && clean(obj, this.reuse!.dirty)) {
      if (known !== NO_PROBLEM) throw known;
      return;
    }
    if (this.reuse) {
      validate();
      return;
    }
    try {
      validate();
      this.current.set(obj, NO_PROBLEM);
    } catch (problem) {
      this.current.set(obj, problem ?? NO_PROBLEM);
      throw problem;
    }
  }

  /**
   * Keeps this build's outcomes for layouts built on top of `layout`. Only
   * full builds keep them: speculative layouts are never bases, and there
   * may be one per queue item.
   */
  attach(layout: Layout): void {
    if (!this.reuse) outcomesByLayout.set(layout, this.current);
  }
}
