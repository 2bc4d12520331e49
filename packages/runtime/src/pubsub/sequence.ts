// Per-publisher sequence tracking on a subscribing node: how many publications a link loss cost.

interface Position {
  epoch: string;
  seq: number;
}

/**
 * Remembers, per topic and publisher, the last sequence number seen and the publisher's epoch (its
 * incarnation). A publisher numbers its publications on a topic 1, 2, 3...; a jump means the link lost
 * some, a new epoch means the publisher restarted and numbering starts over.
 */
export class SequenceTracker {
  readonly #topics = new Map<string, Map<number, Position>>();

  /**
   * Records publication `seq` of `publisher` (in `epoch`) on `topic`. Returns how many publications
   * were missed just before it: 0 when it follows the last one, is the first seen, or opens a new
   * epoch; -1 when it is not newer than the last one seen (a duplicate, to be dropped).
   */
  observe(topic: string, publisher: number, epoch: string, seq: number): number {
    let byPublisher = this.#topics.get(topic);
    if (byPublisher === undefined) {
      byPublisher = new Map();
      this.#topics.set(topic, byPublisher);
    }
    const last = byPublisher.get(publisher);
    if (last === undefined || last.epoch !== epoch) {
      byPublisher.set(publisher, { epoch, seq });
      return 0;
    }
    if (seq <= last.seq) return -1;
    const missed = seq - last.seq - 1;
    last.seq = seq;
    return missed;
  }

  /** This node stopped listening to `topic`: the next publication starts a fresh count. */
  forgetTopic(topic: string): void {
    this.#topics.delete(topic);
  }

  /** `publisher` went down: whatever it publishes next comes with a new epoch anyway. */
  forgetPublisher(publisher: number): void {
    for (const [topic, byPublisher] of this.#topics) {
      byPublisher.delete(publisher);
      if (byPublisher.size === 0) this.#topics.delete(topic);
    }
  }

  /** Topics tracked, for stats. */
  get size(): number {
    return this.#topics.size;
  }
}
