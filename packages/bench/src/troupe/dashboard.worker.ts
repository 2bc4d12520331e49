// Worker for metrics-cost: an observer node serving the dashboard, with a page's and a scraper's load.
import { startDashboard } from '@troupe/dashboard';
import { staticMembership } from '@troupe/runtime';
import { servePeer } from '../peer.js';
import type { Member } from './cluster.js';

/** What the worker runs: its observer node, and the metrics endpoints it scrapes. */
export interface DashboardWorkerOptions {
  self: string;
  members: Member[];
  /** `/metrics` URLs to scrape, each once per `everyMs`. */
  scrape: string[];
  /** How often the stand-in page reads `/api/cluster` and the scraper scrapes (ms). */
  everyMs: number;
}

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
  });
  let timer: NodeJS.Timeout | undefined;
  let reads = 0;
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
        const load = () => void tick().catch(() => {});
        load();
        timer = setInterval(load, o.everyMs);
      },
      /** Stops the load; answers how many page reads and scrapes completed since `start`. */
      stop() {
        clearInterval(timer);
        return reads;
      },
    },
  };
});
