// The actors Troupe's sides run: a counting sink, an echo, a batching sender, a ping-pong pair and an idle actor.
import {
  type ActorContext,
  type ActorDefinition,
  type ActorId,
  type ActorRef,
  defineActor,
} from '@troupe/runtime';
import type { Meter } from '../peer.js';
import { type Body, makeBody, TELL_BATCH } from '../workload.js';

/** Counts every body it is told into its process's meter; `count` answers after all casts queued before it. */
export const Sink = defineActor({
  init: (args: { meter: Meter }) => ({ meter: args.meter }),
  handlers: {
    take(s, _body: Body) {
      s.meter.hit();
    },
    count(s) {
      return s.meter.count;
    },
  },
});

/** Answers every ask with its argument. */
export const Echo = defineActor({
  init: () => ({}),
  handlers: {
    echo(_s, body: unknown) {
      return body;
    },
  },
});

/**
 * Casts `TELL_BATCH` fresh bodies per `burst`, to its targets in turn (the same target every time when there is
 * one). Its refs come from its own context, so every cast carries it as the sender, as any actor's would.
 */
export const Sender = defineActor({
  init: (args: { targets: ActorId[] }, ctx: ActorContext) => ({
    targets: args.targets.map((t) => ctx.node.ref<typeof Sink>(t)),
    next: 0,
    seq: 0,
  }),
  handlers: {
    /** Returns how many bodies this sender has cast so far. */
    burst(s) {
      const targets = s.targets;
      for (let i = 0; i < TELL_BATCH; i++) {
        targets[s.next]!.cast.take(makeBody(s.seq++));
        s.next = s.next + 1 === targets.length ? 0 : s.next + 1;
      }
      return s.seq;
    },
  },
});

/** A ping-pong rally shared by both players: it ends at the first 1024th delivery past `deadline`. */
export interface Rally {
  deadline: number;
  delivered: number;
  done: (delivered: number) => void;
}

interface PlayerArgs {
  peer: string;
  rally: { current: Rally | undefined };
}
interface PlayerState {
  peer: ActorRef<ActorDefinition<PlayerState, PlayerArgs, PlayerHandlers>>;
  rally: { current: Rally | undefined };
}
type PlayerHandlers = { ball(s: PlayerState, n: number): void };

/** One side of local-tell's ping-pong: counts the ball and casts it back to its peer on the same node. */
export const Player = defineActor<PlayerState, PlayerArgs, PlayerHandlers>({
  init: (args, ctx) => ({ peer: ctx.node.ref(ctx.node.addr, args.peer), rally: args.rally }),
  handlers: {
    ball(s, n) {
      const rally = s.rally.current!;
      rally.delivered++;
      if ((rally.delivered & 1023) === 0 && performance.now() >= rally.deadline) {
        s.rally.current = undefined;
        rally.done(rally.delivered);
        return;
      }
      s.peer.cast.ball(n + 1);
    },
  },
});

/** actor-memory's actor: no state to speak of, one handler, never sent anything. */
export const Idle = defineActor({
  init: () => ({}),
  handlers: {
    ping() {},
  },
});
