// Options of `startDashboard`: defaults, validation naming the property, frozen.
import { OptionError } from '@troupe/transport';
import { checkInt, DEFAULT_HOST, DEFAULT_TOP_MAILBOXES } from './options.js';

/** How often the dashboard polls the members while a page is open (ms). */
export const DEFAULT_INTERVAL_MS = 1000;
/** Deadline of one member's stats ask (ms); a slower member shows as unreachable. */
export const DEFAULT_STATS_TIMEOUT_MS = 800;
/** Points kept per chart series (two minutes at one a second). */
export const DEFAULT_HISTORY_POINTS = 120;
/** Polling stops this long after the last page read (ms): no viewer, no cost. */
export const DEFAULT_IDLE_AFTER_MS = 10_000;
/** How long a member that went down stays listed (ms). */
export const DEFAULT_DOWN_RETAIN_MS = 300_000;
/** The dashboard's port when none is given (the CLI's default too). */
export const DEFAULT_DASHBOARD_PORT = 9090;

/** The polling and page options of `startDashboard`. */
export interface DashboardViewOptions {
  /** Port of the page and endpoints; 0 takes a free one. Default 9090. */
  port?: number;
  /** Interface to bind. Default `127.0.0.1`. */
  host?: string;
  /** How often members are polled while a page is open (ms). Default 1000. */
  intervalMs?: number;
  /** Deadline of one member's stats ask (ms). Default 800. */
  statsTimeoutMs?: number;
  /** Points kept per chart series. Default 120. */
  historyPoints?: number;
  /** Polling stops this long after the last page read (ms). Default 10,000. */
  idleAfterMs?: number;
  /** How long a member that went down stays listed (ms). Default 300,000. */
  downRetainMs?: number;
  /** Deepest mailboxes listed per member. Default 5. */
  topMailboxes?: number;
}

/** Options after defaults and checks, frozen. */
export type ResolvedDashboardOptions = Readonly<Required<DashboardViewOptions>>;

/** Every default of `startDashboard`. */
export const DEFAULT_DASHBOARD_OPTIONS: ResolvedDashboardOptions = Object.freeze({
  port: DEFAULT_DASHBOARD_PORT,
  host: DEFAULT_HOST,
  intervalMs: DEFAULT_INTERVAL_MS,
  statsTimeoutMs: DEFAULT_STATS_TIMEOUT_MS,
  historyPoints: DEFAULT_HISTORY_POINTS,
  idleAfterMs: DEFAULT_IDLE_AFTER_MS,
  downRetainMs: DEFAULT_DOWN_RETAIN_MS,
  topMailboxes: DEFAULT_TOP_MAILBOXES,
});

/** Applies the defaults and checks each option, throwing `OptionError` naming the property. */
export function resolveDashboardOptions(user: DashboardViewOptions): ResolvedDashboardOptions {
  const o = { ...DEFAULT_DASHBOARD_OPTIONS, ...user };
  checkInt('port', o.port, 0, 65_535);
  checkInt('intervalMs', o.intervalMs, 50, 60_000);
  checkInt('statsTimeoutMs', o.statsTimeoutMs, 1, 60_000);
  checkInt('historyPoints', o.historyPoints, 2, 10_000);
  checkInt('idleAfterMs', o.idleAfterMs, 1, 3_600_000);
  checkInt('downRetainMs', o.downRetainMs, 0, 86_400_000);
  checkInt('topMailboxes', o.topMailboxes, 0, 100);
  if (typeof o.host !== 'string' || o.host === '')
    throw new OptionError('host', 'must be a non-empty string');
  return Object.freeze(o);
}
