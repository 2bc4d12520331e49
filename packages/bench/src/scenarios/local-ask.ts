// local-ask: ask round trips per second on one node at 1000 and 1 in flight, against bare promises.
import { barePromiseSide } from '../baselines/bare.js';
import type { Scenario } from '../scenario.js';
import { troupeLocalAsk } from '../troupe/local-ask.js';

/** The headline figure is at this many asks in flight; `extra` carries the figures at 1. */
const IN_FLIGHT = 1000;

export const localAsk: Scenario = {
  name: 'local-ask',
  unit: 'asks/s',
  summary: `ask round trips on one node, ${IN_FLIGHT} in flight (and 1 in flight)`,
  baselineName: 'bare promise',
  goals: [],
  extraMetrics: { at1: { label: 'asks/s at 1 in flight', ratio: true } },
  async run(ctx) {
    const w = ctx.windows.local;
    const many = { inFlight: IN_FLIGHT };
    const one = { inFlight: 1 };
    const troupe = await ctx.measure('troupe', () => troupeLocalAsk(ctx, many), w);
    const baseline = await ctx.measure('baseline', () => barePromiseSide(ctx, many), w);
    const troupe1 = await ctx.measure('troupe@1', () => troupeLocalAsk(ctx, one), w);
    const baseline1 = await ctx.measure('baseline@1', () => barePromiseSide(ctx, one), w);
    return {
      troupe: troupe.value,
      baseline: baseline.value,
      extra: { 'troupe.at1': troupe1.value, 'baseline.at1': baseline1.value },
    };
  },
};
