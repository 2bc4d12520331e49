// The entities extension: virtual actors addressed by kind and id, wherever they live.
import {
  type ActorDefinition,
  ActorRef,
  Addr,
  type Extension,
  type ExtensionHost,
  type Handlers,
  type LocalMessage,
} from '@troupe/runtime';
import { Activations, CONTROL_ACTOR, type EntityCounters, settle } from './activations.js';
import { EntitiesControl, type EntitiesCore, type Forwarded } from './control.js';
import { EntitiesNotStartedError, EntityKindError, EntityUnavailableError } from './errors.js';
import { type EntityArgs, type EntityKind, entityName, parseEntityName } from './kind.js';
import { type EntitiesOptions, type ResolvedEntitiesOptions, resolveEntitiesOptions } from './options.js';
import { Ownership } from './ownership.js';

/** Counters and gauges in the node's stats under `entities`. */
export interface EntitiesStats extends EntityCounters {
  active: number;
  pending: number;
  owned: number;
}

type Router = ConstructorParameters<typeof ActorRef>[2];

/**
 * Entities for a node: `Node.start({ extensions: [entities({ kinds: [Player] })] })`. Every node that
 * addresses entities runs it with the kinds it uses; nodes of a kind's type host them.
 */
export class Entities implements Extension, EntitiesCore {
  readonly name = 'entities';
  readonly options: ResolvedEntitiesOptions;
  readonly #kinds: ReadonlyMap<string, EntityKind>;
  #host: ExtensionHost | undefined;
  #activations: Activations | undefined;
  #timer: NodeJS.Timeout | undefined;
  readonly #unhook: Array<() => void> = [];
  readonly #router: Router = {
    tell: (target, handler, arg) => {
      this.#refTo(target.name).tell(handler, arg);
    },
    ask: (target, handler, arg, options) => {
      try {
        return this.#refTo(target.name).ask(handler, arg, options);
      } catch (err) {
        return Promise.reject(err);
      }
    },
  };

  constructor(options: EntitiesOptions) {
    this.options = resolveEntitiesOptions(options);
    this.#kinds = new Map(this.options.kinds.map((k) => [k.name, k]));
  }

  start(host: ExtensionHost): void {
    this.#host = host;
    const ownership = new Ownership(host.kv, { node: host.addr, incarnation: host.incarnation });
    const activations = new Activations(host, ownership, this.options, (to, kind, id, m, hops, exclude) =>
      this.#forward(to, kind, id, m, hops, exclude),
    );
    this.#activations = activations;
    host.spawnSystem(EntitiesControl, CONTROL_ACTOR, this);
    // The activation hook stays for the node's life: once closed, the activations pass what still
    // reaches this node to each entity's successor instead of leaving it to a dead letter.
    host.onMissingActor((name, message) => {
      const parsed = parseEntityName(name);
      const kind = parsed === undefined ? undefined : this.#kinds.get(parsed.kind);
      if (parsed === undefined || kind === undefined) return false;
      activations.route(kind, parsed.id, message);
      return true;
    });
    this.#unhook.push(
      host.onMemberUp(() => activations.rebalance()),
      host.onMemberDown((member) => {
        activations.memberDown(member.addr, member.incarnation);
        activations.rebalance();
      }),
      ownership.watch((kind, shard, record) => activations.fence(kind, shard, record)),
    );
    const idles = [this.options.idleMs, ...this.options.kinds.map((k) => k.idleMs ?? 0)].filter(
      (ms) => ms > 0,
    );
    if (idles.length > 0) {
      this.#timer = setInterval(() => activations.sweep(), Math.max(10, Math.min(...idles) / 2));
      this.#timer.unref();
    }
    host.addStats(() => this.stats());
  }

  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    // Closing first: messages that arrive meanwhile are still answered (refused with a named error).
    await this.#activations?.close();
    for (const unhook of this.#unhook.splice(0)) unhook();
    this.#host = undefined;
    this.#activations = undefined;
  }

  /**
   * A typed ref to entity `id` of `kind`, usable before the entity exists: each message goes to the
   * member its placement names in this node's view, which activates the entity if needed.
   */
  entity<S, H extends Handlers<S>>(
    kind: EntityKind<S, H>,
    id: string,
  ): ActorRef<ActorDefinition<S, EntityArgs<S>, H>> {
    const host = this.#running();
    this.#known(kind.name);
    if (typeof id !== 'string' || id === '')
      throw new EntityKindError('an entity id must be a non-empty string');
    return new ActorRef(host.addr, entityName(kind.name, id), this.#router);
  }

  /** The member that hosts the entity in this node's view (undefined when none of its type is up). */
  ownerOf(kind: EntityKind<any, any>, id: string): Addr | undefined {
    this.#running();
    return this.#activations!.ownerOf(this.#known(kind.name), id);
  }

  /** Whether the entity is active on this node. */
  isActive(kind: EntityKind<any, any>, id: string): boolean {
    return this.#activations?.isActive(kind.name, id) ?? false;
  }

  /** Saves a persistent entity's state now, on whichever node hosts it; false when it is not active. */
  saveNow(kind: EntityKind<any, any>, id: string): Promise<boolean> {
    const host = this.#running();
    const owner = this.ownerOf(kind, id);
    if (owner === undefined)
      return Promise.reject(new EntityUnavailableError(`no member hosts ${kind.name}/${id}`));
    return host
      .ref({ node: owner, name: CONTROL_ACTOR })
      .ask('save', [kind.name, id], { timeoutMs: this.options.askTimeoutMs }) as Promise<boolean>;
  }

  stats(): EntitiesStats {
    const a = this.#activations;
    if (a === undefined) throw new EntitiesNotStartedError();
    return { ...a.counters, active: a.activeCount, pending: a.pendingCount, owned: a.ownedCount };
  }

  // ---- EntitiesCore (the control actor) -----------------------------------------------------------

  release(kind: string, shard: string): Promise<boolean> {
    const k = this.#kinds.get(kind);
    return k === undefined || this.#activations === undefined
      ? Promise.resolve(true)
      : this.#activations.release(k, shard);
  }

  save(kind: string, id: string): Promise<boolean> {
    const k = this.#kinds.get(kind);
    return k === undefined || this.#activations === undefined
      ? Promise.resolve(false)
      : this.#activations.save(k, id);
  }

  route(kind: string, id: string, message: LocalMessage, hops: number, exclude: number | undefined): void {
    const k = this.#kinds.get(kind);
    if (k === undefined) {
      message.replyTo?.fail(new EntityKindError(`entity kind "${kind}" is unknown here`).toWire());
      return;
    }
    if (this.#activations === undefined) {
      message.replyTo?.fail(
        new EntityUnavailableError(`${kind}/${id}: entities stopped on this node`).toWire(),
      );
      return;
    }
    this.#activations.route(k, id, message, hops, exclude);
  }

  // ---- internals ----------------------------------------------------------------------------------

  #running(): ExtensionHost {
    if (this.#host === undefined) throw new EntitiesNotStartedError();
    return this.#host;
  }

  #known(name: string): EntityKind {
    const kind = this.#kinds.get(name);
    if (kind === undefined)
      throw new EntityKindError(`entity kind "${name}" is not in this node's entities({ kinds })`);
    return kind;
  }

  /** A plain ref to the entity's name on the member that hosts it now. */
  #refTo(name: string): ActorRef {
    const host = this.#running();
    const parsed = parseEntityName(name);
    if (parsed === undefined) throw new EntityKindError(`"${name}" is not an entity name`);
    const owner = this.#activations!.ownerOf(this.#known(parsed.kind), parsed.id);
    if (owner === undefined) throw new EntityUnavailableError(`no member hosts ${parsed.kind}/${parsed.id}`);
    return host.ref({ node: owner, name });
  }

  #forward(
    to: Addr,
    kind: string,
    id: string,
    message: LocalMessage,
    hops: number,
    exclude: number | undefined,
  ): void {
    const host = this.#running();
    const ref = host.ref({ node: to, name: CONTROL_ACTOR });
    const sender = message.sender;
    const body: Forwarded = [
      kind,
      id,
      message.handler,
      message.arg,
      hops,
      message.replyTo !== undefined,
      sender?.node ?? null,
      sender?.name ?? null,
      exclude ?? null,
    ];
    if (message.replyTo !== undefined) {
      settle(message, ref.ask('forward', body, { timeoutMs: this.options.askTimeoutMs }));
      return;
    }
    try {
      ref.tell('forward', body);
    } catch (err) {
      host.log.debug({ err, to: Addr.format(to), entity: `${kind}/${id}` }, 'forward failed');
    }
  }
}

/** Creates the entities extension for one node. */
export function entities(options: EntitiesOptions): Entities {
  return new Entities(options);
}
