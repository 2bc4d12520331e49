// The pub/sub extension: topics across the cluster, one frame per subscribing node per publish.
import { Addr, decodeBodyAt, encodeBody, type Frame } from '@troupe/transport';
import type { ActorId } from '../actor/ref.js';
import { type Extension, type ExtensionHost, ExtensionKinds } from '../node/extension.js';
import { PUBSUB_ACTOR, PubSubControl, type PubSubCore, packEntries } from './control.js';
import { InvalidTopicError, PubSubNotStartedError } from './errors.js';
import { History } from './history.js';
import { type PubSubOptions, type ResolvedPubSubOptions, resolvePubSubOptions } from './options.js';
import { SequenceTracker } from './sequence.js';
import { LocalSubscriptions, RemoteInterest } from './subscriptions.js';

/** Frame kinds of pub/sub. */
export const PubSubKind = {
  /** msgpack `[topic, epoch, seq, data]`, from the publishing node to a node with subscribers. */
  Publish: ExtensionKinds.PubSub,
} as const;

/** What a subscriber's handler receives. */
export interface Publication<T = unknown> {
  readonly topic: string;
  readonly data: T;
  /** The publishing node. */
  readonly publisher: Addr;
  /** The publisher's incarnation: numbering starts over when it changes. */
  readonly epoch: string;
  /** 1, 2, 3... per publisher and topic. */
  readonly seq: number;
  /** Publications of this publisher on this topic lost just before this one (a link loss); 0 normally. */
  readonly gap: number;
}

/** A position in one publisher's numbering, for `history({ after })`. */
export interface HistoryPosition {
  publisher: number;
  epoch: string;
  seq: number;
}

/** Counters in `node.stats().pubsub`. */
export interface PubSubStats {
  published: number;
  framesOut: number;
  framesIn: number;
  localDeliveries: number;
  gaps: number;
  missed: number;
  duplicates: number;
  malformed: number;
  sendFailures: number;
  subscriptions: number;
  interestedNodes: number;
}

/**
 * Pub/sub for a node: `Node.start({ extensions: [ps] })`, then `ps.subscribe(topic, ref)` and
 * `ps.publish(topic, data)` from any node. A publish sends one frame to each node with subscribers,
 * which fans it out to its local subscribers with the host's multicast.
 */
export class PubSub implements Extension, PubSubCore {
  readonly name = 'pubsub';
  readonly options: ResolvedPubSubOptions;
  #host: ExtensionHost | undefined;
  #local = new LocalSubscriptions();
  #remote = new RemoteInterest();
  #tracker = new SequenceTracker();
  #history: History;
  #seqs = new Map<string, number>();
  readonly #unhook: Array<() => void> = [];
  readonly #stats = {
    published: 0,
    framesOut: 0,
    framesIn: 0,
    localDeliveries: 0,
    gaps: 0,
    missed: 0,
    duplicates: 0,
    malformed: 0,
    sendFailures: 0,
  };

  constructor(options?: PubSubOptions) {
    this.options = resolvePubSubOptions(options);
    this.#history = new History({ count: this.options.historyCount, ageMs: this.options.historyAgeMs });
  }

  start(host: ExtensionHost): void {
    // A restarted node (same extension object, new incarnation) starts from nothing, like its peers see it.
    this.#local = new LocalSubscriptions();
    this.#remote = new RemoteInterest();
    this.#tracker = new SequenceTracker();
    this.#history = new History({ count: this.options.historyCount, ageMs: this.options.historyAgeMs });
    this.#seqs = new Map();
    this.#host = host;
    host.spawnSystem(PubSubControl, PUBSUB_ACTOR, this);
    host.onFrame(PubSubKind.Publish, (frame) => this.#onPublish(frame));
    this.#unhook.push(
      host.onMemberUp((m) => {
        if (m.addr !== host.addr) this.#control(m.addr).tell('sync', [host.addr, this.#local.topics()]);
      }),
      host.onMemberDown((m) => this.#peerGone(m.addr)),
      host.onPeerGone((peer) => this.#peerGone(peer)),
    );
    host.addStats(() => this.stats());
  }

  stop(): void {
    for (const unhook of this.#unhook.splice(0)) unhook();
    this.#host = undefined;
  }

  get addr(): number {
    return this.#running().addr;
  }

  // ---- public API ---------------------------------------------------------------------------------

  /**
   * Subscribes an actor (on any node) to `topic`; it receives each publication as a `Publication` on
   * `options.handler` (default the extension's `handler`). Resolves once every member knows, so a
   * publish made afterwards reaches it. The subscription ends with `unsubscribe` or when the actor stops.
   */
  subscribe(topic: string, subscriber: ActorId, options?: { handler?: string }): Promise<void> {
    this.#checkTopic(topic);
    const handler = options?.handler ?? this.options.handler;
    return this.#control(subscriber.node).ask('subscribe', [topic, subscriber.name, handler], {
      timeoutMs: this.options.controlTimeoutMs * 2,
    }) as Promise<never>;
  }

  /** Ends a subscription. Resolves once every member knows (when it was the node's last for the topic). */
  unsubscribe(topic: string, subscriber: ActorId): Promise<void> {
    this.#checkTopic(topic);
    return this.#control(subscriber.node).ask('unsubscribe', [topic, subscriber.name], {
      timeoutMs: this.options.controlTimeoutMs * 2,
    }) as Promise<never>;
  }

  /**
   * Publishes `data` to every subscriber of `topic`, in publish order per publishing node; returns
   * the publication's sequence number. At most once: a node that cannot be reached misses it (its
   * subscribers see the loss as a `gap` in the next publication they get).
   */
  publish(topic: string, data: unknown): number {
    const host = this.#running();
    this.#checkTopic(topic);
    const seq = (this.#seqs.get(topic) ?? 0) + 1;
    this.#seqs.set(topic, seq);
    this.#stats.published++;
    this.#history.push(topic, seq, data);
    const nodes = this.#remote.nodes(topic);
    if (nodes !== undefined && nodes.size > 0) {
      // Encoded once for every node; the copy outlives msgpackr's reused buffer.
      const body = Uint8Array.prototype.slice.call(encodeBody([topic, host.incarnation, seq, data]));
      for (const node of nodes) {
        try {
          host.send(node as Addr, PubSubKind.Publish, body);
          this.#stats.framesOut++;
        } catch (err) {
          this.#stats.sendFailures++;
          if (host.log.isLevelEnabled('debug'))
            host.log.debug({ err, peer: Addr.format(node as Addr), topic }, 'publication not sent');
        }
      }
    }
    this.#fanOut(topic, data, host.addr, host.incarnation, seq, 0);
    return seq;
  }

  /**
   * The publications every member still holds for `topic` (each keeps its own, per `historyCount` and
   * `historyAgeMs`), oldest first per publisher; `after` skips what a subscriber already has.
   * Members that do not answer in time are left out.
   */
  async history(topic: string, options?: { after?: readonly HistoryPosition[] }): Promise<Publication[]> {
    const host = this.#running();
    this.#checkTopic(topic);
    const after = new Map((options?.after ?? []).map((p) => [p.publisher, p]));
    const members = host.members();
    const answers = await Promise.allSettled(
      members.map((m) => {
        const position = after.get(m.addr);
        return this.#control(m.addr).ask('history', [topic, position?.seq ?? 0], {
          timeoutMs: this.options.controlTimeoutMs,
        }) as Promise<[string, Array<[number, number, unknown]>]>;
      }),
    );
    const out: Publication[] = [];
    answers.forEach((answer, i) => {
      const publisher = members[i]!.addr;
      if (answer.status === 'rejected') {
        host.log.debug({ err: answer.reason, peer: Addr.format(publisher) }, 'history not answered');
        return;
      }
      const [epoch, entries] = answer.value;
      const position = after.get(publisher);
      // A restarted publisher numbers from 1 again: everything of the new epoch is news.
      const from = position !== undefined && position.epoch === epoch ? position.seq : 0;
      for (const [seq, , data] of entries)
        if (seq > from) out.push({ topic, data, publisher, epoch, seq, gap: 0 });
    });
    return out;
  }

  /** Nodes this node knows to have subscribers of `topic` (itself included). */
  nodesFor(topic: string): Addr[] {
    const host = this.#running();
    const nodes = [...(this.#remote.nodes(topic) ?? [])] as Addr[];
    if (this.#local.groups(topic) !== undefined) nodes.push(host.addr);
    return nodes.sort((a, b) => a - b);
  }

  stats(): PubSubStats {
    return { ...this.#stats, subscriptions: this.#local.size, interestedNodes: this.#remote.nodeCount };
  }

  // ---- PubSubCore (the control actor) ---------------------------------------------------------------

  addLocal(topic: string, name: string, handler: string): Promise<unknown> | undefined {
    if (!this.#local.add(topic, name, handler)) return undefined;
    this.#tracker.forgetTopic(topic);
    return this.#announce(topic, true);
  }

  removeLocal(topic: string, name: string): Promise<unknown> | undefined {
    if (!this.#local.remove(topic, name)) return undefined;
    this.#tracker.forgetTopic(topic);
    return this.#announce(topic, false);
  }

  actorGone(name: string): void {
    for (const topic of this.#local.removeActor(name)) {
      this.#tracker.forgetTopic(topic);
      void this.#announce(topic, false);
    }
  }

  hasActor(name: string): boolean {
    return this.#running().hasActor(name);
  }

  isSubscriber(name: string): boolean {
    return this.#local.hasActor(name);
  }

  remoteInterest(node: number, topic: string, on: boolean): void {
    if (on) this.#remote.add(node, topic);
    else this.#remote.remove(node, topic);
  }

  remoteSync(node: number, topics: string[]): void {
    this.#remote.replace(node, topics);
  }

  historyOf(topic: string, afterSeq: number): [string, Array<[number, number, unknown]>] {
    return [this.#running().incarnation, packEntries(this.#history.since(topic, afterSeq))];
  }

  // ---- internals ----------------------------------------------------------------------------------

  #running(): ExtensionHost {
    if (this.#host === undefined) throw new PubSubNotStartedError();
    return this.#host;
  }

  #control(node: number) {
    return this.#running().ref({ node, name: PUBSUB_ACTOR });
  }

  #checkTopic(topic: string): void {
    if (typeof topic !== 'string' || topic === '')
      throw new InvalidTopicError('a topic must be a non-empty string');
    if (topic.length > this.options.maxTopicLength)
      throw new InvalidTopicError(
        `topic of ${topic.length} characters exceeds maxTopicLength ${this.options.maxTopicLength}`,
      );
  }

  /** Tells every other member that this node gained or lost its last subscriber of `topic`. */
  #announce(topic: string, on: boolean): Promise<unknown> {
    const host = this.#running();
    const asks = host
      .members()
      .filter((m) => m.addr !== host.addr)
      .map((m) =>
        this.#control(m.addr).ask('interest', [host.addr, topic, on], {
          timeoutMs: this.options.controlTimeoutMs,
        }),
      );
    return Promise.allSettled(asks);
  }

  #peerGone(peer: number): void {
    this.#remote.dropNode(peer);
    this.#tracker.forgetPublisher(peer);
  }

  #onPublish(frame: Frame): void {
    const host = this.#host;
    if (host === undefined) return;
    this.#stats.framesIn++;
    let body: unknown;
    try {
      // Bodies are sent as pre-encoded bytes, so they carry the raw flag: decode them as msgpack.
      body = decodeBodyAt(0, frame.data, frame.bodyStart, frame.bodyEnd);
    } catch (err) {
      this.#malformed(host, frame, err);
      return;
    }
    if (
      !Array.isArray(body) ||
      body.length !== 4 ||
      typeof body[0] !== 'string' ||
      typeof body[1] !== 'string' ||
      !Number.isSafeInteger(body[2])
    ) {
      this.#malformed(host, frame, undefined);
      return;
    }
    const [topic, epoch, seq, data] = body as [string, string, number, unknown];
    if (this.#local.groups(topic) === undefined) return;
    const gap = this.#tracker.observe(topic, frame.from, epoch, seq);
    if (gap < 0) {
      this.#stats.duplicates++;
      return;
    }
    if (gap > 0) {
      this.#stats.gaps++;
      this.#stats.missed += gap;
    }
    this.#fanOut(topic, data, frame.from as Addr, epoch, seq, gap);
  }

  #malformed(host: ExtensionHost, frame: Frame, err: unknown): void {
    this.#stats.malformed++;
    host.log.warn({ err, peer: Addr.format(frame.from as Addr) }, 'malformed publication dropped');
  }

  #fanOut(topic: string, data: unknown, publisher: Addr, epoch: string, seq: number, gap: number): void {
    const groups = this.#local.groups(topic);
    if (groups === undefined) return;
    const host = this.#running();
    const publication: Publication = Object.freeze({ topic, data, publisher, epoch, seq, gap });
    for (const [handler, names] of groups) {
      this.#stats.localDeliveries += names.length;
      host.multicast(host.addr, names, handler, publication);
    }
  }
}

/** Creates the pub/sub extension for one node. */
export function pubsub(options?: PubSubOptions): PubSub {
  return new PubSub(options);
}
