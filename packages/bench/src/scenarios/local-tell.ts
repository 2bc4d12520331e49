// local-tell: messages per second between two actors on one node, against a bare microtask mailbox.
import { bareMailboxSide } from '../baselines/bare.js';
import type { Scenario } from '../scenario.js';
import { troupeLocalTell } from '../troupe/local-tell.js';

export const localTell: Scenario = {
  name: 'local-tell',
  unit: 'msgs/s',
  summary: 'ping-pong by cast between two actors on one node, one message in flight',
  baselineName: 'bare mailbox',
  goals: [{ of: 'baseline', atLeast: 0.4 }],
  async run(ctx) {
    const w = ctx.windows.local;
    const troupe = await ctx.measure('troupe', () => troupeLocalTell(ctx), w);
    const baseline = await ctx.measure('baseline', () => bareMailboxSide(ctx), w);
    return { troupe: troupe.value, baseline: baseline.value };
  },
};
