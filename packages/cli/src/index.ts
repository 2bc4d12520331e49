// @troupe/cli: cluster configs (JSON, YAML, defineCluster), startCluster, checks, status and the process supervisor.

export type { CliArgs } from './args.js';
export { parseDuration } from './args.js';
export type { CheckResult } from './check.js';
export { checkConfig } from './check.js';
export type {
  ClientEndpoints,
  GatewayEndpoint,
  NodeEndpoint,
  RunningCluster,
  StartClusterOptions,
} from './cluster.js';
export { startCluster } from './cluster.js';
export type { ClusterConfig } from './config.js';
export { defineCluster, formatPath, isClusterConfig, loadConfig, parseCluster } from './config.js';
export type { ConfigIssue } from './errors.js';
export { ConfigError, ConfigReadError, ModuleLoadError, SecretMissingError, UsageError } from './errors.js';
export { DEFAULT_LINK_WAIT_MS, waitLinked } from './linked.js';
export type { CliLoggerOptions } from './logger.js';
export { createLogger } from './logger.js';
export { main, USAGE } from './main.js';
export { dialHost, membershipFor } from './membership.js';
export { assignPorts, freePort, needsFixedPort, parsePortFlags } from './ports.js';
export type { NodeRoles, ServiceContext } from './roles.js';
export { rolesFor, ticketSecret } from './roles.js';
export type { ClusterConfigInput, ClusterSpec, ExtensionSpec, NodeSpec, ServiceSpec } from './schema.js';
export { clusterSchema } from './schema.js';
export { resolveSecret } from './secret.js';
export type { ShutdownOptions } from './signals.js';
export { onShutdown } from './signals.js';
export type { MemberStatus, StatusOptions } from './status.js';
export {
  clusterStatus,
  DEFAULT_STATUS_TIMEOUT_MS,
  defaultObserverAddr,
  formatStatus,
  OBSERVER_TYPE,
} from './status.js';
export type { BackoffOptions, SupervisorEvents, SupervisorOptions } from './supervisor.js';
export { DEFAULT_BACKOFF, DEFAULT_STOP_GRACE_MS, restartDelay, Supervisor } from './supervisor.js';
