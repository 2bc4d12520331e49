// pubsub-fanout: one publish reaching a thousand subscribers over three nodes, against fanout's casts.
import type { Scenario } from '../scenario.js';
import { troupeFanout } from '../troupe/fanout.js';
import { troupePubSubFanout } from '../troupe/pubsub-fanout.js';

const PARAMS = { actors: 1000, nodes: 3 };

export const pubsubFanout: Scenario = {
  name: 'pubsub-fanout',
  unit: 'deliveries/s',
  summary: `publications to ${PARAMS.actors} subscribers spread over ${PARAMS.nodes} nodes (one frame per node per publish)`,
  baselineName: 'Troupe fanout (a cast per actor)',
  goals: [{ of: 'baseline', atLeast: 0.8 }],
  async run(ctx) {
    const w = ctx.windows.remote;
    const troupe = await ctx.measure('troupe', () => troupePubSubFanout(ctx, PARAMS), w);
    const baseline = await ctx.measure('baseline', () => troupeFanout(ctx, PARAMS), w);
    return { troupe: troupe.value, baseline: baseline.value };
  },
};
