// Options of the etcd membership provider: defaults, checks that name the property, resolved once.
import { checkDuration, MAX_DURATION_MS } from '@troupe/runtime/internal';
import { OptionError } from '@troupe/transport';
import type { Logger } from 'pino';

/** Seconds a registration outlives its last keepalive: how fast a killed node leaves the views. */
export const DEFAULT_ETCD_LEASE_TTL_SEC = 2;
/** How often the whole member prefix is re-read, in case a watch event was lost. */
export const DEFAULT_ETCD_RESYNC_MS = 5_000;
/** First delay between attempts to re-register after the lease was lost (doubles up to 8x). */
export const DEFAULT_ETCD_RETRY_MS = 500;
/** Deadline of every unary etcd call (gets, puts, transactions, lease grants and revokes). */
export const DEFAULT_ETCD_CALL_TIMEOUT_MS = 3_000;

export interface EtcdMembershipOptions {
  /** etcd client URLs, e.g. `['http://127.0.0.1:2379']`. */
  endpoints: string[];
  /** The cluster's id; names the default prefix. */
  clusterId: string;
  /** Key prefix of this cluster, ending in `/`. Default `/troupe/<clusterId>/`. */
  prefix?: string;
  /** Lease TTL in whole seconds (etcd's granularity; etcd raises values below its minimum). Default 2. */
  leaseTtlSec?: number;
  /** Full re-read period in ms. Default 5000. */
  resyncMs?: number;
  /** First re-registration retry delay in ms after a lost lease. Default 500. */
  retryMs?: number;
  /** Deadline of unary etcd calls in ms. Default 3000. */
  callTimeoutMs?: number;
  /**
   * How long `start()` waits for a record of another incarnation at our address to go before it
   * refuses: a killed predecessor's record stays until its lease expires, a live holder's stays.
   * Default `leaseTtlSec * 1000 + 1500` ms (a lease expires within its TTL plus etcd's 0.5 s sweep).
   */
  takeoverWaitMs?: number;
  /** Parent logger; the provider makes one child. Silent by default. */
  logger?: Logger;
}

export type Resolved = Readonly<Required<Omit<EtcdMembershipOptions, 'logger'>>>;

export function resolveOptions(user: EtcdMembershipOptions): Resolved {
  if (typeof user.clusterId !== 'string' || user.clusterId === '') {
    throw new OptionError('clusterId', 'must be a non-empty string');
  }
  if (!Array.isArray(user.endpoints) || user.endpoints.length === 0) {
    throw new OptionError('endpoints', 'must list at least one etcd client URL');
  }
  if (user.endpoints.some((e) => typeof e !== 'string' || e === '')) {
    throw new OptionError('endpoints', 'every endpoint must be a non-empty string');
  }
  const opts = {
    endpoints: [...user.endpoints],
    clusterId: user.clusterId,
    prefix: user.prefix ?? `/troupe/${user.clusterId}/`,
    leaseTtlSec: user.leaseTtlSec ?? DEFAULT_ETCD_LEASE_TTL_SEC,
    resyncMs: user.resyncMs ?? DEFAULT_ETCD_RESYNC_MS,
    retryMs: user.retryMs ?? DEFAULT_ETCD_RETRY_MS,
    callTimeoutMs: user.callTimeoutMs ?? DEFAULT_ETCD_CALL_TIMEOUT_MS,
    takeoverWaitMs: user.takeoverWaitMs ?? (user.leaseTtlSec ?? DEFAULT_ETCD_LEASE_TTL_SEC) * 1000 + 1500,
  };
  if (typeof opts.prefix !== 'string' || !opts.prefix.endsWith('/')) {
    throw new OptionError('prefix', 'must be a string ending in "/"');
  }
  // The TTL, in ms, also times the takeover wait: it must fit a timer as well.
  if (
    !Number.isInteger(opts.leaseTtlSec) ||
    opts.leaseTtlSec < 1 ||
    opts.leaseTtlSec * 1000 > MAX_DURATION_MS
  ) {
    throw new OptionError(
      'leaseTtlSec',
      `must be a whole number of seconds in 1..${Math.floor(MAX_DURATION_MS / 1000)}`,
    );
  }
  for (const name of ['resyncMs', 'retryMs', 'callTimeoutMs'] as const) checkDuration(name, opts[name]);
  // 0 is allowed: refuse at once when our address is held.
  if (opts.takeoverWaitMs !== 0) checkDuration('takeoverWaitMs', opts.takeoverWaitMs);
  return Object.freeze(opts);
}
