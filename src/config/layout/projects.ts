// Project templates and project stanzas in a layout: their job entries
// checked like jobs, explicit names before regex names (so the first
// merge-mode / default-branch / queue comes from an explicit stanza), then
// every template, job and job reference validated.

import type { LayoutProject, LayoutProjectStanza } from '../../model/layout.js';
import type {
  ProjectPipelineConfig,
  ProjectStanza,
  ProjectTemplate,
} from '../../model/project-config.js';
import { inheritStanzaLocation } from '../config-file.js';
import type { ConfigPath } from '../errors.js';
import { type BuildContext, LayoutProblem } from './context.js';
import { checkAddJob, validateJobReferences } from './jobs.js';
import { projectBranchMatcher, templateBranchMatcher } from './matchers.js';
import { projectNotFound } from './resolve.js';
import { stanzaClean } from './reuse.js';

/** A copy of a project or template stanza whose job entries are checked and resolved. */
function resolveStanza<T extends ProjectStanza | ProjectTemplate>(
  ctx: BuildContext,
  stanza: T,
  definer: LayoutProject,
): T {
  // The definer is the stanza's own project, so the stanza decides the result.
  return ctx.memoized(stanza, () => copyStanza(ctx, stanza, definer));
}

function copyStanza<T extends ProjectStanza | ProjectTemplate>(
  ctx: BuildContext,
  stanza: T,
  definer: LayoutProject,
): T {
  const pipelines = new Map<string, ProjectPipelineConfig>();
  for (const [name, ppc] of stanza.pipelines) {
    const jobs = ppc.jobs.map((entry, i) => {
      if (!entry.variant) return entry;
      const path: ConfigPath = [name, 'jobs', i, entry.name];
      return { ...entry, variant: checkAddJob(ctx, entry.variant, definer, path, false) };
    });
    pipelines.set(name, { ...ppc, jobs });
  }
  const copy = { ...stanza, pipelines };
  inheritStanzaLocation(copy, stanza);
  return copy;
}

export function addProjectTemplate(ctx: BuildContext, template: ProjectTemplate): void {
  const definer = ctx.projectOf(template.sourceContext);
  ctx.attempt(template, () => {
    const copy = resolveStanza(ctx, template, definer);
    const list = ctx.maps.projectTemplates.get(template.name);
    if (list && list[0]!.projectCanonicalName !== definer.canonicalName) {
      throw new LayoutProblem(`Project template ${template.name} is already defined`);
    }
    const placed: LayoutProjectStanza<ProjectTemplate> = {
      stanza: copy,
      projectCanonicalName: definer.canonicalName,
    };
    const matcher = templateBranchMatcher(template, definer);
    if (matcher) placed.branchMatcher = matcher;
    if (list) list.push(placed);
    else ctx.maps.projectTemplates.set(template.name, [placed]);
  });
}

function addProjectConfig(
  ctx: BuildContext,
  stanza: ProjectStanza,
  definer: LayoutProject,
  target: LayoutProject,
): void {
  const copy = resolveStanza(ctx, stanza, definer);
  const placed: LayoutProjectStanza<ProjectStanza> = {
    stanza: copy,
    projectCanonicalName: definer.canonicalName,
  };
  const matcher = projectBranchMatcher(stanza, definer, target);
  if (matcher) placed.branchMatcher = matcher;
  const list = ctx.maps.projectConfigs.get(target.canonicalName);
  if (list) list.push(placed);
  else ctx.maps.projectConfigs.set(target.canonicalName, [placed]);
  // The first stanza (in definition order) to set a value wins.
  const md = ctx.maps.projectMetadata.get(target.canonicalName) ?? {};
  ctx.maps.projectMetadata.set(target.canonicalName, md);
  md.mergeMode ??= stanza.mergeMode;
  md.defaultBranch ??= stanza.defaultBranch;
  md.queue ??= stanza.queue;
}

/** Explicitly named stanzas (and unnamed ones, for their own project), in definition order. */
export function addExplicitProjects(ctx: BuildContext, stanzas: readonly ProjectStanza[]): void {
  for (const stanza of stanzas) {
    if (stanza.isRegex) continue;
    const definer = ctx.projectOf(stanza.sourceContext);
    ctx.attempt(stanza, () => {
      const target =
        stanza.name === undefined ? definer : ctx.resolveProject(stanza.name, ['name']);
      if (!target) throw projectNotFound([stanza.name!], ['name']);
      addProjectConfig(ctx, stanza, definer, target);
    });
  }
}

/**
 * Regex stanzas, copied for every project whose short or canonical name the
 * regex fully matches: grouped by regex (in order of first appearance), then
 * project (tenant order), then stanza, as Zuul iterates them.
 */
export function addRegexProjects(ctx: BuildContext, stanzas: readonly ProjectStanza[]): void {
  const byRegex = new Map<string, ProjectStanza[]>();
  for (const stanza of stanzas) {
    if (!stanza.isRegex) continue;
    const list = byRegex.get(stanza.name!);
    if (list) list.push(stanza);
    else byRegex.set(stanza.name!, [stanza]);
  }
  for (const [pattern, group] of byRegex) {
    for (const target of ctx.projectsMatching(pattern)) {
      for (const stanza of group) {
        const definer = ctx.projectOf(stanza.sourceContext);
        ctx.attempt(stanza, () => addProjectConfig(ctx, stanza, definer, target));
      }
    }
  }
}

/** Checks the job entries of one stanza; the first problem is thrown. */
function validatePipelines(
  ctx: BuildContext,
  stanza: ProjectStanza | ProjectTemplate,
  definer: LayoutProject,
): void {
  for (const [pipeline, ppc] of stanza.pipelines) {
    ppc.jobs.forEach((entry, i) => {
      const path: ConfigPath = [pipeline, 'jobs', i];
      if (!ctx.hasJob(entry.name)) ctx.requireJob(entry.name, path);
      if (entry.variant) {
        try {
          validateJobReferences(ctx, entry.variant, definer);
        } catch (err) {
          if (err instanceof LayoutProblem) {
            throw new LayoutProblem(err.message, err.errorName, [...path, entry.name, ...err.path]);
          }
          throw err;
        }
      }
      checkImageAttachment(ctx, entry.name, entry.variant?.imageName, definer, path);
    });
  }
}

/**
 * Zuul 14: an image-build job may only be attached to a pipeline by a stanza
 * of the project that defines the image.
 */
function checkImageAttachment(
  ctx: BuildContext,
  jobName: string,
  entryImage: string | undefined,
  definer: LayoutProject,
  path: ConfigPath,
): void {
  // Without images there is nothing a job could reference.
  if (ctx.maps.images.size === 0) return;
  const imageName =
    entryImage ??
    ctx.maps.jobs.get(jobName)?.find((v) => v.variant.imageName !== undefined)?.variant.imageName;
  if (imageName === undefined) return;
  const image = ctx.maps.images.get(imageName);
  if (!image) return;
  const origin = image.sourceContext.projectCanonical;
  if (origin !== definer.canonicalName) {
    throw new LayoutProblem(
      `The image build job "${jobName}" may not be attached to a pipeline in ${definer.canonicalName} while referencing the image "${imageName}" defined in ${origin}`,
      'Unknown',
      path,
    );
  }
}

/** Zuul's `_validateProjectPipelineConfigs`, plus the per-project merge-mode check. */
export function validateProjects(ctx: BuildContext): void {
  // A template is validated once, the first time a project uses it (Zuul
  // repeats the same error for every project stanza using the template).
  const validatedTemplates = new Set<object>();
  for (const [name, stanzas] of ctx.maps.projectConfigs) {
    for (const placed of stanzas) {
      const stanza = placed.stanza;
      const definer = ctx.projects.get(placed.projectCanonicalName)!;
      ctx.attempt(stanza, () => {
        for (const templateName of stanza.templates) {
          const templates = ctx.maps.projectTemplates.get(templateName);
          if (!templates) {
            throw new LayoutProblem(
              `The project template "${templateName}" was not found.`,
              'Template Not Found',
              ['templates'],
            );
          }
          for (const t of templates) {
            if (validatedTemplates.has(t)) continue;
            validatedTemplates.add(t);
            const owner = ctx.projects.get(t.projectCanonicalName)!;
            ctx.attempt(t.stanza, () =>
              ctx.outcomes.check(t.stanza, stanzaClean, () =>
                validatePipelines(ctx, t.stanza, owner),
              ),
            );
          }
        }
        ctx.outcomes.check(stanza, stanzaClean, () => validatePipelines(ctx, stanza, definer));
      });
    }
    checkMergeMode(ctx, name);
  }
}

/** Where the code review system lists the merge modes a project allows, the chosen one must be among them. */
function checkMergeMode(ctx: BuildContext, canonical: string): void {
  const resolved = ctx.resolved.get(canonical)!;
  const allowed = resolved.mergeModes;
  if (!allowed) return;
  const md = ctx.maps.projectMetadata.get(canonical);
  const mode = md?.mergeMode ?? resolved.connection.source?.defaultMergeMode ?? 'merge';
  if (allowed.includes(mode)) return;
  const list = `[${allowed.map((m) => `'${m}'`).join(', ')}]`;
  ctx.projectError(
    ctx.projects.get(canonical)!,
    `Merge mode ${mode} not supported by project ${canonical}. Supported modes: ${list}.`,
  );
}
