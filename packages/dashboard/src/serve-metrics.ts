// `serveMetrics(node)`: `/metrics`, `/ready` and `/alive` of one node on a port of its own.
import type { Node } from '@troupe/runtime';
import { OptionError } from '@troupe/transport';
import { alive, type Health, ready } from './health.js';
import { listen, type Route, sendJson, sendText } from './http.js';
import { createMetrics, type NodeMetrics } from './metrics.js';
import { checkInt, DEFAULT_HOST, type MetricsOptions } from './options.js';

/** Options of `serveMetrics`. */
export interface ServeMetricsOptions extends MetricsOptions {
  /** Port to listen on; 0 (the default) takes a free one, see `url`. */
  port?: number;
  /** Interface to bind. Default `127.0.0.1`. */
  host?: string;
}

/** A running metrics endpoint. */
export interface MetricsServer {
  /** `http://host:port`; the endpoints are `${url}/metrics`, `/ready`, `/alive`. */
  readonly url: string;
  readonly port: number;
  readonly metrics: NodeMetrics;
  /** Stops listening and detaches the metrics from the node. Idempotent. */
  close(): Promise<void>;
}

/** The `/metrics`, `/ready` and `/alive` routes of `node`. */
export function healthRoutes(node: Node, metrics: NodeMetrics): Map<string, Route> {
  const health = (check: (n: Node) => Health): Route => {
    return (_req, res) => {
      const h = check(node);
      sendJson(res, h.status, h.body);
    };
  };
  return new Map<string, Route>([
    ['/metrics', async (_req, res) => sendText(res, 200, metrics.contentType, await metrics.scrape())],
    ['/ready', health(ready)],
    ['/alive', health(alive)],
  ]);
}

/**
 * Serves `node`'s Prometheus metrics and health checks over HTTP, as Akka Management and Pitaya do:
 * `const m = await serveMetrics(node, { port: 9464 })`, then scrape `${m.url}/metrics`.
 */
export async function serveMetrics(node: Node, options: ServeMetricsOptions = {}): Promise<MetricsServer> {
  const { port = 0, host = DEFAULT_HOST, ...metricsOptions } = options;
  checkInt('port', port, 0, 65_535);
  if (typeof host !== 'string' || host === '') throw new OptionError('host', 'must be a non-empty string');
  const metrics = createMetrics(node, metricsOptions);
  let http: Awaited<ReturnType<typeof listen>>;
  try {
    http = await listen(host, port, healthRoutes(node, metrics));
  } catch (err) {
    metrics.close();
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    url: http.url,
    port: http.port,
    metrics,
    close() {
      closing ??= http.close().finally(() => metrics.close());
      return closing;
    },
  };
}
