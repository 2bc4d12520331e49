// The node core: the composition root that owns links, actors, routing, liveness and extensions.
import { Addr, ClosedError, type Frame, type PeerInfo, TcpTransport } from '@troupe/transport';
import { EventEmitter } from 'eventemitter3';
import { nanoid } from 'nanoid';
import type { Logger } from 'pino';
import type { ActorCell } from '../actor/cell.js';
import type { ActorNodeApi } from '../actor/context.js';
import type { AnyActorDefinition } from '../actor/define.js';
import { Dispatcher } from '../actor/dispatcher.js';
import { emitSafely } from '../actor/listeners.js';
import { type ActorId, ActorRef } from '../actor/ref.js';
import { NoMemberError } from '../errors.js';
import { Picker, type PickStrategy } from '../membership/pick.js';
import type { MemberRecord, MembershipProvider } from '../membership/provider.js';
import { type MemberFilter, MemberTable } from '../membership/table.js';
import { ActorTypes } from './actor-types.js';
import { AskTable } from './asks.js';
import { DeadLetterCounts } from './dead-letters.js';
import { LocalDelivery } from './delivery.js';
import type { NodeEvents } from './events.js';
import type { Extension } from './extension.js';
import { FrameKinds } from './frames.js';
import { ExtensionSet } from './host.js';
import { Inbound } from './inbound.js';
import { Liveness } from './liveness.js';
import { isObserver, markObserver } from './observer.js';
import type { ResolvedNodeOptions } from './options.js';
import { Outbound } from './outbound.js';
import { Kind } from './protocol.js';
import { ActorRegistry } from './registry.js';
import { MessageRouter } from './router.js';
import { collectStats, type NodeStats, type StatsOptions } from './stats.js';
import { NODE_ACTOR, NodeActor, type RemoteSpawnRequest } from './system-actor.js';
import { type Watcher, WatchRegistry } from './watches.js';

/** Names of system actors start with this; other nodes may not spawn such names. */
const SYSTEM_PREFIX = 'troupe.';

/** What `NodeCore.start` takes besides the resolved options. */
export interface CoreInput {
  options: Readonly<ResolvedNodeOptions>;
  membership: MembershipProvider;
  /** The logger the caller gave (the core makes its child). */
  logger: Logger;
  observer: boolean;
  extensions: readonly Extension[];
}

/**
 * Everything a node is made of, wired together. Nothing outside the node package reaches it except
 * through the `internal` entry; the public `Node` is a façade over it.
 */
export class NodeCore {
  readonly addr: Addr;
  readonly incarnation: string;
  readonly log: Logger;
  readonly options: Readonly<ResolvedNodeOptions>;
  readonly observer: boolean;
  readonly transport: TcpTransport;
  readonly membership: MembershipProvider;
  readonly events = new EventEmitter<NodeEvents>();
  readonly dispatcher: Dispatcher;
  readonly table: MemberTable;
  readonly asks = new AskTable();
  readonly watches: WatchRegistry;
  readonly out: Outbound;
  readonly frames: FrameKinds;
  readonly delivery: LocalDelivery;
  readonly actors: ActorRegistry;
  readonly router: MessageRouter;
  readonly liveness: Liveness;
  readonly extensions: ExtensionSet;
  readonly picker = new Picker();
  /** Actor types other nodes may spawn here. */
  readonly types = new ActorTypes();
  readonly startedAt = Date.now();
  closed = false;
  /** Dead letters by bounded reason, since the node started. */
  readonly deadLetters = new DeadLetterCounts();
  selfRecord: MemberRecord;
  #stopping: Promise<void> | undefined;

  /** Listens, starts the extensions, registers with membership; resolves once the first view is in. */
  static async start(input: CoreInput): Promise<NodeCore> {
    const { options } = input;
    const incarnation = `${Date.now().toString(36)}-${nanoid(8)}`;
    let core: NodeCore | undefined;
    const transport = await TcpTransport.start({
      ...options.link,
      addr: options.addr,
      clusterId: options.clusterId,
      secret: options.secret,
      incarnation,
      listen: { host: options.listenHost, port: options.listenPort },
      resolve: (peer) => core?.resolvePeer(peer),
      // The transport binds the node's address itself.
      logger: input.logger,
    });
    core = new NodeCore(input, transport, incarnation);
    try {
      await core.wire(input.extensions);
    } catch (err) {
      await core.stop(false);
      throw err;
    }
    return core;
  }

  private constructor(input: CoreInput, transport: TcpTransport, incarnation: string) {
    const options = input.options;
    this.options = options;
    this.addr = options.addr;
    this.incarnation = incarnation;
    this.log = input.logger.child({ node: Addr.format(options.addr) });
    this.observer = input.observer;
    this.transport = transport;
    this.membership = input.membership;
    this.dispatcher = new Dispatcher(options.throughput, options.turnBudget, (err) =>
      this.log.error({ err }, 'run failed'),
    );
    this.table = new MemberTable(options.addr);
    this.out = new Outbound(options.addr, transport, this.table, this.membership, options.maxHops, this.log);
    this.watches = new WatchRegistry(options.addr, {
      sendWatch: (t) => {
        try {
          this.out.remote(t.node, Kind.Watch, [t.name]);
        } catch (err) {
          // No path to the target: the watch can never fire otherwise, so it fires now.
          const reason = `unreachable: ${(err as Error).message}`;
          queueMicrotask(() => this.watches.terminated(t, reason));
        }
      },
      sendUnwatch: (t) => this.out.control(t.node, Kind.Unwatch, [t.name]),
      sendTerminated: (to, name, reason) => this.out.control(to, Kind.Terminated, [name, reason]),
      onListenerError: (err) => this.log.warn({ err }, 'watch listener threw'),
    });
    this.frames = new FrameKinds(
      options.addr,
      (frame, via, reason) => this.unclaimed(frame, via, reason),
      (err, frame, via, owner) => {
        this.log.warn({ err, owner, kind: frame.kind, from: Addr.format(via) }, 'frame handler threw');
        this.deadLetter({ node: frame.to, name: '' }, '', `${owner} frame handler threw`);
      },
    );
    this.delivery = new LocalDelivery(this);
    this.actors = new ActorRegistry(this);
    this.router = new MessageRouter(this);
    this.liveness = new Liveness(this);
    new Inbound(this).claim(this.frames);
    this.extensions = new ExtensionSet(this);
    this.selfRecord = {
      addr: options.addr,
      host: options.advertiseHost,
      port: transport.port,
      export: options.export,
      available: true,
      load: 0,
      incarnation,
      meta: markObserver(options.meta, input.observer),
    };
  }

  private async wire(extensions: readonly Extension[]): Promise<void> {
    const t = this.transport;
    t.onFrame = (frame: Frame, via: Addr) => this.frames.dispatch(frame, via);
    t.on('up', (peer: Addr, info: PeerInfo) => {
      this.liveness.peerBack(peer);
      this.table.linkUp(peer, info.incarnation);
    });
    t.on('down', (peer: Addr, reason: string) => this.liveness.peerDown(peer, reason));
    t.on('error', (err: Error, peer?: Addr) =>
      this.log.warn({ err, peer: peer === undefined ? undefined : Addr.format(peer) }, 'link error'),
    );
    const table = this.table;
    const events = this.events;
    table.on('memberUp', (m) => {
      // Membership says it is back: dial now rather than after the link's reconnect backoff.
      t.resetBackoff(m.addr);
      this.liveness.peerBack(m.addr);
      this.liveness.memberUp.emit(m);
      events.emit('memberUp', m);
    });
    table.on('memberChanged', (m, p) => {
      if (m.incarnation !== p.incarnation) t.resetBackoff(m.addr);
      events.emit('memberChanged', m, p);
    });
    table.on('memberDown', (m, reason) => {
      this.liveness.peerGone(m.addr, reason);
      if (t.isUp(m.addr) && !table.get(m.addr)) t.disconnect(m.addr, reason);
      this.liveness.memberDown.emit(m, reason);
      events.emit('memberDown', m, reason);
    });
    this.membership.attach?.({
      addr: this.addr,
      log: this.log,
      spawnSystem: (def, name, args) => this.spawnSystem(def, name, args),
      ref: (target) => this.ref(target, undefined),
      stopActor: (target, reason) =>
        target.node === this.addr && this.actors.stop(target.name, reason ?? 'stopped'),
    });
    this.spawnSystem(NodeActor, NODE_ACTOR, { host: this });
    // Extensions start before membership, so their system actors exist when peers first see the node.
    await this.extensions.start(extensions);
    await this.membership.start(this.selfRecord, (view) => table.applyView(view));
    this.liveness.start(this.options.probeIntervalMs);
    await this.extensions.ready();
  }

  // ---- actors -------------------------------------------------------------------------------------

  spawnSystem(def: AnyActorDefinition, name: string, args?: unknown): ActorRef<any> {
    return this.actors.spawn(def, { name, args }, undefined, true).self;
  }

  /** A ref to `target` sending as `sender`. */
  ref<D extends AnyActorDefinition>(
    target: ActorId | string | number,
    name: string | undefined,
    sender?: ActorId,
  ): ActorRef<D> {
    if (typeof target === 'object')
      return new ActorRef<D>(Addr.of(target.node as Addr), String(target.name), this.router, sender);
    if (typeof name !== 'string' || name === '')
      throw new TypeError('ref(node, name): name must be a non-empty string');
    return new ActorRef<D>(Addr.of(target as Addr | string), name, this.router, sender);
  }

  cell(name: string): ActorCell | undefined {
    return this.actors.get(name);
  }

  hasActor(name: string): boolean {
    return this.actors.has(name);
  }

  get mailboxLimit(): number {
    return this.options.mailboxLimit;
  }

  get askTimeoutMs(): number {
    return this.options.askTimeoutMs;
  }

  nodeApi(cell: ActorCell): ActorNodeApi {
    const core = this;
    return {
      addr: this.addr,
      ref(target: ActorId | string | number, name?: string) {
        return core.ref(target, name, cell.id);
      },
      pick: (type: number, strategy?: PickStrategy) => this.pick(type, strategy),
      members: (filter?: MemberFilter) => this.members(filter),
      get kv() {
        return core.membership.kv;
      },
    } as ActorNodeApi;
  }

  /** Spawns a registered type for another node (`troupe.node`'s `spawn`). */
  spawnType(request: RemoteSpawnRequest): ActorId {
    const def = this.types.get(request.type, Addr.format(this.addr));
    const { type: _type, ...options } = request;
    if (options.name?.startsWith(SYSTEM_PREFIX))
      throw new TypeError(`spawn: names starting "${SYSTEM_PREFIX}" are reserved for system actors`);
    return this.actors.spawn(def, options).id;
  }

  typeNames(): string[] {
    return this.types.names();
  }

  stats(options?: StatsOptions): NodeStats {
    return collectStats(this, this.startedAt, options);
  }

  // ---- watches ------------------------------------------------------------------------------------

  watch(target: ActorId, watcher: Watcher): void {
    const id = { node: Addr.of(target.node as Addr), name: target.name };
    if (id.node === this.addr && !this.actors.has(id.name)) {
      queueMicrotask(() => watcher.deliver({ ref: id, reason: 'not found' }));
      return;
    }
    if (id.node !== this.addr && !this.table.isAlive(id.node) && this.table.get(id.node) !== undefined) {
      queueMicrotask(() => watcher.deliver({ ref: id, reason: 'node down' }));
      return;
    }
    this.watches.add(id, watcher);
  }

  unwatch(target: ActorId, watcher: Watcher): void {
    this.watches.remove(target, watcher);
  }

  stopped(id: ActorId, watcher: Watcher, reason: string): void {
    this.watches.removeWatcher(watcher);
    this.watches.terminated(id, reason);
  }

  // ---- what the parts report ----------------------------------------------------------------------

  deadLetter(to: ActorId, handler: string, reason: string): void {
    this.deadLetters.add(reason);
    if (this.log.isLevelEnabled('debug'))
      this.log.debug({ to: `${Addr.format(to.node as Addr)}/${to.name}`, handler, reason }, 'dead letter');
    if (this.events.listenerCount('deadLetter') > 0)
      emitSafely(this.events, this.log, 'deadLetter', { to, handler, reason });
  }

  hookFailed(err: unknown, name: string): void {
    this.log.warn({ err, actor: name }, 'activation hook threw');
  }

  listenerFailed(err: unknown): void {
    this.log.warn({ err }, 'extension listener threw');
  }

  reply(to: number, askId: number, status: number, payload: unknown): void {
    this.out.reply(to, askId, status, payload);
  }

  control(to: number, kind: number, body: unknown[]): void {
    this.out.control(to, kind, body);
  }

  reachable(peer: number): void {
    this.table.reachable(peer);
  }

  reportPeerDown(peer: number, reason: string): void {
    this.liveness.peerDown(peer, reason);
  }

  private unclaimed(frame: Frame, via: Addr, reason: string): void {
    // A frame for another node arriving at a non-relay is a peer's routing mistake, not an attack.
    if (frame.to === this.addr)
      this.log.warn({ from: Addr.format(via), kind: frame.kind, reason }, 'malformed frame dropped');
    this.deadLetter({ node: frame.to, name: '' }, '', reason);
  }

  // ---- cluster ------------------------------------------------------------------------------------

  members(filter?: MemberFilter): MemberRecord[] {
    return this.table.members(filter);
  }

  /** An available member of `type`, never an observer; throws `NoMemberError`. */
  pick(type: number, strategy: PickStrategy = 'random'): MemberRecord {
    const candidates = this.table.candidates(type).filter((m) => !isObserver(m));
    const m = this.picker.pick(type, candidates, strategy);
    if (m === undefined) throw new NoMemberError(`no available member of type ${type}`);
    return m;
  }

  /** Publishes a changed record of this node. */
  async update(change: Partial<Pick<MemberRecord, 'available' | 'load'>>): Promise<void> {
    this.selfRecord = { ...this.selfRecord, ...change };
    await this.membership.update(this.selfRecord);
  }

  /** Where to dial `peer`. */
  resolvePeer(peer: Addr): { host: string; port: number } | undefined {
    const r = this.table.get(peer);
    return r === undefined ? this.membership.resolve?.(peer) : { host: r.host, port: r.port };
  }

  // ---- lifecycle ----------------------------------------------------------------------------------

  /**
   * Graceful (`abrupt` false) or abrupt stop; idempotent, the first call decides. `drainMs` bounds
   * how long running handlers may finish (default the `stopDrainMs` option; 0 when abrupt).
   */
  stop(abrupt: boolean, drainMs?: number): Promise<void> {
    this.#stopping ??= this.doStop(abrupt, drainMs ?? (abrupt ? 0 : this.options.stopDrainMs));
    return this.#stopping;
  }

  private async doStop(abrupt: boolean, drainMs: number): Promise<void> {
    this.liveness.stop();
    if (abrupt) {
      this.transport.destroy();
      await this.extensions.stop();
      const p = this.membership as { kill?: () => Promise<void> | void };
      try {
        if (typeof p.kill === 'function') await p.kill();
        else await this.membership.stop();
      } catch (err) {
        this.log.debug({ err }, 'membership kill failed');
      }
    } else {
      // Extensions first, then deregistration: both need the links and actors still up.
      await this.extensions.stop();
      try {
        await this.membership.stop();
      } catch (err) {
        this.log.warn({ err }, 'membership stop failed');
      }
    }
    this.closed = true;
    await this.actors.stopAll('node stopping', drainMs);
    this.asks.rejectAll(new ClosedError(`node ${Addr.format(this.addr)}`));
    this.dispatcher.close();
    if (!abrupt) await this.transport.close();
    this.events.removeAllListeners();
  }
}
