import { describe, expect, it } from 'vitest';
import { FlushScheduler } from './flush-scheduler.js';

/** A connection that counts its flushes. */
function conn(prompt: boolean) {
  return {
    flushQueued: false,
    promptQueued: prompt,
    flushes: 0,
    flush() {
      this.flushQueued = false;
      this.promptQueued = false;
      this.flushes++;
    },
  };
}

const turnEnd = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('FlushScheduler', () => {
  it('flushes every queued connection once, at the end of the turn', async () => {
    const s = new FlushScheduler<ReturnType<typeof conn>>();
    const a = conn(false);
    const b = conn(true);
    s.queue(a);
    s.queue(b);
    await Promise.resolve();
    expect([a.flushes, b.flushes]).toEqual([0, 0]);
    await turnEnd();
    expect([a.flushes, b.flushes]).toEqual([1, 1]);
  });

  it('after an inbound chunk, writes prompt batches once the work the chunk started is done', async () => {
    const s = new FlushScheduler<ReturnType<typeof conn>>();
    const oneWay = conn(false);
    const reply = conn(true);
    s.queue(oneWay);
    // A handler the chunk woke runs in a microtask queued while the chunk was decoded, before `afterChunk`.
    queueMicrotask(() => s.queue(reply));
    s.afterChunk();
    s.afterChunk();
    await new Promise<void>((resolve) => queueMicrotask(resolve));
    expect(reply.flushes).toBe(1);
    expect(oneWay.flushes).toBe(0);
    await turnEnd();
    expect(oneWay.flushes).toBe(1);
    expect(reply.flushes).toBe(1);
  });
});
