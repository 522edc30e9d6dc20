// `- project:` and `- project-template:` stanzas. Every key that is not a
// known attribute is a pipeline section.

import { Type } from '@sinclair/typebox';
import { RESERVED_PROJECT_VARIABLE_NAMES } from '../../model/job.js';
import type {
  MergeModeName,
  ProjectPipelineConfig,
  ProjectPipelineJob,
  ProjectStanza,
  ProjectTemplate,
} from '../../model/project-config.js';
import { type ConfigPath, ConfigProblem } from '../errors.js';
import { AnyMap, assertNoNestedTags, RegexList, ScalarOrList, validateAt } from '../schema.js';
import { TaggedValue } from '../yaml.js';
import { checkVariableNames, compileRegexList, type StanzaContext } from './context.js';
import { parseProjectPipelineJob } from './job.js';

const MERGE_MODES: readonly MergeModeName[] = [
  'merge',
  'merge-resolve',
  'cherry-pick',
  'squash-merge',
  'rebase',
];

const PipelineSectionSchema = Type.Object(
  {
    jobs: Type.Optional(Type.Union([Type.Array(Type.Union([Type.String(), AnyMap])), Type.Null()])),
    debug: Type.Optional(Type.Boolean()),
    'fail-fast': Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const ProjectAttributes = {
  name: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  queue: Type.Optional(Type.String()),
  vars: Type.Optional(AnyMap),
};
const ProjectOnlyAttributes = {
  branches: Type.Optional(RegexList),
  templates: Type.Optional(ScalarOrList(Type.String())),
  'default-branch': Type.Optional(Type.String()),
  'merge-mode': Type.Optional(Type.String()),
};

const TemplateSchema = Type.Object(ProjectAttributes, { additionalProperties: false });
const ProjectSchema = Type.Object(
  { ...ProjectAttributes, ...ProjectOnlyAttributes },
  { additionalProperties: false },
);

const PROJECT_KEYS = new Set(Object.keys(ProjectSchema.properties));
const TEMPLATE_FORBIDDEN = new Set(Object.keys(ProjectOnlyAttributes));

function splitStanza(
  raw: unknown,
  forbidden: ReadonlySet<string>,
  kind: string,
): { attrs: Record<string, unknown>; sections: [string, unknown][] } {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigProblem('expected a dictionary', 'Unknown', []);
  }
  const attrs: Record<string, unknown> = {};
  const sections: [string, unknown][] = [];
  for (const [k, v] of Object.entries(raw)) {
    if (forbidden.has(k)) {
      throw new ConfigProblem(
        `extra keys not allowed @ data['${k}'] (not valid in a ${kind})`,
        'Unknown',
        [k],
      );
    }
    if (PROJECT_KEYS.has(k)) {
      assertNoNestedTags(v, [k]);
      attrs[k] = v;
    } else {
      assertNoSectionTags(v, [k]);
      sections.push([k, v]);
    }
  }
  return { attrs, sections };
}

/** Override tags are allowed only on the attributes of job entries (the job parser checks them). */
function assertNoSectionTags(section: unknown, path: ConfigPath): void {
  if (section === null || typeof section !== 'object' || section instanceof TaggedValue) {
    assertNoNestedTags(section, [...path]);
    return;
  }
  const { jobs, ...rest } = section as Record<string, unknown>;
  assertNoNestedTags(rest, [...path]);
  if (!Array.isArray(jobs)) {
    assertNoNestedTags(jobs, [...path, 'jobs']);
    return;
  }
  jobs.forEach((entry, i) => {
    if (entry === null || typeof entry !== 'object' || entry instanceof TaggedValue) {
      assertNoNestedTags(entry, [...path, 'jobs', i]);
      return;
    }
    for (const [name, body] of Object.entries(entry)) {
      if (body instanceof TaggedValue) assertNoNestedTags(body, [...path, 'jobs', i, name]);
    }
  });
}

function parsePipelineSection(
  pipeline: string,
  raw: unknown,
  ctx: StanzaContext,
): ProjectPipelineConfig {
  const path: ConfigPath = [pipeline];
  validateAt(PipelineSectionSchema, raw ?? {}, path);
  const section = (raw ?? {}) as {
    jobs?: unknown[] | null;
    debug?: boolean;
    'fail-fast'?: boolean;
  };
  const jobs: ProjectPipelineJob[] = (section.jobs ?? []).map((entry, i) => {
    const entryPath = [...path, 'jobs', i];
    if (typeof entry === 'string') return { name: entry };
    const keys = Object.keys(entry as object);
    if (keys.length !== 1) {
      throw new ConfigProblem(
        'A job entry must be a job name or a mapping with exactly one key, the job name',
        'Unknown',
        entryPath,
      );
    }
    const name = keys[0]!;
    const body = (entry as Record<string, unknown>)[name];
    return { name, variant: parseProjectPipelineJob(name, body, ctx, [...entryPath, name]) };
  });
  return { jobs, debug: section.debug, failFast: section['fail-fast'] };
}

function parseSections(sections: [string, unknown][], ctx: StanzaContext) {
  const pipelines = new Map<string, ProjectPipelineConfig>();
  for (const [name, raw] of sections) pipelines.set(name, parsePipelineSection(name, raw, ctx));
  return pipelines;
}

export function parseProject(raw: unknown, ctx: StanzaContext): ProjectStanza {
  const { attrs, sections } = splitStanza(raw, new Set(), 'project');
  validateAt(ProjectSchema, attrs, []);
  const a = attrs as {
    name?: string;
    description?: string;
    queue?: string;
    vars?: Record<string, unknown>;
    branches?: unknown;
    templates?: string | string[];
    'default-branch'?: string;
    'merge-mode'?: string;
  };
  checkVariableNames(a.vars, ['vars'], RESERVED_PROJECT_VARIABLE_NAMES);
  const mergeMode = a['merge-mode'];
  if (mergeMode !== undefined && !MERGE_MODES.includes(mergeMode as MergeModeName)) {
    throw new ConfigProblem(
      `not a valid value for dictionary value @ data['merge-mode'] (expected one of ${MERGE_MODES.join(', ')})`,
      'Unknown',
      ['merge-mode'],
    );
  }
  return {
    name: a.name,
    isRegex: a.name?.startsWith('^') ?? false,
    description: a.description,
    queue: a.queue,
    vars: a.vars ?? {},
    branches: compileRegexList(a.branches, ['branches'], ctx),
    templates:
      a.templates === undefined ? [] : Array.isArray(a.templates) ? a.templates : [a.templates],
    defaultBranch: a['default-branch'],
    mergeMode: mergeMode as MergeModeName | undefined,
    pipelines: parseSections(sections, ctx),
    sourceContext: ctx.source,
    line: ctx.line,
    pragmaImpliedBranchMatchers: ctx.pragma.impliedBranchMatchers,
    pragmaImpliedBranches: ctx.pragma.impliedBranches,
  };
}

export function parseProjectTemplate(raw: unknown, ctx: StanzaContext): ProjectTemplate {
  const { attrs, sections } = splitStanza(raw, TEMPLATE_FORBIDDEN, 'project-template');
  validateAt(TemplateSchema, attrs, []);
  const a = attrs as {
    name?: string;
    description?: string;
    queue?: string;
    vars?: Record<string, unknown>;
  };
  if (a.name === undefined) {
    throw new ConfigProblem("required key not provided @ data['name']", 'Unknown', []);
  }
  checkVariableNames(a.vars, ['vars'], RESERVED_PROJECT_VARIABLE_NAMES);
  return {
    name: a.name,
    description: a.description,
    queue: a.queue,
    vars: a.vars ?? {},
    pipelines: parseSections(sections, ctx),
    sourceContext: ctx.source,
    line: ctx.line,
    pragmaImpliedBranchMatchers: ctx.pragma.impliedBranchMatchers,
    pragmaImpliedBranches: ctx.pragma.impliedBranches,
  };
}
