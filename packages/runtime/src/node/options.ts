// Node options: defaults, checks that name the property, resolved once and frozen.
import { Addr, OptionError } from '@troupe/transport';
import type { Logger } from 'pino';
import { checkDuration } from '../actor/duration.js';
import type { MembershipProvider } from '../membership/provider.js';

/** Link settings passed through to the transport. */
export interface LinkOptions {
  downTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  pendingLimit?: number;
  maxFrameSize?: number;
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
  handshakeTimeoutMs?: number;
  connectTimeoutMs?: number;
  maxOutboundBytes?: number;
  readHighWaterMark?: number;
  flushBytes?: number;
  promptFlushBytes?: number;
}

export interface NodeOptions {
  /** This node's logical address, "group.type.process". */
  addr: string | Addr;
  /** Shared cluster secret; proves membership in every link handshake. */
  secret: string;
  /** Nodes of different cluster ids refuse each other. Default `troupe`. */
  clusterId?: string;
  /** Where to listen; port 0 picks a free port (the real one is registered). Default 127.0.0.1:0. */
  listen?: { host?: string; port?: number };
  /** Host other nodes dial; default the listen host. */
  advertiseHost?: string;
  /** Membership provider; default a static provider that knows only this node. */
  membership?: MembershipProvider;
  /** Visible to other groups. */
  export?: boolean;
  meta?: Record<string, unknown>;
  /** pino logger; silent by default. */
  logger?: Logger;
  /** Default ask deadline. Default 5000 ms. */
  askTimeoutMs?: number;
  /** Default mailbox bound per actor. Default 100,000. */
  mailboxLimit?: number;
  /** Messages one actor handles before the next ready actor runs. Default 100. */
  throughput?: number;
  /** Messages handled per event-loop turn before yielding to I/O. Default 10,000. */
  turnBudget?: number;
  /** Hop budget of frames this node sends; each harbor takes one, at 0 the frame is refused. Default 4. */
  maxHops?: number;
  /** How often members whose link is down are probed. Default 500 ms. */
  probeIntervalMs?: number;
  /**
   * How long `stop()` lets handlers already running (or awaiting) finish before their actors are
   * stopped anyway and their asks fail with `ActorStoppedError`. Default 2000 ms.
   */
  stopDrainMs?: number;
  link?: LinkOptions;
}

export const DEFAULT_CLUSTER_ID = 'troupe';
export const DEFAULT_ASK_TIMEOUT_MS = 5000;
export const DEFAULT_MAILBOX_LIMIT = 100_000;
export const DEFAULT_THROUGHPUT = 100;
export const DEFAULT_TURN_BUDGET = 10_000;
export const DEFAULT_PROBE_INTERVAL_MS = 500;
export const DEFAULT_MAX_HOPS = 4;
export const DEFAULT_STOP_DRAIN_MS = 2000;

/** Link options that are durations, checked here so a bad one names its full property. */
const LINK_DURATIONS = [
  'downTimeoutMs',
  'heartbeatIntervalMs',
  'reconnectBaseMs',
  'reconnectMaxMs',
  'handshakeTimeoutMs',
  'connectTimeoutMs',
] as const;

export interface ResolvedNodeOptions {
  addr: Addr;
  secret: string;
  clusterId: string;
  listenHost: string;
  listenPort: number;
  advertiseHost: string;
  export: boolean;
  meta: Record<string, unknown>;
  askTimeoutMs: number;
  mailboxLimit: number;
  throughput: number;
  turnBudget: number;
  probeIntervalMs: number;
  stopDrainMs: number;
  maxHops: number;
  link: LinkOptions;
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new OptionError(name, `must be a positive number, got ${value}`);
  return value;
}

function hops(value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 255)
    throw new OptionError('maxHops', `must be 0..255, got ${value}`);
  return value;
}

function link(o: LinkOptions | undefined): LinkOptions {
  const out = { ...o };
  for (const name of LINK_DURATIONS) {
    const value = out[name];
    if (value !== undefined) checkDuration(`link.${name}`, value);
  }
  return out;
}

/**
 * Resolves and freezes a node's options. Without `listen`, a node listens where its membership says
 * it lives (a static config file's host and port), else on 127.0.0.1 and a free port.
 */
export function resolveNodeOptions(o: NodeOptions): Readonly<ResolvedNodeOptions> {
  if (typeof o.secret !== 'string' || o.secret.length === 0)
    throw new OptionError('secret', 'must be a non-empty string');
  const addr = Addr.of(o.addr);
  const listed = o.listen === undefined ? o.membership?.listenAddress?.(addr) : undefined;
  const listenHost = o.listen?.host ?? listed?.host ?? '127.0.0.1';
  const listenPort = o.listen?.port ?? listed?.port ?? 0;
  if (!Number.isInteger(listenPort) || listenPort < 0 || listenPort > 65535) {
    throw new OptionError('listen.port', `must be 0..65535, got ${listenPort}`);
  }
  const advertiseHost =
    o.advertiseHost ?? (listenHost === '0.0.0.0' || listenHost === '::' ? '127.0.0.1' : listenHost);
  return Object.freeze({
    addr,
    secret: o.secret,
    clusterId: o.clusterId ?? DEFAULT_CLUSTER_ID,
    listenHost,
    listenPort,
    advertiseHost,
    export: o.export ?? false,
    meta: o.meta ?? {},
    askTimeoutMs: checkDuration('askTimeoutMs', o.askTimeoutMs ?? DEFAULT_ASK_TIMEOUT_MS),
    mailboxLimit: positive('mailboxLimit', o.mailboxLimit ?? DEFAULT_MAILBOX_LIMIT),
    throughput: positive('throughput', o.throughput ?? DEFAULT_THROUGHPUT),
    turnBudget: positive('turnBudget', o.turnBudget ?? DEFAULT_TURN_BUDGET),
    probeIntervalMs: checkDuration('probeIntervalMs', o.probeIntervalMs ?? DEFAULT_PROBE_INTERVAL_MS),
    stopDrainMs: checkDuration('stopDrainMs', o.stopDrainMs ?? DEFAULT_STOP_DRAIN_MS),
    maxHops: hops(o.maxHops ?? DEFAULT_MAX_HOPS),
    link: link(o.link),
  });
}
