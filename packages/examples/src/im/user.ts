// Users as entities: one per user id, on a chat node chosen by hashing, holding offline messages and rooms.
import { defineEntity } from '@troupe/entities';
import type { Message } from './protocol.js';

/** Chat nodes' type: users live there. */
export const CHAT_TYPE = 2;
/** Offline messages kept per user; older ones are dropped first. */
export const OFFLINE_LIMIT = 500;

export const User = defineEntity({
  name: 'im-user',
  type: CHAT_TYPE,
  init: (id: string, saved: { offline: Message[]; rooms: number[] } | undefined) =>
    saved ?? { id, offline: [] as Message[], rooms: [] as number[] },
  handlers: {
    /** Keeps a message for a user who is not connected. */
    keep(state, message: Message) {
      state.offline.push(message);
      if (state.offline.length > OFFLINE_LIMIT) state.offline.splice(0, state.offline.length - OFFLINE_LIMIT);
      return state.offline.length;
    },
    /** Hands over the kept messages, once. */
    takeOffline(state) {
      return state.offline.splice(0);
    },
    joined(state, room: number) {
      if (!state.rooms.includes(room)) state.rooms.push(room);
      return state.rooms;
    },
    left(state, room: number) {
      state.rooms = state.rooms.filter((r) => r !== room);
      return state.rooms;
    },
    rooms(state) {
      return state.rooms;
    },
  },
});
