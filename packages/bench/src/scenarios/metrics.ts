// metrics-scrape and metrics-cost: what Prometheus metrics and an open dashboard cost a node.
import { median } from '../harness.js';
import type { Scenario } from '../scenario.js';
import {
  type AccountSample,
  type Cost,
  type CostSample,
  type MetricsCostSides,
  pairWindow,
  troupeMetricsCost,
} from '../troupe/metrics-cost.js';
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

const costSides = new WeakMap<object, MetricsCostSides>();
/** How often the stand-in page reads the dashboard and the scraper scrapes each node (ms). */
const EVERY_MS = 1000;
/** Watched/unwatched pairs per run, alternating which goes first. */
const PAIRS = 4;
const QUICK_PAIRS = 2;
/** The profiled window lasts this many windows: a stats ask takes tens of µs, a few samples at best. */
const ACCOUNT_PERIODS = 5;
/** Load run once, watched and unmeasured, when the cluster opens (ms). */
const WARMUP_MS = 2000;

/** Median, least and greatest of `xs` (NaN when none is finite). */
function spread(xs: readonly number[]): { median: number; min: number; max: number } {
  const finite = xs.filter(Number.isFinite);
  if (finite.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN };
  return { median: median(finite), min: Math.min(...finite), max: Math.max(...finite) };
}

/** Basis points (0.01%) of a share given in percent, so that the report's one decimal shows it. */
const bp = (pct: number | undefined) => (pct ?? Number.NaN) * 100;

export const metricsCost: Scenario = {
  name: 'metrics-cost',
  unit: 'ns CPU/msg',
  summary:
    'remote-tell CPU per delivered message with both nodes scraped each second and a dashboard page open, ' +
    'against the same processes unwatched, in alternating pairs of windows',
  baselineName: 'the same, unwatched',
  goals: [{ of: 'baseline', atMost: 1.03 }],
  extraMetrics: {
    costPct: {
      label:
        'watch cost, % CPU per message: median, least and greatest pair of each run (medians of the runs)',
    },
    msgsPerSec: { label: 'throughput (msgs/s; remote-tell: plain, alone, no metrics served)', ratio: true },
    observerMsPerSec: { label: 'observer process CPU (ms/s)' },
    scrapeUsPerSec: { label: "profiled: answering /metrics, µs of the node's main thread per s" },
    statsUsPerSec: { label: "profiled: answering the stats ask, µs of the node's main thread per s" },
    busyUsPerSec: { label: "profiled: the node's busy main thread, µs per s" },
    watchBp: { label: "profiled: the watch's share of the node's busy main thread (basis points, 0.01%)" },
  },
  async run(ctx) {
    let sides = costSides.get(ctx);
    if (sides === undefined) {
      sides = troupeMetricsCost(ctx, { everyMs: EVERY_MS, warmupMs: WARMUP_MS });
      costSides.set(ctx, sides);
    }
    const w = pairWindow(ctx.windows.remote, EVERY_MS);
    const watched: CostSample[] = [];
    const unwatched: CostSample[] = [];
    const pairs = ctx.quick ? QUICK_PAIRS : PAIRS;
    for (let i = 0; i < pairs; i++) {
      // Alternate which side goes first, so that a drift within the run weighs on both alike.
      for (const isWatched of i % 2 === 0 ? [true, false] : [false, true]) {
        const sample = isWatched
          ? await ctx.measure('troupe', sides.watched, w)
          : await ctx.measure('baseline', sides.unwatched, w);
        (isWatched ? watched : unwatched).push(sample as CostSample);
      }
    }
    const account = (await ctx.measure('account', sides.account, {
      ...w,
      durationMs: w.durationMs * ACCOUNT_PERIODS,
    })) as Partial<AccountSample>;
    const plain = await ctx.measure('remote-tell', () => troupeRemoteTell(ctx), ctx.windows.remote);
    const cost = spread(watched.map((s, i) => (s.value / unwatched[i]!.value - 1) * 100));
    const of = (side: 'watched' | 'unwatched', key: keyof Cost) =>
      median((side === 'watched' ? watched : unwatched).map((s) => s.cost?.[key] ?? Number.NaN));
    return {
      troupe: of('watched', 'cpuNs'),
      baseline: of('unwatched', 'cpuNs'),
      extra: {
        'median.costPct': cost.median,
        'min.costPct': cost.min,
        'max.costPct': cost.max,
        'troupe.msgsPerSec': of('watched', 'msgsPerSec'),
        'baseline.msgsPerSec': of('unwatched', 'msgsPerSec'),
        'remote-tell.msgsPerSec': plain.value,
        'watched.observerMsPerSec': of('watched', 'observerMsPerSec'),
        'unwatched.observerMsPerSec': of('unwatched', 'observerMsPerSec'),
        'sender.scrapeUsPerSec': (account.sender?.scrapeMsPerSec ?? Number.NaN) * 1000,
        'receiver.scrapeUsPerSec': (account.receiver?.scrapeMsPerSec ?? Number.NaN) * 1000,
        'sender.statsUsPerSec': (account.sender?.statsMsPerSec ?? Number.NaN) * 1000,
        'receiver.statsUsPerSec': (account.receiver?.statsMsPerSec ?? Number.NaN) * 1000,
        'sender.busyUsPerSec': (account.sender?.busyMsPerSec ?? Number.NaN) * 1000,
        'receiver.busyUsPerSec': (account.receiver?.busyMsPerSec ?? Number.NaN) * 1000,
        'sender.watchBp': bp(account.sender?.sharePct),
        'receiver.watchBp': bp(account.receiver?.sharePct),
      },
    };
  },
};
