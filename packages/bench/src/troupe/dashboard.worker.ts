// Worker for metrics-cost: an observer node serving the dashboard, with a page's and a scraper's load.
import { startDashboard } from '@troupe/dashboard';
import { staticMembership } from '@troupe/runtime';
import { servePeer } from '../peer.js';
import type { Member } from './cluster.js';
import { cpuUs } from './metrics-account.js';

/** What the worker runs: its observer node, and the metrics endpoints it scrapes. */
export interface DashboardWorkerOptions {
  self: string;
  members: Member[];
  /** `/metrics` URLs to scrape, each once per `everyMs`. */
  scrape: string[];
  /** How often the stand-in page reads `/api/cluster` and the scraper scrapes (ms). */
  everyMs: number;
}

/** How long `stop` may wait for the dashboard's polling to wind down. */
const QUIET_TIMEOUT_MS = 10_000;
const QUIET_POLL_MS = 25;

servePeer<DashboardWorkerOptions>(async (o) => {
  const port = o.members.find((m) => m.addr === o.self)!.port;
  const dashboard = await startDashboard({
    cluster: {
      addr: o.self,
      secret: 'troupe-bench',
      listen: { port },
      membership: staticMembership(o.members.map((m) => ({ addr: m.addr, port: m.port }))),
    },
    port: 0,
    intervalMs: o.everyMs,
    // The dashboard keeps polling this long after the page's last read: short, so that an unwatched
    // window that follows a watched one is not still asked for stats.
    idleAfterMs: Math.ceil(o.everyMs * 1.5),
  });
  let timer: NodeJS.Timeout | undefined;
  let reads = 0;
  const inFlight = new Set<Promise<void>>();
  const tick = async () => {
    // What an open page and a Prometheus with a 1 s scrape interval ask for.
    const urls = [new URL('/api/cluster', dashboard.url).href, ...o.scrape];
    await Promise.all(urls.map(async (u) => (await fetch(u)).text()));
    reads++;
  };
  return {
    commands: {
      start() {
        reads = 0;
        const load = () => {
          const read = tick()
            .catch(() => {})
            .finally(() => inFlight.delete(read));
          inFlight.add(read);
        };
        load();
        timer = setInterval(load, o.everyMs);
      },
      /**
       * Stops the load and waits until the last read is answered and the dashboard has stopped polling the
       * members; answers how many page reads and scrapes completed since `start`.
       */
      async stop() {
        clearInterval(timer);
        await Promise.all(inFlight);
        const deadline = performance.now() + QUIET_TIMEOUT_MS;
        while (dashboard.polling) {
          if (performance.now() > deadline) throw new Error('the dashboard still polls after the page left');
          await new Promise((resolve) => setTimeout(resolve, QUIET_POLL_MS));
        }
        return reads;
      },
      /** CPU time this process has used so far (µs). */
      usage: () => cpuUs(),
    },
  };
});
