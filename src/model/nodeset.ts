// Nodesets: the nodes a job runs on.

import type { SourceContext } from './config-error.js';

export interface NodeSpec {
  /** Several names make several inventory hosts share one node. */
  names: string[];
  label: string;
}

export interface NodeGroup {
  name: string;
  nodes: string[];
}

/** A nodeset written inline in a job (no name). */
export interface InlineNodeset {
  nodes: NodeSpec[];
  groups: NodeGroup[];
  /** Named nodesets or inline ones, tried in order. */
  alternatives: (string | InlineNodeset)[];
}

export interface Nodeset extends InlineNodeset {
  name: string;
  sourceContext: SourceContext;
}

/** Whether two nodeset definitions are the same (duplicates across branches must be). */
export function nodesetsEqual(a: InlineNodeset, b: InlineNodeset): boolean {
  return JSON.stringify(stripContext(a)) === JSON.stringify(stripContext(b));
}

function stripContext(n: InlineNodeset): unknown {
  return { nodes: n.nodes, groups: n.groups, alternatives: n.alternatives };
}
