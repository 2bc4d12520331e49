// gateway-rtt-1: client -> gateway -> backend -> client with one 64-byte request in flight, against a
// hand-written ws -> TCP -> ws relay.
import { relayRtt, troupeRtt } from '../gateway/sides.js';
import type { Scenario } from '../scenario.js';

export const gatewayRtt1: Scenario = {
  name: 'gateway-rtt-1',
  unit: 'µs p50',
  summary: 'WebSocket client -> gateway -> backend node -> client, 1 in flight, 64 B (3 processes)',
  baselineName: 'ws -> TCP -> ws relay',
  goals: [{ of: 'baseline', atMost: 1.3 }],
  extraMetrics: {
    rate: { label: 'round trips per second' },
    p99Us: { label: 'p99 latency (µs)' },
  },
  async run(ctx) {
    const w = ctx.windows.remote;
    const troupe = await ctx.measure('troupe', () => troupeRtt(ctx), w);
    const relay = await ctx.measure('baseline', () => relayRtt(ctx), w);
    return {
      troupe: troupe.p50Us ?? Number.NaN,
      baseline: relay.p50Us ?? Number.NaN,
      extra: {
        'troupe.rate': troupe.value,
        'baseline.rate': relay.value,
        'troupe.p99Us': troupe.p99Us ?? Number.NaN,
        'baseline.p99Us': relay.p99Us ?? Number.NaN,
      },
    };
  },
};
