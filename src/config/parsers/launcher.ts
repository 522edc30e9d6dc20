// Launcher objects: image, flavor, label, section, provider. Sections and
// providers keep their driver keys as data; the launcher validates them.

import { Type } from '@sinclair/typebox';
import type { Flavor, Image, Label, Provider, Section } from '../../model/launcher-objects.js';
import { ConfigProblem } from '../errors.js';
import { validate } from '../schema.js';
import type { StanzaContext } from './context.js';

const ImageSchema = Type.Object(
  {
    name: Type.String(),
    type: Type.Union([Type.Literal('zuul'), Type.Literal('cloud')]),
    description: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export function parseImage(raw: unknown, ctx: StanzaContext): Image {
  validate(ImageSchema, raw);
  const r = raw as { name: string; type: 'zuul' | 'cloud'; description?: string };
  return { name: r.name, type: r.type, description: r.description, sourceContext: ctx.source };
}

const FlavorSchema = Type.Object(
  { name: Type.String(), description: Type.Optional(Type.String()) },
  { additionalProperties: false },
);

export function parseFlavor(raw: unknown, ctx: StanzaContext): Flavor {
  validate(FlavorSchema, raw);
  const r = raw as { name: string; description?: string };
  return { name: r.name, description: r.description, sourceContext: ctx.source };
}

const LabelSchema = Type.Object(
  {
    name: Type.String(),
    image: Type.String(),
    flavor: Type.String(),
    description: Type.Optional(Type.String()),
    'min-ready': Type.Optional(Type.Integer({ minimum: 0 })),
    'max-ready-age': Type.Optional(Type.Integer({ minimum: 0 })),
    'max-nodes': Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);

export function parseLabel(raw: unknown, ctx: StanzaContext): Label {
  validate(LabelSchema, raw);
  const r = raw as Record<string, unknown> & { name: string; image: string; flavor: string };
  return {
    name: r.name,
    image: r.image,
    flavor: r.flavor,
    description: r.description as string | undefined,
    minReady: r['min-ready'] as number | undefined,
    maxReadyAge: r['max-ready-age'] as number | undefined,
    maxNodes: r['max-nodes'] as number | undefined,
    sourceContext: ctx.source,
  };
}

const EntryList = Type.Array(
  Type.Union([Type.String(), Type.Record(Type.String(), Type.Unknown())]),
);
const SectionSchema = Type.Object(
  {
    name: Type.String(),
    parent: Type.Optional(Type.String()),
    abstract: Type.Optional(Type.Boolean()),
    connection: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    images: Type.Optional(EntryList),
    flavors: Type.Optional(EntryList),
    labels: Type.Optional(EntryList),
  },
  { additionalProperties: true },
);

export function parseSection(raw: unknown, ctx: StanzaContext): Section {
  validate(SectionSchema, raw);
  const { name, parent, abstract, connection, description, ...config } = raw as Record<
    string,
    unknown
  >;
  return {
    name: name as string,
    parent: parent as string | undefined,
    abstract: (abstract as boolean) ?? false,
    connection: connection as string | undefined,
    description: description as string | undefined,
    config,
    sourceContext: ctx.source,
  };
}

const ProviderSchema = Type.Object(
  {
    name: Type.String(),
    section: Type.String(),
    images: Type.Optional(EntryList),
    labels: Type.Optional(EntryList),
  },
  { additionalProperties: true },
);

export function parseProvider(raw: unknown, ctx: StanzaContext): Provider {
  validate(ProviderSchema, raw);
  const { name, section, ...config } = raw as Record<string, unknown>;
  if ('flavor' in config) {
    throw new ConfigProblem(
      'Flavor configuration not permitted in Provider, only Section',
      'Unknown',
      ['flavor'],
    );
  }
  if ('connection' in config) {
    throw new ConfigProblem('The connection of a provider is set by its section', 'Unknown', [
      'connection',
    ]);
  }
  return { name: name as string, section: section as string, config, sourceContext: ctx.source };
}
