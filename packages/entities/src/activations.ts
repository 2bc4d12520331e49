// The entities of one node: routing each message to its activation, activating on first message
// (after winning ownership), passivating, handing off, and fencing an activation that lost ownership.
import { Addr, type ExtensionHost, type LocalMessage, RemoteError, type TroupeError } from '@troupe/runtime';
import { EntityBufferFullError, EntityUnavailableError } from './errors.js';
import { activationName, EntityHandler, type EntityKind, entityName } from './kind.js';
import type { ResolvedEntitiesOptions } from './options.js';
import type { OwnerRecord, Ownership } from './ownership.js';
import { hosts, placement } from './placement.js';

type Phase = 'activating' | 'active' | 'passivating';

/** One entity with a presence on this node. */
interface Activation {
  readonly kind: EntityKind;
  readonly id: string;
  readonly key: string;
  phase: Phase;
  epoch: number;
  /** The hosting actor's name while active. */
  local: string;
  /** Messages held while activating or passivating, delivered (or forwarded) in arrival order. */
  buffer: LocalMessage[];
  lastUsed: number;
  /** The lowest epoch to claim next: past an epoch a dead node claimed and never published. */
  nextEpoch: number;
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
  readonly #ownership: Ownership;
  readonly #options: ResolvedEntitiesOptions;
  readonly #forward: Forwarder;
  readonly #active = new Map<string, Activation>();
  /** Entities passivated for idleness whose ownership this node kept: epoch by key. */
  readonly #owned = new Map<string, number>();
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
    this.#ownership = ownership;
    this.#options = options;
    this.#forward = forward;
  }

  /** The member hosting the entity in this node's view, leaving out `exclude` (a node that is stopping). */
  ownerOf(kind: EntityKind, id: string, exclude?: number): Addr | undefined {
    const candidates = hosts(this.#host.members(), kind.type).filter((m) => m.addr !== exclude);
    return placement(kind.name, id, candidates)?.addr;
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
      this.#active.delete(key);
      this.#owned.set(key, a.epoch);
    }
    if (this.#closed && exclude === undefined) exclude = this.#host.addr;
    const owner = this.ownerOf(kind, id, exclude);
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
      phase: 'activating',
      epoch: 0,
      local: '',
      buffer: [message],
      lastUsed: Date.now(),
      nextEpoch: 1,
      exclude,
      passivated: undefined,
    };
    this.#active.set(key, fresh);
    void this.#activate(fresh);
  }

  /**
   * Another node asks this one to give up an entity it is about to own. Yes when this node no longer
   * places it here (after passivating and releasing it); no while it still does.
   */
  async release(kind: EntityKind, id: string): Promise<boolean> {
    if (this.ownerOf(kind, id) === this.#host.addr && !this.#closed) return false;
    const key = `${kind.name}/${id}`;
    const a = this.#active.get(key);
    if (a === undefined) {
      const epoch = this.#owned.get(key);
      if (epoch !== undefined) {
        this.#owned.delete(key);
        await this.#ownership.release(kind.name, id, epoch);
      }
      return true;
    }
    if (a.phase === 'activating') return false;
    if (a.phase === 'active') await this.passivate(a, 'handoff');
    else await a.passivated;
    return true;
  }

  /** Membership changed: activations this node no longer places here are handed off. */
  rebalance(): void {
    for (const a of [...this.#active.values()])
      if (a.phase === 'active' && this.ownerOf(a.kind, a.id) !== this.#host.addr)
        void this.passivate(a, 'handoff');
  }

  /** Passivates activations idle past their kind's (or the default) idle time. */
  sweep(now = Date.now()): void {
    for (const a of [...this.#active.values()]) {
      const idle = a.kind.idleMs ?? this.#options.idleMs;
      if (a.phase === 'active' && idle > 0 && now - a.lastUsed >= idle) void this.passivate(a, 'idle');
    }
  }

  /** Another node published a newer ownership: an activation here with an older epoch stops at once. */
  fence(kindName: string, id: string, record: OwnerRecord | undefined): void {
    if (record === undefined) return;
    if (record.node === this.#host.addr && record.incarnation === this.#host.incarnation) return;
    const key = `${kindName}/${id}`;
    const owned = this.#owned.get(key);
    if (owned !== undefined && record.epoch > owned) this.#owned.delete(key);
    const a = this.#active.get(key);
    if (a === undefined || a.phase !== 'active' || record.epoch <= a.epoch) return;
    this.counters.fenced++;
    this.#host.log.warn({ entity: key, epoch: a.epoch, newer: record.epoch }, 'activation fenced');
    this.#active.delete(key);
    this.#host.deliver(a.local, {
      handler: EntityHandler.Fence,
      arg: undefined,
      sender: undefined,
      replyTo: undefined,
    });
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
   * replies with its state and stops; the state is saved, the ownership released unless idle, and the
   * held messages routed again (to a new activation here or to the new owner).
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
      if (reason === 'idle') this.#owned.set(a.key, a.epoch);
      else {
        this.counters.handoffs++;
        await this.#ownership
          .release(a.kind.name, a.id, a.epoch)
          .catch((err) => this.#host.log.warn({ err, entity: a.key }, 'ownership not released'));
      }
      if (this.#active.get(a.key) === a) this.#active.delete(a.key);
      const held = a.buffer;
      a.buffer = [];
      for (const m of held) this.route(a.kind, a.id, m);
    })();
    return a.passivated;
  }

  /** Stops everything: active entities are passivated and released, waiting messages refused. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#active.values()].map((a) => this.passivate(a, 'shutdown')));
    for (const [key, epoch] of this.#owned) {
      const slash = key.indexOf('/');
      await this.#ownership.release(key.slice(0, slash), key.slice(slash + 1), epoch).catch(() => {});
    }
    this.#owned.clear();
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

  get ownedCount(): number {
    return this.#owned.size;
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
        if (this.ownerOf(a.kind, a.id, a.exclude) !== this.#host.addr) {
          // The view moved while this node was claiming: the messages go to the new owner.
          this.#active.delete(a.key);
          for (const m of a.buffer.splice(0)) this.route(a.kind, a.id, m, 0, a.exclude);
          return;
        }
        const epoch = await this.#acquire(a);
        if (epoch === undefined) {
          await new Promise((r) => setTimeout(r, this.#options.retryMs * (1 + Math.random())));
          continue;
        }
        await this.#start(a, epoch);
        return;
      }
    } catch (err) {
      if (this.#active.get(a.key) === a) this.#active.delete(a.key);
      const error =
        err instanceof EntityUnavailableError
          ? err
          : new EntityUnavailableError(`${a.key}: ${(err as Error).message}`, { cause: err });
      this.#host.log.warn({ err, entity: a.key }, 'activation failed');
      for (const m of a.buffer.splice(0)) this.#refuse(m, error);
    }
  }

  /** Ownership of the entity at a fresh epoch, or undefined to try again later. */
  async #acquire(a: Activation): Promise<number | undefined> {
    const kept = this.#owned.get(a.key);
    if (kept !== undefined) {
      this.#owned.delete(a.key);
      return kept;
    }
    const record = await this.#ownership.read(a.kind.name, a.id);
    if (record !== undefined && !record.released && this.#heldElsewhere(record)) {
      const released = await this.#askRelease(record.node as Addr, a);
      if (!released) return undefined;
    }
    const epoch = Math.max((record?.epoch ?? 0) + 1, a.nextEpoch);
    const claim = await this.#ownership.claim(a.kind.name, a.id, epoch);
    if (!claim.won) {
      this.counters.contested++;
      // Rivals that are gone will never publish or withdraw: their epoch is skipped. A live rival is
      // waited for (it publishes if it won, withdraws if it lost).
      if (claim.rivals.every((r) => !this.#alive(r.node, r.incarnation))) a.nextEpoch = epoch + 1;
      return undefined;
    }
    this.#ownership
      .publish(a.kind.name, a.id, epoch)
      .catch((err) => this.#host.log.warn({ err, entity: a.key }, 'ownership record not published'));
    return epoch;
  }

  /** Whether a record names a live owner other than this run of this node. */
  #heldElsewhere(record: OwnerRecord): boolean {
    if (record.node === this.#host.addr && record.incarnation === this.#host.incarnation) return false;
    return this.#alive(record.node, record.incarnation);
  }

  /** Whether that run of that node is a live member in this node's view. */
  #alive(node: number, incarnation: string): boolean {
    if (node === this.#host.addr) return incarnation === this.#host.incarnation;
    const member = this.#host.members().find((m) => m.addr === node);
    return member !== undefined && member.incarnation === incarnation && this.#host.isAlive(member.addr);
  }

  #askRelease(owner: Addr, a: Activation): Promise<boolean> {
    return this.#host
      .ref({ node: owner, name: CONTROL_ACTOR })
      .ask('release', [a.kind.name, a.id], { timeoutMs: this.#options.askTimeoutMs })
      .then(
        (released) => released === true,
        (err) => {
          this.#host.log.debug({ err, entity: a.key, owner: Addr.format(owner) }, 'release not granted');
          return false;
        },
      );
  }

  async #start(a: Activation, epoch: number): Promise<void> {
    const storage = this.#options.storage;
    const saved = a.kind.persist && storage !== undefined ? await storage.load(a.kind.name, a.id) : undefined;
    a.local = activationName(a.kind.name, a.id, epoch);
    a.epoch = epoch;
    this.#host.spawnSystem(a.kind.host, a.local, { id: a.id, saved: saved?.state });
    a.phase = 'active';
    a.lastUsed = Date.now();
    this.counters.activations++;
    for (const m of a.buffer.splice(0)) this.#host.deliver(a.local, m);
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
