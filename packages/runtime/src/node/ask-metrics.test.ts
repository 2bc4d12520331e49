// Ask counters: outcomes by code and the latency histogram's buckets after known asks.
import { ClosedError } from '@troupe/transport';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ASK_LATENCY_BUCKETS, ASK_OUTCOMES } from './ask-metrics.js';
import { AskTable } from './asks.js';

const target = { node: 0x00101001, name: 'x' };

afterEach(() => {
  vi.restoreAllMocks();
});

describe('ask metrics', () => {
  it('count asks by outcome and put each latency in its bucket', async () => {
    let now = 1000;
    vi.spyOn(performance, 'now').mockImplementation(() => now);
    const table = new AskTable();
    const after = (ms: number, settle: () => void) => {
      now = 1000 + ms;
      settle();
    };
    const asks = Array.from({ length: 8 }, () => table.create(target, 'h', 60_000, undefined));
    for (const a of asks) void a.promise.catch(() => {});
    const [fast, ok, thrown, missing, down, odd, slow] = asks.map((a) => a);
    table.track(down!, 5, 5, undefined);
    after(0.03, () => fast!.ok(1)); // <= 50 µs: the first bucket
    after(0.7, () => ok!.ok(2)); // <= 1 ms
    after(3, () => thrown!.fail({ code: 'MY_OWN_CODE', message: 'no' }, true)); // <= 5 ms
    after(3, () => missing!.fail({ code: 'ACTOR_NOT_FOUND', message: 'gone' })); // <= 5 ms
    after(3, () => table.peerDown(5, 'link lost')); // <= 5 ms
    after(10, () => odd!.reject(new Error('plain'))); // exactly 10 ms: <= 10 ms
    after(20_000, () => slow!.ok(3)); // over 10 s: the last bucket
    // The eighth stays pending until rejectAll below.

    const stats = table.stats();
    expect(stats.started).toBe(8);
    expect(stats.inFlight).toBe(1);
    expect(stats.settled).toEqual({ ok: 3, REMOTE_ERROR: 1, ACTOR_NOT_FOUND: 1, NODE_DOWN: 1, other: 1 });
    const bucket = (seconds: number) => ASK_LATENCY_BUCKETS.indexOf(seconds);
    const expected = new Array<number>(ASK_LATENCY_BUCKETS.length + 1).fill(0);
    expected[bucket(0.00005)] = 1;
    expected[bucket(0.001)] = 1;
    expected[bucket(0.005)] = 3;
    expected[bucket(0.01)] = 1;
    expected[ASK_LATENCY_BUCKETS.length] = 1;
    expect(stats.latency.counts).toEqual(expected);
    expect(stats.latency.count).toBe(7);
    expect(stats.latency.sum).toBeCloseTo((0.03 + 0.7 + 3 * 3 + 10 + 20_000) / 1000, 9);
    expect(stats.latency.bounds).toBe(ASK_LATENCY_BUCKETS);

    table.rejectAll(new ClosedError('node'));
    expect(table.stats().settled.CLOSED).toBe(1);
  });

  it('keeps each pending ask its own start time, past the initial slots and after they are reused', () => {
    let now = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => now);
    const table = new AskTable();
    const bucket = (seconds: number) => ASK_LATENCY_BUCKETS.indexOf(seconds);
    for (let round = 1; round <= 2; round++) {
      now = 0;
      const early = Array.from({ length: 100 }, () => table.create(target, 'h', 60_000, undefined));
      now = 5;
      const late = Array.from({ length: 100 }, () => table.create(target, 'h', 60_000, undefined));
      now = 5.03;
      // Interleaved, so slots are freed out of order.
      for (let i = 0; i < 100; i++) {
        late[i]!.ok(i);
        early[99 - i]!.ok(i);
      }
      const counts = table.stats().latency.counts;
      expect(counts[bucket(0.00005)]).toBe(100 * round);
      expect(counts[bucket(0.01)]).toBe(100 * round);
      expect(table.stats().latency.count).toBe(200 * round);
    }
  });

  it('counts a timed-out ask as TIMEOUT and a refused timeout as INVALID_OPTION', async () => {
    const table = new AskTable();
    const late = table.create(target, 'h', 1, undefined);
    await expect(late.promise).rejects.toThrow(/timed out/);
    const bad = table.create(target, 'h', -1, undefined);
    await expect(bad.promise).rejects.toThrow(/timeoutMs/);
    const stats = table.stats();
    expect(stats.settled).toEqual({ TIMEOUT: 1, INVALID_OPTION: 1 });
    expect(stats).toMatchObject({ started: 2, inFlight: 0 });
    expect(stats.latency.count).toBe(2);
  });

  it('names a bounded set of outcomes: ok, REMOTE_ERROR, the runtime codes, other', () => {
    expect(ASK_OUTCOMES[0]).toBe('ok');
    expect(ASK_OUTCOMES).toContain('REMOTE_ERROR');
    expect(ASK_OUTCOMES).toContain('TIMEOUT');
    expect(ASK_OUTCOMES).toContain('NODE_DOWN');
    expect(ASK_OUTCOMES).toContain('ACTOR_NOT_FOUND');
    expect(ASK_OUTCOMES.at(-1)).toBe('other');
    expect(new Set(ASK_OUTCOMES).size).toBe(ASK_OUTCOMES.length);
  });
});
