// metrics-scrape and metrics-cost: what Prometheus metrics and an open dashboard cost a node.
import type { Scenario } from '../scenario.js';
import { troupeMetricsCost } from '../troupe/metrics-cost.js';
import { troupeMetricsScrape } from '../troupe/metrics-scrape.js';
import { troupeRemoteTell } from '../troupe/remote-tell.js';

const SESSIONS = 10_000;

export const metricsScrape: Scenario = {
  name: 'metrics-scrape',
  unit: 'ms',
  summary: `one /metrics scrape (stats snapshot + text) of a node holding ${SESSIONS} session-like actors`,
  baselineName: 'a node with no actors',
  goals: [{ of: 'value', atMost: 20 }],
  extraMetrics: { p99Ms: { label: 'p99 scrape (ms)' } },
  async run(ctx) {
    const w = ctx.windows.local;
    const troupe = await ctx.measure('troupe', () => troupeMetricsScrape(ctx, { actors: SESSIONS }), w);
    const empty = await ctx.measure('baseline', () => troupeMetricsScrape(ctx, { actors: 0 }), w);
    const p99 = (troupe as { p99Ms?: number }).p99Ms ?? Number.NaN;
    return { troupe: troupe.value, baseline: empty.value, extra: { 'troupe.p99Ms': p99 } };
  },
};

const costSides = new WeakMap<object, ReturnType<typeof troupeMetricsCost>>();

export const metricsCost: Scenario = {
  name: 'metrics-cost',
  unit: 'msgs/s',
  summary:
    'remote-tell with both nodes scraped each second and a dashboard page open, against the same processes unwatched',
  baselineName: 'the same, unwatched',
  goals: [{ of: 'baseline', atLeast: 0.97 }],
  extraMetrics: { value: { label: 'plain remote-tell, no metrics served (msgs/s)' } },
  async run(ctx) {
    const w = ctx.windows.remote;
    let sides = costSides.get(ctx);
    if (sides === undefined) {
      sides = troupeMetricsCost(ctx, { everyMs: 1000 });
      costSides.set(ctx, sides);
    }
    const watched = await ctx.measure('troupe', sides.watched, w);
    const unwatched = await ctx.measure('baseline', sides.unwatched, w);
    const plain = await ctx.measure('remote-tell', () => troupeRemoteTell(ctx), w);
    return { troupe: watched.value, baseline: unwatched.value, extra: { 'remote-tell.value': plain.value } };
  },
};
