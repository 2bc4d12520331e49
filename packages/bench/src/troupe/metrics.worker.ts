// Worker for metrics-scrape: one node holding many session-like actors, its Prometheus scrape timed.
import { createMetrics } from '@troupe/dashboard';
import { defineActor, Node } from '@troupe/runtime';
import { percentile } from '../harness.js';
import { servePeer } from '../peer.js';
import type { Sample, Window } from '../sides.js';

/** What a gateway's session actor holds: ids, a little state, a push counter. */
const Session = defineActor({
  init: (args: { uid: string }) => ({ uid: args.uid, room: 'room:0042', lastSeen: 0, pushes: 0 }),
  handlers: {
    push(s, at: number) {
      s.pushes++;
      s.lastSeen = at;
    },
  },
});

/** Scrape times (ms) of a node holding `actors` sessions, scraping back to back for the window. */
async function scrapes(arg: Window & { actors: number }): Promise<Sample & { p99Ms: number }> {
  const node = await Node.start({ addr: '1.3.1', secret: 'troupe-bench' });
  try {
    for (let i = 0; i < arg.actors; i++)
      node.spawn(Session, { name: `session-${i}`, args: { uid: `u${i}` } });
    const metrics = createMetrics(node);
    const run = async (ms: number): Promise<number[]> => {
      const times: number[] = [];
      const deadline = performance.now() + ms;
      while (performance.now() < deadline) {
        const t0 = performance.now();
        await metrics.scrape();
        times.push(performance.now() - t0);
      }
      return times;
    };
    await run(arg.warmupMs);
    const times = (await run(arg.durationMs)).sort((a, b) => a - b);
    metrics.close();
    return { value: percentile(times, 50), p99Ms: percentile(times, 99) };
  } finally {
    await node.stop();
  }
}

servePeer(() => ({ commands: { scrape: scrapes } }));
