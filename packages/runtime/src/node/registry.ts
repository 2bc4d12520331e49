// The actor registry: the live actors of one node by name, spawning and stopping them, and what cells need.
import { Addr, ClosedError } from '@troupe/transport';
import { nanoid } from 'nanoid';
import type { Logger } from 'pino';
import { ActorCell, type CellHost } from '../actor/cell.js';
import type { ActorNodeApi } from '../actor/context.js';
import type { AnyActorDefinition } from '../actor/define.js';
import type { Dispatcher } from '../actor/dispatcher.js';
import { type ActorId, ActorRef, type Router } from '../actor/ref.js';
import { CellRegistry } from '../actor/registry.js';
import type { SpawnOptions } from '../actor/spawn.js';
import { ActorExistsError } from '../errors.js';
import type { Watcher } from './watches.js';

/** What the registry needs from its node. */
export interface RegistryHost {
  readonly addr: Addr;
  readonly dispatcher: Dispatcher;
  readonly router: Router;
  readonly log: Logger;
  readonly mailboxLimit: number;
  readonly closed: boolean;
  /** The node API an actor's context shows (`ctx.node`). */
  nodeApi(cell: ActorCell): ActorNodeApi;
  watch(target: ActorId, watcher: Watcher): void;
  unwatch(target: ActorId, watcher: Watcher): void;
  /** The actor stopped: drop its watches and tell who watched it. */
  stopped(id: ActorId, watcher: Watcher, reason: string): void;
  deadLetter(to: ActorId, handler: string, reason: string): void;
}

/** The live actors of a node; the `CellHost` every cell talks to. */
export class ActorRegistry implements CellHost {
  readonly #cells = new CellRegistry();
  /** System actors (spawned by the node, its membership provider or its extensions). */
  readonly #system = new Set<ActorCell>();

  constructor(private readonly host: RegistryHost) {}

  get dispatcher(): Dispatcher {
    return this.host.dispatcher;
  }

  /** The live actor of that name. */
  get(name: string): ActorCell | undefined {
    return this.#cells.get(name);
  }

  has(name: string): boolean {
    return this.#cells.has(name);
  }

  /** Live actors, system actors included. */
  get size(): number {
    return this.#cells.size;
  }

  /** Live system actors. */
  get systemSize(): number {
    return this.#system.size;
  }

  /** Every live actor (a snapshot, for stats and shutdown). */
  all(): ActorCell[] {
    return [...this.#cells.values()];
  }

  /** Spawns an actor; throws `ActorExistsError`, `ClosedError`, or what `init` throws. */
  spawn(
    def: AnyActorDefinition,
    options: SpawnOptions<any> | undefined,
    parent?: ActorCell,
    system = false,
  ): ActorCell {
    const host = this.host;
    if (host.closed) throw new ClosedError(`node ${Addr.format(host.addr)}`);
    const name = options?.name ?? nanoid();
    if (this.#cells.has(name))
      throw new ActorExistsError(`an actor named "${name}" already runs on ${Addr.format(host.addr)}`);
    const cell = new ActorCell(
      this,
      def,
      name,
      host.addr,
      options?.args,
      {
        ...(options?.supervision ? { supervision: options.supervision } : {}),
        mailboxLimit: options?.mailboxLimit ?? def.mailboxLimit ?? host.mailboxLimit,
      },
      parent,
    );
    this.#cells.set(name, cell);
    try {
      cell.start();
    } catch (err) {
      this.#cells.delete(name);
      throw err;
    }
    if (system) this.#system.add(cell);
    if (parent !== undefined) {
      parent.children ??= new Set();
      parent.children.add(cell);
    }
    return cell;
  }

  /** Asks the named actor to stop after the message it is handling; false when there is none. */
  stop(name: string, reason: string): boolean {
    const cell = this.#cells.get(name);
    if (cell === undefined) return false;
    cell.requestStop(reason);
    return true;
  }

  /** Stops every actor, letting running handlers finish for at most `drainMs` (node shutdown). */
  stopAll(reason: string, drainMs: number): Promise<void> {
    return this.#cells.stopAll(reason, drainMs);
  }

  /** Holds back the named actor's user messages (backpressure); false when there is no such actor. */
  suspend(name: string): boolean {
    return this.#cells.suspend(name);
  }

  /** Lets a suspended actor's user messages run again; false when there is no such actor. */
  resume(name: string): boolean {
    return this.#cells.resume(name);
  }

  // ---- CellHost ----------------------------------------------------------------------------------

  makeRef(id: ActorId, sender: ActorId | undefined, asSelf = false): ActorRef<any> {
    return new ActorRef(id.node as Addr, id.name, this.host.router, asSelf ? 'self' : sender);
  }

  actorLogger(name: string): Logger {
    return this.host.log.child({ actor: name });
  }

  nodeApi(cell: ActorCell): ActorNodeApi {
    return this.host.nodeApi(cell);
  }

  spawnChild(
    parent: ActorCell,
    def: AnyActorDefinition,
    options: SpawnOptions<any> | undefined,
  ): ActorRef<any> {
    const cell = this.spawn(def, options, parent);
    return this.makeRef(cell.id, parent.id);
  }

  watchFor(watcher: ActorCell, target: ActorId): void {
    this.host.watch(target, watcher.asWatcher);
  }

  unwatchFor(watcher: ActorCell, target: ActorId): void {
    this.host.unwatch(target, watcher.asWatcher);
  }

  deadLetter(to: ActorId, handler: string, reason: string): void {
    this.host.deadLetter(to, handler, reason);
  }

  cellStopped(cell: ActorCell, reason: string): void {
    if (this.#cells.get(cell.id.name) === cell) this.#cells.delete(cell.id.name);
    cell.parent?.children?.delete(cell);
    this.#system.delete(cell);
    this.host.stopped(cell.id, cell.asWatcher, reason);
  }
}
