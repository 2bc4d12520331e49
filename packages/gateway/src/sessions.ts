// The sessions of one gateway: opening, resuming, closing, uid claims through the uid's owner,
// bindings, groups, and pushes (one encoding per fan-out).
import { encodeFrame, encodeMessage, MsgId } from '@troupe/client/wire';
import type { ActorId, ExtensionHost, LocalMessage, Publication, PubSub } from '@troupe/runtime';
import { encodePayload } from './codecs.js';
import type { Connection } from './connection.js';
import type { GatewayMetrics } from './metrics.js';
import type { ResolvedGatewayOptions } from './options.js';
import type { RouteTable } from './routes.js';
import { Session } from './session.js';
import { SessionActor } from './session-actor.js';
import { SESSION_ACTOR_PREFIX, type SessionClosed, type SessionId, sessionActorName } from './session-ref.js';
import { sharedFrames } from './socket.js';
import { uidOwner } from './uid-registry.js';

/** Name of the gateway's own system actor (uid registry and fan-out) on every gateway node. */
export const GATEWAY_ACTOR = 'troupe.gateway';
/** Name of the backend extension's system actor, which hears `sessionClosed` for bound actors. */
export const BACKEND_ACTOR = 'troupe.gateway.backend';

/** A close that tells the client why. */
export interface CloseNotice {
  code: string;
  message: string;
}

/** The WELCOME fields a session answers HELLO with. */
export interface WelcomeExtras {
  resumed: boolean;
  reason?: string;
}

export class SessionManager {
  readonly #host: ExtensionHost;
  readonly #options: ResolvedGatewayOptions;
  readonly #metrics: GatewayMetrics;
  readonly #routes: () => RouteTable;
  readonly #byId = new Map<string, Session>();
  /** uid -> local session holding it (the owner's registry is the cluster-wide truth). */
  readonly #byUid = new Map<string, Session>();
  readonly #groups = new Map<string, Set<Session>>();
  readonly #publicationFrames = new WeakMap<Publication, { msgId: number; frame: Uint8Array }>();
  readonly gatewayType: number;

  constructor(
    host: ExtensionHost,
    options: ResolvedGatewayOptions,
    metrics: GatewayMetrics,
    routes: () => RouteTable,
    gatewayType: number,
  ) {
    this.#host = host;
    this.#options = options;
    this.#metrics = metrics;
    this.#routes = routes;
    this.gatewayType = gatewayType;
  }

  get size(): number {
    return this.#byId.size;
  }

  /** The node's pub/sub extension, when the gateway was given one (`GatewayOptions.pubsub`). */
  get pubsub(): PubSub | undefined {
    return this.#options.pubsub;
  }

  get detached(): number {
    let n = 0;
    for (const s of this.#byId.values()) if (s.state === 'detached') n++;
    return n;
  }

  get(id: string): Session | undefined {
    return this.#byId.get(id);
  }

  all(): IterableIterator<Session> {
    return this.#byId.values();
  }

  /** Opens a session on `conn`; `resumable` for clients that said HELLO (they count numbered frames). */
  open(conn: Connection, resumable: boolean): Session {
    const s = new Session(
      this.#host.addr,
      conn,
      resumable && this.#options.resume ? this.#options.resume : undefined,
    );
    this.#byId.set(s.id, s);
    conn.owner = s;
    this.#metrics.sessionsOpened++;
    return s;
  }

  /**
   * The activation hook of session actors: the first message for a session's actor spawns it. Most
   * sessions are never addressed by a backend, and an actor (cell, mailbox, ref) is the largest part
   * of an idle session at tens of thousands per gateway. False for other names and ended sessions.
   */
  activate(name: string, message: LocalMessage): boolean {
    if (!name.startsWith(SESSION_ACTOR_PREFIX)) return false;
    const session = this.#byId.get(name.slice(SESSION_ACTOR_PREFIX.length));
    if (session === undefined || session.state === 'closed') return false;
    this.#host.spawnSystem(SessionActor, name, { session, manager: this });
    return this.#host.deliver(name, message);
  }

  /** The resumable session a resume token (`<id>.<secret>`) names, if it is still held. */
  byToken(token: string): Session | undefined {
    const session = this.#byId.get(token.slice(0, Math.max(0, token.indexOf('.'))));
    return session?.resumable && session.holdsToken(token) ? session : undefined;
  }

  /** Moves `session` onto `conn` (resume): the previous connection, if any, is dropped silently. */
  attach(session: Session, conn: Connection): void {
    const previous = session.connection;
    if (previous !== undefined && previous !== conn) {
      previous.owner = undefined;
      previous.drop('resumed elsewhere');
    }
    if (session.expiry) clearTimeout(session.expiry);
    session.expiry = undefined;
    session.state = 'live';
    session.connection = conn;
    conn.owner = session;
    this.#metrics.sessionsResumed++;
  }

  /** Sends WELCOME on the session's connection (not numbered). */
  welcome(session: Session, extras: WelcomeExtras): void {
    const o = this.#options;
    const body = {
      session: session.id,
      token: session.token,
      resumed: extras.resumed,
      heartbeatMs: o.heartbeatMs,
      idleMs: o.idleMs,
      maxFrame: o.maxFrame,
      ...(session.uid !== undefined ? { uid: session.uid } : {}),
      ...(extras.reason !== undefined ? { reason: extras.reason } : {}),
    };
    session.connection?.send(encodeFrame(MsgId.Welcome, encodeMessage(body)));
  }

  /** The connection under a session ended: keep the session for resume, or close it. */
  connectionLost(session: Session, conn: Connection): void {
    if (session.connection !== conn || session.state === 'closed') return;
    session.connection = undefined;
    const resume = this.#options.resume;
    if (conn.closeReason === 'closed' && session.resumable && resume) {
      session.state = 'detached';
      session.expiry = setTimeout(() => this.close(session, 'resume window passed'), resume.windowMs);
      session.expiry.unref();
      return;
    }
    this.close(session, conn.closeReason);
  }

  /**
   * Ends a session: the client gets `notice` (if any) and its connection closes, the uid is released
   * at its owner, bound backends hear `sessionClosed`, the session actor stops. Idempotent.
   */
  close(session: Session, reason: string, notice?: CloseNotice): void {
    if (session.state === 'closed') return;
    session.state = 'closed';
    if (session.expiry) clearTimeout(session.expiry);
    this.#byId.delete(session.id);
    for (const g of session.groups ?? []) this.#leaveIndex(g, session);
    const conn = session.connection;
    session.connection = undefined;
    if (conn !== undefined) {
      conn.owner = undefined;
      if (notice) conn.close(notice.code, notice.message, reason);
      else conn.drop(reason);
    }
    if (session.uid !== undefined) {
      if (this.#byUid.get(session.uid) === session) this.#byUid.delete(session.uid);
      this.#toOwner(session.uid, 'release', { uid: session.uid, session: session.ref });
    }
    const told = new Set<number>();
    const closed: SessionClosed = { session: session.ref, uid: session.uid, reason };
    for (const actor of session.bindings?.values() ?? []) {
      if (told.has(actor.node)) continue;
      told.add(actor.node);
      this.#tell({ node: actor.node, name: BACKEND_ACTOR }, 'sessionClosed', closed);
    }
    const actor = sessionActorName(session.id);
    if (this.#host.hasActor(actor)) this.#tell({ node: this.#host.addr, name: actor }, 'stop', reason);
  }

  /**
   * Authenticates `session` as `uid` once the uid's owner granted it: another session of the uid
   * is closed (`replace`) or this claim rejects with `DuplicateLoginError` (`refuse`).
   */
  async claim(session: Session, uid: string): Promise<void> {
    if (session.uid === uid) return;
    session.claiming = uid;
    try {
      await this.#askOwner(uid, 'claim', { uid, session: session.ref, policy: this.#options.duplicateLogin });
    } finally {
      session.claiming = undefined;
    }
    if (session.state === 'closed') {
      this.#toOwner(uid, 'release', { uid, session: session.ref });
      return;
    }
    if (session.uid !== undefined) {
      this.#byUid.delete(session.uid);
      this.#toOwner(session.uid, 'release', { uid: session.uid, session: session.ref });
    }
    session.uid = uid;
    this.#byUid.set(uid, session);
  }

  /** Claims every local uid again at its (possibly new) owner, after the set of gateways changed. */
  reclaimAll(): void {
    for (const [uid, s] of this.#byUid) this.#toOwner(uid, 'sync', { uid, session: s.ref });
  }

  /** Binds a session to a backend actor for a service type. */
  bind(session: Session, type: number, actor: ActorId): void {
    session.bindings ??= new Map();
    session.bindings.set(type, actor);
  }

  join(session: Session, group: string): void {
    if (session.state === 'closed') return;
    session.groups ??= new Set();
    session.groups.add(group);
    let set = this.#groups.get(group);
    if (set === undefined) {
      set = new Set();
      this.#groups.set(group, set);
    }
    set.add(session);
  }

  leave(session: Session, group: string): void {
    session.groups?.delete(group);
    this.#leaveIndex(group, session);
  }

  #leaveIndex(group: string, session: Session): void {
    const set = this.#groups.get(group);
    if (set === undefined) return;
    set.delete(session);
    if (set.size === 0) this.#groups.delete(group);
  }

  /** The client frame of a push: the payload encoded with the msgId's route codec (msgpack if unrouted). */
  encodePush(msgId: number, data: unknown): Uint8Array {
    const route = this.#routes().get(msgId);
    const frame = encodeFrame(msgId, encodePayload(route?.codec ?? 'msgpack', data));
    const c = this.#metrics.route(route?.name ?? `msg${msgId}`);
    c.framesOut++;
    c.bytesOut += frame.length;
    return frame;
  }

  /**
   * The client frame of a publication pushed as `msgId`: a publication reaches every subscribing
   * session of this node as one object (the multicast), so its frame is encoded once for all of them.
   */
  encodePublication(msgId: number, publication: Publication): Uint8Array {
    const cached = this.#publicationFrames.get(publication);
    if (cached !== undefined && cached.msgId === msgId) return cached.frame;
    const frame = this.encodePush(msgId, publication.data);
    sharedFrames.add(frame);
    this.#publicationFrames.set(publication, { msgId, frame });
    return frame;
  }

  /** Pushes one frame, encoded once, to sessions by id, to a group, or to every session. */
  fanout(target: { ids?: readonly string[]; group?: string }, msgId: number, data: unknown): number {
    const frame = this.encodePush(msgId, data);
    sharedFrames.add(frame);
    let n = 0;
    const send = (s: Session | undefined) => {
      if (s === undefined || s.state === 'closed') return;
      s.push(frame, true);
      n++;
    };
    if (target.ids) for (const id of target.ids) send(this.#byId.get(id));
    else if (target.group !== undefined) for (const s of this.#groups.get(target.group) ?? []) send(s);
    else for (const s of this.#byId.values()) send(s);
    this.#metrics.framesOut += n;
    return n;
  }

  /** The live gateways uid ownership is spread over. */
  gateways() {
    return this.#host.members({ type: this.gatewayType });
  }

  #owner(uid: string): number {
    return uidOwner(uid, this.gateways())?.addr ?? this.#host.addr;
  }

  #askOwner(uid: string, handler: string, arg: unknown): Promise<unknown> {
    return this.#host
      .ref({ node: this.#owner(uid), name: GATEWAY_ACTOR })
      .ask(handler, arg, { timeoutMs: this.#options.requestTimeoutMs });
  }

  #toOwner(uid: string, handler: string, arg: unknown): void {
    this.#tell({ node: this.#owner(uid), name: GATEWAY_ACTOR }, handler, arg);
  }

  #tell(target: ActorId, handler: string, arg: unknown): void {
    try {
      this.#host.ref(target).tell(handler, arg);
    } catch (err) {
      this.#host.log.warn({ err, target }, 'gateway message not sent');
    }
  }

  /** Ends every session (gateway stopping): GOING_AWAY to each client. */
  closeAll(reason: string, notice?: CloseNotice): void {
    for (const s of [...this.#byId.values()]) this.close(s, reason, notice);
  }

  /** The session of a SessionId on this gateway. */
  local(id: SessionId): Session | undefined {
    return id.gateway === this.#host.addr ? this.#byId.get(id.id) : undefined;
  }
}
