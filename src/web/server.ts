// The running web component: zuul.conf and the tenant file, every tenant's
// layout (loaded after the server starts listening: a tenant answers 422
// until its first layout is built), reconfiguration on request, the HTTP
// listener and the command socket, and a graceful stop.
//
// Reconfiguration re-reads the tenant file and rebuilds every tenant's
// layout from git (fetching the upstream repositories). While it runs,
// tenants keep serving their previous layout; a tenant whose new layout
// cannot be built keeps the previous one (the failure is logged). Tenants
// removed from the tenant file disappear; new ones answer 422 until loaded.
//
// It is asked for by SIGHUP (wired in the CLI) or by `zuul-ts reconfigure`,
// which writes `reconfigure` to the command socket (`[web] command_socket`,
// default `<[scheduler] state_dir>/web.socket`, state_dir defaulting to
// /var/lib/zuul as in Zuul) and waits for the answer.

import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type Logger, pino } from 'pino';
import { LastGoodConfigs } from '../config/last-good.js';
import { SecretKeyring } from '../config/secret-keys.js';
import {
  loadSystemConfig,
  loadTenantFile,
  parseOptionsFor,
  type SystemConfig,
} from '../config/system.js';
import { buildTenantLayout } from '../config/tenant-layout.js';
import { TenantLoader } from '../config/tenant-loader.js';
import type { ZuulConf } from '../config/zuul-conf.js';
import { CommandSocket, CommandSocketBusyError } from '../lib/command-socket.js';
import type { TenantFile } from '../model/tenant.js';
import { openStore, type Store, storeOptionsFromConf } from '../store/db.js';
import { Keystore } from '../store/keystore.js';
import { buildApp } from './app.js';
import { BranchPoller } from './branch-poller.js';
import { type ComponentRegistry, openComponentRegistry } from './components.js';
import type { PublicKeys, TenantState, WebContext } from './context.js';
import { ConfHistory } from './history-source.js';
import { HttpError } from './http.js';

export interface WebServerOptions {
  confPath: string;
  /** zuul-ts's version, for /api/info and the log. */
  version: string;
  logger?: Logger;
  /** Serve one tenant whitelabeled (see app.ts). */
  whitelabelTenant?: string;
  /** Overrides `[web] listen_address` / `[web] port` (tests: port 0). */
  host?: string;
  port?: number;
  /** Overrides the command socket path; `false`: no command socket. */
  commandSocket?: string | false;
  /**
   * Components this process runs, registered in the component registry
   * (`web`, `config-loader`; see components.ts). Default: web.
   */
  components?: readonly string[];
  /** Component heartbeat period (default 10 s; tests: shorter). */
  heartbeatIntervalMs?: number;
}

/** The command socket of a zuul.conf (see the module comment). */
export function commandSocketPath(conf: ZuulConf): string {
  return (
    conf.resolvePath('web', 'command_socket') ??
    join(conf.resolvePath('scheduler', 'state_dir') ?? '/var/lib/zuul', 'web.socket')
  );
}

/**
 * Public keys from the keystore, opened on the first key request. Without
 * `[keystore] password` (or with an unusable store) the key endpoints
 * answer 503 with the reason.
 */
export class KeystorePublicKeys implements PublicKeys {
  private opened?: Promise<{ keystore: Keystore; store: Store }>;

  constructor(private readonly conf: ZuulConf) {}

  private keystore(): Promise<Keystore> {
    if (!this.conf.get('keystore', 'password')) {
      return Promise.reject(
        new HttpError(503, 'Keys are not available: zuul.conf has no [keystore] password'),
      );
    }
    this.opened ??= openStore(storeOptionsFromConf(this.conf)).then((store) => ({
      store,
      keystore: Keystore.fromConf(store, this.conf),
    }));
    const opened = this.opened;
    return opened.then(
      (o) => o.keystore,
      (err: Error) => {
        if (this.opened === opened) this.opened = undefined;
        throw new HttpError(503, `Keys are not available: ${err.message}`);
      },
    );
  }

  async projectSecretsKey(connection: string, project: string): Promise<string> {
    return (await (await this.keystore()).getProjectSecretsKey(connection, project)).publicPem;
  }

  async projectSshKey(connection: string, project: string): Promise<string> {
    return (await (await this.keystore()).getProjectSshKey(connection, project)).publicKey;
  }

  async tenantSshKey(tenant: string): Promise<string> {
    return (await (await this.keystore()).getTenantSshKey(tenant)).publicKey;
  }

  async close(): Promise<void> {
    const o = this.opened;
    this.opened = undefined;
    if (o) await o.then((x) => x.store.close()).catch(() => {});
  }
}

export class WebServer {
  readonly app: FastifyInstance;
  readonly ctx: WebContext;
  readonly log: Logger;
  private tenantFile: TenantFile;
  private states = new Map<string, TenantState>();
  /** The last good parse of each configuration file, across reconfigurations. */
  private readonly lastGood = new LastGoodConfigs();
  private readonly keyring: SecretKeyring;
  private readonly keys: KeystorePublicKeys;
  private readonly history?: ConfHistory;
  private running?: Promise<void>;
  private queued?: Promise<void>;
  /** Tenants the queued run reconfigures; 'all' also re-reads the tenant file. */
  private queuedTenants?: Set<string> | 'all';
  private registry?: ComponentRegistry;
  private poller?: BranchPoller;
  private commands?: CommandSocket;
  private closed = false;
  /** Settles when the first load of every tenant has finished. */
  ready: Promise<void> = Promise.resolve();

  private constructor(
    private readonly system: SystemConfig,
    tenantFile: TenantFile,
    opts: WebServerOptions,
  ) {
    this.log = opts.logger ?? pino({ level: 'silent' });
    this.tenantFile = tenantFile;
    for (const t of tenantFile.tenants) this.states.set(t.name, { config: t });
    this.keyring = SecretKeyring.fromConf(system.conf);
    this.keys = new KeystorePublicKeys(system.conf);
    this.history = ConfHistory.fromConf(system.conf);
    this.ctx = {
      conf: system.conf,
      connections: system.connections,
      tenantFile: () => this.tenantFile,
      tenants: () => this.states,
      keys: this.keys,
      version: opts.version,
      history: this.history,
    };
    this.app = buildApp(this.ctx, {
      logger: this.log.child({ component: 'web' }),
      whitelabelTenant: opts.whitelabelTenant,
    });
  }

  /** Reads the configuration and starts listening; layouts load in the background. */
  static async start(opts: WebServerOptions): Promise<WebServer> {
    const system = loadSystemConfig(opts.confPath);
    const tenantFile = await loadTenantFile(system);
    const server = new WebServer(system, tenantFile, opts);
    for (const w of system.warnings) server.log.warn(w);
    const conf = system.conf;
    const registry = await openComponentRegistry(conf, {
      components: opts.components ?? ['web'],
      version: opts.version,
      intervalMs: opts.heartbeatIntervalMs,
      log: server.log.child({ component: 'registry' }),
    });
    server.registry = registry;
    server.ctx.components = registry;
    const host = opts.host ?? conf.get('web', 'listen_address', '127.0.0.1');
    const port = opts.port ?? conf.getInt('web', 'port', 9000);
    try {
      await server.app.listen({ host, port });
    } catch (err) {
      await registry?.close();
      throw err;
    }
    server.log.info({ address: server.address() }, 'web server listening');
    await registry?.setState('running', ['web']);
    if (opts.commandSocket !== false) {
      await server.listenCommands(opts.commandSocket ?? commandSocketPath(conf));
    }
    server.ready = server.reconfigure({ initial: true });
    server.ready
      .then(async () => {
        await registry?.setState('running', ['scheduler']);
        if (server.closed) return;
        server.poller = new BranchPoller({
          connections: system.connections,
          repos: system.repos,
          tenants: () => server.states,
          reconfigure: (tenants) => server.reconfigure({ tenants }),
          log: server.log.child({ component: 'poller' }),
        });
        server.poller.start();
      })
      .catch((err: Error) => server.log.error({ err }, 'cannot start the branch poller'));
    return server;
  }

  /** `http://host:port` the server listens on. */
  address(): string {
    const a = this.app.server.address();
    if (a === null || typeof a === 'string') return String(a);
    const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    return `http://${host}:${a.port}`;
  }

  /**
   * Reloads the tenant file and every tenant's layout, or (with `tenants`)
   * only those tenants' layouts. Requests arriving while one runs are
   * merged into a single following run.
   */
  reconfigure(opts: { initial?: boolean; tenants?: readonly string[] } = {}): Promise<void> {
    if (!this.running) {
      this.running = this.runReconfigure(opts.initial ?? false, opts.tenants).finally(() => {
        this.running = undefined;
      });
      return this.running;
    }
    if (opts.tenants === undefined) this.queuedTenants = 'all';
    else if (this.queuedTenants !== 'all') {
      this.queuedTenants ??= new Set();
      for (const t of opts.tenants) this.queuedTenants.add(t);
    }
    this.queued ??= this.running.then(() => {
      const tenants = this.queuedTenants;
      this.queued = undefined;
      this.queuedTenants = undefined;
      return this.reconfigure(tenants === 'all' || !tenants ? {} : { tenants: [...tenants] });
    });
    return this.queued;
  }

  private async runReconfigure(initial: boolean, only?: readonly string[]): Promise<void> {
    const started = Date.now();
    this.log.info({ initial, tenants: only }, 'reconfiguration started');
    if (!initial && only === undefined) {
      try {
        this.tenantFile = await loadTenantFile(this.system);
      } catch (err) {
        this.log.error({ err }, 'cannot read the tenant file; keeping the current configuration');
        return;
      }
      const next = new Map<string, TenantState>();
      for (const t of this.tenantFile.tenants) {
        const prev = this.states.get(t.name);
        next.set(
          t.name,
          prev?.layout ? { config: prev.config, layout: prev.layout } : { config: t },
        );
      }
      this.states = next;
    }
    // A fresh loader: it caches parsed files for one load only. The last
    // good version of each file outlives it, so a push that breaks a file
    // leaves the previous good configuration in effect.
    const loader = new TenantLoader({
      connections: this.system.connections,
      repos: this.system.repos,
      parseOptions: parseOptionsFor(this.system.connections),
      lastGood: this.lastGood,
    });
    const tenantFile = this.tenantFile;
    for (const tenant of tenantFile.tenants) {
      if (this.closed) return;
      if (only && !only.includes(tenant.name)) continue;
      const t0 = Date.now();
      try {
        const layout = await buildTenantLayout(await loader.loadTenant(tenant), {
          globalSemaphores: tenantFile.globalSemaphores,
          keyring: this.keyring,
        });
        if (this.tenantFile !== tenantFile || !this.states.has(tenant.name)) continue;
        const next = new Map(this.states);
        next.set(tenant.name, { config: tenant, layout });
        this.states = next;
        this.log.info(
          {
            tenant: tenant.name,
            jobs: layout.jobs.size,
            projects: layout.projects.size,
            configErrors: layout.errors.length,
            ms: Date.now() - t0,
          },
          'tenant reconfigured',
        );
      } catch (err) {
        this.log.error(
          { err, tenant: tenant.name },
          'tenant layout failed to build; keeping the previous one',
        );
      }
    }
    this.log.info({ ms: Date.now() - started }, 'reconfiguration finished');
  }

  // ---- command socket --------------------------------------------------------

  private async listenCommands(path: string): Promise<void> {
    try {
      this.commands = await CommandSocket.listen(
        path,
        {
          reconfigure: async () => {
            await this.reconfigure();
            return 'ok';
          },
          ping: async () => 'ok',
        },
        this.log,
      );
      this.log.info({ path }, 'command socket listening');
    } catch (err) {
      if (err instanceof CommandSocketBusyError) {
        this.log.warn({ path }, 'another server owns the command socket; not listening on it');
      } else {
        this.log.warn({ err, path }, 'cannot open the command socket; use SIGHUP to reconfigure');
      }
    }
  }

  /** Stops accepting requests, lets running ones finish, closes the store. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.log.info('web server stopping');
    await this.commands?.close();
    await this.poller?.stop();
    await this.app.close();
    await this.running?.catch(() => {});
    await this.registry?.close();
    await this.keys.close();
    await this.history?.close();
    await this.keyring.close();
    this.log.info('web server stopped');
  }
}
