// The `troupe.pubsub` system actor: subscriptions, interest between nodes and history requests.

import { defineActor } from '../actor/define.js';
import type { ActorId } from '../actor/ref.js';
import type { HistoryEntry } from './history.js';

/** Name of the pub/sub system actor on every node running the extension. */
export const PUBSUB_ACTOR = 'troupe.pubsub';

/** What the control actor needs of its node's pub/sub extension. */
export interface PubSubCore {
  /** Registers a local subscriber; resolves once every member has heard of new interest. */
  addLocal(topic: string, name: string, handler: string): Promise<unknown> | undefined;
  /** Removes a local subscriber; resolves once every member has heard of lost interest. */
  removeLocal(topic: string, name: string): Promise<unknown> | undefined;
  /** A subscriber stopped: all its subscriptions go. */
  actorGone(name: string): void;
  hasActor(name: string): boolean;
  isSubscriber(name: string): boolean;
  remoteInterest(node: number, topic: string, on: boolean): void;
  remoteSync(node: number, topics: string[]): void;
  historyOf(topic: string, afterSeq: number): [epoch: string, entries: Array<[number, number, unknown]>];
  readonly addr: number;
}

function settleAfter<T>(
  work: Promise<unknown> | undefined,
  reply: { resolve(v: T): void; reject(e: unknown): void },
  value: T,
) {
  if (work === undefined) reply.resolve(value);
  else
    work.then(
      () => reply.resolve(value),
      (err) => reply.reject(err),
    );
}

/**
 * Handlers take positional arrays (cheap to encode). `subscribe` and `unsubscribe` reply only once the
 * other members acknowledged the interest change, so a publish that starts after `subscribe` resolved
 * reaches the new subscriber; the reply is deferred so the mailbox goes on meanwhile.
 */
export const PubSubControl = defineActor({
  init: (core: PubSubCore) => core,
  handlers: {
    subscribe(core, [topic, name, handler]: [string, string, string], ctx) {
      if (!core.hasActor(name)) throw new Error(`no actor "${name}" to subscribe on this node`);
      const id: ActorId = { node: core.addr, name };
      if (!core.isSubscriber(name)) ctx.watch(id);
      const reply = ctx.reply<true>();
      settleAfter(core.addLocal(topic, name, handler), reply, true);
      return reply;
    },
    unsubscribe(core, [topic, name]: [string, string], ctx) {
      const reply = ctx.reply<true>();
      const work = core.removeLocal(topic, name);
      if (!core.isSubscriber(name)) ctx.unwatch({ node: core.addr, name });
      settleAfter(work, reply, true);
      return reply;
    },
    interest(core, [node, topic, on]: [number, string, boolean]) {
      core.remoteInterest(node, topic, on);
      return true;
    },
    sync(core, [node, topics]: [number, string[]]) {
      core.remoteSync(node, topics);
    },
    history(core, [topic, afterSeq]: [string, number]) {
      return core.historyOf(topic, afterSeq);
    },
  },
  onTerminated(core, terminated) {
    core.actorGone(terminated.ref.name);
  },
});

/** Entries as they travel: `[seq, at, data]`. */
export function packEntries(entries: HistoryEntry[]): Array<[number, number, unknown]> {
  return entries.map((e) => [e.seq, e.at, e.data]);
}
