// The chat service on chat nodes: single chat (online push or offline keep), rooms as topics, sync.
import type { ServiceContext } from '@troupe/cli';
import type { Entities } from '@troupe/entities';
import type { GatewayBackend, GatewayMessage } from '@troupe/gateway';
import { defineActor, type PubSub } from '@troupe/runtime';
import { Cmd, type Joined, type Message } from './protocol.js';
import { User } from './user.js';

/** The pub/sub topic of a room; members' sessions follow it, so a room message is one publish. */
export const roomTopic = (room: number) => `room:${room}`;

interface ChatState {
  backend: GatewayBackend;
  entities: Entities;
  pubsub: PubSub;
  seq: number;
}

function positiveId(value: unknown, what: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0)
    throw Object.assign(new Error(`${what} must be a positive integer`), { code: 'BAD_REQUEST' });
  return n;
}

/** The message as the server stores and forwards it: its id, the sender's id, the command. */
function stamp(state: ChatState, m: GatewayMessage<Message>, cmd: number): Message {
  const d = m.data ?? ({} as Message);
  state.seq = (state.seq + 1) % 1000;
  return {
    ...d,
    id: Date.now() * 1000 + state.seq,
    userid: Number(m.uid),
    cmd,
    dstid: positiveId(d.dstid, 'dstid'),
    media: Number(d.media ?? 1),
  };
}

export const Chat = defineActor({
  init: (args: { troupe: ServiceContext }): ChatState => {
    const { backend, entities, pubsub } = args.troupe;
    if (!backend || !entities || !pubsub)
      throw new Error('the chat service needs backend, entities and pubsub on its node');
    return { backend, entities, pubsub, seq: 0 };
  },
  handlers: {
    /** cmd 10: to the user's session wherever it is, else kept by the user's entity. */
    async single(state, m: GatewayMessage<Message>) {
      const message = stamp(state, m, Cmd.Single);
      const to = await state.backend.locate(String(message.dstid));
      if (to !== undefined) {
        to.push(Cmd.Single, message);
        return { id: message.id!, delivered: true };
      }
      await state.entities.entity(User, String(message.dstid)).call.keep(message);
      return { id: message.id!, delivered: false };
    },
    /**
     * cmd 11: one publish to the room's topic: one frame per gateway with members, each pushing it to
     * its members' sessions as cmd 11; chat nodes keep it as the room's history.
     */
    room(state, m: GatewayMessage<Message>) {
      const message = stamp(state, m, Cmd.Room);
      state.pubsub.publish(roomTopic(message.dstid), message);
      return { id: message.id! };
    },
    /** cmd 12: the session follows the room's topic; the answer carries the room's recent messages. */
    async join(state, m: GatewayMessage<{ dstid: number }>): Promise<Joined> {
      const room = positiveId(m.data?.dstid, 'dstid');
      await state.backend.session(m).subscribe(roomTopic(room), Cmd.Room);
      await state.entities.entity(User, String(m.uid)).call.joined(room);
      const history = (await state.pubsub.history(roomTopic(room))).map((p) => p.data as Message);
      history.sort((a, b) => a.id! - b.id!);
      return { room, history };
    },
    /** cmd 13. */
    async leave(state, m: GatewayMessage<{ dstid: number }>) {
      const room = positiveId(m.data?.dstid, 'dstid');
      await state.backend.session(m).unsubscribe(roomTopic(room));
      await state.entities.entity(User, String(m.uid)).call.left(room);
      return { room };
    },
    /** cmd 14: the offline messages, once, and the rooms this user is in (the new session rejoins them). */
    async sync(state, m: GatewayMessage) {
      const user = state.entities.entity(User, String(m.uid));
      const [messages, rooms] = await Promise.all([user.call.takeOffline(), user.call.rooms()]);
      const session = state.backend.session(m);
      await Promise.all(rooms.map((room) => session.subscribe(roomTopic(room), Cmd.Room)));
      return { messages, rooms };
    },
  },
});
