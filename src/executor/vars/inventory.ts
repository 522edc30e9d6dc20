// The inventory of a build (semantics §F.5): one host per node name with
// the connection variables the node record gives, the `nodepool` variable,
// the host's squashed job variables and their `unsafe_vars` copy; the
// implicit localhost's variables under all.vars; nodeset groups and the
// always-present zuul_unreachable group.

import { markUnsafe } from '../ansible-yaml.js';
import { baseVars, hostVariables, type JobVarsInput } from './variables.js';

/** A node as the launcher hands it over. */
export interface NodeInfo {
  /** Inventory names (several names can share one node). */
  names: string[];
  label: string;
  /** Address Ansible connects to. */
  interfaceIp?: string | null;
  publicIpv4?: string | null;
  privateIpv4?: string | null;
  publicIpv6?: string | null;
  privateIpv6?: string | null;
  connectionPort?: number | null;
  /** `ssh` (default), `local`, `winrm`, `kubectl`, `network_cli`, … */
  connectionType?: string | null;
  username?: string | null;
  pythonPath?: string | null;
  shellType?: string | null;
  hostId?: string | null;
  externalId?: string | null;
  slot?: number | null;
  az?: string | null;
  cloud?: string | null;
  provider?: string | null;
  region?: string | null;
  nodeProperties?: Record<string, unknown>;
}

export interface InventoryInput {
  nodes: NodeInfo[];
  groups: { name: string; nodes: string[] }[];
  vars: JobVarsInput;
  /** `[executor] default_username`, for nodes that name no user. */
  defaultUsername: string;
  /** Hosts found unreachable so far (the zuul_unreachable group). */
  unreachable?: string[];
}

/** The variables Zuul sets for a host; they override host-vars. */
export function connectionVars(node: NodeInfo, defaultUsername: string): Record<string, unknown> {
  const v: Record<string, unknown> = {
    ansible_host: node.interfaceIp ?? null,
    ansible_port: node.connectionPort ?? 22,
    ansible_user: node.username || defaultUsername,
    ansible_python_interpreter: node.pythonPath || 'auto',
    ansible_connection: node.connectionType || 'ssh',
    nodepool: {
      label: node.label,
      az: node.az ?? null,
      cloud: node.cloud ?? null,
      provider: node.provider ?? null,
      region: node.region ?? null,
      host_id: node.hostId ?? null,
      external_id: node.externalId ?? null,
      slot: node.slot ?? null,
      interface_ip: node.interfaceIp ?? null,
      public_ipv4: node.publicIpv4 ?? null,
      private_ipv4: node.privateIpv4 ?? null,
      public_ipv6: node.publicIpv6 ?? null,
      private_ipv6: node.privateIpv6 ?? null,
      node_properties: node.nodeProperties ?? {},
    },
  };
  if (node.shellType) v.ansible_shell_type = node.shellType;
  return v;
}

function withUnsafeCopy(vars: Record<string, unknown>): Record<string, unknown> {
  const { nodepool: _n, ...userVars } = vars;
  return { ...vars, unsafe_vars: markUnsafe(userVars) };
}

export function buildInventory(i: InventoryInput): Record<string, unknown> {
  const base = baseVars(i.vars);
  const hosts: Record<string, unknown> = {};
  for (const node of i.nodes) {
    for (const name of node.names) {
      const groups = i.groups.filter((g) => g.nodes.includes(name)).map((g) => g.name);
      const vars = hostVariables(base, i.vars, name, groups);
      // Job variables describing a connection come after the node's own.
      const { ansible_host, ansible_port, ansible_user, nodepool, ...conn } = connectionVars(
        node,
        i.defaultUsername,
      );
      hosts[name] = withUnsafeCopy({
        ...conn,
        ...vars,
        ansible_host,
        ansible_port,
        ansible_user,
        nodepool,
      });
    }
  }
  const children: Record<string, unknown> = {};
  for (const g of i.groups) {
    children[g.name] = { hosts: Object.fromEntries(g.nodes.map((n) => [n, null])) };
  }
  children.zuul_unreachable = {
    hosts: Object.fromEntries((i.unreachable ?? []).map((n) => [n, null])),
  };
  return {
    all: {
      hosts,
      vars: withUnsafeCopy(hostVariables(base, i.vars, 'localhost', [])),
      children,
    },
  };
}
