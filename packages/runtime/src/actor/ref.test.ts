import { Addr } from '@troupe/transport';
import { describe, expect, it } from 'vitest';
import { defineActor } from './define.js';
import { type ActorId, ActorRef, type Router } from './ref.js';
import type { CallOptions } from './types.js';

const Jobs = defineActor({
  init: () => ({}),
  handlers: {
    schedule(_s, job: { timeoutMs: number; signal?: string }) {
      return job.timeoutMs;
    },
    count() {
      return 0;
    },
  },
});

/** A router that records what refs ask for. */
class RecordingRouter implements Router {
  readonly asks: Array<{ handler: string; arg: unknown; options: CallOptions | undefined }> = [];
  tell(): void {}
  async ask(_t: ActorId, handler: string, arg: unknown, options: CallOptions | undefined) {
    this.asks.push({ handler, arg, options });
    return undefined;
  }
}

describe('ActorRef call options', () => {
  it('never takes an options-shaped argument for options', async () => {
    const router = new RecordingRouter();
    const ref = new ActorRef<typeof Jobs>(Addr.parse('1.1.1'), 'jobs', router);
    await ref.call.schedule({ timeoutMs: 30_000 });
    await ref.call.schedule({ timeoutMs: 5 }, { timeoutMs: 100 });
    await ref.call.count();
    await ref.call.count(undefined, { timeoutMs: 7 });
    expect(router.asks).toEqual([
      { handler: 'schedule', arg: { timeoutMs: 30_000 }, options: undefined },
      { handler: 'schedule', arg: { timeoutMs: 5 }, options: { timeoutMs: 100 } },
      { handler: 'count', arg: undefined, options: undefined },
      { handler: 'count', arg: undefined, options: { timeoutMs: 7 } },
    ]);
  });

  it('with() sets default options per ref; a call-level option wins key by key', async () => {
    const router = new RecordingRouter();
    const ref = new ActorRef<typeof Jobs>(Addr.parse('1.1.1'), 'jobs', router);
    const signal = new AbortController().signal;
    const slow = ref.with({ timeoutMs: 30_000 });
    await slow.call.count();
    await slow.with({ signal }).call.count(undefined, { timeoutMs: 10 });
    await slow.ask('count');
    await ref.call.count();
    expect(router.asks.map((a) => a.options)).toEqual([
      { timeoutMs: 30_000 },
      { timeoutMs: 10, signal },
      { timeoutMs: 30_000 },
      undefined,
    ]);
    expect(slow.equals(ref)).toBe(true);
    expect(JSON.parse(JSON.stringify(slow))).toEqual({ node: ref.node, name: 'jobs' });
  });
});
