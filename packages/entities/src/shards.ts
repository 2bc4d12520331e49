// Shard-level ownership: entities hash to a fixed number of shards per kind; a node claims a shard once
// in the KV (fencing epoch and all) and then activates any entity of it with no KV round trip.
import { Addr, type ExtensionHost } from '@troupe/runtime';
import type { Activation } from './activations.js';
import { EntityUnavailableError } from './errors.js';
import type { EntityKind } from './kind.js';
import type { ResolvedEntitiesOptions } from './options.js';
import type { OwnerRecord, Ownership } from './ownership.js';

/** Shards per kind unless `entities({ shards })` says otherwise: about ten per hosting member for 25. */
export const DEFAULT_SHARDS = 256;

/** The shard of entity `id` among `shards` (FNV-1a of the id), the same on every node. */
export function shardOf(id: string, shards: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % shards;
}

/** One shard of one kind as this node knows it. */
export interface Shard {
  readonly kind: EntityKind;
  readonly shard: number;
  /** Its name in the KV's ownership keys (`troupe/entities/<kind>/<name>/owner`). */
  readonly name: string;
  /** The epoch this node owns the shard at; undefined while it does not. */
  epoch: number | undefined;
  /** The claim in flight, shared by every entity of the shard that waits to activate. */
  claiming: Promise<number | undefined> | undefined;
  /** Set while the shard is given up (its activations passivated, then the record released). */
  releasing: Promise<void> | undefined;
  /** The lowest epoch to claim next: past an epoch a dead node claimed and never published. */
  nextEpoch: number;
  /** The activations of the shard on this node, in any phase. */
  readonly entities: Set<Activation>;
  /** The member placement named for the shard at `placedAt` (the host's `membersVersion`). */
  placed: Addr | undefined;
  /** The members version `placed` was computed at; -1 before the first time. */
  placedAt: number;
}

/** How the claims reach other members: asking a live owner to release a shard. */
export type ReleaseAsker = (owner: Addr, shard: Shard) => Promise<boolean>;

/**
 * The shards of every kind on one node, and the claim protocol over `Ownership` at shard level. Only the
 * first entity of a shard to activate here pays the KV round trips (read, claim, list); the others find
 * the shard owned. The never-active-twice guarantee holds per shard: an entity is active only on the
 * node owning its shard at the newest epoch, and a shard changes hands only after its old owner
 * passivated every entity of it and released it, or died.
 */
export class Shards {
  readonly #host: ExtensionHost;
  readonly #ownership: Ownership;
  readonly #options: ResolvedEntitiesOptions;
  readonly #askRelease: ReleaseAsker;
  readonly #counters: { contested: number };
  /**
   * Runs (`node/incarnation`) reported down, or unknown past `unknownOwnerMs`: gone for certain, unlike
   * a node the view does not hold yet. One short string per run this node met, never pruned.
   */
  readonly #gone = new Set<string>();
  /** When a record or a rival first named a run this node's view does not hold (`node/incarnation`). */
  readonly #unknownSince = new Map<string, number>();
  /** Each kind's shards by number, made on first use (no key string per message). */
  readonly #shards = new Map<string, Array<Shard | undefined>>();
  /** Set when the node stops: a claim won from then on is released at once. */
  closed = false;

  constructor(
    host: ExtensionHost,
    ownership: Ownership,
    options: ResolvedEntitiesOptions,
    askRelease: ReleaseAsker,
    /** Where claims lost to a rival of the same epoch are counted. */
    counters: { contested: number },
  ) {
    this.#host = host;
    this.#ownership = ownership;
    this.#options = options;
    this.#askRelease = askRelease;
    this.#counters = counters;
  }

  /** The shard entity `id` of `kind` belongs to (made on first use). */
  of(kind: EntityKind, id: string): Shard {
    const shard = shardOf(id, this.#options.shards);
    let shards = this.#shards.get(kind.name);
    if (shards === undefined) {
      shards = new Array<Shard | undefined>(this.#options.shards);
      this.#shards.set(kind.name, shards);
    }
    let s = shards[shard];
    if (s === undefined) {
      s = {
        kind,
        shard,
        name: String(shard),
        epoch: undefined,
        claiming: undefined,
        releasing: undefined,
        nextEpoch: 1,
        entities: new Set(),
        placed: undefined,
        placedAt: -1,
      };
      shards[shard] = s;
    }
    return s;
  }

  /** The shard named `name` of `kind`, when this node has one. */
  get(kind: string, name: string): Shard | undefined {
    const shard = Number(name);
    // Only a shard's canonical name (`String(shard)`) names it: "01" or "1.0" from a peer name none.
    return String(shard) === name ? this.#shards.get(kind)?.[shard] : undefined;
  }

  /** Every shard this node has met. */
  *#all(): Iterable<Shard> {
    for (const shards of this.#shards.values()) for (const s of shards) if (s !== undefined) yield s;
  }

  /** Shards this node owns now. */
  owned(): Shard[] {
    const out: Shard[] = [];
    for (const s of this.#all()) if (s.epoch !== undefined) out.push(s);
    return out;
  }

  /** Claims in flight (a stopping node waits for them, then gives up what they won). */
  claims(): Promise<unknown>[] {
    const out: Promise<unknown>[] = [];
    for (const s of this.#all()) if (s.claiming !== undefined) out.push(s.claiming);
    return out;
  }

  /**
   * The epoch this node owns the shard at: at once when it owns it, else after claiming it (one claim
   * for every entity waiting on the shard). Undefined to try again later: contested, held elsewhere
   * and not released, or being given up.
   */
  acquire(s: Shard): Promise<number | undefined> {
    if (s.releasing !== undefined) return Promise.resolve(undefined);
    if (s.epoch !== undefined) return Promise.resolve(s.epoch);
    s.claiming ??= this.#claim(s).finally(() => {
      s.claiming = undefined;
    });
    return s.claiming;
  }

  /**
   * Gives the shard up: `passivate` ends its activations here, then the record is marked released so
   * the next owner claims without asking. Concurrent calls share one release.
   */
  release(s: Shard, passivate: () => Promise<unknown>): Promise<void> {
    s.releasing ??= (async () => {
      await passivate();
      const epoch = s.epoch;
      s.epoch = undefined;
      if (epoch !== undefined)
        await this.#ownership
          .release(s.kind.name, s.name, epoch)
          .catch((err) => this.#host.log.warn({ err, shard: this.#label(s) }, 'shard not released'));
    })().finally(() => {
      s.releasing = undefined;
    });
    return s.releasing;
  }

  /**
   * Another node published a newer epoch of the shard: this node no longer owns it. True when it did
   * (its activations must stop at once).
   */
  lose(s: Shard, record: OwnerRecord): boolean {
    if (record.node === this.#host.addr && record.incarnation === this.#host.incarnation) return false;
    if (s.epoch === undefined || record.epoch <= s.epoch) return false;
    s.epoch = undefined;
    return true;
  }

  /** A member went down: records naming that run need no release. */
  memberDown(addr: number, incarnation: string): void {
    this.#gone.add(`${addr}/${incarnation}`);
  }

  async #claim(s: Shard): Promise<number | undefined> {
    const kind = s.kind.name;
    const record = await this.#ownership.read(kind, s.name);
    if (record !== undefined && !record.released && !this.#isSelf(record)) {
      const owner = this.#liveness(record.node, record.incarnation);
      // An owner this node's view does not hold yet may have just joined and claimed: wait for the view.
      if (owner === 'unknown') return undefined;
      if (owner === 'alive' && !(await this.#askRelease(record.node as Addr, s))) return undefined;
    }
    const epoch = Math.max((record?.epoch ?? 0) + 1, s.nextEpoch);
    const claim = await this.#ownership.claim(kind, s.name, epoch);
    if (!claim.won) {
      this.#counters.contested++;
      // Rivals that are gone will never publish or withdraw: their epochs are skipped. A live rival is
      // waited for (it publishes if it won, withdraws if it lost).
      // Every rival is looked at (no short cut), so the waits on unknown ones run side by side.
      const rivals = claim.rivals.map((r) => this.#liveness(r.node, r.incarnation));
      if (rivals.every((r) => r === 'gone')) s.nextEpoch = claim.newest + 1;
      return undefined;
    }
    s.nextEpoch = epoch + 1;
    if (this.closed) {
      // The node began stopping during the claim: what it won goes back at once.
      await this.#ownership.release(kind, s.name, epoch).catch(() => {});
      throw new EntityUnavailableError(`${this.#label(s)}: the node is stopping`);
    }
    s.epoch = epoch;
    this.#ownership
      .publish(kind, s.name, epoch)
      .catch((err) => this.#host.log.warn({ err, shard: this.#label(s) }, 'ownership record not published'));
    return epoch;
  }

  /**
   * What this node knows of a run of a node: `alive` (this run, or a live member of that incarnation),
   * `gone` (another run of this node, a member reported down or restarted with a new incarnation, or a
   * node the view has not held for `unknownOwnerMs`), or `unknown`: a node the view does not hold may
   * have joined a moment ago (views lag), and taking it for gone would let two runs own one shard.
   */
  #liveness(node: number, incarnation: string): 'alive' | 'gone' | 'unknown' {
    if (node === this.#host.addr) return incarnation === this.#host.incarnation ? 'alive' : 'gone';
    const member = this.#host.members().find((m) => m.addr === node);
    const run = `${node}/${incarnation}`;
    if (member !== undefined) {
      this.#unknownSince.delete(run);
      if (member.incarnation !== incarnation) return 'gone';
      return this.#host.isAlive(member.addr) ? 'alive' : 'gone';
    }
    if (this.#gone.has(run)) return 'gone';
    const now = Date.now();
    const since = this.#unknownSince.get(run);
    if (since === undefined) this.#unknownSince.set(run, now);
    else if (now - since >= this.#options.unknownOwnerMs) {
      // Gone for good: remembered as a run reported down, so the wait is paid once.
      this.#unknownSince.delete(run);
      this.#gone.add(run);
      return 'gone';
    }
    return 'unknown';
  }

  /** Whether a record names this run of this node (which never asks itself to release). */
  #isSelf(record: OwnerRecord): boolean {
    return record.node === this.#host.addr && record.incarnation === this.#host.incarnation;
  }

  #label(s: Shard): string {
    return `${s.kind.name} shard ${s.name} on ${Addr.format(this.#host.addr)}`;
  }
}
