// Subscription tables: which local actors listen to a topic, and which other nodes have listeners.

/** Local subscribers of one topic grouped by handler, the shape local fan-out needs. */
export type HandlerGroups = ReadonlyMap<string, readonly string[]>;

/**
 * The actors of this node subscribed to each topic, with the handler each receives publications on.
 * Answers whether a change made a topic start or stop being of interest to this node.
 */
export class LocalSubscriptions {
  readonly #topics = new Map<string, Map<string, string>>();
  readonly #byActor = new Map<string, Set<string>>();
  readonly #groups = new Map<string, HandlerGroups>();

  /** Subscribes actor `name`; returns true when `topic` had no local subscriber before. */
  add(topic: string, name: string, handler: string): boolean {
    let subs = this.#topics.get(topic);
    const fresh = subs === undefined;
    if (subs === undefined) {
      subs = new Map();
      this.#topics.set(topic, subs);
    }
    subs.set(name, handler);
    let topics = this.#byActor.get(name);
    if (topics === undefined) {
      topics = new Set();
      this.#byActor.set(name, topics);
    }
    topics.add(topic);
    this.#groups.delete(topic);
    return fresh;
  }

  /** Unsubscribes actor `name`; returns true when `topic` lost its last local subscriber. */
  remove(topic: string, name: string): boolean {
    const subs = this.#topics.get(topic);
    if (subs === undefined || !subs.delete(name)) return false;
    const topics = this.#byActor.get(name);
    topics?.delete(topic);
    if (topics?.size === 0) this.#byActor.delete(name);
    this.#groups.delete(topic);
    if (subs.size > 0) return false;
    this.#topics.delete(topic);
    return true;
  }

  /** Drops every subscription of actor `name`; returns the topics that lost their last subscriber. */
  removeActor(name: string): string[] {
    const topics = this.#byActor.get(name);
    if (topics === undefined) return [];
    const emptied: string[] = [];
    for (const topic of [...topics]) if (this.remove(topic, name)) emptied.push(topic);
    return emptied;
  }

  /** Whether actor `name` holds any subscription. */
  hasActor(name: string): boolean {
    return this.#byActor.has(name);
  }

  /** Subscribers of `topic` by handler (cached until the topic's subscribers change). */
  groups(topic: string): HandlerGroups | undefined {
    const cached = this.#groups.get(topic);
    if (cached !== undefined) return cached;
    const subs = this.#topics.get(topic);
    if (subs === undefined) return undefined;
    const groups = new Map<string, string[]>();
    for (const [name, handler] of subs) {
      const names = groups.get(handler);
      if (names === undefined) groups.set(handler, [name]);
      else names.push(name);
    }
    this.#groups.set(topic, groups);
    return groups;
  }

  /** Topics with at least one local subscriber. */
  topics(): string[] {
    return [...this.#topics.keys()];
  }

  /** Number of (topic, actor) subscriptions. */
  get size(): number {
    let n = 0;
    for (const subs of this.#topics.values()) n += subs.size;
    return n;
  }
}

/** Which other nodes have subscribers of each topic: where a publication's frames go. */
export class RemoteInterest {
  readonly #topics = new Map<string, Set<number>>();
  readonly #byNode = new Map<number, Set<string>>();

  add(node: number, topic: string): void {
    let nodes = this.#topics.get(topic);
    if (nodes === undefined) {
      nodes = new Set();
      this.#topics.set(topic, nodes);
    }
    nodes.add(node);
    let topics = this.#byNode.get(node);
    if (topics === undefined) {
      topics = new Set();
      this.#byNode.set(node, topics);
    }
    topics.add(topic);
  }

  remove(node: number, topic: string): void {
    const nodes = this.#topics.get(topic);
    if (nodes?.delete(node) && nodes.size === 0) this.#topics.delete(topic);
    const topics = this.#byNode.get(node);
    if (topics?.delete(topic) && topics.size === 0) this.#byNode.delete(node);
  }

  /** Replaces everything known of `node` with `topics` (its full list, sent when it comes up). */
  replace(node: number, topics: readonly string[]): void {
    this.dropNode(node);
    for (const topic of topics) this.add(node, topic);
  }

  /** `node` is gone: it has no subscribers any more. */
  dropNode(node: number): void {
    const topics = this.#byNode.get(node);
    if (topics === undefined) return;
    this.#byNode.delete(node);
    for (const topic of topics) {
      const nodes = this.#topics.get(topic);
      if (nodes?.delete(node) && nodes.size === 0) this.#topics.delete(topic);
    }
  }

  /** Nodes with subscribers of `topic`. */
  nodes(topic: string): ReadonlySet<number> | undefined {
    return this.#topics.get(topic);
  }

  /** Number of nodes with any subscriber. */
  get nodeCount(): number {
    return this.#byNode.size;
  }
}
