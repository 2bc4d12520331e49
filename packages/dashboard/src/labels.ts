// Bounded label values: free-text reasons become a capped set of short, digit-free categories.

/** The label value a reason gets once the set is full. */
export const OTHER_LABEL = 'other';

/**
 * Maps free-text reasons (`reply to ask 812 nobody waits for`, `malformed frame: bad kind 7`) to label
 * values: the text before the first `:`, digits folded to `N`, at most 48 characters, and at most
 * `limit` distinct values; later new ones count as `other`. So a peer cannot grow the series count.
 */
export class ReasonLabels {
  readonly #limit: number;
  readonly #seen = new Set<string>();

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** The label value for `reason`. */
  label(reason: string): string {
    const head = reason.split(':', 1)[0]!.trim();
    const value = head.replace(/\d+/g, 'N').slice(0, 48) || 'unknown';
    if (this.#seen.has(value)) return value;
    if (this.#seen.size >= this.#limit) return OTHER_LABEL;
    this.#seen.add(value);
    return value;
  }
}

/** Counts by label value, for events a node emits (dead letters, members going down). */
export class ReasonCounts {
  readonly #labels: ReasonLabels;
  readonly #counts = new Map<string, number>();

  constructor(limit: number) {
    this.#labels = new ReasonLabels(limit);
  }

  /** Counts one event with this reason. */
  add(reason: string): void {
    const label = this.#labels.label(reason);
    this.#counts.set(label, (this.#counts.get(label) ?? 0) + 1);
  }

  /** Sum over every label. */
  total(): number {
    let n = 0;
    for (const v of this.#counts.values()) n += v;
    return n;
  }

  /** Counts by label value. */
  entries(): IterableIterator<[string, number]> {
    return this.#counts.entries();
  }
}
