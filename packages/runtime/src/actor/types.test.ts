// Type-level tests: handler types flow from the definition to call/cast; misuse fails to compile.
import { describe, expectTypeOf, it } from 'vitest';
import type { ActorContext } from './context.js';
import { defineActor } from './define.js';
import type { ActorRef } from './ref.js';
import type { CallOptions } from './types.js';

const Counter = defineActor({
  init: (args: { start: number }) => ({ n: args.start, log: [] as string[] }),
  handlers: {
    add(state, by: number, _ctx) {
      state.n += by;
      return state.n;
    },
    get(state) {
      return state.n;
    },
    async rename(state, name: string) {
      state.log.push(name);
      return { ok: true as const, name };
    },
    maybe(state, by?: number) {
      return state.n + (by ?? 0);
    },
    later(state, _x: number, ctx) {
      const r = ctx.reply<string>();
      r.resolve(String(state.n));
      return r;
    },
    ping() {},
    schedule(_state, job: { timeoutMs: number }) {
      return job.timeoutMs;
    },
  },
});

declare const ref: ActorRef<typeof Counter>;

describe('typed actor API', () => {
  it('types handler state and context from init', () => {
    defineActor({
      init: () => ({ items: new Map<string, number>() }),
      handlers: {
        put(state, kv: [string, number], ctx) {
          expectTypeOf(state.items).toEqualTypeOf<Map<string, number>>();
          expectTypeOf(ctx).toEqualTypeOf<ActorContext>();
          state.items.set(kv[0], kv[1]);
        },
      },
    });
  });

  // Type assertions only: these functions are type-checked, never called.
  it('types call arguments and replies', () => {
    const checks = () => {
      expectTypeOf(ref.call.add).parameter(0).toEqualTypeOf<number>();
      expectTypeOf(ref.call.add(1)).toEqualTypeOf<Promise<number>>();
      expectTypeOf(ref.call.add(1, { timeoutMs: 10 })).toEqualTypeOf<Promise<number>>();
      expectTypeOf(ref.call.get()).toEqualTypeOf<Promise<number>>();
      expectTypeOf(ref.call.get(undefined, { timeoutMs: 5 })).toEqualTypeOf<Promise<number>>();
      expectTypeOf(ref.with({ timeoutMs: 5 }).call.get()).toEqualTypeOf<Promise<number>>();
      expectTypeOf(ref.with({ timeoutMs: 5 })).toEqualTypeOf<ActorRef<typeof Counter>>();
      expectTypeOf(ref.call.rename('x')).toEqualTypeOf<Promise<{ ok: true; name: string }>>();
      expectTypeOf(ref.call.maybe()).toEqualTypeOf<Promise<number>>();
      expectTypeOf(ref.call.maybe(2)).toEqualTypeOf<Promise<number>>();
      expectTypeOf(ref.call.later(1)).toEqualTypeOf<Promise<string>>();
      expectTypeOf(ref.call.ping()).toEqualTypeOf<Promise<void>>();
    };
    expectTypeOf(checks).toBeFunction();
  });

  it('keeps options apart from the argument, whatever its shape', () => {
    const checks = () => {
      expectTypeOf(ref.call.add).parameters.toEqualTypeOf<[arg: number, options?: CallOptions]>();
      expectTypeOf(ref.call.get).parameters.toEqualTypeOf<[arg?: undefined, options?: CallOptions]>();
      expectTypeOf(ref.call.maybe).parameters.toEqualTypeOf<[arg?: number, options?: CallOptions]>();
      expectTypeOf(ref.call.schedule).parameters.toEqualTypeOf<
        [arg: { timeoutMs: number }, options?: CallOptions]
      >();
      expectTypeOf(ref.call.schedule({ timeoutMs: 30_000 })).toEqualTypeOf<Promise<number>>();
    };
    expectTypeOf(checks).toBeFunction();
  });

  it('types cast arguments', () => {
    const checks = () => {
      expectTypeOf(ref.cast.add).toEqualTypeOf<(arg: number) => void>();
      expectTypeOf(ref.cast.get).toEqualTypeOf<() => void>();
    };
    expectTypeOf(checks).toBeFunction();
  });

  it('rejects misuse at compile time', () => {
    const misuse = () => {
      // @ts-expect-error unknown handler
      ref.call.nope(1);
      // @ts-expect-error wrong argument type
      ref.call.add('one');
      // @ts-expect-error missing argument
      ref.call.add();
      // @ts-expect-error wrong cast argument
      ref.cast.add('x');
      // @ts-expect-error unknown cast
      ref.cast.nope();
      // @ts-expect-error a handler that takes no argument gets none
      ref.cast.get(1);
      // @ts-expect-error options are never the first argument
      ref.call.get({ timeoutMs: 5 });
      // @ts-expect-error an options-shaped argument is the argument: options come second
      ref.call.schedule({ timeoutMs: 5 }, { timeoutMs: 'soon' });
    };
    expectTypeOf(misuse).toBeFunction();
  });
});
