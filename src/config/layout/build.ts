// Builds a tenant's layout from its loaded configuration, in Zuul 14's
// order (semantics §D.3 and semantics-zuul14 §D.3). Every problem becomes a
// configuration error on the layout and drops only the object concerned (or,
// for reference errors found after adding, is reported while the object
// stays, as in Zuul); everything else still loads.

import type { Layout } from '../../model/layout.js';
import type { LoadedTenant } from '../tenant-loader.js';
import { BuildContext, type BuildLayoutOptions, type FixedObjects } from './context.js';
import { addJob, resolveShadows, validateJobs } from './jobs.js';
import { addLauncherObjects, validateLauncherObjects } from './launcher.js';
import { checkAllowedLabels, validateNodeset } from './nodesets.js';
import {
  addExplicitProjects,
  addProjectTemplate,
  addRegexProjects,
  validateProjects,
} from './projects.js';
import {
  addGlobalSemaphores,
  addIdentical,
  addPipeline,
  addSemaphore,
  validatePipeline,
} from './simple-objects.js';

export type { BuildLayoutOptions, FixedObjects };

export function buildLayout(loaded: LoadedTenant, options: BuildLayoutOptions = {}): Layout {
  const ctx = new BuildContext(loaded.tenant, loaded.projects, options);
  const config = loaded.config;
  const m = ctx.maps;
  // Loading errors come first, as Zuul puts them on the layout first.
  ctx.errors.push(...loaded.errors);
  resolveShadows(ctx);

  const fixed = options.fixedObjects;
  if (fixed) useFixedObjects(ctx, fixed);
  else for (const pipeline of config.pipelines) addPipeline(ctx, pipeline);
  for (const nodeset of config.nodesets) {
    ctx.attempt(nodeset, () => {
      checkAllowedLabels(ctx, nodeset);
      addIdentical(ctx, 'Nodeset', m.nodesets, nodeset);
    });
  }
  for (const secret of config.secrets) addIdentical(ctx, 'Secret', m.secrets, secret);
  for (const job of config.jobs) addJob(ctx, job);

  if (!fixed) {
    addGlobalSemaphores(ctx);
    for (const semaphore of config.semaphores) addSemaphore(ctx, semaphore);
    addLauncherObjects(ctx, config);
  }

  // References are checked once the launcher objects exist, so that label
  // checks can see them (Zuul 14).
  if (!fixed) validateLauncherObjects(ctx);
  for (const nodeset of m.nodesets.values()) validateNodeset(ctx, nodeset);
  validateJobs(ctx);
  if (!fixed) for (const pipeline of m.pipelines.values()) validatePipeline(ctx, pipeline);

  for (const queue of config.queues) addIdentical(ctx, 'Queue', m.queues, queue);
  for (const template of config.projectTemplates) addProjectTemplate(ctx, template);
  // Explicit names first: merge-mode, default-branch and queue come from the
  // first stanza that sets them, and that should be an explicit one.
  addExplicitProjects(ctx, config.projects);
  addRegexProjects(ctx, config.projects);
  validateProjects(ctx);

  return ctx.toLayout();
}

/** Speculative layouts share the running layout's pipelines, semaphores and launcher objects. */
function useFixedObjects(ctx: BuildContext, fixed: FixedObjects): void {
  const m = ctx.maps;
  for (const [name, pipeline] of fixed.pipelines) m.pipelines.set(name, pipeline);
  for (const [name, semaphore] of fixed.semaphores) m.semaphores.set(name, semaphore);
  for (const [name, image] of fixed.images) m.images.set(name, image);
  for (const [name, flavor] of fixed.flavors) m.flavors.set(name, flavor);
  for (const [name, label] of fixed.labels) m.labels.set(name, label);
  for (const [name, section] of fixed.sections) m.sections.set(name, section);
  for (const [name, provider] of fixed.providers) m.providers.set(name, provider);
}
