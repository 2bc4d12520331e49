// Options of the metrics endpoint and the dashboard: defaults, validation naming the property, frozen.
import { OptionError } from '@troupe/transport';

/** How many of the deepest mailboxes get a series of their own. */
export const DEFAULT_TOP_MAILBOXES = 5;
/** Distinct reason label values (dead letters, drops, members down) before new ones count as `other`. */
export const DEFAULT_REASON_LIMIT = 20;
/** Resolution of the event-loop delay monitor (ms); coarse on purpose, it samples with a timer. */
export const DEFAULT_EVENT_LOOP_RESOLUTION_MS = 20;
/** Interface the HTTP servers bind by default (loopback: exposing them is the operator's choice). */
export const DEFAULT_HOST = '127.0.0.1';

/** Options of `createMetrics` / `serveMetrics`. */
export interface MetricsOptions {
  /** How many of the deepest mailboxes get a `troupe_mailbox_depth{actor}` series. Default 5. */
  topMailboxes?: number;
  /**
   * The `actor` label of a deep mailbox, from the actor's name. Default: the name. Nodes whose actor
   * names carry user or session ids map them to a kind (`(n) => n.split(':')[0]`) or return
   * `undefined` to leave that actor out of the per-actor series.
   */
  actorLabel?: (name: string) => string | undefined;
  /** Distinct reason label values per family before new ones count as `other`. Default 20. */
  reasonLimit?: number;
  /** Event-loop delay monitor resolution in ms. Default 20. */
  eventLoopResolutionMs?: number;
}

/** Options after defaults and checks, frozen. */
export type ResolvedMetricsOptions = Readonly<Required<MetricsOptions>>;

/** Every default of `createMetrics` / `serveMetrics`. */
export const DEFAULT_METRICS_OPTIONS: ResolvedMetricsOptions = Object.freeze({
  topMailboxes: DEFAULT_TOP_MAILBOXES,
  actorLabel: (name: string) => name,
  reasonLimit: DEFAULT_REASON_LIMIT,
  eventLoopResolutionMs: DEFAULT_EVENT_LOOP_RESOLUTION_MS,
});

/** Throws `OptionError` naming `property` unless `value` is an integer in `[min, max]`. */
export function checkInt(property: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new OptionError(property, `must be an integer from ${min} to ${max}, got ${value}`);
}

/** Applies the defaults and checks each option, throwing `OptionError` naming the property. */
export function resolveMetricsOptions(user: MetricsOptions = {}): ResolvedMetricsOptions {
  const o = { ...DEFAULT_METRICS_OPTIONS, ...user };
  checkInt('topMailboxes', o.topMailboxes, 0, 100);
  checkInt('reasonLimit', o.reasonLimit, 1, 1000);
  checkInt('eventLoopResolutionMs', o.eventLoopResolutionMs, 1, 10_000);
  if (typeof o.actorLabel !== 'function') throw new OptionError('actorLabel', 'must be a function');
  return Object.freeze(o);
}
