// Fault injection on a live transport: blackholed and slowed links, for partition and slow-link tests.
import type { Addr } from '../addr.js';
import { transportHooks } from '../stats.js';
import type { TcpTransport } from '../transport.js';

/** Faults injected into one transport's links. */
export interface LinkFaults {
  /**
   * On: frames to and from `peer` are silently dropped (heartbeats included) and nothing is dialled or
   * accepted, so both ends see the link go silent and declare it down after `downTimeoutMs`. Off: the
   * next frame to `peer` dials again.
   */
  blackhole(peer: Addr, on: boolean): void;
  /** Holds every outbound frame to `peer` for `ms` (0 releases what is held and stops delaying). */
  delay(peer: Addr, ms: number): void;
  /** Removes every fault this object injected. */
  clear(): void;
}

/** Fault injection for `transport` (tests only: `@troupe/transport/testing`). */
export function linkFaults(transport: TcpTransport): LinkFaults {
  const hooks = transportHooks.get(transport);
  if (hooks === undefined) throw new TypeError('linkFaults needs a TcpTransport');
  const touched = new Set<Addr>();
  return {
    blackhole(peer, on) {
      touched.add(peer);
      hooks.link(peer).setBlackhole(on);
    },
    delay(peer, ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`delay must be a finite ms >= 0, got ${ms}`);
      touched.add(peer);
      hooks.link(peer).setDelay(ms);
    },
    clear() {
      for (const peer of touched) {
        const link = hooks.link(peer);
        link.setBlackhole(false);
        link.setDelay(0);
      }
      touched.clear();
    },
  };
}
