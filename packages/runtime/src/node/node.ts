// A node: one actor system with a logical address, its links, membership view, asks and watches.
import { Addr, ClosedError, type Frame, type PeerInfo, TcpTransport } from '@troupe/transport';
import { EventEmitter } from 'eventemitter3';
import { nanoid } from 'nanoid';
import pino, { type Logger } from 'pino';
import type { CellHost } from '../actor/cell.js';
import { ActorCell } from '../actor/cell.js';
import type { ActorNodeApi } from '../actor/context.js';
import type { AnyActorDefinition, Terminated } from '../actor/define.js';
import { Dispatcher } from '../actor/dispatcher.js';
import { Envelope } from '../actor/envelope.js';
import { type ActorId, ActorRef, type Router } from '../actor/ref.js';
import type { SpawnOptions, SpawnRest } from '../actor/spawn.js';
import type { CallOptions } from '../actor/types.js';
import { ActorExistsError, ActorNotFoundError, NoMemberError } from '../errors.js';
import { Picker, type PickStrategy } from '../membership/pick.js';
import type { MemberRecord, MembershipProvider } from '../membership/provider.js';
import { StaticMembership } from '../membership/static.js';
import { type MemberFilter, MemberTable } from '../membership/table.js';
import { AskTable } from './asks.js';
import { HARBOR_ACTOR, Harbor, HarborActor } from './harbor.js';
import { Inbound } from './inbound.js';
import { type NodeOptions, type ResolvedNodeOptions, resolveNodeOptions } from './options.js';
import { Outbound } from './outbound.js';
import { Kind } from './protocol.js';
import { type Watcher, WatchRegistry } from './watches.js';

/** A message that could not be delivered. */
export interface DeadLetter {
  to: ActorId;
  handler: string;
  reason: string;
}

export interface NodeEvents {
  memberUp: (member: MemberRecord) => void;
  memberDown: (member: MemberRecord, reason: string) => void;
  memberChanged: (member: MemberRecord, previous: MemberRecord) => void;
  deadLetter: (letter: DeadLetter) => void;
}

export class Node extends EventEmitter<NodeEvents> implements Router, CellHost {
  readonly addr: Addr;
  readonly incarnation: string;
  readonly log: Logger;
  readonly dispatcher: Dispatcher;
  /** @internal */ readonly options: Readonly<ResolvedNodeOptions>;
  /** @internal */ readonly transport: TcpTransport;
  /** @internal */ readonly cells = new Map<string, ActorCell>();
  /** @internal */ readonly asks = new AskTable();
  /** @internal */ readonly watches: WatchRegistry;
  /** @internal */ readonly table: MemberTable;
  /** @internal Frames to other nodes. */
  readonly out: Outbound;
  readonly membership: MembershipProvider;
  private readonly picker = new Picker();
  private readonly inbound: Inbound;
  /** @internal Set on harbor nodes (type 255). */
  readonly harbor: Harbor | undefined;
  private deadLetterCount = 0;
  private selfRecord: MemberRecord;
  private probeTimer: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;
  private closed = false;

  private constructor(
    options: Readonly<ResolvedNodeOptions>,
    transport: TcpTransport,
    membership: MembershipProvider,
    logger: Logger,
    incarnation: string,
  ) {
    super();
    this.options = options;
    this.addr = options.addr;
    this.incarnation = incarnation;
    this.log = logger;
    this.transport = transport;
    this.membership = membership;
    this.dispatcher = new Dispatcher(options.throughput, options.turnBudget);
    this.table = new MemberTable(options.addr);
    this.out = new Outbound(options.addr, transport, this.table, membership, options.maxHops, logger);
    this.inbound = new Inbound(this);
    this.harbor = Addr.isHarbor(options.addr) ? new Harbor(this) : undefined;
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
    this.selfRecord = {
      addr: options.addr,
      host: options.advertiseHost,
      port: transport.port,
      export: options.export,
      available: true,
      load: 0,
      incarnation,
      meta: options.meta,
    };
  }

  /** Starts a node: listens, registers with membership and resolves once the first view is in. */
  static async start(input: NodeOptions): Promise<Node> {
    const options = resolveNodeOptions(input);
    const base = input.logger ?? pino({ level: 'silent' });
    const logger = base.child({ node: Addr.format(options.addr) });
    const incarnation = `${Date.now().toString(36)}-${nanoid(8)}`;
    const membership = input.membership ?? new StaticMembership({ members: [] });
    let node: Node | undefined;
    const transport = await TcpTransport.start({
      ...options.link,
      addr: options.addr,
      clusterId: options.clusterId,
      secret: options.secret,
      incarnation,
      listen: { host: options.listenHost, port: options.listenPort },
      resolve: (peer) => node?.resolvePeer(peer),
      // The transport binds the node's address itself.
      logger: base,
    });
    node = new Node(options, transport, membership, logger, incarnation);
    try {
      await node.wire();
    } catch (err) {
      await node.stop();
      throw err;
    }
    return node;
  }

  private async wire(): Promise<void> {
    const t = this.transport;
    t.onFrame = (frame: Frame, via: Addr) => this.inbound.frame(frame, via);
    t.on('up', (peer: Addr, info: PeerInfo) => this.table.linkUp(peer, info.incarnation));
    t.on('down', (peer: Addr, reason: string) => this.peerDown(peer, reason));
    t.on('error', (err: Error, peer?: Addr) =>
      this.log.warn({ err, peer: peer === undefined ? undefined : Addr.format(peer) }, 'link error'),
    );
    this.table.on('memberUp', (m) => {
      this.transport.resetBackoff(m.addr);
      this.emit('memberUp', m);
    });
    this.table.on('memberChanged', (m, p) => this.emit('memberChanged', m, p));
    this.table.on('memberDown', (m, reason) => {
      this.peerGone(m.addr, reason);
      if (this.transport.isUp(m.addr) && !this.table.get(m.addr)) this.transport.disconnect(m.addr, reason);
      this.emit('memberDown', m, reason);
    });
    this.membership.attach?.({
      addr: this.addr,
      log: this.log,
      spawnSystem: (def, name, args) => this.spawnCell(def, { name, args }, undefined).self,
      ref: (target) => this.ref(target),
      stopActor: (target, reason) => this.stopActor(target, reason),
    });
    if (this.harbor !== undefined)
      this.spawn(HarborActor, { name: HARBOR_ACTOR, args: { harbor: this.harbor } });
    await this.membership.start(this.selfRecord, (view) => this.table.applyView(view));
    this.probeTimer = setInterval(() => this.probe(), this.options.probeIntervalMs);
    this.probeTimer.unref();
  }

  /** The port this node listens on. */
  get port(): number {
    return this.transport.port;
  }

  /** This node's own member record as it registers it. */
  selfView(): MemberRecord {
    return this.selfRecord;
  }

  /** Dead letters so far. */
  get deadLetters(): number {
    return this.deadLetterCount;
  }

  /** Live actors on this node. */
  get actorCount(): number {
    return this.cells.size;
  }

  // ---- actors ------------------------------------------------------------------------------------

  /** Spawns an actor on this node and returns a ref to it. Throws what `init` throws. */
  spawn<D extends AnyActorDefinition>(def: D, ...[options]: SpawnRest<D>): ActorRef<D> {
    return this.spawnCell(def, options as SpawnOptions<any> | undefined, undefined).self as ActorRef<D>;
  }

  private spawnCell(
    def: AnyActorDefinition,
    options: SpawnOptions<any> | undefined,
    parent: ActorCell | undefined,
  ) {
    if (this.closed) throw new ClosedError(`node ${Addr.format(this.addr)}`);
    const name = options?.name ?? nanoid();
    if (this.cells.has(name))
      throw new ActorExistsError(`an actor named "${name}" already runs on ${Addr.format(this.addr)}`);
    const cell = new ActorCell(
      this,
      def,
      name,
      this.addr,
      options?.args,
      {
        ...(options?.supervision ? { supervision: options.supervision } : {}),
        mailboxLimit: options?.mailboxLimit ?? def.mailboxLimit ?? this.options.mailboxLimit,
      },
      parent,
    );
    this.cells.set(name, cell);
    try {
      cell.start();
    } catch (err) {
      this.cells.delete(name);
      throw err;
    }
    if (parent !== undefined) {
      parent.children ??= new Set();
      parent.children.add(cell);
    }
    return cell;
  }

  /** A ref to an actor on any node: `ref('1.2.1', 'counter')`, `ref({node, name})`. */
  ref<D extends AnyActorDefinition = AnyActorDefinition>(target: ActorId): ActorRef<D>;
  ref<D extends AnyActorDefinition = AnyActorDefinition>(node: string | number, name: string): ActorRef<D>;
  ref<D extends AnyActorDefinition>(target: ActorId | string | number, name?: string): ActorRef<D> {
    return this.refFrom(target, name, undefined);
  }

  private refFrom<D extends AnyActorDefinition>(
    target: ActorId | string | number,
    name: string | undefined,
    sender: ActorId | undefined,
  ): ActorRef<D> {
    if (typeof target === 'object')
      return new ActorRef<D>(Addr.of(target.node as Addr), String(target.name), this, sender);
    if (typeof name !== 'string' || name === '')
      throw new TypeError('ref(node, name): name must be a non-empty string');
    return new ActorRef<D>(Addr.of(target as Addr | string), name, this, sender);
  }

  /** Stops an actor after the message it is handling. */
  stopActor(target: ActorId, reason = 'stopped'): boolean {
    if (target.node !== this.addr) return false;
    const cell = this.cells.get(target.name);
    if (cell === undefined) return false;
    cell.requestStop(reason);
    return true;
  }

  /** Watches an actor anywhere; `listener` gets `Terminated` once. Returns an unwatch function. */
  watch(target: ActorId, listener: (t: Terminated) => void): () => void {
    const watcher: Watcher = { deliver: listener };
    this.watchTarget(target, watcher);
    return () => {
      this.watches.remove(target, watcher);
    };
  }

  private watchTarget(target: ActorId, watcher: Watcher): void {
    const id = { node: Addr.of(target.node as Addr), name: target.name };
    if (id.node === this.addr && !this.cells.has(id.name)) {
      queueMicrotask(() => watcher.deliver({ ref: id, reason: 'not found' }));
      return;
    }
    if (id.node !== this.addr && !this.table.isAlive(id.node) && this.table.get(id.node) !== undefined) {
      queueMicrotask(() => watcher.deliver({ ref: id, reason: 'node down' }));
      return;
    }
    this.watches.add(id, watcher);
  }

  // ---- Router: tell / ask -------------------------------------------------------------------------

  tell(target: ActorId, handler: string, arg: unknown, sender: ActorId | undefined): void {
    if (target.node === this.addr) {
      if (this.closed) throw new ClosedError(`node ${Addr.format(this.addr)}`);
      const cell = this.cells.get(target.name);
      if (cell === undefined) {
        this.deadLetter(target, handler, 'actor not found');
        return;
      }
      cell.enqueue(new Envelope(handler, arg, this.addr, sender?.name, undefined));
      return;
    }
    this.out.call(target.node, Kind.Tell, this.out.calls.head(-1, target.name, handler, sender?.name), arg);
  }

  ask(
    target: ActorId,
    handler: string,
    arg: unknown,
    options: CallOptions | undefined,
    sender: ActorId | undefined,
  ): Promise<unknown> {
    const ask = this.asks.create(
      target,
      handler,
      options?.timeoutMs ?? this.options.askTimeoutMs,
      options?.signal,
    );
    if (ask.settled) return ask.promise;
    try {
      if (this.closed) throw new ClosedError(`node ${Addr.format(this.addr)}`);
      if (target.node === this.addr) {
        const cell = this.cells.get(target.name);
        if (cell === undefined)
          throw new ActorNotFoundError(`no actor "${target.name}" on ${Addr.format(this.addr)}`);
        cell.enqueue(new Envelope(handler, arg, this.addr, sender?.name, ask));
      } else {
        const out = this.out;
        const via = out.route(this.addr, target.node);
        this.asks.track(ask, target.node, via, via === target.node ? undefined : out.farHarbor(target.node));
        out.call(target.node, Kind.Ask, out.calls.head(ask.id, target.name, handler, sender?.name), arg);
      }
    } catch (err) {
      ask.reject(err as Error);
    }
    return ask.promise;
  }

  // ---- membership ---------------------------------------------------------------------------------

  /** Members this node sees and considers alive, itself included. */
  members(filter?: MemberFilter): MemberRecord[] {
    return this.table.members(filter);
  }

  /** Picks an available member of `type`; throws `NoMemberError` when there is none. */
  pick(type: number, strategy: PickStrategy = 'random'): MemberRecord {
    const m = this.picker.pick(type, this.table.candidates(type), strategy);
    if (m === undefined) throw new NoMemberError(`no available member of type ${type}`);
    return m;
  }

  /** Drains (false) or restores (true) this node: it leaves `pick` results but still answers. */
  async setAvailable(available: boolean): Promise<void> {
    this.selfRecord = { ...this.selfRecord, available };
    await this.membership.update(this.selfRecord);
  }

  /** Reports this node's load (e.g. sessions or actors) for `leastLoad`. */
  async setLoad(load: number): Promise<void> {
    this.selfRecord = { ...this.selfRecord, load };
    await this.membership.update(this.selfRecord);
  }

  /** @internal Where to dial `peer`. */
  resolvePeer(peer: Addr): { host: string; port: number } | undefined {
    const r = this.table.get(peer);
    return r === undefined ? this.membership.resolve?.(peer) : { host: r.host, port: r.port };
  }

  /**
   * `peer` is down (its link failed, or a harbor reported it): mark it in the view, which reports
   * memberDown and fails what waits on it; a peer outside the view fails its waiters directly.
   */
  peerDown(peer: number, reason: string): void {
    if (!this.table.linkDown(peer, reason)) this.peerGone(peer, reason);
  }

  /** @internal `peer` is gone: its asks and watches fail, and so does what only it could carry. */
  peerGone(peer: number, reason: string): void {
    this.asks.peerDown(peer, reason);
    this.watches.nodeDown(peer, `node down: ${reason}`);
    this.harbor?.peerDown(peer, reason);
    if (!Addr.isHarbor(peer as Addr)) return;
    // A harbor carried watches across groups: those whose path has no harbor left die with it.
    const ownGroup = Addr.group(this.addr);
    const harborGroup = Addr.group(peer as Addr);
    const pathGone = (group: number) => !this.table.harbors(group).some((h) => h.addr !== peer);
    for (const node of this.watches.watchedNodes()) {
      const group = Addr.group(node as Addr);
      if (group === ownGroup) continue;
      const viaOwn = harborGroup === ownGroup && !Addr.isHarbor(this.addr);
      if ((viaOwn && pathGone(ownGroup)) || (harborGroup === group && pathGone(group))) {
        this.watches.nodeDown(node, `harbor path down: ${reason}`);
      }
    }
  }

  /** Re-dials members whose link is down, so a returning node is noticed without traffic. */
  private probe(): void {
    for (const addr of this.table.suspected()) this.out.control(addr, Kind.Probe, []);
  }

  // ---- CellHost -----------------------------------------------------------------------------------

  makeRef(id: ActorId, sender: ActorId | undefined, asSelf = false): ActorRef<any> {
    return new ActorRef(id.node as Addr, id.name, this, asSelf ? 'self' : sender);
  }

  actorLogger(name: string): Logger {
    return this.log.child({ actor: name });
  }

  nodeApi(cell: ActorCell): ActorNodeApi {
    const node = this;
    return {
      addr: this.addr,
      ref(target: ActorId | string | number, name?: string) {
        return node.refFrom(target, name, cell.id);
      },
    } as ActorNodeApi;
  }

  spawnChild(
    parent: ActorCell,
    def: AnyActorDefinition,
    options: SpawnOptions<any> | undefined,
  ): ActorRef<any> {
    const cell = this.spawnCell(def, options, parent);
    return this.makeRef(cell.id, parent.id);
  }

  watchFor(watcher: ActorCell, target: ActorId): void {
    this.watchTarget(target, watcher.asWatcher);
  }

  unwatchFor(watcher: ActorCell, target: ActorId): void {
    this.watches.remove(target, watcher.asWatcher);
  }

  deadLetter(to: ActorId, handler: string, reason: string): void {
    this.deadLetterCount++;
    if (this.log.isLevelEnabled('debug'))
      this.log.debug({ to: `${Addr.format(to.node as Addr)}/${to.name}`, handler, reason }, 'dead letter');
    if (this.listenerCount('deadLetter') > 0) this.emit('deadLetter', { to, handler, reason });
  }

  cellStopped(cell: ActorCell, reason: string): void {
    if (this.cells.get(cell.id.name) === cell) this.cells.delete(cell.id.name);
    cell.parent?.children?.delete(cell);
    this.watches.removeWatcher(cell.asWatcher);
    this.watches.terminated(cell.id, reason);
  }

  // ---- lifecycle ----------------------------------------------------------------------------------

  /** Stops actors, deregisters, flushes and closes links. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.doStop(false);
    return this.stopping;
  }

  /** @internal Abrupt stop for tests: sockets destroyed, no goodbye, no deregistration. */
  kill(): Promise<void> {
    this.stopping ??= this.doStop(true);
    return this.stopping;
  }

  private async doStop(abrupt: boolean): Promise<void> {
    if (this.probeTimer) clearInterval(this.probeTimer);
    if (abrupt) {
      this.transport.destroy();
      const p = this.membership as { kill?: () => Promise<void> | void };
      try {
        if (typeof p.kill === 'function') await p.kill();
        else await this.membership.stop();
      } catch (err) {
        this.log.debug({ err }, 'membership kill failed');
      }
    } else {
      // Deregister first: it needs the links and actors still up.
      try {
        await this.membership.stop();
      } catch (err) {
        this.log.warn({ err }, 'membership stop failed');
      }
    }
    this.closed = true;
    for (const cell of [...this.cells.values()]) cell.stopNow('node stopping');
    this.asks.rejectAll(new ClosedError(`node ${Addr.format(this.addr)}`));
    this.dispatcher.close();
    if (!abrupt) await this.transport.close();
    this.removeAllListeners();
  }
}
