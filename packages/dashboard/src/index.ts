// @troupe/dashboard: Prometheus metrics, health endpoints and a live web dashboard for Troupe clusters.
export type { Dashboard, DashboardOptions } from './dashboard.js';
export { startDashboard } from './dashboard.js';
export type { DashboardViewOptions } from './dashboard-options.js';
export {
  DEFAULT_DASHBOARD_PORT,
  DEFAULT_HISTORY_POINTS,
  DEFAULT_IDLE_AFTER_MS,
  DEFAULT_INTERVAL_MS,
  DEFAULT_STATS_TIMEOUT_MS,
} from './dashboard-options.js';
export type { Health } from './health.js';
export { alive, ready } from './health.js';
export type { NodeMetrics } from './metrics.js';
export { createMetrics } from './metrics.js';
export type { MetricsOptions } from './options.js';
export { DEFAULT_REASON_LIMIT, DEFAULT_TOP_MAILBOXES } from './options.js';
export type { MetricsServer, ServeMetricsOptions } from './serve-metrics.js';
export { serveMetrics } from './serve-metrics.js';
export type { ClusterView, LinkView, MemberStatsView, MemberView, SeriesView } from './view.js';
