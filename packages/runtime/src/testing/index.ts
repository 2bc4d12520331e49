// @troupe/runtime/testing: in-process clusters and helpers for tests.

export type { TestCluster, TestClusterOptions } from './cluster.js';
export { createTestCluster } from './cluster.js';
export { ClusterConvergenceError } from './converge.js';
export { etcdAvailable } from './etcd-server.js';
export { freePort } from './ports.js';
export { waitFor, waitForEvent } from './wait.js';
