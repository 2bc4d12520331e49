// The gateway extension: listeners, sessions, routes and the gateway actor on one node.
import { Addr, type Extension, type ExtensionHost } from '@troupe/runtime';
import { Connection, type ConnectionHost } from './connection.js';
import { Dispatcher } from './dispatch.js';
import { GatewayNotStartedError } from './errors.js';
import { GatewayActor, type GatewayLoad } from './gateway-actor.js';
import { Greeter } from './hello.js';
import { GatewayMetrics, type GatewayStats } from './metrics.js';
import { type GatewayOptions, type ResolvedGatewayOptions, resolveGatewayOptions } from './options.js';
import { RouteSources } from './route-sources.js';
import type { Route, RouteConfig, RouteTable } from './routes.js';
import type { Session } from './session.js';
import { GATEWAY_ACTOR, SessionManager } from './sessions.js';
import type { Listener } from './socket.js';
import { listenTcp } from './tcp-listener.js';
import { TicketVerifier } from './ticket.js';
import { UidRegistry, uidOwner } from './uid-registry.js';
import { listenWs } from './ws-listener.js';

/** A gateway plugged into a node: `Node.start({ extensions: [gateway({...})] })`. */
export interface GatewayExtension extends Extension {
  /** Client addresses once started: `ws://host:port` and `host:port`. */
  addresses(): { ws?: string; tcp?: string };
  stats(): GatewayStats;
  /** The live route table. */
  routes(): Route[];
  /** Replaces the routes given in code (file and KV routes still layer on top). */
  setRoutes(routes: RouteConfig): void;
}

/** Creates a gateway extension; options are validated here, before the node starts. */
export function gateway(options: GatewayOptions = {}): GatewayExtension {
  const resolved = resolveGatewayOptions(options);
  let running: RunningGateway | undefined;
  const live = () => {
    if (running === undefined) throw new GatewayNotStartedError('gateway');
    return running;
  };
  return {
    name: 'gateway',
    start(host) {
      running = RunningGateway.start(host, resolved);
    },
    async ready() {
      // A failure here fails Node.start, which stops the node and so this gateway.
      await live().open();
    },
    async stop() {
      await running?.stop();
    },
    addresses: () => live().addresses(),
    stats: () => live().stats(),
    routes: () => live().sources.table.list(),
    setRoutes: (routes) => live().sources.setCode(routes),
  };
}

class RunningGateway implements ConnectionHost {
  readonly maxFrame: number;
  readonly maxOutboundBytes: number;
  readonly sources: RouteSources;
  readonly #host: ExtensionHost;
  readonly #options: ResolvedGatewayOptions;
  readonly #metrics = new GatewayMetrics();
  readonly #manager: SessionManager;
  readonly #dispatcher: Dispatcher;
  readonly #greeter: Greeter;
  readonly #registry = new UidRegistry();
  readonly #connections = new Set<Connection>();
  readonly #listeners: { ws?: Listener; tcp?: Listener } = {};
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #unsubscribe: Array<() => void> = [];
  #lagMs = 0;
  #stopping = false;

  private constructor(host: ExtensionHost, options: ResolvedGatewayOptions) {
    this.#host = host;
    this.#options = options;
    this.maxFrame = options.maxFrame;
    this.maxOutboundBytes = options.maxOutboundBytes;
    this.sources = new RouteSources(options.routes, {
      file: options.routesFile,
      kvPrefix: options.kvRoutes,
      kv: host.kv,
      log: host.log,
    });
    const table = (): RouteTable => this.sources.table;
    const gatewayType = options.gatewayType ?? Addr.type(host.addr);
    this.#manager = new SessionManager(host, options, this.#metrics, table, gatewayType);
    this.#dispatcher = new Dispatcher(host, options, this.#metrics, table);
    const verifier = options.ticketSecret
      ? new TicketVerifier(options.ticketSecret, Addr.format(host.addr))
      : undefined;
    this.#greeter = new Greeter(this.#manager, verifier, this.#metrics);
  }

  /** Before membership: the gateway actor and the uid bookkeeping exist when peers first see the node. */
  static start(host: ExtensionHost, options: ResolvedGatewayOptions): RunningGateway {
    const g = new RunningGateway(host, options);
    host.spawnSystem(GatewayActor, GATEWAY_ACTOR, {
      registry: g.#registry,
      manager: g.#manager,
      metrics: g.#metrics,
      load: () => g.#load(),
    });
    g.#watchGateways();
    g.#unsubscribe.push(host.onMissingActor((name, message) => g.#manager.activate(name, message)));
    host.addStats(() => g.stats());
    return g;
  }

  /** Once the node is a member (its KV answers): routes from the file and the KV, then the listeners. */
  async open(): Promise<void> {
    const options = this.#options;
    await this.sources.start();
    const accept = (socket: Parameters<ConnectionHost['frame']>[0]['socket']) => {
      const conn = new Connection(socket, this);
      this.#connections.add(conn);
      return conn;
    };
    if (options.ws) this.#listeners.ws = await listenWs(options.ws, accept);
    if (options.tcp) this.#listeners.tcp = await listenTcp(options.tcp.host, options.tcp.port, accept);
    this.#startTimers();
    this.#host.log.info(this.addresses(), 'gateway listening');
  }

  addresses(): { ws?: string; tcp?: string } {
    const { ws, tcp } = this.#listeners;
    const host = (l: Listener) => this.#options.publicHost ?? l.host;
    return {
      ...(ws ? { ws: `ws://${host(ws)}:${ws.port}` } : {}),
      ...(tcp ? { tcp: `${host(tcp)}:${tcp.port}` } : {}),
    };
  }

  stats(): GatewayStats {
    return this.#metrics.snapshot(this.#manager.size, this.#manager.detached, this.addresses());
  }

  // ---- ConnectionHost

  frame(conn: Connection, msgId: number, payload: Uint8Array): void {
    let session = conn.owner as Session | undefined;
    if (session === undefined) {
      if (this.#stopping) return;
      session = this.#greeter.first(conn, msgId, payload);
      if (session === undefined) return;
    }
    this.#dispatcher.frame(session, msgId, payload);
  }

  closed(conn: Connection): void {
    this.#connections.delete(conn);
    const session = conn.owner as Session | undefined;
    if (session !== undefined) this.#manager.connectionLost(session, conn);
  }

  refused(conn: Connection, code: string, message: string): void {
    this.#metrics.refused(code);
    // Client-supplied text stays under one key; bad input is worth a line, routine closes are not.
    const level =
      code === 'PROTOCOL_ERROR' || code === 'FRAME_TOO_LARGE' || code === 'SLOW_CLIENT' ? 'info' : 'debug';
    this.#host.log[level]({ code, reason: message, remote: conn.socket.remote }, 'client connection closed');
  }

  bytes(direction: 'in' | 'out', n: number): void {
    if (direction === 'in') this.#metrics.bytesIn += n;
    else this.#metrics.bytesOut += n;
  }

  // ---- internals

  #load(): GatewayLoad {
    const a = this.addresses();
    return {
      gateway: this.#host.addr,
      sessions: this.#manager.size,
      lagMs: this.#lagMs,
      ws: a.ws,
      tcp: a.tcp,
    };
  }

  /** uid ownership follows the set of live gateways: re-register local uids whenever it changes. */
  #watchGateways(): void {
    const type = this.#manager.gatewayType;
    const changed = () => {
      const gateways = this.#manager.gateways();
      this.#registry.retain((uid) => uidOwner(uid, gateways)?.addr === this.#host.addr);
      this.#manager.reclaimAll();
    };
    this.#unsubscribe.push(
      this.#host.onMemberUp((m) => {
        if (Addr.type(m.addr) === type) changed();
      }),
      this.#host.onMemberDown((m) => {
        if (Addr.type(m.addr) !== type) return;
        this.#registry.dropGateway(m.addr);
        changed();
      }),
    );
  }

  #startTimers(): void {
    const { idleMs, loadReportMs } = this.#options;
    const sweep = Math.max(10, Math.min(idleMs / 4, 1000));
    this.#timers.push(setInterval(() => this.#sweepIdle(), sweep));
    let last = performance.now();
    this.#timers.push(
      setInterval(() => {
        const now = performance.now();
        this.#lagMs = Math.max(0, now - last - loadReportMs);
        last = now;
      }, loadReportMs),
    );
    for (const t of this.#timers) t.unref();
  }

  #sweepIdle(): void {
    const limit = Date.now() - this.#options.idleMs;
    for (const conn of this.#connections) {
      if (conn.lastActive >= limit || !conn.open) continue;
      const session = conn.owner as Session | undefined;
      const message = `nothing received for ${this.#options.idleMs} ms`;
      if (session !== undefined) this.#manager.close(session, 'idle', { code: 'IDLE_TIMEOUT', message });
      else conn.close('IDLE_TIMEOUT', message, 'idle');
    }
  }

  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    for (const t of this.#timers) clearInterval(t);
    for (const u of this.#unsubscribe) u();
    this.sources.stop();
    const closing = [this.#listeners.ws?.close(), this.#listeners.tcp?.close()];
    const notice = { code: 'GOING_AWAY', message: 'the gateway is shutting down' };
    this.#manager.closeAll('going-away', notice);
    for (const conn of [...this.#connections]) conn.close(notice.code, notice.message, 'going-away');
    // The TCP server resolves once its sockets are gone (each is destroyed at most END_GRACE_MS after end).
    await Promise.all(closing);
  }
}
