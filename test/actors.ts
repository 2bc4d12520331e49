// Actor definitions shared by the integration tests.
import { type ActorId, defineActor } from '@troupe/runtime';

export const Counter = defineActor({
  init: (args: { start: number }) => ({ n: args.start }),
  handlers: {
    add(state, by: number) {
      state.n += by;
      return state.n;
    },
    get(state) {
      return state.n;
    },
    boom(_s, message: string) {
      throw new Error(message);
    },
    async slow(state, ms: number) {
      await new Promise((r) => setTimeout(r, ms));
      return state.n;
    },
  },
});

/** Records sequence numbers; reports whether they arrived in order. */
export const Sink = defineActor({
  init: () => ({ count: 0, next: 0, outOfOrder: 0 }),
  handlers: {
    push(state, seq: number) {
      if (seq !== state.next) state.outOfOrder++;
      state.next = seq + 1;
      state.count++;
    },
    stats(state) {
      return { count: state.count, outOfOrder: state.outOfOrder };
    },
  },
});

/** Casts `n` sequence numbers to a target from inside an actor. */
export const Source = defineActor({
  init: () => ({}),
  handlers: {
    blast(_s, job: { target: ActorId; n: number }, ctx) {
      const target = ctx.node.ref<typeof Sink>(job.target);
      for (let i = 0; i < job.n; i++) target.cast.push(i);
      return job.n;
    },
    async relay(_s, job: { target: ActorId; by: number }, ctx) {
      return ctx.node.ref<typeof Counter>(job.target).call.add(job.by);
    },
  },
});
