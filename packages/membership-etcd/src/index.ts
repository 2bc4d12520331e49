// @troupe/membership-etcd: the etcd membership provider (etcd3 and its gRPC stack load only with it).

export { EtcdMembership } from './etcd.js';
export type { EtcdMembershipOptions } from './etcd-options.js';
