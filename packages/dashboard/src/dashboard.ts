// `startDashboard`: the live page, its JSON, and the serving node's /metrics, /ready and /alive.
import { Node, type NodeStartOptions } from '@troupe/runtime';
import { OptionError } from '@troupe/transport';
import { loadAssets } from './assets.js';
import { ClusterWatch } from './cluster-watch.js';
import { type DashboardViewOptions, resolveDashboardOptions } from './dashboard-options.js';
import { type Listening, listen, type Route, sendJson, sendText } from './http.js';
import { createMetrics, type NodeMetrics } from './metrics.js';
import { healthRoutes } from './serve-metrics.js';
import type { ClusterView } from './view.js';

/** Options of `startDashboard`: an existing node, or the options to start an observer node with. */
export interface DashboardOptions extends DashboardViewOptions {
  /** Serve from this running node (best an observer: `Node.start({ ..., observer: true })`). */
  node?: Node;
  /** Or start an observer node with these options (`observer` is forced on); it stops with the dashboard. */
  cluster?: NodeStartOptions;
}

/** A running dashboard. */
export interface Dashboard {
  /** The page: `http://host:port/`; JSON at `/api/cluster`, and `/metrics`, `/ready`, `/alive`. */
  readonly url: string;
  readonly port: number;
  /** The node serving it. */
  readonly node: Node;
  /** The page model now (what `/api/cluster` answers). */
  view(): ClusterView;
  /**
   * Whether the dashboard polls the members now: from a page's read until `idleAfterMs` after the last
   * one. While false it sends the members nothing.
   */
  readonly polling: boolean;
  /** Stops the server and polling, and the node if the dashboard started it. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts the dashboard: `await startDashboard({ cluster: { addr: '1.9.1', membership, secret }, port: 9090 })`
 * joins the cluster as an observer (never picked) and serves the page; `{ node }` serves it from a
 * node you run. The page polls once a second, and the dashboard polls the members only while a page
 * is open.
 */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const { node: given, cluster, ...view } = options;
  if ((given === undefined) === (cluster === undefined))
    throw new OptionError(
      'node',
      'give exactly one of node (a running node) and cluster (options to start one)',
    );
  const o = resolveDashboardOptions(view);
  const assets = await loadAssets();
  const node = given ?? (await Node.start({ ...cluster!, observer: true }));
  let watch: ClusterWatch | undefined;
  let metrics: NodeMetrics | undefined;
  let http: Listening | undefined;
  try {
    watch = new ClusterWatch(node, o);
    metrics = createMetrics(node, { topMailboxes: o.topMailboxes });
    const routes = healthRoutes(node, metrics);
    const w = watch;
    routes.set('/api/cluster', (_req, res) => sendJson(res, 200, w.view()));
    for (const [path, asset] of assets)
      routes.set(path, (_req, res) => sendText(res, 200, asset.type, asset.body));
    routes.set('/index.html', routes.get('/') as Route);
    http = await listen(o.host, o.port, routes);
  } catch (err) {
    watch?.close();
    metrics?.close();
    if (given === undefined) await node.stop();
    throw err;
  }
  const server = http;
  const w = watch;
  const m = metrics;
  let closing: Promise<void> | undefined;
  return {
    url: `${server.url}/`,
    port: server.port,
    node,
    view: () => w.view(),
    get polling() {
      return w.polling;
    },
    close() {
      closing ??= (async () => {
        w.close();
        await server.close();
        await w.settled();
        m.close();
        if (given === undefined) await node.stop();
      })();
      return closing;
    },
  };
}
