// Troupe's side of metrics-cost: remote-tell while both nodes serve /metrics and a dashboard is open.
import type { WorkerHandle } from '../harness.js';
import { meteredSide, type Sample, type Side, type SideContext } from '../sides.js';
import { members, sinks, startNodes } from './cluster.js';
import type { DashboardWorkerOptions } from './dashboard.worker.js';

const SENDER = '1.1.1';
const RECEIVER = '1.2.1';
const OBSERVER = '1.9.1';
const WORKER = new URL('./dashboard.worker.ts', import.meta.url);

/** The two sides of metrics-cost, over one cluster opened on first use. */
export interface MetricsCostSides {
  /** Remote-tell with the dashboard page open and both `/metrics` scraped every `everyMs`. */
  watched(): Promise<Side>;
  /** The same processes, the same moment of the run: no page open, no scrape. */
  unwatched(): Promise<Side>;
}

interface Cluster {
  sender: WorkerHandle;
  receiver: WorkerHandle;
  observer: WorkerHandle;
  side: Side;
}

/**
 * Opens metrics-cost's cluster: remote-tell's two node processes, each also serving `serveMetrics`, and a
 * third process running an observer node with `startDashboard`. While watched, the third process reads
 * `/api/cluster` once every `everyMs` as an open page does (so the dashboard asks both nodes' `troupe.node`
 * for stats) and scrapes both nodes' `/metrics` as often. Each side's `measure(window)` returns messages
 * received per second by the sink. Measuring both sides on the same processes, back to back in each run,
 * keeps the machine's drift between processes and minutes out of their ratio.
 */
export function troupeMetricsCost(ctx: SideContext, params: { everyMs: number }): MetricsCostSides {
  let opened: Promise<Cluster> | undefined;
  const open = async (): Promise<Cluster> => {
    const cluster = await members(ctx, [SENDER, RECEIVER, OBSERVER]);
    const [sink] = sinks(RECEIVER, 1);
    const [receiver, sender] = await startNodes(ctx, cluster, [
      { self: RECEIVER, sinks: 1, metrics: true },
      { self: SENDER, tell: { targets: [sink!], probes: [sink!] }, metrics: true },
    ]);
    const url = (w: WorkerHandle) => (w.info as { metricsUrl: string }).metricsUrl;
    const options: DashboardWorkerOptions = {
      self: OBSERVER,
      members: cluster,
      scrape: [url(receiver!), url(sender!)],
      everyMs: params.everyMs,
    };
    const observer = await ctx.spawn(WORKER, { options });
    const side = meteredSide(sender!, receiver!, [sender!, receiver!, observer]);
    return { sender: sender!, receiver: receiver!, observer, side };
  };
  const cluster = () => {
    opened ??= open();
    return opened;
  };
  return {
    async watched() {
      const c = await cluster();
      let reads = 0;
      return {
        async measure(window) {
          await c.observer.request('start');
          let sample: Sample;
          try {
            sample = await c.side.measure(window);
          } finally {
            reads = await c.observer.request<number>('stop');
          }
          if (reads === 0) throw new Error('the stand-in page read nothing while measured');
          return sample;
        },
        close: () => c.side.close(),
      };
    },
    async unwatched() {
      const c = await cluster();
      return { measure: (window) => c.side.measure(window), close: () => c.side.close() };
    },
  };
}
