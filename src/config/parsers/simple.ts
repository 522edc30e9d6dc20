// The small objects: secret, semaphore, queue, pragma.

import { Type } from '@sinclair/typebox';
import type { Pragma, Queue, Secret, Semaphore } from '../../model/objects.js';
import { ConfigProblem } from '../errors.js';
import { AnyMap, RegexList, validate } from '../schema.js';
import { EncryptedValue } from '../yaml.js';
import { compileRegexList, type StanzaContext } from './context.js';
import { validateDetailed } from './validate-detail.js';

const SecretSchema = Type.Object(
  {
    name: Type.String(),
    data: Type.Optional(Type.Unknown()),
    oidc: Type.Optional(
      Type.Union([
        Type.Null(),
        Type.Object(
          {
            ttl: Type.Optional(Type.Integer({ minimum: 1 })),
            iss: Type.Optional(Type.String()),
            algorithm: Type.Optional(Type.String()),
            claims: Type.Optional(AnyMap),
          },
          { additionalProperties: false },
        ),
      ]),
    ),
  },
  { additionalProperties: false },
);

/**
 * Encrypted values compare by their decoded bytes, as Zuul compares them:
 * the same ciphertext wrapped or indented differently is the same secret.
 */
function cipherBytes(this: Record<string, unknown>, key: string, value: unknown): unknown {
  // JSON.stringify hands the replacer toJSON()'s result; the holder has the original.
  const original = this[key];
  if (!(original instanceof EncryptedValue)) return value;
  return {
    __encrypted__: original.ciphertext.map((c) => Buffer.from(c, 'base64').toString('base64')),
  };
}

export function parseSecret(raw: unknown, ctx: StanzaContext): Secret {
  validateDetailed(SecretSchema, raw, []);
  const r = raw as { name: string; data?: unknown; oidc?: Record<string, unknown> | null };
  const hasData = 'data' in (raw as object);
  const hasOidc = 'oidc' in (raw as object);
  if (hasData === hasOidc) {
    throw new ConfigProblem(
      "Either 'data' or 'oidc' must be present, but not both.",
      'Unknown',
      [],
    );
  }
  if (hasData && (r.data === null || typeof r.data !== 'object' || Array.isArray(r.data))) {
    if (!(r.data instanceof EncryptedValue)) {
      throw new ConfigProblem(
        "expected a dictionary for dictionary value @ data['data']",
        'Unknown',
        ['data'],
      );
    }
  }
  const secret: Secret = {
    name: r.name,
    sourceContext: ctx.source,
    fingerprint: JSON.stringify(hasData ? { data: r.data } : { oidc: r.oidc ?? {} }, cipherBytes),
  };
  if (hasData) secret.data = r.data;
  else {
    const o = r.oidc ?? {};
    secret.oidc = {
      ttl: o.ttl as number | undefined,
      iss: o.iss as string | undefined,
      algorithm: o.algorithm as string | undefined,
      claims: (o.claims as Record<string, unknown>) ?? {},
    };
  }
  return secret;
}

const SemaphoreSchema = Type.Object(
  { name: Type.String(), max: Type.Optional(Type.Integer({ minimum: 0 })) },
  { additionalProperties: false },
);

export function parseSemaphore(raw: unknown, ctx: StanzaContext): Semaphore {
  validate(SemaphoreSchema, raw);
  const r = raw as { name: string; max?: number };
  return { name: r.name, max: r.max ?? 1, sourceContext: ctx.source };
}

const QueueSchema = Type.Object(
  {
    name: Type.String(),
    'per-branch': Type.Optional(Type.Boolean()),
    'allow-circular-dependencies': Type.Optional(Type.Boolean()),
    'dependencies-by-topic': Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export function parseQueue(raw: unknown, ctx: StanzaContext): Queue {
  validate(QueueSchema, raw);
  const r = raw as Record<string, unknown> & { name: string };
  const queue: Queue = {
    name: r.name,
    perBranch: (r['per-branch'] as boolean) ?? false,
    allowCircularDependencies: (r['allow-circular-dependencies'] as boolean) ?? false,
    dependenciesByTopic: (r['dependencies-by-topic'] as boolean) ?? false,
    sourceContext: ctx.source,
  };
  if (queue.dependenciesByTopic && !queue.allowCircularDependencies) {
    throw new ConfigProblem(
      'The "dependencies-by-topic" option requires "allow-circular-dependencies"',
      'Unknown',
      ['dependencies-by-topic'],
    );
  }
  return queue;
}

const PragmaSchema = Type.Object(
  {
    'implied-branch-matchers': Type.Optional(Type.Boolean()),
    'implied-branches': Type.Optional(RegexList),
  },
  { additionalProperties: false },
);

export function parsePragma(raw: unknown, ctx: StanzaContext): Pragma {
  validate(PragmaSchema, raw);
  const r = raw as { 'implied-branch-matchers'?: boolean; 'implied-branches'?: unknown };
  const pragma: Pragma = {};
  if (r['implied-branch-matchers'] !== undefined) {
    pragma.impliedBranchMatchers = r['implied-branch-matchers'];
  }
  const branches = compileRegexList(r['implied-branches'], ['implied-branches'], ctx);
  if (branches) pragma.impliedBranches = branches;
  return pragma;
}
