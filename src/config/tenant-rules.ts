// The tenant's rules about what a project branch may contribute. Parsing
// happens once per project branch without a tenant; these checks are made
// per tenant, so the same file can produce different errors in different
// tenants (as in Zuul 14).

import type { ConfigError } from '../model/config-error.js';
import type { JobVariant } from '../model/job.js';
import type { ProjectStanza } from '../model/project-config.js';
import { compileZuulRegex, regexFullMatches } from '../model/regex.js';
import type { ConfigClass, TenantConfig } from '../model/tenant.js';
import { emptyParsedConfig, type ParsedConfig, stanzaLocationOf } from './config-file.js';
import { makeConfigError } from './errors.js';
import type { ResolvedProject } from './tenant-loader.js';

type Lists = Omit<ParsedConfig, 'errors'>;

const CLASS_OF: Record<keyof Lists, ConfigClass> = {
  pipelines: 'pipeline',
  jobs: 'job',
  projects: 'project',
  projectTemplates: 'project-template',
  nodesets: 'nodeset',
  secrets: 'secret',
  semaphores: 'semaphore',
  queues: 'queue',
  images: 'image',
  flavors: 'flavor',
  labels: 'label',
  sections: 'section',
  providers: 'provider',
};

function errorAt(
  obj: object,
  message: string,
  errorName: string,
  path: string[] = [],
): ConfigError {
  const where = stanzaLocationOf(obj);
  const fallback = (obj as { sourceContext?: ConfigError['sourceContext'] }).sourceContext;
  return makeConfigError(
    { message, errorName, severity: 'error', path },
    where ?? { source: fallback! },
  );
}

function jobProblem(
  job: JobVariant,
  project: ResolvedProject,
  tenant: TenantConfig,
): ConfigError | undefined {
  const max = tenant.maxJobTimeout;
  if (max !== -1) {
    for (const [attr, value] of [
      ['timeout', job.timeout],
      ['post-timeout', job.postTimeout],
      ['pre-timeout', job.preTimeout],
    ] as const) {
      if (value !== undefined && value > max) {
        return errorAt(
          job,
          `The job "${job.name}" exceeds tenant max-job-timeout ${max}.`,
          'Max Timeout Exceeded',
          [attr],
        );
      }
    }
  }
  if (job.parent === null && !project.config.allowBaseJobs) {
    return errorAt(job, 'Base jobs must be defined in config projects', 'Unknown', ['parent']);
  }
  return undefined;
}

function namesOf(p: ResolvedProject): string[] {
  return [p.name, p.canonicalName];
}

/** Whether an untrusted project may write a `project:` stanza for `target`. */
function mayConfigure(project: ResolvedProject, target: ResolvedProject): boolean {
  if (target === project) return true;
  if (target.config.trusted) return false;
  const patterns = project.config.configureProjects ?? [];
  return patterns.some((p) =>
    namesOf(target).some((n) => regexFullMatches(compileZuulRegex(p), n)),
  );
}

function projectStanzaProblem(
  stanza: ProjectStanza,
  project: ResolvedProject,
  all: readonly ResolvedProject[],
): ConfigError | undefined {
  if (project.config.trusted || stanza.name === undefined) return undefined;
  let targets: ResolvedProject[];
  if (stanza.isRegex) {
    const re = compileZuulRegex(stanza.name);
    targets = all.filter((p) => namesOf(p).some((n) => regexFullMatches(re, n)));
  } else {
    targets = all.filter((p) => namesOf(p).includes(stanza.name!));
    // Unknown names are reported by the layout builder ("Project Not Found").
  }
  if (targets.every((t) => mayConfigure(project, t))) return undefined;
  return errorAt(
    stanza,
    'Within an untrusted project, the only project definition permitted is that of the project itself.',
    'Project Forbidden',
    ['name'],
  );
}

/** Returns the part of `parsed` this tenant takes from `project`, plus new errors. */
export function applyTenantRules(
  parsed: ParsedConfig,
  project: ResolvedProject,
  all: readonly ResolvedProject[],
  tenant: TenantConfig,
): ParsedConfig {
  const out = emptyParsedConfig();
  out.errors.push(...parsed.errors);
  const classes = project.config.loadClasses;
  for (const key of Object.keys(CLASS_OF) as (keyof Lists)[]) {
    const cls = CLASS_OF[key];
    if (!classes.has(cls)) continue;
    if (cls === 'pipeline' && !project.config.trusted) {
      // As in Zuul: one error per project branch, at its first pipeline.
      const first = parsed.pipelines[0];
      if (first) {
        out.errors.push(
          errorAt(
            first,
            'Pipelines may not be defined in untrusted repos, they may only be defined in config repos.',
            'Pipeline Forbidden',
          ),
        );
      }
      continue;
    }
    for (const obj of parsed[key] as object[]) {
      let problem: ConfigError | undefined;
      if (cls === 'job') {
        problem = jobProblem(obj as JobVariant, project, tenant);
      } else if (cls === 'project') {
        problem = projectStanzaProblem(obj as ProjectStanza, project, all);
      }
      if (problem) out.errors.push(problem);
      else (out[key] as object[]).push(obj);
    }
  }
  return out;
}
