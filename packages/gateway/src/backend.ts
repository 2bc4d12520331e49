// The backend side of the gateway: a node extension for nodes whose actors serve client routes. It
// rebuilds SessionRefs, reaches sessions by uid, multicasts and broadcasts with one link frame per
// gateway, and tells bound actors `sessionClosed` (also when a session's gateway dies).
import { Addr, defineActor, type Extension, type ExtensionHost, type LocalMessage } from '@troupe/runtime';
import type { BroadcastMessage, DeliverMessage, UidPushMessage } from './gateway-actor.js';
import { type GatewayMessage, type SessionClosed, type SessionId, SessionRef } from './session-ref.js';
import { BACKEND_ACTOR, GATEWAY_ACTOR } from './sessions.js';
import { uidOwner } from './uid-registry.js';

/** Options of `gatewayBackend()`. */
export interface GatewayBackendOptions {
  /** Node type of the cluster's gateways. Default 1. */
  gatewayType?: number;
}

export const DEFAULT_GATEWAY_TYPE = 1;

/** What a backend node offers its actors once the extension started. */
export interface GatewayBackend extends Extension {
  /** A SessionRef for a received message or session id; `bind` through it is watched for gateway death. */
  session(from: GatewayMessage | SessionId): SessionRef;
  /** The session holding `uid`, wherever it is, or undefined when the uid is offline. */
  locate(uid: string): Promise<SessionRef | undefined>;
  /** Pushes to sessions by uid wherever they are (offline uids are skipped). */
  pushToUids(uids: readonly string[], msgId: number, data: unknown): void;
  /** Pushes to sessions: one message per gateway, the client frame encoded once there. */
  push(sessions: readonly SessionId[], msgId: number, data: unknown): void;
  /** Pushes to every session of every gateway, or to those in `group`: one message per gateway. */
  broadcast(msgId: number, data: unknown, options?: { group?: string }): void;
}

/** Bound sessions of one gateway: session id -> what to tell which local actors. */
type Bound = Map<string, { closed: SessionClosed; actors: Set<string> }>;

const BackendActor = defineActor({
  init: (args: { closed: (c: SessionClosed) => void }) => args,
  supervision: { policy: 'resume' },
  handlers: {
    sessionClosed(state, closed: SessionClosed) {
      state.closed(closed);
    },
  },
});

/** Creates the backend extension: `Node.start({ extensions: [gatewayBackend()] })`. */
export function gatewayBackend(options: GatewayBackendOptions = {}): GatewayBackend {
  const gatewayType = options.gatewayType ?? DEFAULT_GATEWAY_TYPE;
  let host: ExtensionHost | undefined;
  const bound = new Map<number, Bound>();
  const live = (): ExtensionHost => {
    if (host === undefined) throw new Error('the gatewayBackend extension has not started');
    return host;
  };
  const gateways = () => live().members({ type: gatewayType });
  const gatewayActor = (node: number) => live().ref({ node, name: GATEWAY_ACTOR });

  const deliverClosed = (closed: SessionClosed, actors: Iterable<string>) => {
    for (const name of actors) {
      const message: LocalMessage = {
        handler: 'sessionClosed',
        arg: closed,
        sender: undefined,
        replyTo: undefined,
      };
      if (!live().deliver(name, message))
        live().log.warn({ actor: name }, 'bound actor gone; sessionClosed dropped');
    }
  };
  const onClosed = (closed: SessionClosed) => {
    const entry = bound.get(closed.session.gateway)?.get(closed.session.id);
    if (entry === undefined) return;
    bound.get(closed.session.gateway)?.delete(closed.session.id);
    deliverClosed(closed, entry.actors);
  };
  const onBind = (
    session: SessionId,
    uid: string | undefined,
    _type: number,
    actor: { node: number; name: string },
  ) => {
    if (actor.node !== live().addr) return;
    let forGateway = bound.get(session.gateway);
    if (forGateway === undefined) {
      forGateway = new Map();
      bound.set(session.gateway, forGateway);
    }
    let entry = forGateway.get(session.id);
    if (entry === undefined) {
      entry = { closed: { session, uid, reason: 'gateway-down' }, actors: new Set() };
      forGateway.set(session.id, entry);
    }
    entry.actors.add(actor.name);
  };
  const gatewayDown = (addr: number, reason: string) => {
    const forGateway = bound.get(addr);
    if (forGateway === undefined) return;
    bound.delete(addr);
    for (const entry of forGateway.values())
      deliverClosed({ ...entry.closed, reason: `gateway-down: ${reason}` }, entry.actors);
  };
  const toSession = (from: GatewayMessage | SessionId): SessionRef => {
    const id = 'session' in from ? from.session : from;
    const uid = 'session' in from ? from.uid : undefined;
    return new SessionRef(live(), id, uid === undefined ? { onBind } : { uid, onBind });
  };

  return {
    name: 'gateway-backend',
    start(h) {
      host = h;
      h.spawnSystem(BackendActor, BACKEND_ACTOR, { closed: onClosed });
      h.onMemberDown((m, reason) => {
        if (Addr.type(m.addr) === gatewayType) gatewayDown(m.addr, reason);
      });
      h.addStats(() => ({ boundSessions: [...bound.values()].reduce((n, m) => n + m.size, 0) }));
    },
    session: toSession,
    async locate(uid) {
      const owner = uidOwner(uid, gateways());
      if (owner === undefined) return undefined;
      const found = (await gatewayActor(owner.addr).ask('locate', uid)) as SessionId | null;
      return found === null ? undefined : toSession(found);
    },
    pushToUids(uids, msgId, data) {
      const byOwner = new Map<number, string[]>();
      const all = gateways();
      for (const uid of uids) {
        const owner = uidOwner(uid, all);
        if (owner === undefined) continue;
        const list = byOwner.get(owner.addr) ?? [];
        list.push(uid);
        byOwner.set(owner.addr, list);
      }
      for (const [owner, list] of byOwner) {
        const message: UidPushMessage = { uids: list, msgId, data };
        gatewayActor(owner).tell('toUids', message);
      }
    },
    push(sessions, msgId, data) {
      const byGateway = new Map<number, string[]>();
      for (const s of sessions) {
        const list = byGateway.get(s.gateway) ?? [];
        list.push(s.id);
        byGateway.set(s.gateway, list);
      }
      for (const [gateway, ids] of byGateway) {
        const message: DeliverMessage = { ids, msgId, data };
        gatewayActor(gateway).tell('deliver', message);
      }
    },
    broadcast(msgId, data, opts) {
      const message: BroadcastMessage =
        opts?.group === undefined ? { msgId, data } : { msgId, data, group: opts.group };
      for (const g of gateways()) gatewayActor(g.addr).tell('broadcast', message);
    },
  };
}
