// `- job:` stanzas and project-pipeline job entries → JobVariant.
// Only checks that need nothing but the stanza itself happen here; checks
// against the tenant or other objects belong to the layout builder.

import type { Static } from '@sinclair/typebox';
import type {
  IncludeVarsRef,
  JobVariant,
  OverrideControlled,
  PlaybookRef,
  ProjectFilter,
} from '../../model/job.js';
import { type ConfigPath, ConfigProblem } from '../errors.js';
import { asList, stripOverrideTags } from '../schema.js';
import {
  checkVariableNames,
  compileRegexList,
  describeRegexes,
  type StanzaContext,
} from './context.js';
import {
  ATTRIBUTE_CONTROL_ALLOWED,
  JobSchema,
  OVERRIDE_CONTROLLED,
  ProjectPipelineJobSchema,
  SUPPORTED_ANSIBLE_VERSIONS,
} from './job-schema.js';
import { parseJobNodeset } from './nodeset.js';
import { validateDetailed } from './validate-detail.js';

type RawJob = Static<typeof ProjectPipelineJobSchema> & { name?: string };
type RawPlaybook = string | { name: string; semaphores?: string | string[]; cleanup?: boolean };

export function parseJob(raw: unknown, ctx: StanzaContext): JobVariant {
  return parseJobBody(raw, ctx, undefined, []);
}

/**
 * Parses the attributes of a project-pipeline job entry (`- name: {…}`);
 * `path` locates the entry inside the project stanza.
 */
export function parseProjectPipelineJob(
  name: string,
  raw: unknown,
  ctx: StanzaContext,
  path: ConfigPath,
): JobVariant {
  return parseJobBody(raw ?? {}, ctx, name, path);
}

function parseJobBody(
  raw: unknown,
  ctx: StanzaContext,
  entryName: string | undefined,
  path: ConfigPath,
): JobVariant {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigProblem('expected a dictionary', 'Unknown', path);
  }
  const { value, tags } = stripOverrideTags(raw as Record<string, unknown>);
  const at = (attr: string): ConfigPath => [...path, attr];
  // Before the schema, so `voting: !override true` names the tag, not the type.
  const overrideControl: JobVariant['overrideControl'] = {};
  for (const [attr, tag] of tags) {
    if (!OVERRIDE_CONTROLLED.has(attr)) {
      throw new ConfigProblem(
        `The !${tag} tag is not supported on the "${attr}" attribute`,
        'Unknown',
        at(attr),
      );
    }
    overrideControl[attr as OverrideControlled] = tag === 'override';
  }
  validateDetailed(entryName === undefined ? JobSchema : ProjectPipelineJobSchema, value, path);
  const c = value as RawJob;
  const name = entryName ?? c.name!;

  const job: JobVariant = {
    name,
    sourceContext: ctx.source,
    line: ctx.line,
    overrideControl,
  };

  if ('parent' in c) job.parent = c.parent;
  job.description = c.description;
  job.abstract = c.abstract;
  job.final = c.final;
  job.protected = c.protected;
  job.intermediate = c.intermediate;
  if (c.intermediate && !c.abstract) {
    throw new ConfigProblem(
      'An intermediate job must also be abstract',
      'Unknown',
      at('intermediate'),
    );
  }
  if (c['attribute-control']) {
    job.attributeControl = {};
    for (const [attr, control] of Object.entries(c['attribute-control'])) {
      if (!ATTRIBUTE_CONTROL_ALLOWED.has(attr)) {
        throw new ConfigProblem(
          `The attribute "${attr}" may not be controlled with attribute-control`,
          'Unknown',
          [...at('attribute-control'), attr],
        );
      }
      job.attributeControl[attr] = { final: control.final ?? false };
    }
  }
  job.successMessage = c['success-message'];
  job.failureMessage = c['failure-message'];
  job.holdFollowingChanges = c['hold-following-changes'];
  job.voting = c.voting;

  // `semaphore` is the deprecated single form, ignored when `semaphores` is given.
  const semaphores =
    c.semaphores !== undefined
      ? asList(c.semaphores)
      : c.semaphore !== undefined
        ? [c.semaphore]
        : undefined;
  if (semaphores) {
    job.semaphores = semaphores.map((s) =>
      typeof s === 'string'
        ? { name: s, resourcesFirst: false }
        : { name: s.name, resourcesFirst: s['resources-first'] ?? false },
    );
  }
  if (c.tags !== undefined) job.tags = asList(c.tags);
  if (c.provides !== undefined) job.provides = asList(c.provides);
  if (c.requires !== undefined) job.requires = asList(c.requires);
  if (c.secrets !== undefined) {
    job.secrets = asList(c.secrets).map((s, i) => {
      // The secret's name is the variable playbooks see, so it must be a
      // valid variable name in the short form too.
      const ref =
        typeof s === 'string'
          ? { name: s, secret: s, passToParent: false }
          : { name: s.name, secret: s.secret, passToParent: s['pass-to-parent'] ?? false };
      // Zuul reports a bad name but keeps the job (children still find
      // their parent), so this is recorded rather than thrown.
      try {
        checkVariableNames({ [ref.name]: true }, [...at('secrets'), i]);
      } catch (err) {
        if (!(err instanceof ConfigProblem)) throw err;
        ctx.warn(err);
      }
      return ref;
    });
  }
  if (c.nodeset !== undefined) job.nodeset = parseJobNodeset(c.nodeset, at('nodeset'));
  job.overrideCheckout = c['override-checkout'];
  job.overrideBranch = c['override-branch'];
  job.preTimeout = c['pre-timeout'];
  job.timeout = c.timeout;
  job.postTimeout = c['post-timeout'];
  for (const attr of ['pre-timeout', 'timeout', 'post-timeout', 'attempts'] as const) {
    const v = c[attr];
    if (v !== undefined && v < (attr === 'attempts' ? 1 : 0)) {
      throw new ConfigProblem(
        `The ${attr} value must not be negative or zero`,
        'Unknown',
        at(attr),
      );
    }
  }
  if (c['pre-timeout'] !== undefined && c.timeout !== undefined && c['pre-timeout'] > c.timeout) {
    throw new ConfigProblem(
      `The job "${name}" has a pre-timeout of ${c['pre-timeout']} that exceeds its timeout of ${c.timeout}.`,
      'Pre-Timeout Exceeds Timeout',
      at('pre-timeout'),
    );
  }
  job.attempts = c.attempts;

  if (c['pre-run'] !== undefined) job.preRun = playbooks(c['pre-run'], false);
  if (c.run !== undefined) job.run = playbooks(c.run, false);
  if (c['post-run'] !== undefined) job.postRun = playbooks(c['post-run'], false);
  if (c['cleanup-run'] !== undefined) {
    ctx.warn(
      new ConfigProblem(
        'The cleanup-run job attribute is deprecated.  Replace it with post-run playbooks with the `cleanup` attribute set.',
        'Cleanup Run Deprecation',
        at('cleanup-run'),
      ),
    );
    job.cleanupRun = playbooks(c['cleanup-run'], true);
  }
  checkPlaybookSemaphores(job, path);

  job.ansibleSplitStreams = c['ansible-split-streams'];
  if (c['ansible-version'] !== undefined) {
    const version = String(c['ansible-version']);
    if (!SUPPORTED_ANSIBLE_VERSIONS.includes(version)) {
      throw new ConfigProblem(
        `Requested Ansible version "${version}" is not supported (supported: ${SUPPORTED_ANSIBLE_VERSIONS.join(', ')})`,
        'Unknown',
        at('ansible-version'),
      );
    }
    job.ansibleVersion = version;
  }
  if (c.roles !== undefined) {
    job.roles = c.roles.map((r) =>
      'zuul' in r
        ? { type: 'zuul' as const, project: r.zuul, ...(r.name ? { name: r.name } : {}) }
        : { type: 'galaxy' as const, name: r.galaxy },
    );
  }
  if (c['required-projects'] !== undefined) {
    job.requiredProjects = asList(c['required-projects']).map((p) =>
      typeof p === 'string'
        ? { project: p }
        : {
            project: p.name,
            overrideBranch: p['override-branch'],
            overrideCheckout: p['override-checkout'],
          },
    );
  }
  if (c['include-projects'] !== undefined)
    job.includeProjects = projectFilters(c['include-projects']);
  if (c['exclude-projects'] !== undefined)
    job.excludeProjects = projectFilters(c['exclude-projects']);

  for (const attr of ['vars', 'extra-vars'] as const) {
    checkVariableNames(c[attr], at(attr));
  }
  job.vars = c.vars;
  job.extraVars = c['extra-vars'];
  for (const attr of ['host-vars', 'group-vars'] as const) {
    for (const [host, vars] of Object.entries(c[attr] ?? {})) {
      checkVariableNames(vars, [...at(attr), host]);
    }
  }
  job.hostVars = c['host-vars'] as JobVariant['hostVars'];
  job.groupVars = c['group-vars'] as JobVariant['groupVars'];
  if (c['include-vars'] !== undefined) job.includeVars = asList(c['include-vars']).map(includeVars);
  if (c.dependencies !== undefined) {
    job.dependencies = asList(c.dependencies).map((d) =>
      typeof d === 'string' ? { name: d, soft: false } : { name: d.name, soft: d.soft ?? false },
    );
  }
  if (c['allowed-projects'] !== undefined) job.allowedProjects = asList(c['allowed-projects']);
  if (c['post-review'] !== undefined) {
    if (!c['post-review']) {
      throw new ConfigProblem(
        'Once set, the post-review attribute may not be unset',
        'Unknown',
        at('post-review'),
      );
    }
    job.postReview = true;
  }
  job.branches = compileRegexList(c.branches, at('branches'), ctx);
  if (entryName === undefined) {
    job.pragmaImpliedBranchMatchers = ctx.pragma.impliedBranchMatchers;
    job.pragmaImpliedBranches = ctx.pragma.impliedBranches;
  }
  job.files = compileRegexList(c.files, at('files'), ctx);
  job.irrelevantFiles = compileRegexList(c['irrelevant-files'], at('irrelevant-files'), ctx);
  job.variantDescription =
    c['variant-description'] ?? (job.branches ? describeRegexes(job.branches) : undefined);
  job.matchOnConfigUpdates = c['match-on-config-updates'];
  job.deduplicate = c.deduplicate;
  if (c['failure-output'] !== undefined) {
    job.failureOutput = asList(c['failure-output']);
    compileRegexList(job.failureOutput, at('failure-output'), ctx);
  }
  job.workspaceScheme = c['workspace-scheme'];
  job.workspaceCheckout = c['workspace-checkout'];
  job.imageName = c['image-name'] ?? c['image-build-name'];
  job.type = c.type;
  return dropUndefined(job);
}

function playbooks(raw: RawPlaybook | RawPlaybook[], cleanup: boolean): PlaybookRef[] {
  return asList(raw).map((p) =>
    typeof p === 'string'
      ? { path: p, semaphores: [], cleanup }
      : { path: p.name, semaphores: asList(p.semaphores), cleanup: p.cleanup ?? cleanup },
  );
}

function checkPlaybookSemaphores(job: JobVariant, path: ConfigPath): void {
  const jobSemaphores = new Set((job.semaphores ?? []).map((s) => s.name));
  const all = [
    ...(job.preRun ?? []),
    ...(job.run ?? []),
    ...(job.postRun ?? []),
    ...(job.cleanupRun ?? []),
  ];
  for (const pb of all) {
    for (const s of pb.semaphores) {
      if (jobSemaphores.has(s)) {
        throw new ConfigProblem(
          `Semaphore "${s}" is used both as a job semaphore and as a playbook semaphore of playbook "${pb.path}"`,
          'Unknown',
          [...path, 'semaphores'],
        );
      }
    }
  }
}

function projectFilters(
  raw: string | { type: string; name?: string } | (string | { type: string; name?: string })[],
): ProjectFilter[] {
  return asList(raw).map((f) => {
    if (typeof f === 'string') return { type: 'name', name: f };
    if (f.type === 'name') return { type: 'name', name: f.name! };
    return { type: f.type as 'change' | 'item' };
  });
}

function includeVars(
  raw:
    | string
    | {
        name: string;
        project?: string;
        required?: boolean;
        'zuul-project'?: boolean;
        'use-ref'?: boolean;
      },
): IncludeVarsRef {
  if (typeof raw === 'string') {
    return { name: raw, zuulProject: false, useRef: true, required: true };
  }
  return {
    name: raw.name,
    project: raw.project,
    zuulProject: raw['zuul-project'] ?? false,
    useRef: raw['use-ref'] ?? true,
    required: raw.required ?? true,
  };
}

function dropUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
