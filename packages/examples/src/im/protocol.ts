// The IM example's protocol: the article's message model, its command numbers as msgIds, JSON codec.
import { defineProtocol, type } from '@troupe/client';

/** The article's `cmd` values (0, the heartbeat, is the client protocol's own HEARTBEAT frame). */
export const Cmd = { Heart: 0, Single: 10, Room: 11, Join: 12, Leave: 13, Sync: 14 } as const;

/** Media types of the article: how a client shows a message. */
export const Media = {
  Text: 1,
  News: 2,
  Voice: 3,
  Image: 4,
  RedPacket: 5,
  Emoji: 6,
  Link: 7,
  Video: 8,
  Contact: 9,
} as const;

/** The article's `Message`: `id` and `userid` are set by the server, `dstid` is a user id or a room id. */
export interface Message {
  id?: number;
  userid?: number;
  cmd: number;
  dstid: number;
  media: number;
  content?: string;
  pic?: string;
  url?: string;
  memo?: string;
  amount?: number;
}

/** What a room join answers: the room and its recent messages (the topic's history). */
export interface Joined {
  room: number;
  history: Message[];
}

export const ImProtocol = defineProtocol({
  single: {
    msgId: Cmd.Single,
    codec: 'json',
    request: type<Message>(),
    reply: type<{ id: number; delivered: boolean }>(),
    push: type<Message>(),
  },
  room: {
    msgId: Cmd.Room,
    codec: 'json',
    request: type<Message>(),
    reply: type<{ id: number }>(),
    push: type<Message>(),
  },
  join: { msgId: Cmd.Join, codec: 'json', request: type<{ dstid: number }>(), reply: type<Joined>() },
  leave: {
    msgId: Cmd.Leave,
    codec: 'json',
    request: type<{ dstid: number }>(),
    reply: type<{ room: number }>(),
  },
  /** Offline messages kept for this user, delivered once, and its rooms (the client asks right after login). */
  sync: {
    msgId: Cmd.Sync,
    codec: 'json',
    request: type<{}>(),
    reply: type<{ messages: Message[]; rooms: number[] }>(),
  },
});
