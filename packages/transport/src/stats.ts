// What a transport reports about itself: counters, per-link figures, and hooks for tests and tools.
import type { Addr } from './addr.js';
import type { ConnectionState } from './connection.js';
import type { Link } from './link.js';

/** What `stats()` reports. */
export interface TransportStats {
  framesIn: number;
  framesOut: number;
  bytesIn: number;
  bytesOut: number;
  /**
   * Frames dropped, by reason: `dialFailed`, `connectionLost`, `closed`, `noHandler`, `frameTooLarge`
   * (queued before the peer's smaller limit was known), and with fault injection `blackhole`, `delayed`.
   */
  dropped: Record<string, number>;
  /** Frames dropped because their `from` was not the authenticated peer (which was no harbor). */
  forgedFrames: number;
  /**
   * Handshakes this transport refused, by reason: a `RejectCode` (`BAD_SECRET`, `CLUSTER`, `PROTOCOL`,
   * ...), `TIMEOUT`, `TOO_MANY_HANDSHAKES` (over `maxHandshakes`), `TLS` (no valid client certificate).
   */
  handshakesRefused: Record<string, number>;
}

/** One link, as `linkStats()` reports it. Traffic counts the current connection, handshake included. */
export interface LinkStats {
  peer: Addr;
  /** `up`; `connecting` (dialling, or frames wait for a dial); `down`. */
  state: 'up' | 'connecting' | 'down';
  bytesIn: number;
  bytesOut: number;
  framesIn: number;
  framesOut: number;
  /** Last heartbeat round trip in ms; undefined before the first answer. */
  rttMs: number | undefined;
  /** `Date.now()` when the current connection came up; undefined when not up. */
  since: number | undefined;
  /** Bytes queued for the peer (pending, batched, or in the socket). */
  queuedBytes: number;
  /** The peer's incarnation on the last connection that was up. */
  incarnation: string | undefined;
}

/** A view of the transport's connections and links, for tests and dashboards. */
export interface TransportSnapshot {
  /** Sockets not yet released, by state. */
  connections: Record<ConnectionState, number>;
  /** `socket.write` calls so far. */
  writes: number;
  links: { peer: string; up: boolean; dialing: boolean; pending: number }[];
}

/** What a transport hands to `snapshotOf` and `linkFaults` without putting it on its public type. */
export interface TransportHooks {
  snapshot(): TransportSnapshot;
  /** The link to `peer`, made if need be. */
  link(peer: Addr): Link;
}

/** Filled by each transport's constructor. */
export const transportHooks = new WeakMap<object, TransportHooks>();

/** Reads a transport's snapshot (exposed to tests through `@troupe/transport/internal`). */
export function snapshotOf(transport: object): TransportSnapshot {
  return transportHooks.get(transport)!.snapshot();
}
