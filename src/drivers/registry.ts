// Connection drivers by their `driver=` name, and building every
// connection zuul.conf declares. A new driver is a folder under drivers/
// plus a line in BUILT_IN below.

import type { ZuulConf } from '../config/zuul-conf.js';
import { ZuulConfError } from '../config/zuul-conf.js';
import type { Connection, Driver, DriverDeps } from './driver.js';
import { gerritDriver } from './gerrit/driver.js';
import { gitDriver } from './git/driver.js';
import { githubDriver } from './github/driver.js';
import { gitlabDriver } from './gitlab/driver.js';
import { mqttDriver } from './mqtt/driver.js';
import { smtpDriver } from './smtp/driver.js';
import { timerDriver } from './timer/driver.js';
import { zuulDriver } from './zuul/driver.js';

const BUILT_IN: readonly Driver[] = [
  gerritDriver,
  gitDriver,
  githubDriver,
  gitlabDriver,
  mqttDriver,
  smtpDriver,
  timerDriver,
  zuulDriver,
];

/** Why Zuul 14 refuses some driver names that older configs still use. */
const REMOVED: Record<string, string> = {
  sql: 'the build database is configured in [database] since Zuul 5; remove this section',
};

const drivers = new Map<string, Driver>(BUILT_IN.map((d) => [d.name, d]));

export function registerDriver(driver: Driver): void {
  if (drivers.has(driver.name)) throw new Error(`driver "${driver.name}" is already registered`);
  drivers.set(driver.name, driver);
}

export function getDriver(name: string): Driver | undefined {
  return drivers.get(name);
}

export function registeredDrivers(): Driver[] {
  return [...drivers.values()];
}

export interface CreatedConnections {
  /** By connection name: declared ones in file order, then the built-ins. */
  connections: Map<string, Connection>;
  /** One per section that could not be turned into a connection. */
  errors: ZuulConfError[];
}

/**
 * Builds every connection of zuul.conf, plus the built-in `zuul` and
 * `timer` connections. A bad section does not stop the others: its error
 * (naming file, line and section) is collected and it is left out.
 */
export function createConnections(conf: ZuulConf, deps: DriverDeps): CreatedConnections {
  const connections = new Map<string, Connection>();
  const errors: ZuulConfError[] = [];
  let configs: ReturnType<ZuulConf['connections']> = [];
  try {
    configs = conf.connections();
  } catch (err) {
    if (!(err instanceof ZuulConfError)) throw err;
    errors.push(err);
  }
  const builtins = registeredDrivers().filter((d) => d.builtin);
  for (const config of configs) {
    const section = config.section ?? `connection ${config.name}`;
    const fail = (why: string, key?: string) =>
      errors.push(
        new ZuulConfError(
          `${conf.path}:${conf.lineOf(section) ?? '?'}: [${section}]: ${why}`,
          conf.path,
          section,
          key,
        ),
      );
    const driver = drivers.get(config.driver);
    if (!driver) {
      const removed = REMOVED[config.driver];
      fail(`Unknown driver "${config.driver}"${removed ? ` (${removed})` : ''}`, 'driver');
      continue;
    }
    if (driver.builtin) {
      fail(`the ${driver.name} connection is built in and takes no section; remove it`, 'driver');
      continue;
    }
    if (builtins.some((b) => b.name === config.name)) {
      fail(`the name "${config.name}" belongs to a built-in connection; rename the section`);
      continue;
    }
    try {
      connections.set(config.name, driver.createConnection(config, deps));
    } catch (err) {
      fail(err instanceof Error ? err.message : String(err));
    }
  }
  for (const driver of builtins) {
    const config = { name: driver.name, driver: driver.name, options: {} };
    connections.set(driver.name, driver.createConnection(config, deps));
  }
  return { connections, errors };
}
