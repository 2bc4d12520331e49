// Dead letters counted by a bounded reason: the free-text reasons the runtime gives fold into a fixed set.

/** The reason a dead letter is counted under when it matches none of `DEAD_LETTER_REASONS`' patterns. */
export const DEAD_LETTER_OTHER = 'other';

// Each reason the runtime reports, as the start of its text (the rest names actors, ids, messages).
const patterns: ReadonlyArray<readonly [string, RegExp]> = [
  ['actor not found', /^actor not found/],
  ['unknown handler', /^unknown handler/],
  ['mailbox full', /^mailbox full|^mailbox of .* is full/],
  ['actor stopped', /^actor stopped/],
  ['malformed frame', /^malformed frame/],
  ['undecodable body', /^undecodable body/],
  ['undecodable argument', /^undecodable argument/],
  ['call without target or handler', /^call without target or handler/],
  ['reply nobody waits for', /^reply to ask \d+ nobody waits for/],
  ['frame handler threw', /frame handler threw$/],
];

/** Every reason dead letters are counted under, `other` last. */
export const DEAD_LETTER_REASONS: readonly string[] = Object.freeze([
  ...patterns.map(([reason]) => reason),
  DEAD_LETTER_OTHER,
]);

/** The bounded reason of a dead letter whose free-text reason is `text`. */
export function deadLetterReason(text: string): string {
  for (const [reason, pattern] of patterns) if (pattern.test(text)) return reason;
  return DEAD_LETTER_OTHER;
}

/** Dead letters by bounded reason, counted since the node started. */
export class DeadLetterCounts {
  readonly #counts = new Float64Array(DEAD_LETTER_REASONS.length);
  #total = 0;

  /** Counts one dead letter with free-text reason `text`. */
  add(text: string): void {
    this.#counts[DEAD_LETTER_REASONS.indexOf(deadLetterReason(text))]!++;
    this.#total++;
  }

  /** Every dead letter counted. */
  get total(): number {
    return this.#total;
  }

  /** Counts by reason, only reasons that occurred. */
  byReason(): Record<string, number> {
    const out: Record<string, number> = {};
    this.#counts.forEach((n, i) => {
      if (n > 0) out[DEAD_LETTER_REASONS[i]!] = n;
    });
    return out;
  }
}
