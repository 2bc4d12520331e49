// Actors of the demo cluster: a player registry and a chat room, typed end to end.
import { type ActorId, defineActor } from '@troupe/runtime';

/** Keeps player profiles; lives on the "profile" node type. */
export const Profiles = defineActor({
  init: () => ({ players: new Map<string, { name: string; level: number }>() }),
  handlers: {
    register(state, p: { id: string; name: string }) {
      state.players.set(p.id, { name: p.name, level: 1 });
      return state.players.size;
    },
    levelUp(state, id: string) {
      const p = state.players.get(id);
      if (!p) throw new Error(`unknown player ${id}`);
      p.level++;
      return p.level;
    },
    get(state, id: string) {
      return state.players.get(id) ?? null;
    },
    ping() {
      return 'pong';
    },
  },
});

/** A chat room; members are actor refs that receive `said` casts. */
export const Room = defineActor({
  init: (args: { topic: string }) => ({ topic: args.topic, members: [] as ActorId[], said: 0 }),
  handlers: {
    join(state, member: ActorId) {
      state.members.push(member);
      return state.members.length;
    },
    ping() {
      return 'pong';
    },
    say(state, line: { from: string; text: string }, ctx) {
      state.said++;
      for (const m of state.members)
        ctx.node.ref<typeof Player>(m).cast.heard(`[${state.topic}] ${line.from}: ${line.text}`);
      return state.said;
    },
  },
});

/** A player session; counts what it heard. */
export const Player = defineActor({
  init: (args: { id: string }) => ({ id: args.id, heard: [] as string[] }),
  handlers: {
    heard(state, line: string) {
      state.heard.push(line);
    },
    transcript(state) {
      return state.heard;
    },
  },
});
