// The web server's component registry: which zuul-ts components count as
// which Zuul kinds, and opening the registry (src/store/component-registry.ts)
// on the configured store.

import type { Logger } from 'pino';
import type { ZuulConf } from '../config/zuul-conf.js';
import { ComponentRegistry } from '../store/component-registry.js';
import { COMPONENT_KINDS, type ComponentKind } from '../store/components.js';
import { openStore, type Store, storeOptionsFromConf } from '../store/db.js';

export { ComponentRegistry, type ComponentRegistryOptions } from '../store/component-registry.js';

/**
 * Zuul's kind for a zuul-ts component name: configuration loading is the
 * scheduler's work in Zuul, so `config-loader` registers as `scheduler`.
 */
export function componentKind(name: string): ComponentKind | undefined {
  if (name === 'config-loader') return 'scheduler';
  return (COMPONENT_KINDS as readonly string[]).includes(name)
    ? (name as ComponentKind)
    : undefined;
}

/**
 * Opens the registry for a server: on `[database] dburi`, or without one
 * on an in-memory SQLite store (only this process's components are then
 * listed). Registers `components` (zuul-ts names, see componentKind) in
 * state `initializing`. A store that cannot be opened is logged and gives
 * no registry (/api/components then answers 503); the server still runs.
 */
export async function openComponentRegistry(
  conf: ZuulConf,
  opts: {
    components: readonly string[];
    version: string;
    intervalMs?: number;
    log: Logger;
  },
): Promise<ComponentRegistry | undefined> {
  const kinds = opts.components
    .map((c) => componentKind(c))
    .filter((k): k is ComponentKind => k !== undefined);
  let store: Store;
  try {
    store = await openStore(
      conf.get('database', 'dburi') ? storeOptionsFromConf(conf) : { uri: 'sqlite://' },
    );
  } catch (err) {
    opts.log.error({ err }, 'cannot open the state store; no component registry');
    return undefined;
  }
  const registry = new ComponentRegistry({
    store,
    kinds,
    version: opts.version,
    intervalMs: opts.intervalMs,
    log: opts.log,
    ownsStore: true,
  });
  try {
    await registry.start();
  } catch (err) {
    opts.log.error({ err }, 'cannot register components; no component registry');
    await registry.close();
    return undefined;
  }
  return registry;
}
