// Troupe's side of metrics-cost: remote-tell while both nodes serve /metrics and a dashboard is open.
import type { WorkerHandle } from '../harness.js';
import { meteredSide, type Side, type SideContext } from '../sides.js';
import { members, sinks, startNodes } from './cluster.js';
import type { DashboardWorkerOptions } from './dashboard.worker.js';

const SENDER = '1.1.1';
const RECEIVER = '1.2.1';
const OBSERVER = '1.9.1';
const WORKER = new URL('./dashboard.worker.ts', import.meta.url);

/**
 * Opens the Troupe side of metrics-cost: remote-tell's two node processes, each also serving
 * `serveMetrics`, and a third process running an observer node with `startDashboard`, which once a second
 * reads `/api/cluster` as an open page does (so the dashboard polls both nodes' `troupe.node`) and scrapes
 * both nodes' `/metrics`. `measure(window)` returns messages received per second by the sink.
 */
export async function troupeMetricsCost(ctx: SideContext, params: { everyMs: number }): Promise<Side> {
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
  return {
    async measure(window) {
      await observer.request('start');
      try {
        return await side.measure(window);
      } finally {
        await observer.request('stop');
      }
    },
    close: () => side.close(),
  };
}
