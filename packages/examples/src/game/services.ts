// The game example's services: players on game nodes (sessions bound to them), and the hub's online counts.
import type { ServiceContext } from '@troupe/cli';
import type { GatewayBackend, GatewayMessage, SessionClosed } from '@troupe/gateway';
import { type ActorContext, type ActorRef, defineActor } from '@troupe/runtime';
import { GOLD_PER_WORK, LEVEL_COST, type Online, type Player, START_GOLD } from './protocol.js';

/** Node types of the game cluster. */
export const GAME_TYPE = 2;
export const HUB_TYPE = 4;

/** An error code a client sees in its rejected request. */
function refuse(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/** Counts sessions per game node: game services tell it who entered and who left. */
export const Hub = defineActor({
  init: () => ({ online: new Map<string, string>() }),
  handlers: {
    entered(state, arg: { uid: string; node: string }) {
      state.online.set(arg.uid, arg.node);
    },
    left(state, uid: string) {
      state.online.delete(uid);
    },
    /** As a client route (msgId 5) and to other nodes. */
    online(state): Online {
      const byNode: Record<string, number> = {};
      for (const node of state.online.values()) byNode[node] = (byNode[node] ?? 0) + 1;
      return { online: state.online.size, byNode };
    },
  },
});

interface GameState {
  node: string;
  addr: number;
  backend: GatewayBackend;
  players: Map<string, Player>;
  hub: (ctx: ActorContext) => ActorRef<typeof Hub> | undefined;
}

function player(state: GameState, m: GatewayMessage): Player {
  const p = m.uid === undefined ? undefined : state.players.get(m.uid);
  if (p === undefined) throw refuse('NOT_ENTERED', 'enter the game first (msgId 1)');
  return p;
}

/** Holds the players whose uid hashes to this node; `enter` binds the session here. */
export const Game = defineActor({
  init: (args: { troupe: ServiceContext }, ctx): GameState => {
    const backend = args.troupe.backend;
    if (backend === undefined) throw new Error('the game service needs backend: true on its node');
    const hub = (c: ActorContext) => {
      const [member] = c.node.members({ type: HUB_TYPE });
      return member && c.node.ref<typeof Hub>(member.addr, 'service');
    };
    return { node: args.troupe.addr, addr: ctx.node.addr, backend, players: new Map(), hub };
  },
  handlers: {
    enter(state, m: GatewayMessage, ctx): Player {
      const uid = m.uid!;
      let p = state.players.get(uid);
      if (p === undefined) {
        p = { uid, level: 1, gold: START_GOLD, node: state.node };
        state.players.set(uid, p);
      }
      state.backend.session(m).bind(GAME_TYPE, state.addr);
      state.hub(ctx)?.cast.entered({ uid, node: state.node });
      return p;
    },
    player: (state, m: GatewayMessage): Player => player(state, m),
    work(state, m: GatewayMessage): Player {
      const p = player(state, m);
      p.gold += GOLD_PER_WORK;
      return p;
    },
    levelUp(state, m: GatewayMessage): Player {
      const p = player(state, m);
      const cost = p.level * LEVEL_COST;
      if (p.gold < cost)
        throw refuse('NOT_ENOUGH_GOLD', `level ${p.level + 1} costs ${cost} gold, you have ${p.gold}`);
      p.gold -= cost;
      p.level += 1;
      return p;
    },
    /** From the gateway backend: a bound session ended (closed, kicked, its gateway died). */
    sessionClosed(state, closed: SessionClosed, ctx) {
      if (closed.uid !== undefined) state.hub(ctx)?.cast.left(closed.uid);
    },
  },
});

/** The login hook: any player name of 1-32 letters, digits, `_` or `-`, with the demo password. */
export function authenticate(credentials: unknown): string | undefined {
  const c = credentials as { name?: unknown; password?: unknown } | null;
  const name = String(c?.name ?? '');
  if (!/^[\w-]{1,32}$/.test(name) || c?.password !== 'game-demo') return undefined;
  return name;
}
