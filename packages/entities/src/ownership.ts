// Ownership records in the membership KV, with fencing epochs and a claim protocol that lets at most
// one node win each epoch. The entities extension owns shards through it (`id` is a shard's name).
import type { KvEvent, KvStore } from '@troupe/runtime';

/** Who owns a shard (or any id), from which epoch; `released` once the owner gave it up (handoff, shutdown). */
export interface OwnerRecord {
  node: number;
  incarnation: string;
  epoch: number;
  released: boolean;
}

/** The KV key prefix of ownership records; each id's owner record and claims live under it. */
export const OWNERSHIP_PREFIX = 'troupe/entities/';

function base(kind: string, id: string): string {
  return `${OWNERSHIP_PREFIX}${kind}/${encodeURIComponent(id)}/`;
}

/** Epochs as fixed-width decimal so claim keys sort by epoch. */
function epochKey(epoch: number): string {
  return String(epoch).padStart(12, '0');
}

export function ownerKey(kind: string, id: string): string {
  return `${base(kind, id)}owner`;
}

function claimPrefix(kind: string, id: string, epoch: number): string {
  return `${base(kind, id)}claim/${epochKey(epoch)}/`;
}

/** Kind and id of an owner key, or undefined for other keys. */
export function parseOwnerKey(key: string): { kind: string; id: string } | undefined {
  if (!key.startsWith(OWNERSHIP_PREFIX) || !key.endsWith('/owner')) return undefined;
  const rest = key.slice(OWNERSHIP_PREFIX.length, -'/owner'.length);
  const slash = rest.indexOf('/');
  if (slash <= 0) return undefined;
  return { kind: rest.slice(0, slash), id: decodeURIComponent(rest.slice(slash + 1)) };
}

export function decodeOwner(value: string | undefined): OwnerRecord | undefined {
  if (value === undefined) return undefined;
  try {
    const r = JSON.parse(value) as Partial<OwnerRecord>;
    if (typeof r.node !== 'number' || typeof r.incarnation !== 'string' || typeof r.epoch !== 'number')
      return undefined;
    return { node: r.node, incarnation: r.incarnation, epoch: r.epoch, released: r.released === true };
  } catch {
    return undefined;
  }
}

/** A node that claimed an epoch. */
export interface Claimant {
  node: number;
  incarnation: string;
}

/**
 * The outcome of a claim: won at `epoch`, or lost to the `rivals` that claimed the same epoch or a later
 * one (`newest` the latest epoch claimed).
 */
export type ClaimResult =
  | { won: true; epoch: number }
  | { won: false; epoch: number; rivals: Claimant[]; newest: number };

/**
 * The ownership protocol over a linearizable KV (the center's registry or etcd). To own an entity at
 * epoch `e` a node writes its claim key under `claim/e/`, then lists `claim/e/`: it wins only when its
 * claim is the only one. Two claimants of one epoch cannot both win: whichever listed first did so
 * before the other wrote, so the other's list sees the first claim. A loser withdraws its claim and
 * tries again later at a fresh read; a winner's claim stays until a later epoch is won.
 */
export class Ownership {
  readonly #kv: KvStore;
  readonly #self: { node: number; incarnation: string };

  constructor(kv: KvStore, self: { node: number; incarnation: string }) {
    this.#kv = kv;
    this.#self = self;
  }

  async read(kind: string, id: string): Promise<OwnerRecord | undefined> {
    return decodeOwner(await this.#kv.get(ownerKey(kind, id)));
  }

  /**
   * Claims epoch `epoch`; on a win the owner record follows (not awaited by the caller's activation).
   * The claim lists every epoch's claims, not only its own: a claimant whose read of the record was
   * older than a later epoch's publication (which removed the claims of earlier epochs) would otherwise
   * find its stale epoch free and win it under the newer owner.
   */
  async claim(kind: string, id: string, epoch: number): Promise<ClaimResult> {
    const all = `${base(kind, id)}claim/`;
    const mine = `${claimPrefix(kind, id, epoch)}${this.#self.node}-${this.#self.incarnation}`;
    await this.#kv.put(mine, '1');
    const claims = await this.#kv.list(all);
    const rivals: Claimant[] = [];
    let newest = epoch;
    for (const c of claims) {
      if (c.key === mine) continue;
      // `<12-digit epoch>/<node>-<incarnation>`; claims of earlier epochs are history, not rivals.
      const rest = c.key.slice(all.length);
      const slash = rest.indexOf('/');
      const at = Number(rest.slice(0, slash));
      if (!(at >= epoch)) continue;
      newest = Math.max(newest, at);
      const who = rest.slice(slash + 1);
      const dash = who.indexOf('-');
      rivals.push({ node: Number(who.slice(0, dash)), incarnation: who.slice(dash + 1) });
    }
    if (rivals.length === 0) return { won: true, epoch };
    await this.#kv.delete(mine);
    return { won: false, epoch, rivals, newest };
  }

  /** Publishes this node as the owner at `epoch` and drops the claims of earlier epochs. */
  async publish(kind: string, id: string, epoch: number): Promise<void> {
    const record: OwnerRecord = { ...this.#self, epoch, released: false };
    await this.#kv.put(ownerKey(kind, id), JSON.stringify(record));
    // Epoch 1 has no earlier claims to clean up: a first activation costs one KV round trip less.
    if (epoch <= 1) return;
    const older = await this.#kv.list(`${base(kind, id)}claim/`);
    const current = claimPrefix(kind, id, epoch);
    await Promise.all(older.filter((c) => !c.key.startsWith(current)).map((c) => this.#kv.delete(c.key)));
  }

  /** Marks this node's ownership at `epoch` released, so the next owner may claim without asking. */
  async release(kind: string, id: string, epoch: number): Promise<void> {
    const record: OwnerRecord = { ...this.#self, epoch, released: true };
    await this.#kv.put(ownerKey(kind, id), JSON.stringify(record));
  }

  /** Owner record changes of every entity, for fencing. */
  watch(listener: (kind: string, id: string, record: OwnerRecord | undefined) => void): () => void {
    return this.#kv.watch(OWNERSHIP_PREFIX, (event: KvEvent) => {
      const parsed = parseOwnerKey(event.key);
      if (parsed === undefined) return;
      listener(parsed.kind, parsed.id, event.type === 'put' ? decodeOwner(event.value) : undefined);
    });
  }
}
