// harbor-tell: one-way messages across groups through two harbors, against Troupe's own direct remote-tell.
import type { Scenario } from '../scenario.js';
import { troupeHarborTell } from '../troupe/harbor-tell.js';
import { troupeRemoteTell } from '../troupe/remote-tell.js';

export const harborTell: Scenario = {
  name: 'harbor-tell',
  unit: 'msgs/s',
  summary: 'one-way casts from group 1 to group 2 through a harbor in each group',
  baselineName: 'Troupe remote-tell',
  goals: [{ of: 'baseline', atLeast: 0.6 }],
  async run(ctx) {
    const w = ctx.windows.remote;
    const troupe = await ctx.measure('troupe', () => troupeHarborTell(ctx), w);
    const baseline = await ctx.measure('baseline', () => troupeRemoteTell(ctx), w);
    return { troupe: troupe.value, baseline: baseline.value };
  },
};
