// Every route module of the web component, registered in this order by
// buildApp (src/web/app.ts). Add a module by appending it to the list.

import type { RouteModule } from '../context.js';
import { badgeRoutes } from './badge.js';
import { buildTimesRoutes } from './build-times.js';
import { buildsRoutes } from './builds.js';
import { buildsetsRoutes } from './buildsets.js';
import { componentsRoutes } from './components.js';
import { configErrorsRoutes } from './config-errors.js';
import { discoveryRoutes } from './discovery.js';
import { freezeRoutes } from './freeze.js';
import { jobsRoutes } from './jobs.js';
import { keysRoutes } from './keys.js';
import { labelsRoutes } from './labels.js';
import { launcherConfigRoutes } from './launcher-config.js';
import { pipelinesRoutes } from './pipelines.js';
import { projectsRoutes } from './projects.js';
import { semaphoresRoutes } from './semaphores.js';
import { systemEventsRoutes } from './system-events.js';

export const ROUTES: RouteModule[] = [
  discoveryRoutes,
  projectsRoutes,
  jobsRoutes,
  pipelinesRoutes,
  semaphoresRoutes,
  labelsRoutes,
  configErrorsRoutes,
  freezeRoutes,
  keysRoutes,
  componentsRoutes,
  launcherConfigRoutes,
  buildsRoutes,
  buildsetsRoutes,
  buildTimesRoutes,
  badgeRoutes,
  systemEventsRoutes,
];
