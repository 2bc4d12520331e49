// The session actor: how backends (through `SessionRef`) reach a session on its gateway.
import { MsgId } from '@troupe/client/wire';
import { defineActor, type Publication, ReplyError } from '@troupe/runtime';
import type { Session } from './session.js';
import type { SessionManager } from './sessions.js';

interface SessionActorState {
  session: Session;
  manager: SessionManager;
}

function text(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${what} must be a non-empty string`);
  return value;
}

/**
 * One per session that a backend addressed, named `troupe.session.<id>`: spawned by the first message
 * for it (`SessionManager.activate`); its state is the gateway's `Session`.
 */
export const SessionActor = defineActor({
  init: (args: SessionActorState) => args,
  supervision: { policy: 'resume' },
  handlers: {
    push(state, arg: { msgId: number; data: unknown }) {
      const { session, manager } = state;
      if (session.state === 'closed') return;
      session.push(manager.encodePush(arg.msgId, arg.data));
    },
    auth(state, uid: string) {
      return state.manager.claim(state.session, text(uid, 'uid'));
    },
    bind(state, arg: { type: number; addr: number; actor: string }) {
      state.manager.bind(state.session, arg.type, { node: arg.addr, name: text(arg.actor, 'actor') });
    },
    set(state, arg: { key: string; value: unknown }) {
      state.session.data ??= new Map();
      state.session.data.set(text(arg.key, 'key'), arg.value);
    },
    get(state, key: string) {
      return state.session.data?.get(key);
    },
    join(state, group: string) {
      state.manager.join(state.session, text(group, 'group'));
    },
    leave(state, group: string) {
      state.manager.leave(state.session, group);
    },
    /** Follows a pub/sub topic: its publications reach the client as pushes of `msgId`. */
    async subscribe(state, arg: { topic: string; msgId: number }, ctx) {
      const { session, manager } = state;
      const pubsub = manager.pubsub;
      if (pubsub === undefined)
        throw new ReplyError('NO_PUBSUB', 'this gateway was started without a pubsub extension');
      if (!Number.isInteger(arg.msgId) || arg.msgId < 1 || arg.msgId > MsgId.MaxApp)
        throw new ReplyError('BAD_MSGID', `msgId must be an application msgId, got ${String(arg.msgId)}`);
      const topic = text(arg.topic, 'topic');
      session.topics ??= new Map();
      session.topics.set(topic, arg.msgId);
      await pubsub.subscribe(topic, ctx.self, { handler: 'publication' });
    },
    async unsubscribe(state, topic: string, ctx) {
      const { session, manager } = state;
      if (session.topics?.delete(topic) !== true) return;
      await manager.pubsub?.unsubscribe(topic, ctx.self);
    },
    /** A publication of a followed topic: pushed with the frame every session of the gateway shares. */
    publication(state, p: Publication) {
      const { session, manager } = state;
      const msgId = session.topics?.get(p.topic);
      if (msgId === undefined || session.state === 'closed') return;
      session.push(manager.encodePublication(msgId, p), true);
    },
    kick(state, reason: string) {
      const why = typeof reason === 'string' ? reason : 'kicked';
      state.manager.close(state.session, `kicked: ${why}`, { code: 'KICKED', message: why });
    },
    /** Another session took this uid (the owner decided), possibly while this one's claim was in flight. */
    replaced(state, arg: { uid: string }) {
      if (state.session.uid !== arg.uid && state.session.claiming !== arg.uid) return;
      state.manager.close(state.session, 'replaced', {
        code: 'REPLACED',
        message: `uid ${arg.uid} logged in on another session`,
      });
    },
    info(state) {
      const s = state.session;
      return { session: s.ref, uid: s.uid, state: s.state, groups: [...(s.groups ?? [])] };
    },
    stop(_state, _reason: string, ctx) {
      ctx.stop('session closed');
    },
  },
});
