// gateway-broadcast: a backend pushes 64 bytes to every session of one gateway; time until the last
// client got it, against a naive `ws.send` loop over as many sockets.
import { bareBroadcast, troupeBroadcast } from '../gateway/sides.js';
import type { Scenario } from '../scenario.js';

export const BROADCAST_SESSIONS = 10_000;
export const BROADCAST_SESSIONS_QUICK = 1_000;

export const gatewayBroadcast: Scenario = {
  name: 'gateway-broadcast',
  unit: 'ms',
  summary: `push 64 B to ${BROADCAST_SESSIONS} WebSocket sessions on one gateway, time to the last delivery`,
  baselineName: 'naive ws.send loop',
  goals: [{ of: 'baseline', atMost: 0.7 }],
  async run(ctx) {
    const sessions = ctx.quick ? BROADCAST_SESSIONS_QUICK : BROADCAST_SESSIONS;
    const w = ctx.windows.remote;
    const troupe = await ctx.measure('troupe', () => troupeBroadcast(ctx, sessions), w);
    const bare = await ctx.measure('baseline', () => bareBroadcast(ctx, sessions), w);
    return { troupe: troupe.value, baseline: bare.value };
  },
};
