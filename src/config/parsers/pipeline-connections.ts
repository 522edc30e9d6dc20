// The driver sections of a pipeline: `trigger`, `require`, `reject` and the
// reporter actions. Their keys must be connection names whose driver can play
// that role (and, for triggers and reporters, that the tenant allows); their
// values are validated by that driver's schema and checks.

import type { PipelineSchemas } from '../../drivers/driver.js';
import type { PipelineChecks, PipelineValueCheck } from '../../drivers/schema-checks.js';
import type { SourceContext } from '../../model/config-error.js';
import type {
  PipelineReporter,
  PipelineRequirement,
  PipelineTrigger,
} from '../../model/pipeline.js';
import { type ConfigPath, ConfigProblem } from '../errors.js';
import { validateDetailed } from './validate-detail.js';

/** What the parser needs to know about one connection. */
export interface PipelineConnection {
  driverName: string;
  /** The driver's schemas; `checks` are optional extra checks (see drivers/schema-checks.ts). */
  schemas: PipelineSchemas & { checks?: PipelineChecks };
}

export interface PipelineParseContext {
  /** Every connection of the system, including the built-in `zuul` and `timer`. */
  connections: ReadonlyMap<string, PipelineConnection>;
  /** Tenant `allowed-triggers`; undefined = all. */
  allowedTriggers?: readonly string[];
  /** Tenant `allowed-reporters`; undefined = all. */
  allowedReporters?: readonly string[];
  /** Where the stanza is. */
  source: SourceContext;
  /** Receives warnings (deprecations); errors are thrown. */
  warn?(problem: ConfigProblem): void;
}

export type PipelineRole = 'trigger' | 'require' | 'reject' | 'reporter';

const ROLE_NAME: Record<PipelineRole, string> = {
  trigger: 'a trigger',
  require: 'a requirement (require)',
  reject: 'a requirement (reject)',
  reporter: 'a reporter',
};

function where(path: ConfigPath): string {
  return `data${path.map((p) => `[${typeof p === 'number' ? p : `'${p}'`}]`).join('')}`;
}

/** The connection behind a section key, after existence, role and tenant checks. */
function connectionFor(
  name: string,
  attr: string,
  role: PipelineRole,
  ctx: PipelineParseContext,
): PipelineConnection {
  const path = [attr, name];
  const conn = ctx.connections.get(name);
  if (!conn) {
    throw new ConfigProblem(
      `extra keys not allowed @ ${where(path)}: there is no connection named "${name}"`,
      'Unknown',
      path,
    );
  }
  if (!conn.schemas[role]) {
    throw new ConfigProblem(
      `extra keys not allowed @ ${where(path)}: the connection "${name}" ` +
        `(driver ${conn.driverName}) cannot be used as ${ROLE_NAME[role]}`,
      'Unknown',
      path,
    );
  }
  const allowed =
    role === 'trigger'
      ? ctx.allowedTriggers
      : role === 'reporter'
        ? ctx.allowedReporters
        : undefined;
  if (allowed && !allowed.includes(name)) {
    throw new ConfigProblem(`Unknown connection named "${name}".`, 'Unknown Connection', path);
  }
  return conn;
}

/** Validates one value and runs its checks; warnings go to ctx.warn, the first error is thrown. */
function checkValue(
  conn: PipelineConnection,
  role: PipelineRole,
  value: unknown,
  path: ConfigPath,
  ctx: PipelineParseContext,
): Record<string, unknown> {
  validateDetailed(conn.schemas[role]!, value, path);
  const mapping = value as Record<string, unknown>;
  const check: PipelineValueCheck | undefined = conn.schemas.checks?.[role];
  let firstError: ConfigProblem | undefined;
  for (const p of check?.(mapping) ?? []) {
    const rebased = new ConfigProblem(p.message, p.errorName, [...path, ...p.path], p.severity);
    if (rebased.severity === 'warning') ctx.warn?.(rebased);
    else firstError ??= rebased;
  }
  if (firstError) throw firstError;
  return mapping;
}

function entries(section: unknown): [string, unknown][] {
  return section ? Object.entries(section as Record<string, unknown>) : [];
}

/** `trigger:` — each connection takes one filter or a list of them. */
export function parseTriggers(section: unknown, ctx: PipelineParseContext): PipelineTrigger[] {
  const triggers: PipelineTrigger[] = [];
  for (const [name, value] of entries(section)) {
    const conn = connectionFor(name, 'trigger', 'trigger', ctx);
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        const filter = checkValue(conn, 'trigger', item, ['trigger', name, i], ctx);
        triggers.push({ connection: name, filter });
      });
    } else {
      const filter = checkValue(conn, 'trigger', value, ['trigger', name], ctx);
      triggers.push({ connection: name, filter });
    }
  }
  return triggers;
}

/** `require:` / `reject:` — one mapping of conditions per connection. */
export function parseRequirements(
  section: unknown,
  attr: 'require' | 'reject',
  ctx: PipelineParseContext,
): PipelineRequirement[] {
  return entries(section).map(([name, value]) => {
    const conn = connectionFor(name, attr, attr, ctx);
    return { connection: name, config: checkValue(conn, attr, value, [attr, name], ctx) };
  });
}

/** One reporter action (`success:` …) — one mapping of settings per connection. */
export function parseReporters(
  section: unknown,
  attr: string,
  ctx: PipelineParseContext,
): PipelineReporter[] {
  return entries(section).map(([name, value]) => {
    const conn = connectionFor(name, attr, 'reporter', ctx);
    return { connection: name, config: checkValue(conn, 'reporter', value, [attr, name], ctx) };
  });
}
