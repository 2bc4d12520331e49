// A table from non-zero 31-bit integer ids to values, for entries that come and go at a high rate
// (pending asks): open addressing in two flat arrays that are only reallocated when the table grows.
//
// Why not a `Map`: under constant set/delete churn a `Map` rebuilds its backing store every few
// hundred operations, and a store that was promoted to the old generation keeps pointing at the
// values it held when it was replaced. The scavenger treats those old-to-young pointers as roots, so
// every value (an ask with its promise and closures) survives into the old generation and is only
// freed by a full collection: measured on remote-ask-100, half of all allocation was promoted and
// scavenges took 10 ms each (docs/performance.md). Here a removed entry's slot is overwritten, so
// nothing stale points at it.

const EMPTY = 0;
const MIN_CAPACITY = 64;

/** Ids to values; ids must be non-zero integers below 2^31 and well spread in their low bits (random). */
export class IdTable<V> {
  #keys: Int32Array;
  #values: Array<V | undefined>;
  #mask: number;
  #size = 0;

  constructor(capacity = MIN_CAPACITY) {
    let c = MIN_CAPACITY;
    while (c < capacity) c *= 2;
    this.#keys = new Int32Array(c);
    this.#values = new Array<V | undefined>(c).fill(undefined);
    this.#mask = c - 1;
  }

  get size(): number {
    return this.#size;
  }

  /** The slot of `id`, or -1. */
  #find(id: number): number {
    const keys = this.#keys;
    for (let i = id & this.#mask; ; i = (i + 1) & this.#mask) {
      const k = keys[i]!;
      if (k === id) return i;
      if (k === EMPTY) return -1;
    }
  }

  has(id: number): boolean {
    return this.#find(id) !== -1;
  }

  get(id: number): V | undefined {
    const i = this.#find(id);
    return i === -1 ? undefined : this.#values[i];
  }

  /** Adds or replaces the value of `id`. */
  set(id: number, value: V): void {
    const i = this.#find(id);
    if (i !== -1) {
      this.#values[i] = value;
      return;
    }
    // At most half full, so probes stay short and an empty slot always ends them.
    if ((this.#size + 1) * 2 > this.#keys.length) this.#grow();
    this.#insert(id, value);
    this.#size++;
  }

  #insert(id: number, value: V): void {
    const keys = this.#keys;
    let i = id & this.#mask;
    while (keys[i] !== EMPTY) i = (i + 1) & this.#mask;
    keys[i] = id;
    this.#values[i] = value;
  }

  #grow(): void {
    const keys = this.#keys;
    const values = this.#values;
    const c = keys.length * 2;
    this.#keys = new Int32Array(c);
    this.#values = new Array<V | undefined>(c).fill(undefined);
    this.#mask = c - 1;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== EMPTY) this.#insert(keys[i]!, values[i] as V);
  }

  /** Removes `id`; true if it was there. Later entries of its probe run move back (no tombstones). */
  delete(id: number): boolean {
    let i = this.#find(id);
    if (i === -1) return false;
    const keys = this.#keys;
    const values = this.#values;
    const mask = this.#mask;
    for (let j = (i + 1) & mask; keys[j] !== EMPTY; j = (j + 1) & mask) {
      const home = keys[j]! & mask;
      // The entry at j may fill the hole at i unless its home lies cyclically in (i, j].
      const stays = i <= j ? i < home && home <= j : i < home || home <= j;
      if (stays) continue;
      keys[i] = keys[j]!;
      values[i] = values[j];
      i = j;
    }
    keys[i] = EMPTY;
    values[i] = undefined;
    this.#size--;
    return true;
  }

  /** A copy of the values, safe to iterate while entries are removed. */
  values(): V[] {
    const out: V[] = [];
    for (let i = 0; i < this.#keys.length; i++) if (this.#keys[i] !== EMPTY) out.push(this.#values[i] as V);
    return out;
  }
}
