// The gateway's system actor (`troupe.gateway`): the uid registry of the uids this gateway owns,
// and the entry point of fan-out pushes (one link frame per gateway, however many sessions).
import { defineActor } from '@troupe/runtime';
import type { GatewayMetrics } from './metrics.js';
import type { SessionId } from './session-ref.js';
import { sessionActorName } from './session-ref.js';
import { GATEWAY_ACTOR, type SessionManager } from './sessions.js';
import type { UidRegistry } from './uid-registry.js';

interface GatewayActorState {
  registry: UidRegistry;
  manager: SessionManager;
  metrics: GatewayMetrics;
  /** This gateway's load and client addresses, for login services. */
  load: () => GatewayLoad;
}

/** What a gateway reports to login services. */
export interface GatewayLoad {
  gateway: number;
  sessions: number;
  /** Event-loop lag measured over the last report interval, ms. */
  lagMs: number;
  ws: string | undefined;
  tcp: string | undefined;
}

/** A push to sessions by id on one gateway. */
export interface DeliverMessage {
  ids: string[];
  msgId: number;
  data: unknown;
}

/** A push to every session of a gateway, or to those in a group. */
export interface BroadcastMessage {
  msgId: number;
  data: unknown;
  group?: string;
}

/** Pushes to uids owned by the receiving gateway. */
export interface UidPushMessage {
  uids: string[];
  msgId: number;
  data: unknown;
}

export const GatewayActor = defineActor({
  init: (args: GatewayActorState) => args,
  supervision: { policy: 'resume' },
  handlers: {
    claim(state, arg: { uid: string; session: SessionId; policy: 'replace' | 'refuse' }, ctx) {
      const { replaced } = state.registry.claim(arg.uid, arg.session, arg.policy);
      if (replaced !== undefined)
        ctx.node.ref({ node: replaced.gateway, name: sessionActorName(replaced.id) }).tell('replaced', {
          uid: arg.uid,
        });
      return true;
    },
    /** Re-registration after the owner changed: the session already registered keeps the uid. */
    sync(state, arg: { uid: string; session: SessionId }, ctx) {
      const holder = state.registry.locate(arg.uid);
      if (holder === undefined) state.registry.claim(arg.uid, arg.session, 'replace');
      else if (holder.gateway !== arg.session.gateway || holder.id !== arg.session.id)
        ctx.node
          .ref({ node: arg.session.gateway, name: sessionActorName(arg.session.id) })
          .tell('replaced', { uid: arg.uid });
    },
    release(state, arg: { uid: string; session: SessionId }) {
      state.registry.release(arg.uid, arg.session);
    },
    locate(state, uid: string) {
      return state.registry.locate(uid) ?? null;
    },
    /** Pushes to uids this gateway owns: one `deliver` per gateway holding some of them. */
    toUids(state, arg: UidPushMessage, ctx) {
      const byGateway = new Map<number, string[]>();
      for (const uid of arg.uids) {
        const s = state.registry.locate(uid);
        if (s === undefined) continue;
        let ids = byGateway.get(s.gateway);
        if (ids === undefined) {
          ids = [];
          byGateway.set(s.gateway, ids);
        }
        ids.push(s.id);
      }
      for (const [gateway, ids] of byGateway)
        ctx.node
          .ref({ node: gateway, name: GATEWAY_ACTOR })
          .tell('deliver', { ids, msgId: arg.msgId, data: arg.data });
      return byGateway.size;
    },
    deliver(state, arg: DeliverMessage) {
      state.metrics.fanoutIn++;
      return state.manager.fanout({ ids: arg.ids }, arg.msgId, arg.data);
    },
    broadcast(state, arg: BroadcastMessage) {
      state.metrics.fanoutIn++;
      return state.manager.fanout(arg.group === undefined ? {} : { group: arg.group }, arg.msgId, arg.data);
    },
    load(state) {
      return state.load();
    },
  },
});
