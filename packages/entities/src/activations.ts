// The entities of one node: routing each message to its activation, activating on first message
// (once this node owns the entity's shard), passivating, handing shards off, and fencing.
import { Addr, type ExtensionHost, type LocalMessage, RemoteError, type TroupeError } from '@troupe/runtime';
import { EntityBufferFullError, EntityUnavailableError } from './errors.js';
import { activationName, EntityHandler, type EntityKind, entityName } from './kind.js';
import type { ResolvedEntitiesOptions } from './options.js';
import type { OwnerRecord, Ownership } from './ownership.js';
import { hosts, placement } from './placement.js';
import { type Shard, Shards } from './shards.js';

type Phase = 'activating' | 'active' | 'passivating';

/** One entity with a presence on this node. */
export interface Activation {
  readonly kind: EntityKind;
  readonly id: string;
  readonly key: string;
  readonly shard: Shard;
  phase: Phase;
  epoch: number;
  /** The hosting actor's name while active. */
  local: string;
  /** Messages held while activating or passivating, delivered (or forwarded) in arrival order. */
  buffer: LocalMessage[];
  lastUsed: number;
  /** A stopping node left out of placement, when the activation was started on its behalf. */
  exclude: number | undefined;
  /** Settles when a passivation finished. */
  passivated: Promise<void> | undefined;
}

/** Why an activation ends: idle keeps the ownership (reactivation is local), the others release it. */
export type PassivateReason = 'idle' | 'handoff' | 'shutdown';

/** Counters in the node's stats under `entities`. */
export interface EntityCounters {
  activations: number;
  passivations: number;
  handoffs: number;
  forwards: number;
  fenced: number;
  refused: number;
  contested: number;
}

/** How a message reaches the owner of an entity on another node (through its control actor). */
export type Forwarder = (
  to: Addr,
  kind: string,
  id: string,
  message: LocalMessage,
  hops: number,
  exclude: number | undefined,
) => void;

export class Activations {
  readonly #host: ExtensionHost;
  readonly #options: ResolvedEntitiesOptions;
  readonly #forward: Forwarder;
  readonly #shards: Shards;
  readonly #active = new Map<string, Activation>();
  readonly counters: EntityCounters = {
    activations: 0,
    passivations: 0,
    handoffs: 0,
    forwards: 0,
    fenced: 0,
    refused: 0,
    contested: 0,
  };
  #closed = false;

  constructor(
    host: ExtensionHost,
    ownership: Ownership,
    options: ResolvedEntitiesOptions,
    forward: Forwarder,
  ) {
    this.#host = host;
    this.#options = options;
    this.#forward = forward;
    this.#shards = new Shards(
      host,
      ownership,
      options,
      (owner, s) => this.#askRelease(owner, s),
      this.counters,
    );
  }

  /** The member hosting the entity in this node's view, leaving out `exclude` (a node that is stopping). */
  ownerOf(kind: EntityKind, id: string, exclude?: number): Addr | undefined {
    return this.#placed(this.#shards.of(kind, id), exclude);
  }

  /**
   * Routes one message for an entity: to its activation here, into its buffer, or to its owner. A
   * stopping node sends what still reaches it to its successor (the owner once it is gone), with itself
   * as `exclude`, so members whose views still hold it need not fail the message.
   */
  route(kind: EntityKind, id: string, message: LocalMessage, hops = 0, exclude?: number): void {
    const key = `${kind.name}/${id}`;
    const a = this.#active.get(key);
    if (a !== undefined) {
      if (a.phase !== 'active') {
        this.#hold(a, message);
        return;
      }
      a.lastUsed = Date.now();
      if (this.#host.deliver(a.local, message)) return;
      // The hosting actor is gone (its handler failed and it stopped): the next message activates anew.
      this.#drop(a);
    }
    if (this.#closed && exclude === undefined) exclude = this.#host.addr;
    const shard = this.#shards.of(kind, id);
    const owner = this.#placed(shard, exclude);
    if (owner === undefined) {
      this.#refuse(message, new EntityUnavailableError(`no member of type ${kind.type} hosts ${key}`));
      return;
    }
    if (owner !== this.#host.addr) {
      if (hops >= this.#options.maxForwards) {
        this.#refuse(message, new EntityUnavailableError(`${key}: members disagree on its owner`));
        return;
      }
      this.counters.forwards++;
      this.#forward(owner, kind.name, id, message, hops + 1, exclude);
      return;
    }
    if (this.#closed) {
      this.#refuse(message, new EntityUnavailableError(`${key}: the node is stopping`));
      return;
    }
    const fresh: Activation = {
      kind,
      id,
      key,
      shard,
      phase: 'activating',
      epoch: 0,
      local: '',
      buffer: [],
      lastUsed: 0,
      exclude,
      passivated: undefined,
    };
    this.#active.set(key, fresh);
    shard.entities.add(fresh);
    // The common case, the shard owned here and no state to load: spawned and handed the message in
    // this turn, with no await and nothing buffered.
    const persisted = kind.persist && this.#options.storage !== undefined;
    if (shard.epoch !== undefined && shard.releasing === undefined && !persisted) {
      this.#spawn(fresh, shard.epoch);
      this.#host.deliver(fresh.local, message);
      return;
    }
    fresh.buffer.push(message);
    void this.#activate(fresh);
  }

  /**
   * Another node asks this one to give up a shard it is about to own. Yes when this node no longer
   * places the shard here (after passivating its entities and releasing it); no while it still does,
   * or while its own claim of the shard is in flight.
   */
  async release(kind: EntityKind, shardName: string): Promise<boolean> {
    const s = this.#shards.get(kind.name, shardName);
    if (s === undefined) return true;
    if (this.#placed(s) === this.#host.addr && !this.#closed) return false;
    if (s.claiming !== undefined) return false;
    await this.#giveUp(s, 'handoff');
    return true;
  }

  /** A member went down: the shards its run owned may be claimed without asking it. */
  memberDown(addr: number, incarnation: string): void {
    this.#shards.memberDown(addr, incarnation);
  }

  /** Membership changed: shards this node owns but no longer places here are handed off. */
  rebalance(): void {
    for (const s of this.#shards.owned())
      if (s.releasing === undefined && this.#placed(s) !== this.#host.addr) void this.#giveUp(s, 'handoff');
  }

  /** Passivates activations idle past their kind's (or the default) idle time. */
  sweep(now = Date.now()): void {
    for (const a of [...this.#active.values()]) {
      const idle = a.kind.idleMs ?? this.#options.idleMs;
      if (a.phase === 'active' && idle > 0 && now - a.lastUsed >= idle) void this.passivate(a, 'idle');
    }
  }

  /** Another node published a newer epoch of a shard: its activations here stop at once. */
  fence(kindName: string, shardName: string, record: OwnerRecord | undefined): void {
    if (record === undefined) return;
    const s = this.#shards.get(kindName, shardName);
    if (s === undefined || !this.#shards.lose(s, record)) return;
    for (const a of [...s.entities]) {
      if (a.phase !== 'active' || record.epoch <= a.epoch) continue;
      this.counters.fenced++;
      this.#host.log.warn({ entity: a.key, epoch: a.epoch, newer: record.epoch }, 'activation fenced');
      this.#drop(a);
      this.#host.deliver(a.local, {
        handler: EntityHandler.Fence,
        arg: undefined,
        sender: undefined,
        replyTo: undefined,
      });
    }
  }

  /** Saves an active persistent entity's state now; false when it is not active here. */
  async save(kind: EntityKind, id: string): Promise<boolean> {
    const a = this.#active.get(`${kind.name}/${id}`);
    const storage = this.#options.storage;
    if (a === undefined || a.phase !== 'active' || storage === undefined) return false;
    const state = await this.#ask(a.local, EntityHandler.Snapshot);
    await storage.save(kind.name, id, state, a.epoch);
    return true;
  }

  /**
   * Ends an activation: later messages are held, the hosting actor handles what it already has, then
   * replies with its state and stops; the state is saved and the held messages routed again (to a new
   * activation here or to the new owner). The shard's ownership stays: giving it up is the shard's
   * release, after all of its activations passivated.
   */
  passivate(a: Activation, reason: PassivateReason): Promise<void> {
    if (a.phase !== 'active') return a.passivated ?? Promise.resolve();
    a.phase = 'passivating';
    a.passivated = (async () => {
      try {
        const state = await this.#ask(a.local, EntityHandler.Passivate);
        const storage = this.#options.storage;
        if (a.kind.persist && storage !== undefined) await storage.save(a.kind.name, a.id, state, a.epoch);
      } catch (err) {
        this.#host.log.warn({ err, entity: a.key }, 'passivation could not save the state');
      }
      this.counters.passivations++;
      if (reason !== 'idle') this.counters.handoffs++;
      this.#drop(a);
      const held = a.buffer;
      a.buffer = [];
      for (const m of held) this.route(a.kind, a.id, m);
    })();
    return a.passivated;
  }

  /**
   * Stops everything: claims in flight settle, every owned shard is given up (its entities passivated,
   * its record released), waiting messages refused.
   */
  async close(): Promise<void> {
    this.#closed = true;
    this.#shards.closed = true;
    await Promise.allSettled(this.#shards.claims());
    await Promise.allSettled(this.#shards.owned().map((s) => this.#giveUp(s, 'shutdown')));
    for (const a of this.#active.values())
      for (const m of a.buffer.splice(0))
        this.#refuse(m, new EntityUnavailableError(`${a.key}: the node stopped`));
    this.#active.clear();
  }

  get activeCount(): number {
    let n = 0;
    for (const a of this.#active.values()) if (a.phase === 'active') n++;
    return n;
  }

  get pendingCount(): number {
    return this.#active.size - this.activeCount;
  }

  /** Shards this node owns. */
  get ownedCount(): number {
    return this.#shards.owned().length;
  }

  /** Whether the entity is active on this node (tests, tools). */
  isActive(kind: string, id: string): boolean {
    return this.#active.get(`${kind}/${id}`)?.phase === 'active';
  }

  // ---- activation ---------------------------------------------------------------------------------

  async #activate(a: Activation): Promise<void> {
    const deadline = Date.now() + this.#options.activationTimeoutMs;
    try {
      for (;;) {
        if (this.#closed) throw new EntityUnavailableError(`${a.key}: the node is stopping`);
        if (Date.now() > deadline)
          throw new EntityUnavailableError(
            `${a.key}: not activated within ${this.#options.activationTimeoutMs} ms`,
          );
        if (this.#placed(a.shard, a.exclude) !== this.#host.addr) {
          // The view moved while this node was claiming: the messages go to the new owner.
          this.#drop(a);
          for (const m of a.buffer.splice(0)) this.route(a.kind, a.id, m, 0, a.exclude);
          return;
        }
        const epoch = await this.#shards.acquire(a.shard);
        if (epoch !== undefined && (await this.#start(a, epoch))) return;
        if (epoch === undefined)
          await new Promise((r) => setTimeout(r, this.#options.retryMs * (1 + Math.random())));
      }
    } catch (err) {
      this.#drop(a);
      const error =
        err instanceof EntityUnavailableError
          ? err
          : new EntityUnavailableError(`${a.key}: ${(err as Error).message}`, { cause: err });
      this.#host.log.warn({ err, entity: a.key }, 'activation failed');
      for (const m of a.buffer.splice(0)) this.#refuse(m, error);
    }
  }

  /**
   * The member placement names for a shard in this node's view, leaving out `exclude`. Without an
   * exclusion the answer is kept on the shard until the members change: every message routed (on the
   * sending node and on the host) asks it, and it only moves with the view.
   */
  #placed(s: Shard, exclude?: number): Addr | undefined {
    const version = this.#host.membersVersion;
    if (exclude === undefined && s.placedAt === version) return s.placed;
    let candidates = hosts(this.#host.members(), s.kind.type);
    if (exclude !== undefined) candidates = candidates.filter((m) => m.addr !== exclude);
    const placed = placement(s.kind.name, s.name, candidates)?.addr;
    if (exclude === undefined) {
      s.placed = placed;
      s.placedAt = version;
    }
    return placed;
  }

  /** Passivates every activation of the shard here, then releases the shard's record. */
  #giveUp(s: Shard, reason: PassivateReason): Promise<void> {
    return this.#shards.release(s, () =>
      Promise.allSettled([...s.entities].map((a) => this.passivate(a, reason))),
    );
  }

  /** The activation leaves this node's books (the shard keeps its ownership). */
  #drop(a: Activation): void {
    if (this.#active.get(a.key) === a) this.#active.delete(a.key);
    a.shard.entities.delete(a);
  }

  #askRelease(owner: Addr, s: Shard): Promise<boolean> {
    return this.#host
      .ref({ node: owner, name: CONTROL_ACTOR })
      .ask('release', [s.kind.name, s.name], { timeoutMs: this.#options.askTimeoutMs })
      .then(
        (released) => released === true,
        (err) => {
          this.#host.log.debug(
            { err, shard: `${s.kind.name}/${s.name}`, owner: Addr.format(owner) },
            'release not granted',
          );
          return false;
        },
      );
  }

  /**
   * Spawns the activation at `epoch`, unless the shard changed hands while its state loaded (then false:
   * the caller routes again).
   */
  async #start(a: Activation, epoch: number): Promise<boolean> {
    const storage = this.#options.storage;
    const saved = a.kind.persist && storage !== undefined ? await storage.load(a.kind.name, a.id) : undefined;
    if (a.shard.epoch !== epoch || a.shard.releasing !== undefined) return false;
    this.#spawn(a, epoch, saved);
    return true;
  }

  /** Spawns the hosting actor at `epoch` and delivers what the activation held. */
  #spawn(a: Activation, epoch: number, saved?: { state: unknown }): void {
    a.local = activationName(a.kind.name, a.id, epoch);
    a.epoch = epoch;
    this.#host.spawnSystem(a.kind.host, a.local, { id: a.id, saved: saved?.state });
    a.phase = 'active';
    a.lastUsed = Date.now();
    this.counters.activations++;
    if (a.buffer.length === 0) return;
    const held = a.buffer;
    a.buffer = [];
    for (const m of held) this.#host.deliver(a.local, m);
  }

  #hold(a: Activation, message: LocalMessage): void {
    if (a.buffer.length >= this.#options.bufferLimit) {
      this.#refuse(message, new EntityBufferFullError(a.key, this.#options.bufferLimit));
      return;
    }
    a.buffer.push(message);
  }

  #ask(name: string, handler: string): Promise<unknown> {
    return this.#host.ref({ node: this.#host.addr, name }).ask(handler, undefined, {
      timeoutMs: this.#options.askTimeoutMs,
    });
  }

  #refuse(message: LocalMessage, error: TroupeError): void {
    this.counters.refused++;
    if (message.replyTo !== undefined) message.replyTo.fail(error.toWire());
    else this.#host.log.debug({ err: error, handler: message.handler }, 'entity message dropped');
  }
}

/** Name of the entities system actor on every node running the extension. */
export const CONTROL_ACTOR = 'troupe.entities';

/** Passes a forwarded ask's outcome back to the original asker. */
export function settle(message: LocalMessage, outcome: Promise<unknown>): void {
  const replyTo = message.replyTo;
  if (replyTo === undefined) return;
  outcome.then(
    (value) => replyTo.ok(value),
    (err: Error & { code?: string; data?: unknown }) =>
      replyTo.fail(
        {
          code: err.code ?? 'ERROR',
          message: err.message,
          ...(err.data === undefined ? {} : { data: err.data }),
        },
        err instanceof RemoteError,
      ),
  );
}

export { entityName };
