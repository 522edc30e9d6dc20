// The project-pipeline configuration (PPC) of one change for one pipeline
// (semantics §D.7): every matching project stanza and its templates merged
// into one ordered job list with project-pipeline variants, variables,
// debug and fail-fast.

import type { SourceContext } from '../config-error.js';
import type { JobVariant } from '../job.js';
import type { BranchMatcher, Layout } from '../layout.js';
import type { ProjectPipelineConfig, ProjectPipelineJob } from '../project-config.js';
import { matcherMatchesChange } from './matching.js';
import { type FreezeChange, FreezeError } from './types.js';
import { deepMerge } from './vars.js';

/** One entry of a project-pipeline job list, with where it came from. */
export interface PpcEntry {
  name: string;
  /** The entry's attributes (a project-pipeline variant); undefined for a bare job name. */
  variant?: JobVariant;
  /** The stanza (project or template) that listed it. */
  sourceContext: SourceContext;
  /** Canonical name of the project holding that stanza. */
  projectCanonicalName: string;
  /** Explicit `branches` of the entry only: entries never get implied matchers. */
  branchMatcher?: BranchMatcher;
  /** Identity of the entry, to skip the same entry seen twice (one template used twice). */
  key: string;
  /** Line of the stanza that listed it (Zuul places entries there). */
  line?: number;
}

/** The merged project-pipeline configuration of a change (Zuul's ProjectPipelineConfig). */
export interface Ppc {
  /** Job name → its entries, jobs in first-seen order, entries in merge order. */
  jobs: Map<string, PpcEntry[]>;
  /** Template and project variables, deep-merged (later wins at leaves). */
  vars: Record<string, unknown>;
  /** Some matching section asked for job-selection debug lines. */
  debug: boolean;
  /** First explicit value of a matching section; undefined when none set it. */
  failFast: boolean | undefined;
  /** Which stanzas and templates matched, for debug output. */
  debugMessages: string[];
  /** The project's shared queue name (first value across its stanzas). */
  queue: string | undefined;
}

/**
 * Builds the PPC for `change` in `pipelineName`, or undefined when the
 * project does not participate in that pipeline on the change's branch.
 * Throws FreezeError when a stanza names a template the layout lacks.
 */
export function projectPipelineConfig(
  layout: Layout,
  pipelineName: string,
  change: FreezeChange,
): Ppc | undefined {
  const ppc: Ppc = {
    jobs: new Map(),
    vars: {},
    debug: false,
    failFast: undefined,
    debugMessages: [],
    queue: layout.projectMetadata.get(change.project)?.queue,
  };
  let inPipeline = false;
  for (const pc of layout.projectConfigs.get(change.project) ?? []) {
    const stanza = pc.stanza;
    const label = `Project ${stanza.name ?? change.project} ${describeSource(stanza.sourceContext)}`;
    if (!matcherMatchesChange(pc.branchMatcher, change)) {
      ppc.debugMessages.push(`${label} did not match`);
      continue;
    }
    ppc.debugMessages.push(`${label} matched`);
    for (const templateName of stanza.templates) {
      const templates = layout.projectTemplates.get(templateName);
      if (!templates) throw new FreezeError(`Project template ${templateName} not found`);
      for (const t of templates) {
        const section = t.stanza.pipelines.get(pipelineName);
        if (!section) continue;
        const tlabel = `Project template ${templateName} ${describeSource(t.stanza.sourceContext)}`;
        if (!matcherMatchesChange(t.branchMatcher, change)) {
          ppc.debugMessages.push(`${tlabel} did not match`);
          continue;
        }
        ppc.debugMessages.push(`${tlabel} matched`);
        inPipeline = true;
        mergeSection(ppc, section, t.stanza.sourceContext, t.projectCanonicalName, t.stanza.line);
        ppc.vars = deepMerge(ppc.vars, t.stanza.vars);
      }
    }
    // Project variables apply whenever the stanza matches, even when its
    // jobs come only from templates.
    ppc.vars = deepMerge(ppc.vars, stanza.vars);
    const section = stanza.pipelines.get(pipelineName);
    if (section) {
      inPipeline = true;
      mergeSection(ppc, section, stanza.sourceContext, pc.projectCanonicalName, stanza.line);
    }
  }
  return inPipeline ? ppc : undefined;
}

function describeSource(sc: SourceContext): string {
  return `source: ${sc.project}/${sc.path}@${sc.branch}`;
}

function mergeSection(
  ppc: Ppc,
  section: ProjectPipelineConfig,
  sourceContext: SourceContext,
  projectCanonicalName: string,
  stanzaLine: number | undefined,
): void {
  if (section.debug) ppc.debug = true;
  if (ppc.failFast === undefined) ppc.failFast = section.failFast;
  for (const job of section.jobs) {
    const entry = makeEntry(job, sourceContext, projectCanonicalName, stanzaLine);
    const list = ppc.jobs.get(job.name);
    if (!list) ppc.jobs.set(job.name, [entry]);
    else if (!list.some((e) => e.key === entry.key)) list.push(entry);
  }
}

// Entries are immutable layout data, so their identity key is computed once.
const entryKeys = new WeakMap<ProjectPipelineJob, string>();

function makeEntry(
  job: ProjectPipelineJob,
  sourceContext: SourceContext,
  projectCanonicalName: string,
  stanzaLine: number | undefined,
): PpcEntry {
  let key = entryKeys.get(job);
  if (key === undefined) {
    key = entryKey(job, sourceContext, stanzaLine);
    entryKeys.set(job, key);
  }
  const branches = job.variant?.branches;
  return {
    name: job.name,
    variant: job.variant,
    sourceContext,
    projectCanonicalName,
    branchMatcher: branches?.length
      ? { kind: 'regex', regexes: branches, implied: false }
      : undefined,
    key,
    line: stanzaLine,
  };
}

/**
 * Zuul compares project-pipeline entries by value, and an entry's position
 * is its stanza's: the same stanza listing a job twice with the same
 * attributes yields one entry, while copies on other branches stay apart.
 */
function entryKey(
  job: ProjectPipelineJob,
  sc: SourceContext,
  stanzaLine: number | undefined,
): string {
  const attrs: Record<string, unknown> = {};
  if (job.variant) {
    for (const [k, v] of Object.entries(job.variant)) {
      if (k !== 'line' && k !== 'sourceContext' && k !== 'name') attrs[k] = v;
    }
  }
  return JSON.stringify([
    sc.projectCanonical,
    sc.branch,
    sc.path,
    stanzaLine ?? null,
    job.name,
    attrs,
  ]);
}
