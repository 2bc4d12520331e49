import { Addr, ASK_LATENCY_BUCKETS, type NodeStats } from '@troupe/runtime';
import { describe, expect, it } from 'vitest';
import { linksOf, sampleOf, summarise } from './rates.js';

/** Ask latency counts with `n` asks in the bucket bounded by `seconds`. */
function asksIn(seconds: number, n: number): number[] {
  const counts = new Array<number>(ASK_LATENCY_BUCKETS.length + 1).fill(0);
  counts[ASK_LATENCY_BUCKETS.indexOf(seconds)] = n;
  return counts;
}

function stats(over: {
  framesIn: number;
  deadLetters: number;
  harbor?: number;
  link?: number;
  asks?: number[];
}): NodeStats {
  const counts = over.asks ?? asksIn(0.001, 0);
  const settled = counts.reduce((a, b) => a + b);
  return {
    addr: '1.255.1',
    incarnation: 'i',
    observer: false,
    uptimeMs: 5000,
    actors: { count: 3, system: 2, mailboxes: [{ name: 'room', depth: 4 }] },
    asksInFlight: 1,
    asks: {
      started: settled + 1,
      inFlight: 1,
      settled: { ok: settled },
      latency: { bounds: ASK_LATENCY_BUCKETS, counts, sum: 0, count: settled },
    },
    deadLetters: over.deadLetters,
    deadLettersByReason: { other: over.deadLetters },
    members: 3,
    links:
      over.link === undefined
        ? []
        : [
            {
              peer: Addr.parse('1.2.1'),
              state: 'up',
              bytesIn: over.link * 10,
              bytesOut: 0,
              framesIn: over.link,
              framesOut: 0,
              rttMs: 0.5,
              since: 1,
              queuedBytes: 0,
              incarnation: 'j',
            },
          ],
    transport: {
      framesIn: over.framesIn,
      framesOut: 0,
      bytesIn: 0,
      bytesOut: 0,
      dropped: {},
      forgedFrames: 0,
      handshakesRefused: {},
    },
    extensions: {
      ...(over.harbor === undefined
        ? {}
        : { harbor: { framesForwarded: over.harbor, bytesForwarded: 0, dropped: { 'no route': 2 } } }),
      pubsub: { topics: 1 },
    },
  };
}

describe('rates', () => {
  it('are per second between two samples, zero without a previous one', () => {
    const first = stats({ framesIn: 100, deadLetters: 1, harbor: 10, link: 50 });
    const a = sampleOf(first, 1000);
    expect(summarise(first, a, undefined, 2).msgsInPerSec).toBe(0);
    const second = stats({ framesIn: 600, deadLetters: 3, harbor: 40, link: 250 });
    const b = sampleOf(second, 3000);
    const view = summarise(second, b, a, 2);
    expect(view.msgsInPerSec).toBe(250);
    expect(view.deadLettersPerSec).toBe(1);
    expect(view.harbor).toEqual({
      forwarded: 40,
      forwardedPerSec: 15,
      bytesPerSec: 0,
      dropped: { 'no route': 2 },
    });
    expect(view.actors).toBe(1);
    expect(view.extensions).toEqual(['pubsub']);
    expect(linksOf(second, b, a)).toEqual([
      { from: '1.255.1', to: '1.2.1', state: 'up', rttMs: 0.5, msgsPerSec: 100, bytesPerSec: 1000 },
    ]);
  });

  it('give asks/s and latency quantiles of the asks settled between two samples', () => {
    const first = stats({ framesIn: 0, deadLetters: 0, asks: asksIn(0.001, 10) });
    const a = sampleOf(first, 1000);
    // Before any previous sample the quantiles cover every ask so far: all at most 1 ms.
    expect(summarise(first, a, undefined, 1).askP99Ms).toBeCloseTo(0.5 + 0.5 * 0.99, 9);
    const counts = asksIn(0.001, 10);
    counts[ASK_LATENCY_BUCKETS.indexOf(0.005)] = 20;
    const second = stats({ framesIn: 0, deadLetters: 0, asks: counts });
    const view = summarise(second, sampleOf(second, 3000), a, 1);
    expect(view.asksPerSec).toBe(10);
    // The twenty new asks all took 2.5..5 ms.
    expect(view.askP50Ms).toBeCloseTo(2.5 + 2.5 * 0.5, 9);
    expect(view.askP99Ms).toBeCloseTo(2.5 + 2.5 * 0.99, 9);
  });

  it('restart from zero when a counter went back (a restarted node)', () => {
    const a = sampleOf(stats({ framesIn: 900, deadLetters: 5 }), 1000);
    const later = stats({ framesIn: 10, deadLetters: 0 });
    const view = summarise(later, sampleOf(later, 2000), a, 1);
    expect([view.msgsInPerSec, view.deadLettersPerSec]).toEqual([0, 0]);
  });
});
