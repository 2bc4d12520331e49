// A node: one actor system with a logical address. The public façade over the node core.
import type { Addr } from '@troupe/transport';
import type { EventEmitter } from 'eventemitter3';
import pino, { type Logger } from 'pino';
import type { AnyActorDefinition, Terminated } from '../actor/define.js';
import type { ActorId, ActorRef } from '../actor/ref.js';
import type { SpawnOptions, SpawnRest } from '../actor/spawn.js';
import type { SpawnArgs } from '../actor/types.js';
import type { PickStrategy } from '../membership/pick.js';
import type { KvStore, MemberRecord, MembershipProvider } from '../membership/provider.js';
import { StaticMembership } from '../membership/static.js';
import type { MemberFilter } from '../membership/table.js';
import { NodeCore } from './core.js';
import { defaultExtensions } from './defaults.js';
import type { NodeEvents } from './events.js';
import type { Extension } from './extension.js';
import { type NodeOptions, resolveNodeOptions } from './options.js';
import { type RemoteSpawnOptions, type SpawnTarget, spawnOn } from './remote-spawn.js';
import type { NodeStats, StatsOptions } from './stats.js';
import type { Watcher } from './watches.js';

/** What `Node.start` takes: the node's options, its extensions and whether it only observes. */
export interface NodeStartOptions extends NodeOptions {
  /**
   * Capabilities plugged into the node, started in order (`harbor`, pub/sub, a gateway, ...). A harbor
   * node (type 255) gets the harbor extension unless one named `harbor` is given.
   */
  extensions?: readonly Extension[];
  /** Sees the cluster and calls it, but is never picked (tools, dashboards). Default false. */
  observer?: boolean;
}

const cores = new WeakMap<Node, NodeCore>();

/** The core behind a node, for tests and tools (exported only from the `internal` entry). */
export function coreOf(node: Node): NodeCore {
  const core = cores.get(node);
  if (core === undefined) throw new TypeError('not a started Node');
  return core;
}

type Listener<E extends keyof NodeEvents> = NodeEvents[E];

/**
 * One actor system with a logical address, its links and its view of the cluster. Everything else
 * (links, asks, watches, routing, extensions) lives in a private core.
 */
export class Node {
  readonly #core: NodeCore;

  private constructor(core: NodeCore) {
    this.#core = core;
    cores.set(this, core);
  }

  /** Starts a node: listens, starts its extensions, registers with membership, resolves once the first view is in. */
  static async start(input: NodeStartOptions): Promise<Node> {
    const options = resolveNodeOptions(input);
    const core = await NodeCore.start({
      options,
      membership: input.membership ?? new StaticMembership({ members: [] }),
      logger: input.logger ?? pino({ level: 'silent' }),
      observer: input.observer ?? false,
      extensions: [...defaultExtensions(options.addr, input.extensions ?? []), ...(input.extensions ?? [])],
    });
    return new Node(core);
  }

  get addr(): Addr {
    return this.#core.addr;
  }

  /** Start time + random: tells this run of the node from an earlier one at the same address. */
  get incarnation(): string {
    return this.#core.incarnation;
  }

  get log(): Logger {
    return this.#core.log;
  }

  /** The port this node listens on. */
  get port(): number {
    return this.#core.transport.port;
  }

  /** The membership provider this node registered with. */
  get membership(): MembershipProvider {
    return this.#core.membership;
  }

  /** The cluster's key-value store (the membership provider's). */
  get kv(): KvStore {
    return this.#core.membership.kv;
  }

  /** Whether this node is an observer (never picked). */
  get observer(): boolean {
    return this.#core.observer;
  }

  /** This node's own member record as it registers it. */
  selfView(): MemberRecord {
    return this.#core.selfRecord;
  }

  /** Dead letters so far. */
  get deadLetters(): number {
    return this.#core.deadLetters.total;
  }

  /** Live actors on this node, not counting system actors (`troupe.node`, a harbor's, extensions'). */
  get actorCount(): number {
    const actors = this.#core.actors;
    return actors.size - actors.systemSize;
  }

  // ---- actors ------------------------------------------------------------------------------------

  /** Spawns an actor on this node and returns a ref to it. Throws what `init` throws. */
  spawn<D extends AnyActorDefinition>(def: D, ...[options]: SpawnRest<D>): ActorRef<D> {
    return this.#core.actors.spawn(def, options as SpawnOptions<any> | undefined).self as ActorRef<D>;
  }

  /** A ref to an actor on any node: `ref('1.2.1', 'counter')`, `ref({node, name})`. */
  ref<D extends AnyActorDefinition = AnyActorDefinition>(target: ActorId): ActorRef<D>;
  ref<D extends AnyActorDefinition = AnyActorDefinition>(node: string | number, name: string): ActorRef<D>;
  ref<D extends AnyActorDefinition>(target: ActorId | string | number, name?: string): ActorRef<D> {
    return this.#core.ref<D>(target, name);
  }

  /**
   * Registers `def` under a type name, so other nodes can `spawnOn` this node. Register the same name
   * on the nodes that spawn it too: `spawnOn(addr, Def)` sends the name, never code.
   */
  register(name: string, def: AnyActorDefinition): this {
    this.#core.types.register(name, def);
    return this;
  }

  /**
   * Spawns an actor on another node, by address or by a member of a type picked by a strategy:
   * `await node.spawnOn('1.2.1', Counter, { name: 'c', args: { start: 0 } })`,
   * `await node.spawnOn({ type: 2, strategy: 'leastLoad' }, Counter, {...})`. `def` is a registered
   * definition or its type name. Rejects with `UnknownActorTypeError` when the target has no such
   * type, `ActorExistsError` when the name is taken there, or the ask's errors.
   */
  spawnOn<D extends AnyActorDefinition>(
    where: SpawnTarget,
    def: D | string,
    ...[options]: undefined extends SpawnArgs<D>
      ? [options?: RemoteSpawnOptions<D>]
      : [options: RemoteSpawnOptions<D>]
  ): Promise<ActorRef<D>> {
    return spawnOn(this.#core, where, def, options);
  }

  /** Stops a local actor after the message it is handling; false when there is none. */
  stopActor(target: ActorId, reason = 'stopped'): boolean {
    return target.node === this.#core.addr && this.#core.actors.stop(target.name, reason);
  }

  /** Watches an actor anywhere; `listener` gets `Terminated` once. Returns an unwatch function. */
  watch(target: ActorId, listener: (t: Terminated) => void): () => void {
    const watcher: Watcher = { deliver: listener };
    this.#core.watch(target, watcher);
    return () => this.#core.unwatch(target, watcher);
  }

  // ---- membership ---------------------------------------------------------------------------------

  /** Members this node sees and considers alive, itself included. */
  members(filter?: MemberFilter): MemberRecord[] {
    return this.#core.members(filter);
  }

  /** Picks an available member of `type` (never an observer); throws `NoMemberError` when there is none. */
  pick(type: number, strategy: PickStrategy = 'random'): MemberRecord {
    return this.#core.pick(type, strategy);
  }

  /** Drains (false) or restores (true) this node: it leaves `pick` results but still answers. */
  setAvailable(available: boolean): Promise<void> {
    return this.#core.update({ available });
  }

  /** Reports this node's load (e.g. sessions or actors) for `leastLoad`. */
  setLoad(load: number): Promise<void> {
    return this.#core.update({ load });
  }

  // ---- introspection ------------------------------------------------------------------------------

  /**
   * A snapshot of this node: actors and the deepest mailboxes, asks in flight, dead letters, members,
   * links (bytes, frames, RTT) and each extension's section. The `troupe.node` actor answers the same.
   */
  stats(options?: StatsOptions): NodeStats {
    return this.#core.stats(options);
  }

  // ---- events -------------------------------------------------------------------------------------

  on<E extends keyof NodeEvents>(event: E, listener: Listener<E>): this {
    (this.#core.events as EventEmitter<NodeEvents>).on(event, listener as never);
    return this;
  }

  once<E extends keyof NodeEvents>(event: E, listener: Listener<E>): this {
    (this.#core.events as EventEmitter<NodeEvents>).once(event, listener as never);
    return this;
  }

  off<E extends keyof NodeEvents>(event: E, listener: Listener<E>): this {
    (this.#core.events as EventEmitter<NodeEvents>).off(event, listener as never);
    return this;
  }

  // ---- lifecycle ----------------------------------------------------------------------------------

  /** Stops extensions and actors, deregisters, flushes and closes links. Idempotent. */
  stop(): Promise<void> {
    return this.#core.stop(false);
  }
}
