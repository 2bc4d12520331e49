// `troupe_ask_duration_seconds`: a Prometheus histogram whose buckets are the node's own ask histogram.
import { ASK_LATENCY_BUCKETS, type AskStats } from '@troupe/runtime';
import { Histogram, type Registry } from 'prom-client';

const NAME = 'troupe_ask_duration_seconds';
const HELP = 'Time from sending an ask to its settling (any outcome), seconds';

/** One line of the family as prom-client writes it. */
interface Value {
  labels: Record<string, string | number>;
  value: number;
  metricName: string;
  sharedLabels: Record<string, string>;
}

/**
 * A prom-client `Histogram` that observes nothing itself: at scrape time it writes out the cumulative
 * buckets, sum and count of the runtime's ask histogram (read by `latency()`), which every ask already
 * fills for the cost of an array increment. So the figures include asks from before the metrics existed.
 */
class AskDurationHistogram extends Histogram<string> {
  readonly #latency: () => AskStats['latency'];

  constructor(registry: Registry, latency: () => AskStats['latency']) {
    super({ name: NAME, help: HELP, buckets: [...ASK_LATENCY_BUCKETS], registers: [registry] });
    this.#latency = latency;
  }

  #values(): Value[] {
    const { bounds, counts, sum, count } = this.#latency();
    const values: Value[] = [];
    let below = 0;
    bounds.forEach((le, i) => {
      below += counts[i]!;
      values.push({ labels: { le }, value: below, metricName: `${NAME}_bucket`, sharedLabels: {} });
    });
    values.push({ labels: { le: '+Inf' }, value: count, metricName: `${NAME}_bucket`, sharedLabels: {} });
    values.push({ labels: {}, value: sum, metricName: `${NAME}_sum`, sharedLabels: {} });
    values.push({ labels: {}, value: count, metricName: `${NAME}_count`, sharedLabels: {} });
    return values;
  }

  /**
   * What the registry writes as text; prom-client calls it rather than `get` when it exists, and its
   * `get` (the JSON form) builds on it.
   */
  async getForPromString() {
    return { name: NAME, help: HELP, type: 'histogram', aggregator: 'sum', values: this.#values() };
  }
}

/**
 * Registers `troupe_ask_duration_seconds` in `registry`, read from `latency()` at each scrape. Register
 * it after the families, whose first collect takes the scrape's snapshot.
 */
export function registerAskHistogram(registry: Registry, latency: () => AskStats['latency']): void {
  new AskDurationHistogram(registry, latency);
}
