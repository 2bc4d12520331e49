// Troupe's side of metrics-scrape: the Prometheus scrape of a node holding many session-like actors.
import { freshProcessSide, type Side, type SideContext } from '../sides.js';

const WORKER = new URL('./metrics.worker.ts', import.meta.url);

/**
 * Opens a side of metrics-scrape. `measure(window)` returns the median time (ms) of one `scrape()` (one
 * `node.stats()` snapshot plus every family rendered as text), scraping back to back through the window in
 * a fresh process whose node holds `params.actors` idle session-like actors; `p99Ms` rides along.
 */
export function troupeMetricsScrape(ctx: SideContext, params: { actors: number }): Promise<Side> {
  return Promise.resolve(freshProcessSide(ctx, WORKER, 'scrape', params));
}
