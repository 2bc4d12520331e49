// @troupe/runtime/testing: in-process clusters and helpers for tests.

export type { TestCluster, TestClusterOptions, TestMembership, TestMembershipFactory } from './cluster.js';
export { ClusterNotConvergedError, createTestCluster, DEFAULT_CONVERGE_TIMEOUT_MS } from './cluster.js';
export type { Side } from './faults.js';
export type { NodeProcess, NodeProcessInfo, NodeProcessOptions } from './node-process.js';
export {
  DEFAULT_PROCESS_START_TIMEOUT_MS,
  NodeProcessError,
  serveNodeProcess,
  startNodeProcess,
} from './node-process.js';
export { freePort } from './ports.js';
export { waitFor, waitForEvent } from './wait.js';
