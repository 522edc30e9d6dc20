// Shared set-up for the pipeline parser tests: connection maps built from
// driver names, and a one-call parse of YAML text that collects warnings.

import { ConfigProblem } from '../../src/config/errors.js';
import {
  type PipelineConnection,
  type PipelineParseContext,
  parsePipeline,
} from '../../src/config/parsers/pipeline.js';
import { loadYaml } from '../../src/config/yaml.js';
import { gerritPipelineSchemas } from '../../src/drivers/gerrit/schema.js';
import { gitPipelineSchemas } from '../../src/drivers/git/schema.js';
import { githubPipelineSchemas } from '../../src/drivers/github/schema.js';
import { gitlabPipelineSchemas } from '../../src/drivers/gitlab/schema.js';
import { mqttPipelineSchemas } from '../../src/drivers/mqtt/schema.js';
import type { DriverPipelineSchemas } from '../../src/drivers/schema-checks.js';
import { smtpPipelineSchemas } from '../../src/drivers/smtp/schema.js';
import { timerPipelineSchemas } from '../../src/drivers/timer/schema.js';
import { zuulPipelineSchemas } from '../../src/drivers/zuul/schema.js';
import type { SourceContext } from '../../src/model/config-error.js';
import type { Pipeline } from '../../src/model/pipeline.js';

export const SCHEMAS_BY_DRIVER: Readonly<Record<string, DriverPipelineSchemas>> = {
  gerrit: gerritPipelineSchemas,
  github: githubPipelineSchemas,
  gitlab: gitlabPipelineSchemas,
  git: gitPipelineSchemas,
  timer: timerPipelineSchemas,
  zuul: zuulPipelineSchemas,
  smtp: smtpPipelineSchemas,
  mqtt: mqttPipelineSchemas,
};

/**
 * Connection name → driver name, plus the built-in `zuul` and `timer`.
 * A driver this module has no schemas for gets none (it can play no role).
 */
export function connectionsFrom(
  nameToDriver: Readonly<Record<string, string>>,
): Map<string, PipelineConnection> {
  const all = { zuul: 'zuul', timer: 'timer', ...nameToDriver };
  return new Map(
    Object.entries(all).map(([name, driverName]) => [
      name,
      { driverName, schemas: SCHEMAS_BY_DRIVER[driverName] ?? {} },
    ]),
  );
}

export const SOURCE: SourceContext = {
  project: 'org/config',
  projectCanonical: 'review.example.com/org/config',
  connection: 'gerrit',
  branch: 'master',
  path: 'zuul.d/pipelines.yaml',
  trusted: true,
};

/** The connections most tests use: one of each driver, named after it. */
export const ALL_DRIVERS = connectionsFrom({
  gerrit: 'gerrit',
  github: 'github',
  gitlab: 'gitlab',
  git: 'git',
  smtp: 'smtp',
  mqtt: 'mqtt',
});

export interface ParseResult {
  pipeline?: Pipeline;
  error?: ConfigProblem;
  warnings: ConfigProblem[];
}

/** Parses one stanza value; returns the pipeline or the problem, and warnings. */
export function parseValue(value: unknown, ctx: Partial<PipelineParseContext> = {}): ParseResult {
  const warnings: ConfigProblem[] = [];
  try {
    const pipeline = parsePipeline(value, {
      connections: ALL_DRIVERS,
      source: SOURCE,
      warn: (w) => warnings.push(w),
      ...ctx,
    });
    return { pipeline, warnings };
  } catch (err) {
    if (err instanceof ConfigProblem) return { error: err, warnings };
    throw err;
  }
}

/** Parses the mapping under `pipeline:` in YAML text (a single-stanza file). */
export function parseText(text: string, ctx: Partial<PipelineParseContext> = {}): ParseResult {
  const doc = loadYaml(text).value as { pipeline: unknown }[];
  return parseValue(doc[0].pipeline, ctx);
}

/** A minimal valid stanza with `extra` merged in. */
export function stanza(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'check',
    manager: 'independent',
    trigger: { gerrit: [{ event: 'patchset-created' }] },
    ...extra,
  };
}
