// gateway-sessions: idle WebSocket sessions held by one gateway process and the RSS each costs,
// against a bare `ws` server holding as many idle connections.
import { sessionMemorySide } from '../gateway/sides.js';
import type { Scenario } from '../scenario.js';

/** This machine allows 20,000 fds per process; the rest is the gateway's own. */
export const IDLE_SESSIONS = 19_500;
export const IDLE_SESSIONS_QUICK = 2_000;

export const gatewaySessions: Scenario = {
  name: 'gateway-sessions',
  unit: 'B/session',
  summary: `RSS per idle WebSocket session, ${IDLE_SESSIONS} sessions in one gateway process`,
  baselineName: 'bare ws server',
  goals: [{ of: 'baseline', atMost: 1.25 }],
  async run(ctx) {
    const sessions = ctx.quick ? IDLE_SESSIONS_QUICK : IDLE_SESSIONS;
    const w = ctx.windows.remote;
    const troupe = await ctx.measure('troupe', async () => sessionMemorySide(ctx, true, sessions), w);
    const bare = await ctx.measure('baseline', async () => sessionMemorySide(ctx, false, sessions), w);
    return { troupe: troupe.value, baseline: bare.value };
  },
};
