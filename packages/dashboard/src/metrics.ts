// Prometheus metrics of one node: a prom-client registry whose families read `node.stats()` lazily,
// once per scrape, so a node pays nothing between scrapes beyond two event counters and a delay monitor.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Addr, type MemberRecord, type Node, type NodeStats } from '@troupe/runtime';
import { Registry } from 'prom-client';
import { registerAskHistogram } from './ask-histogram.js';
import { families, register, type ScrapeInput } from './families.js';
import { ReasonCounts } from './labels.js';
import { type MetricsOptions, resolveMetricsOptions } from './options.js';

/** A node's metrics: scrape them as Prometheus text, or add the registry to your own HTTP server. */
export interface NodeMetrics {
  /** The registry (default label `node`), for `prom-client` users who merge registries. */
  readonly registry: Registry;
  /** The `Content-Type` of `scrape()`'s text. */
  readonly contentType: string;
  /** The Prometheus text of every family, from one stats snapshot. */
  scrape(): Promise<string>;
  /** How long the last scrape's collection took (ms): the snapshot plus filling the families. */
  readonly lastScrapeMs: number;
  /** Detaches from the node's events and stops the delay monitor. Idempotent. */
  close(): void;
}

/**
 * Metrics for `node`, gathered at scrape time from `node.stats()` and the extension sections (harbor,
 * gateway). Per-message paths are not instrumented: the cost is one snapshot per scrape.
 */
export function createMetrics(node: Node, options?: MetricsOptions): NodeMetrics {
  const o = resolveMetricsOptions(options);
  const registry = new Registry();
  registry.setDefaultLabels({ node: Addr.format(node.addr) });
  const memberDowns = new ReasonCounts(o.reasonLimit);
  const down = new Set<number>();
  const onDown = (member: MemberRecord, reason: string) => {
    memberDowns.add(reason);
    down.add(member.addr);
  };
  const onUp = (member: MemberRecord) => down.delete(member.addr);
  node.on('memberDown', onDown).on('memberUp', onUp);
  const delay = monitorEventLoopDelay({ resolution: o.eventLoopResolutionMs });
  delay.enable();

  let current: ScrapeInput | undefined;
  let started = 0;
  let lastScrapeMs = 0;
  const refresh = () => {
    started = performance.now();
    const stats: NodeStats = node.stats({ top: o.topMailboxes });
    // A delay monitor with no sample yet reports NaN for the mean.
    const sampled = delay.count > 0;
    current = {
      stats,
      memberDowns,
      membersDown: down.size,
      eventLoop: {
        meanSeconds: sampled ? delay.mean / 1e9 : 0,
        p99Seconds: sampled ? delay.percentile(99) / 1e9 : 0,
        maxSeconds: sampled ? delay.max / 1e9 : 0,
      },
    };
    delay.reset();
  };
  register(registry, families(o), refresh, () => current!);
  registerAskHistogram(registry, () => current!.stats.asks.latency);

  let closed = false;
  return {
    registry,
    contentType: registry.contentType,
    get lastScrapeMs() {
      return lastScrapeMs;
    },
    async scrape() {
      const text = await registry.metrics();
      lastScrapeMs = performance.now() - started;
      current = undefined;
      return text;
    },
    close() {
      if (closed) return;
      closed = true;
      node.off('memberDown', onDown).off('memberUp', onUp);
      delay.disable();
    },
  };
}
