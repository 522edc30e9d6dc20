// `- nodeset:` stanzas and inline nodesets in jobs.

import { type Static, Type } from '@sinclair/typebox';
import type { InlineNodeset, NodeGroup, NodeSpec, Nodeset } from '../../model/nodeset.js';
import { type ConfigPath, ConfigProblem } from '../errors.js';
import { asList, ScalarOrList } from '../schema.js';
import type { StanzaContext } from './context.js';
import { validateDetailed } from './validate-detail.js';

const NodeSchema = Type.Object(
  { name: ScalarOrList(Type.String()), label: Type.String() },
  { additionalProperties: false },
);
const GroupSchema = Type.Object(
  { name: Type.String(), nodes: ScalarOrList(Type.String()) },
  { additionalProperties: false },
);

// As in Zuul, `nodes` and `groups` also accept a single mapping.
const InlineNodesetBase = {
  nodes: Type.Optional(ScalarOrList(NodeSchema)),
  groups: Type.Optional(ScalarOrList(GroupSchema)),
  alternatives: Type.Optional(
    Type.Array(Type.Union([Type.String(), Type.Record(Type.String(), Type.Unknown())])),
  ),
};

export const InlineNodesetSchema = Type.Object(InlineNodesetBase, { additionalProperties: false });
export const NodesetSchema = Type.Object(
  { name: Type.String(), ...InlineNodesetBase },
  { additionalProperties: false },
);

type RawNodeset = Static<typeof InlineNodesetSchema>;

/**
 * Converts a validated nodeset body. `path` locates it in the stanza
 * (inline nodesets live under a job's `nodeset`).
 */
export function buildNodeset(raw: RawNodeset, path: ConfigPath): InlineNodeset {
  const hasNodes = raw.nodes !== undefined || raw.groups !== undefined;
  if (raw.alternatives !== undefined && hasNodes) {
    throw new ConfigProblem(
      'A nodeset may specify either alternatives or nodes and groups, not both',
      'Unknown',
      [...path, 'alternatives'],
    );
  }
  if (raw.alternatives === undefined && raw.nodes === undefined) {
    const where = [...path, 'nodes']
      .map((p) => (typeof p === 'number' ? `[${p}]` : `['${p}']`))
      .join('');
    throw new ConfigProblem(
      `required key not provided @ data${where} (a nodeset needs "nodes" or "alternatives")`,
      'Unknown',
      path,
    );
  }
  const nodes: NodeSpec[] = [];
  const seen = new Set<string>();
  asList(raw.nodes).forEach((n, i) => {
    const names = asList(n.name);
    for (const name of names) {
      if (name === 'localhost') {
        throw new ConfigProblem('Nodes may not be named "localhost"', 'Unknown', [
          ...path,
          'nodes',
          i,
        ]);
      }
      if (seen.has(name)) {
        throw new ConfigProblem(`Duplicate node name: ${name}`, 'Duplicate Node', [
          ...path,
          'nodes',
          i,
        ]);
      }
      seen.add(name);
    }
    nodes.push({ names, label: n.label });
  });
  const groups: NodeGroup[] = [];
  const groupNames = new Set<string>();
  asList(raw.groups).forEach((g, i) => {
    if (g.name === 'localhost') {
      throw new ConfigProblem('Groups may not be named "localhost"', 'Unknown', [
        ...path,
        'groups',
        i,
      ]);
    }
    if (groupNames.has(g.name)) {
      throw new ConfigProblem(
        `Duplicate nodeset group name: ${g.name}`,
        'Duplicate Nodeset Group',
        [...path, 'groups', i],
      );
    }
    groupNames.add(g.name);
    const members = asList(g.nodes);
    for (const member of members) {
      if (!seen.has(member)) {
        throw new ConfigProblem(
          `Unknown node in group "${g.name}": ${member}`,
          'Node From Group Not Found',
          [...path, 'groups', i],
        );
      }
    }
    groups.push({ name: g.name, nodes: members });
  });
  const alternatives = (raw.alternatives ?? []).map((alt, i) => {
    if (typeof alt === 'string') return alt;
    const altPath = [...path, 'alternatives', i];
    validateDetailed(InlineNodesetSchema, alt, altPath);
    return buildNodeset(alt as RawNodeset, altPath);
  });
  return { nodes, groups, alternatives };
}

export function parseNodeset(raw: unknown, ctx: StanzaContext): Nodeset {
  validateDetailed(NodesetSchema, raw, []);
  const r = raw as Static<typeof NodesetSchema>;
  return { name: r.name, ...buildNodeset(r, []), sourceContext: ctx.source };
}

/** Parses a job's `nodeset` value: a name, or an anonymous nodeset. */
export function parseJobNodeset(raw: unknown, path: ConfigPath): string | InlineNodeset {
  if (typeof raw === 'string') return raw;
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw) && 'name' in raw) {
    throw new ConfigProblem(
      'An inline nodeset may not have a name; refer to a named nodeset by its name instead',
      'Unknown',
      [...path, 'name'],
    );
  }
  validateDetailed(InlineNodesetSchema, raw, path);
  return buildNodeset(raw as RawNodeset, path);
}
