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

  it('schedules no turn flush for a prompt batch the chunk flush writes', async () => {
    const immediates = () => process.getActiveResourcesInfo().filter((r) => r === 'Immediate').length;
    const s = new FlushScheduler<ReturnType<typeof conn>>();
    const before = immediates();
    s.afterChunk();
    const reply = conn(true);
    s.queue(reply);
    expect(immediates()).toBe(before);
    await Promise.resolve();
    expect(reply.flushes).toBe(1);
  });

  it('leaves to the turn a batch that holds no prompt frame any more when the chunk flush runs', async () => {
    const s = new FlushScheduler<ReturnType<typeof conn>>();
    s.afterChunk();
    const c = conn(true);
    s.queue(c);
    // Its prompt frames went out early; what it gathered since is one-way.
    c.promptQueued = false;
    await Promise.resolve();
    expect(c.flushes).toBe(0);
    await turnEnd();
    expect(c.flushes).toBe(1);
  });
});
