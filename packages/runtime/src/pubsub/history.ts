// Bounded per-topic history of this node's own publications, for subscribers catching up.

/** One remembered publication. */
export interface HistoryEntry {
  seq: number;
  /** When it was published (ms epoch). */
  at: number;
  data: unknown;
}

/** How much history to keep per topic: at most `count` entries, none older than `ageMs`. */
export interface HistoryLimits {
  count: number;
  ageMs: number;
}

/**
 * A ring of the last publications per topic. Entries are pruned by count on every push and by age on
 * every read and push, so a quiet topic holds its last entries only until they age out of a read.
 */
export class History {
  readonly #limits: HistoryLimits;
  readonly #topics = new Map<string, HistoryEntry[]>();

  constructor(limits: HistoryLimits) {
    this.#limits = limits;
  }

  push(topic: string, seq: number, data: unknown, now = Date.now()): void {
    if (this.#limits.count === 0) return;
    let entries = this.#topics.get(topic);
    if (entries === undefined) {
      entries = [];
      this.#topics.set(topic, entries);
    }
    entries.push({ seq, at: now, data });
    if (entries.length > this.#limits.count) entries.splice(0, entries.length - this.#limits.count);
    this.#prune(topic, entries, now);
  }

  /** Entries of `topic` newer than `afterSeq`, oldest first. */
  since(topic: string, afterSeq = 0, now = Date.now()): HistoryEntry[] {
    const entries = this.#topics.get(topic);
    if (entries === undefined) return [];
    this.#prune(topic, entries, now);
    return entries.filter((e) => e.seq > afterSeq);
  }

  /** Topics with entries, for stats. */
  get topics(): number {
    return this.#topics.size;
  }

  #prune(topic: string, entries: HistoryEntry[], now: number): void {
    const oldest = now - this.#limits.ageMs;
    let drop = 0;
    while (drop < entries.length && entries[drop]!.at < oldest) drop++;
    if (drop > 0) entries.splice(0, drop);
    if (entries.length === 0) this.#topics.delete(topic);
  }
}
