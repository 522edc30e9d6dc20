// Parses the configuration files of one project branch into objects,
// recording one error per bad stanza and carrying on with the rest.

import type { ConfigError, SourceContext } from '../model/config-error.js';
import type { JobVariant } from '../model/job.js';
import type { Flavor, Image, Label, Provider, Section } from '../model/launcher-objects.js';
import type { Nodeset } from '../model/nodeset.js';
import type { Pragma, Queue, Secret, Semaphore } from '../model/objects.js';
import type { Pipeline } from '../model/pipeline.js';
import type { ProjectStanza, ProjectTemplate } from '../model/project-config.js';
import type { ConfigClass } from '../model/tenant.js';
import { ConfigErrorList, ConfigProblem, type StanzaLocation } from './errors.js';
import type { StanzaContext } from './parsers/context.js';
import { parseJob } from './parsers/job.js';
import {
  parseFlavor,
  parseImage,
  parseLabel,
  parseProvider,
  parseSection,
} from './parsers/launcher.js';
import { parseNodeset } from './parsers/nodeset.js';
import { type PipelineParseContext, parsePipeline } from './parsers/pipeline.js';
import { parseProject, parseProjectTemplate } from './parsers/project.js';
import { parsePragma, parseQueue, parseSecret, parseSemaphore } from './parsers/simple.js';
import { assertNoNestedTags } from './schema.js';
import { decodeUtf8, LoadedYaml, loadYaml, TaggedValue, YamlError } from './yaml.js';

/** Order in which kinds are parsed (semantics §D.2); pragmas come first. */
const PARSE_ORDER: readonly (ConfigClass | 'pragma')[] = [
  'pragma',
  'pipeline',
  'image',
  'flavor',
  'label',
  'section',
  'provider',
  'nodeset',
  'secret',
  'job',
  'semaphore',
  'queue',
  'project-template',
  'project',
];
const KNOWN_KINDS = new Set<string>(PARSE_ORDER);
/** Kinds whose parsers accept `!override` / `!inherit` on (job) attributes. */
const OVERRIDE_TAG_KINDS = new Set<string>(['job', 'project', 'project-template']);

export interface ParsedConfig {
  pipelines: Pipeline[];
  jobs: JobVariant[];
  projects: ProjectStanza[];
  projectTemplates: ProjectTemplate[];
  nodesets: Nodeset[];
  secrets: Secret[];
  semaphores: Semaphore[];
  queues: Queue[];
  images: Image[];
  flavors: Flavor[];
  labels: Label[];
  sections: Section[];
  providers: Provider[];
  errors: ConfigError[];
}

export function emptyParsedConfig(): ParsedConfig {
  return {
    pipelines: [],
    jobs: [],
    projects: [],
    projectTemplates: [],
    nodesets: [],
    secrets: [],
    semaphores: [],
    queues: [],
    images: [],
    flavors: [],
    labels: [],
    sections: [],
    providers: [],
    errors: [],
  };
}

/** Appends `b` to `a` (definition order: a's objects first). */
export function appendParsedConfig(a: ParsedConfig, b: ParsedConfig): void {
  for (const key of Object.keys(a) as (keyof ParsedConfig)[]) {
    (a[key] as unknown[]).push(...(b[key] as unknown[]));
  }
}

/** Which list of ParsedConfig a kind goes to. */
const TARGET: Record<ConfigClass, keyof ParsedConfig> = {
  pipeline: 'pipelines',
  job: 'jobs',
  project: 'projects',
  'project-template': 'projectTemplates',
  nodeset: 'nodesets',
  secret: 'secrets',
  semaphore: 'semaphores',
  queue: 'queues',
  image: 'images',
  flavor: 'flavors',
  label: 'labels',
  section: 'sections',
  provider: 'providers',
};

export interface ParseOptions {
  /** Connections usable in pipelines, for their trigger/reporter schemas. */
  pipelineContext: Omit<PipelineParseContext, 'source'>;
}

/**
 * Where each parsed object was written, so that later checks (tenant rules,
 * layout building) can report errors with the same file, line and snippet.
 */
const stanzaLocations = new WeakMap<object, StanzaLocation>();

export function stanzaLocationOf(obj: object): StanzaLocation | undefined {
  return stanzaLocations.get(obj);
}

/**
 * Gives `copy` the location of `original`: the layout builder works on
 * copies (parsed objects are shared between tenants and never mutated), and
 * errors about a copy must still point at the stanza it came from.
 */
export function inheritStanzaLocation(copy: object, original: object): void {
  const where = stanzaLocations.get(original);
  if (where) stanzaLocations.set(copy, where);
}

interface Stanza {
  kind: string;
  value: unknown;
  offset: number;
}

/**
 * Splits a file into stanzas, checking the file's overall shape; undefined
 * when the file is not a list at all (a file-level error).
 */
function splitStanzas(
  yaml: LoadedYaml,
  errors: ConfigErrorList,
  source: SourceContext,
): Stanza[] | undefined {
  const doc = yaml.value;
  if (doc === null || doc === undefined) return [];
  if (!Array.isArray(doc)) {
    errors.addProblem(new ConfigProblem('Configuration must be a list of objects'), {
      source,
      yaml,
      offset: yaml.start(doc) ?? 0,
    });
    return undefined;
  }
  const stanzas: Stanza[] = [];
  const items = yaml.positions.get(doc)?.items ?? [];
  doc.forEach((item, i) => {
    const offset = items[i] ?? 0;
    const where: StanzaLocation = { source, yaml, offset };
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      errors.addProblem(
        new ConfigProblem(
          'Each item of the configuration must be a mapping with one key, the object type',
        ),
        where,
      );
      return;
    }
    const keys = Object.keys(item);
    if (keys.length !== 1) {
      errors.addProblem(
        new ConfigProblem(
          `Configuration item has more than one key (${keys.join(', ')}); this is often caused by wrong indentation`,
        ),
        where,
      );
      return;
    }
    const kind = keys[0]!;
    if (!KNOWN_KINDS.has(kind)) {
      errors.addProblem(new ConfigProblem(`Unknown configuration item type: ${kind}`), where);
      return;
    }
    const value = (item as Record<string, unknown>)[kind];
    if (value instanceof TaggedValue) {
      errors.addProblem(
        new ConfigProblem(`The !${value.tag} tag may not be applied to a whole ${kind} item`),
        where,
      );
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      errors.addProblem(new ConfigProblem(`The value of a ${kind} item must be a mapping`), where);
      return;
    }
    stanzas.push({ kind, value, offset });
  });
  return stanzas;
}

function stanzaName(value: unknown): string | undefined {
  const name = (value as Record<string, unknown>).name;
  return typeof name === 'string' ? name : undefined;
}

/**
 * Parses one file. `bytes` may be anything: invalid YAML, wrong shapes and
 * bad encodings become errors in the result, never exceptions.
 */
export function parseConfigFile(
  bytes: Uint8Array | string,
  source: SourceContext,
  options: ParseOptions,
): ParsedConfig {
  return parseConfigFileChecked(bytes, source, options).config;
}

/** One parsed file, and whether the file failed as a whole. */
export interface ParsedFile {
  config: ParsedConfig;
  /**
   * The whole file failed (undecodable bytes, a YAML syntax error, not a
   * list): nothing in it could be read. Errors about single stanzas of an
   * otherwise readable file leave this false.
   */
  fileFailed: boolean;
}

/** parseConfigFile, also telling whether the file failed as a whole. */
export function parseConfigFileChecked(
  bytes: Uint8Array | string,
  source: SourceContext,
  options: ParseOptions,
): ParsedFile {
  const result = emptyParsedConfig();
  const errors = new ConfigErrorList();
  let yaml: LoadedYaml;
  try {
    const text = typeof bytes === 'string' ? bytes : decodeUtf8(bytes);
    yaml = loadYaml(text);
  } catch (err) {
    const text = typeof bytes === 'string' ? bytes : new TextDecoder().decode(bytes);
    const offset = err instanceof YamlError ? err.offset : 0;
    const name = err instanceof YamlError ? err.errorName : 'Unknown';
    errors.addProblem(new ConfigProblem((err as Error).message, name), {
      source,
      yaml: LoadedYaml.forText(text),
      offset,
    });
    result.errors = errors.errors;
    return { config: result, fileFailed: true };
  }
  const split = splitStanzas(yaml, errors, source);
  if (split === undefined) {
    result.errors = errors.errors;
    return { config: result, fileFailed: true };
  }
  const stanzas = split;

  let pragma: Pragma = {};
  const warn = (where: StanzaLocation) => (p: ConfigProblem) => errors.addProblem(p, where);
  for (const kind of PARSE_ORDER) {
    for (const stanza of stanzas) {
      if (stanza.kind !== kind) continue;
      const where: StanzaLocation = {
        source,
        yaml,
        stanza: stanza.value,
        offset: stanza.offset,
        kind,
        name: stanzaName(stanza.value),
      };
      const ctx: StanzaContext = {
        source,
        pragma,
        line: yaml.linePos(stanza.offset).line,
        warn: warn(where),
      };
      try {
        // Jobs and project job entries handle override tags themselves.
        if (!OVERRIDE_TAG_KINDS.has(kind)) assertNoNestedTags(stanza.value, []);
        if (kind === 'pragma') {
          pragma = { ...pragma, ...parsePragma(stanza.value, ctx) };
          continue;
        }
        const parsed = parseStanza(kind as ConfigClass, stanza.value, ctx, options);
        stanzaLocations.set(parsed as object, where);
        (result[TARGET[kind as ConfigClass]] as unknown[]).push(parsed);
      } catch (err) {
        errors.addProblem(err, where);
      }
    }
  }
  result.errors = errors.errors;
  return { config: result, fileFailed: false };
}

function parseStanza(
  kind: ConfigClass,
  value: unknown,
  ctx: StanzaContext,
  options: ParseOptions,
): unknown {
  switch (kind) {
    case 'pipeline':
      return parsePipeline(value, {
        ...options.pipelineContext,
        source: ctx.source,
        warn: ctx.warn,
      });
    case 'job':
      return parseJob(value, ctx);
    case 'project':
      return parseProject(value, ctx);
    case 'project-template':
      return parseProjectTemplate(value, ctx);
    case 'nodeset':
      return parseNodeset(value, ctx);
    case 'secret':
      return parseSecret(value, ctx);
    case 'semaphore':
      return parseSemaphore(value, ctx);
    case 'queue':
      return parseQueue(value, ctx);
    case 'image':
      return parseImage(value, ctx);
    case 'flavor':
      return parseFlavor(value, ctx);
    case 'label':
      return parseLabel(value, ctx);
    case 'section':
      return parseSection(value, ctx);
    case 'provider':
      return parseProvider(value, ctx);
  }
}
