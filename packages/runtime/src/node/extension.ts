// The extension seam: what a capability layered on a node (harbor, pub/sub, streams, entities, gateway)
// may use of it. An extension is given a narrow host, never the node's internals.
import type { Addr, Frame, WireError } from '@troupe/transport';
import type { Logger } from 'pino';
import type { AnyActorDefinition } from '../actor/define.js';
import type { ActorId, ActorRef } from '../actor/ref.js';
import type { PickStrategy } from '../membership/pick.js';
import type { KvStore, MemberRecord } from '../membership/provider.js';
import type { MemberFilter } from '../membership/table.js';

/**
 * Frame kinds by owner. The link owns 0..15, the node core 16..47; each extension claims its own
 * block here so two extensions never collide. A kind is claimed at run time with `host.onFrame`.
 */
export const ExtensionKinds = {
  /** Harbor notices. */
  Harbor: 48,
  /** Pub/sub: 64..71. */
  PubSub: 64,
  /** Streams: 72..79. */
  Streams: 72,
  /** Entities: 80..87. */
  Entities: 80,
  /** Gateway: 88..95. */
  Gateway: 88,
  /** First kind free for applications' own extensions (up to 255). */
  User: 128,
} as const;

/** Where the reply of a message delivered through the host goes (an ask's reply, local or remote). */
export interface ReplyTo {
  ok(value: unknown): void;
  /** `thrown`: the error came from a handler (the caller sees `RemoteError`), not from the runtime. */
  fail(error: WireError, thrown?: boolean): void;
}

/** A message for a local actor, as the activation hook and `deliver` see it. */
export interface LocalMessage {
  handler: string;
  arg: unknown;
  /** The sending actor, if an actor sent it. */
  sender: ActorId | undefined;
  /** Set for an ask. */
  replyTo: ReplyTo | undefined;
}

/** Options of a frame sent by an extension. */
export interface SendOptions {
  /** Speak for another node (a harbor answering for an unreachable target). Default: this node. */
  from?: Addr;
  /** Flush the batch early, as asks and replies do (request/response traffic). Default false. */
  prompt?: boolean;
  /**
   * Bytes written ahead of a `Uint8Array` body in the same frame (a layer's own envelope, such as a
   * stream key), so the two are never copied together first. A body of the transport's
   * `DIRECT_BODY_MIN` or more then goes to the socket without any copy: it must not change afterwards.
   */
  head?: Uint8Array;
}

/** The node as an extension sees it. */
export interface ExtensionHost {
  readonly addr: Addr;
  readonly incarnation: string;
  /** A child logger named after the extension. */
  readonly log: Logger;
  /** Whether this node is an observer (sees the cluster, never picked). */
  readonly observer: boolean;

  // ---- actors
  /** Spawns a system actor on this node (names starting `troupe.` are reserved for these). */
  spawnSystem<D extends AnyActorDefinition>(def: D, name: string, args?: unknown): ActorRef<D>;
  /** A ref to an actor anywhere, sending as no actor. */
  ref<D extends AnyActorDefinition = AnyActorDefinition>(target: ActorId): ActorRef<D>;
  /** Whether a local actor of that name runs. */
  hasActor(name: string): boolean;
  /**
   * The one local delivery path (the same one tell, ask and inbound frames use). Returns false when
   * there is no such actor and no activation hook took the message; the caller decides what that means.
   * A full mailbox answers an ask with `MAILBOX_FULL` and dead-letters a tell.
   */
  deliver(name: string, message: LocalMessage): boolean;
  /**
   * Activation: called for a message to a local actor that does not exist. Return true when the hook
   * took the message (it spawned the actor and delivered, or buffered it to deliver later through
   * `deliver`); false lets the next hook try, then the message is dead-lettered (an ask fails with
   * `ACTOR_NOT_FOUND`). Returns an unregister function.
   */
  onMissingActor(hook: (name: string, message: LocalMessage) => boolean): () => void;
  /**
   * Holds back the named local actor's user messages (system messages, stop included, still run),
   * so a stream or a slow client session can push back. False when no such actor runs.
   */
  suspend(name: string): boolean;
  /** Lets a suspended actor's user messages run again. False when no such actor runs. */
  resume(name: string): boolean;
  /**
   * Fans one message out to several actors of `node` with one link frame (or locally with no frame).
   * Each name gets the message as a tell; a missing one is a dead letter (or goes to the activation
   * hooks). Throws the transport's errors when the frame cannot be sent.
   */
  multicast(node: Addr, names: readonly string[], handler: string, arg: unknown, sender?: ActorId): void;

  // ---- frames
  /**
   * Claims a frame kind: frames of that kind addressed to this node go to `handler`, with `via` the
   * authenticated peer they came from. A second claim of the same kind throws.
   */
  onFrame(kind: number, handler: (frame: Frame, via: Addr) => void): void;
  /** Claims frames addressed to other nodes (relaying). Only one extension may (the harbor). */
  onTransit(handler: (frame: Frame, via: Addr) => void): void;
  /**
   * Sends a frame whose body is a msgpack-encoded value, or raw bytes (a `Uint8Array`), to `to`,
   * directly or through harbors. Throws the transport's named errors or `UnreachableError`; `to` is
   * another node (this node itself has no link: `InvalidAddressError`).
   */
  send(to: Addr, kind: number, body: unknown, options?: SendOptions): void;
  /** Sends an already-encoded frame (header included) to the neighbour `via`, as a relay does. */
  sendRaw(via: Addr, raw: Uint8Array): void;
  /**
   * Answers the remote ask `askId` of node `to` with a runtime error, speaking as `from` (default this
   * node; a relay answers for the target it cannot reach). Logged, never thrown, when it cannot go.
   */
  failAsk(to: Addr, askId: number, error: WireError, from?: Addr): void;
  /** Sends a small frame of any kind with a msgpack body, logging instead of throwing when it cannot go. */
  control(to: Addr, kind: number, body: unknown[], from?: Addr): void;
  /** The next hop from `from` toward `to`; throws `UnreachableError` when there is none. */
  route(from: Addr, to: Addr): Addr;
  /** Whether the link to `peer` can take more bytes now (false past its high-water mark). */
  writable(peer: Addr): boolean;
  /** Calls `fn` once when the link to `peer` drains below its high-water mark (or at once if it is). */
  onDrain(peer: Addr, fn: () => void): void;

  // ---- cluster
  /** Members this node sees and considers alive, itself included. */
  members(filter?: MemberFilter): MemberRecord[];
  /**
   * Moves whenever `members()` may answer differently (a record or a liveness changed): what an
   * extension derives from the members (placement) stays valid while it reads the same.
   */
  readonly membersVersion: number;
  /** An available member of `type`; throws `NoMemberError`. Observers are never picked. */
  pick(type: number, strategy?: PickStrategy): MemberRecord;
  /** Whether `addr` is a live member. */
  isAlive(addr: Addr): boolean;
  /** The membership provider's KV. */
  readonly kv: KvStore;
  /** A member came up (a restarted member comes up again with a new incarnation). */
  onMemberUp(fn: (member: MemberRecord) => void): () => void;
  /** A member went down: its link failed, it left, or a harbor reported it. */
  onMemberDown(fn: (member: MemberRecord, reason: string) => void): () => void;
  /**
   * A peer is gone: asks and watches on it are failing (also peers outside the member view). Heard
   * once per loss: failed re-dials of a peer already gone are not reported again until it comes back.
   */
  onPeerGone(fn: (peer: Addr, reason: string) => void): () => void;
  /** Reports a peer down on another node's word (a harbor's notice). */
  reportPeerDown(peer: Addr, reason: string): void;

  // ---- introspection
  /** Adds a section to `node.stats()` under the extension's name. */
  addStats(section: () => unknown): void;
}

/**
 * A capability plugged into a node: `Node.start({ extensions: [harbor(), gateway({...})] })`.
 * `start` runs once the node's links and actors work, before membership starts (so system actors
 * exist when peers first see the node); `ready` runs once membership has started (the node is a
 * member, the KV answers), before `Node.start` resolves: open client-facing listeners there. `stop`
 * runs first when the node stops, while links are up.
 */
export interface Extension {
  /** Unique per node: `harbor`, `pubsub`, `gateway`, ... */
  readonly name: string;
  start(host: ExtensionHost): void | Promise<void>;
  /** The node is a member now; a failure fails `Node.start` (and stops the node). */
  ready?(): void | Promise<void>;
  stop?(): void | Promise<void>;
}
