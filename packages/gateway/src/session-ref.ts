// SessionRef: the plain, serialisable handle on a client session that backends receive with every
// message, and the operations it offers (push, auth, bind, set/get, kick, groups).
import type { ActorId, ActorRef } from '@troupe/runtime';

/** A session's identity: its gateway node and its id there. What travels in messages. */
export interface SessionId {
  /** The gateway node's address. */
  gateway: number;
  /** Unique per session. */
  id: string;
}

/** What a backend handler receives for every client message routed to it. */
export interface GatewayMessage<T = unknown> {
  session: SessionId;
  /** Set once the session is authenticated. */
  uid: string | undefined;
  /** The client payload, decoded with the route's codec. */
  data: T;
}

/** What a bound backend actor receives (handler `sessionClosed`) when a session ends. */
export interface SessionClosed {
  session: SessionId;
  uid: string | undefined;
  /** `closed`, `idle`, `kicked: <reason>`, `replaced`, `slow`, `going-away`, `gateway-down`, ... */
  reason: string;
}

/** What the names of session actors start with. */
export const SESSION_ACTOR_PREFIX = 'troupe.session.';

/** Name of the session actor of `id` on its gateway node. */
export function sessionActorName(id: string): string {
  return `${SESSION_ACTOR_PREFIX}${id}`;
}

/** The actor id of a session. */
export function sessionActor(session: SessionId): ActorId {
  return { node: session.gateway, name: sessionActorName(session.id) };
}

/** Builds actor refs; a node, an actor's `ctx.node` or an extension host all can. */
export interface RefMaker {
  ref(target: ActorId): ActorRef<any>;
}

/** Called when a backend binds a session, so the binding side can watch the gateway. */
export type BindListener = (
  session: SessionId,
  uid: string | undefined,
  type: number,
  actor: ActorId,
) => void;

/**
 * Operations on a session, wherever it lives. Built from the plain `SessionId` a backend received:
 * `new SessionRef(ctx.node, msg.session)`, or `backend.session(msg)` with a `gatewayBackend()`
 * extension (which also reports `sessionClosed` when the session's gateway dies).
 * Serialises to its `SessionId`. Calls are messages to the session actor: FIFO from one sender.
 */
export class SessionRef implements SessionId {
  readonly gateway: number;
  readonly id: string;
  readonly #actor: ActorRef<any>;
  readonly #onBind: BindListener | undefined;
  readonly #uid: string | undefined;

  constructor(refs: RefMaker, session: SessionId, options?: { uid?: string; onBind?: BindListener }) {
    this.gateway = session.gateway;
    this.id = session.id;
    this.#actor = refs.ref(sessionActor(session));
    this.#onBind = options?.onBind;
    this.#uid = options?.uid;
  }

  /** Pushes `data` to the client as msgId `msgId`, encoded with that route's codec (msgpack if unrouted). */
  push(msgId: number, data: unknown): void {
    this.#actor.tell('push', { msgId, data });
  }

  /**
   * Authenticates the session as `uid`: resolves once the uid is this session's cluster-wide (a live
   * session of the same uid elsewhere is replaced, or this one is refused with `DuplicateLoginError`,
   * by the gateway's `duplicateLogin` option). Await it before replying to a login.
   */
  async auth(uid: string): Promise<void> {
    await this.#actor.ask('auth', uid);
  }

  /**
   * Binds the session to the backend node `addr` for service `type`: routes with strategy `bound` to
   * that type go there, and `actor` there (default the route default `service`) gets
   * `sessionClosed` when the session ends.
   */
  bind(type: number, addr: number, actor = 'service'): void {
    this.#actor.tell('bind', { type, addr, actor });
    this.#onBind?.(this.toJSON(), this.#uid, type, { node: addr, name: actor });
  }

  /** Stores a session value (kept for the session's life, resumes included). */
  set(key: string, value: unknown): void {
    this.#actor.tell('set', { key, value });
  }

  /** A stored session value. */
  async get<T = unknown>(key: string): Promise<T | undefined> {
    return (await this.#actor.ask('get', key)) as T | undefined;
  }

  /** Adds the session to a group (for `broadcast(..., {group})`). */
  join(group: string): void {
    this.#actor.tell('join', group);
  }

  leave(group: string): void {
    this.#actor.tell('leave', group);
  }

  /**
   * Makes the session follow the pub/sub topic `topic`: each publication reaches the client as a push
   * of `msgId` (encoded once per gateway for all its subscribed sessions), so room chat is one
   * `publish`. Resolves once a publish made afterwards reaches it; rejects with code `NO_PUBSUB` when
   * the gateway runs no pub/sub (`GatewayOptions.pubsub`). The subscription ends with the session.
   */
  async subscribe(topic: string, msgId: number): Promise<void> {
    await this.#actor.ask('subscribe', { topic, msgId });
  }

  /** Stops following `topic`. */
  async unsubscribe(topic: string): Promise<void> {
    await this.#actor.ask('unsubscribe', topic);
  }

  /** Closes the session: the client gets a KICKED notice with `reason`, bound backends `sessionClosed`. */
  kick(reason: string): void {
    this.#actor.tell('kick', reason);
  }

  toJSON(): SessionId {
    return { gateway: this.gateway, id: this.id };
  }
}
