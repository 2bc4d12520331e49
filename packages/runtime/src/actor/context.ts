// The context a handler receives: who it is, who sent the message, and the node's services.
import type { Logger } from 'pino';
import type { PickStrategy } from '../membership/pick.js';
import type { KvStore, MemberRecord } from '../membership/provider.js';
import type { MemberFilter } from '../membership/table.js';
import type { AnyActorDefinition, DeferredReply } from './define.js';
import type { ActorId, ActorRef } from './ref.js';
import type { SpawnOptions } from './spawn.js';

/** Timers owned by an actor; all cleared when it stops or restarts. */
export interface ActorTimers {
  setTimeout(fn: () => void, ms: number): NodeJS.Timeout;
  setInterval(fn: () => void, ms: number): NodeJS.Timeout;
  clear(timer: NodeJS.Timeout): void;
}

/** What every handler, `init` and lifecycle hook gets as its context. */
export interface ActorContext {
  /** This actor. */
  readonly self: ActorRef<any>;
  /** The sending actor, when the message came from one. */
  readonly sender: ActorRef<any> | undefined;
  /** The node this actor runs on. */
  readonly node: ActorNodeApi;
  /** A child logger bound to this actor. */
  readonly log: Logger;
  readonly timers: ActorTimers;
  /** Spawns a child actor; it stops when this actor stops or restarts. */
  spawn<D extends AnyActorDefinition>(def: D, options?: SpawnOptions<D>): ActorRef<D>;
  /** Watches an actor: `onTerminated` runs when it stops or its node goes down. */
  watch(ref: ActorId): void;
  unwatch(ref: ActorId): void;
  /**
   * Defers the reply of the current message: return the handle from the handler and settle it
   * later; the mailbox goes on with the next message meanwhile.
   */
  reply<T>(): DeferredReply<T>;
  /** Stops this actor after the current message. */
  stop(reason?: string): void;
}

/** The part of the node an actor sees. Refs it makes send as the actor. */
export interface ActorNodeApi {
  readonly addr: number;
  ref<D extends AnyActorDefinition = AnyActorDefinition>(target: ActorId): ActorRef<D>;
  ref<D extends AnyActorDefinition = AnyActorDefinition>(node: string | number, name: string): ActorRef<D>;
  /** An available member of `type` (never an observer); throws `NoMemberError`. */
  pick(type: number, strategy?: PickStrategy): MemberRecord;
  /** Members the node sees and considers alive, itself included. */
  members(filter?: MemberFilter): MemberRecord[];
  /** The cluster's key-value store. */
  readonly kv: KvStore;
}
