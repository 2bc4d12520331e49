// @troupe/membership-etcd/testing: a real etcd process for tests, and test clusters over it.

export type { EtcdServer, EtcdServerOptions } from './etcd-server.js';
export {
  EtcdNotInstalledError,
  EtcdStartError,
  etcdAvailable,
  etcdBinary,
  startEtcd,
} from './etcd-server.js';
export type { EtcdTestMembership } from './membership.js';
export { etcdTestMembership } from './membership.js';
