import { afterEach, describe, expect, it } from 'vitest';
import { accountOf, WatchProfiler } from './metrics-account.js';

const frame = (id: number, functionName: string, url: string, children: number[] = []) => ({
  id,
  callFrame: { functionName, url },
  children,
});

/** root → (idle), program, a scrape (HTTP → handler → a stats snapshot), a stats ask, a cast. */
const PROFILE = {
  nodes: [
    frame(1, '(root)', '', [2, 3, 4, 7, 9]),
    frame(2, '(idle)', ''),
    frame(3, '(program)', ''),
    frame(4, 'parserOnIncoming', 'node:_http_server', [5]),
    frame(5, 'scrape', 'file:///w/packages/dashboard/src/metrics.ts', [6]),
    frame(6, 'collectStats', 'file:///w/packages/runtime/src/node/stats.ts'),
    frame(7, 'stats', 'file:///w/packages/runtime/src/node/system-actor.ts', [8]),
    frame(8, 'collectStats', 'file:///w/packages/runtime/src/node/stats.ts'),
    frame(9, 'cast', 'file:///w/packages/runtime/src/actor/ref.ts'),
  ],
  startTime: 0,
  endTime: 2_000_000,
  // Each sample lasts until the next: the first delta is the wait before the first sample.
  samples: [2, 3, 5, 6, 7, 8, 9, 2],
  timeDeltas: [0, 1000, 100, 200, 300, 40, 50, 600],
};

let profiler: WatchProfiler | undefined;
afterEach(async () => {
  await profiler?.stop().catch(() => {});
  profiler = undefined;
});

describe('accountOf', () => {
  it('charges a snapshot taken inside a scrape to the scrape, and idle time to nobody', () => {
    const a = accountOf(PROFILE);
    // Over 2 s: scrape = 200 + 300 µs, stats = 40 + 50 µs, busy = program 100 + those + cast 600 µs.
    expect(a.scrapeMsPerSec).toBeCloseTo(0.25, 6);
    expect(a.statsMsPerSec).toBeCloseTo(0.045, 6);
    expect(a.busyMsPerSec).toBeCloseTo((100 + 500 + 90 + 600) / 1000 / 2, 6);
    expect(a.sharePct).toBeCloseTo((590 / 1290) * 100, 6);
  });

  it('accounts a real profile of this process, and refuses a second start or a stop without one', async () => {
    profiler = new WatchProfiler();
    await profiler.start();
    await expect(profiler.start()).rejects.toThrow(/already running/);
    const until = performance.now() + 20;
    while (performance.now() < until) Math.sqrt(Math.random());
    const a = await profiler.stop();
    profiler = undefined;
    expect(a.busyMsPerSec).toBeGreaterThan(0);
    expect(a.scrapeMsPerSec).toBe(0);
    await expect(new WatchProfiler().stop()).rejects.toThrow(/not running/);
  });
});
