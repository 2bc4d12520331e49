// fanout: one actor casting to a thousand actors over three nodes, against Troupe's own remote-tell.
import type { Scenario } from '../scenario.js';
import { troupeFanout } from '../troupe/fanout.js';
import { troupeRemoteTell } from '../troupe/remote-tell.js';

const PARAMS = { actors: 1000, nodes: 3 };

export const fanout: Scenario = {
  name: 'fanout',
  unit: 'msgs/s',
  summary: `one actor casting to ${PARAMS.actors} actors spread over ${PARAMS.nodes} nodes`,
  baselineName: 'Troupe remote-tell',
  goals: [],
  async run(ctx) {
    const w = ctx.windows.remote;
    const troupe = await ctx.measure('troupe', () => troupeFanout(ctx, PARAMS), w);
    const baseline = await ctx.measure('baseline', () => troupeRemoteTell(ctx), w);
    return { troupe: troupe.value, baseline: baseline.value };
  },
};
