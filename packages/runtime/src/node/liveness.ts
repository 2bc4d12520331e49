// Liveness: what happens when a peer goes down or comes back, and the probes that notice a return.
import { Addr } from '@troupe/transport';
import type { MemberRecord } from '../membership/provider.js';
import type { MemberTable } from '../membership/table.js';
import type { AskTable } from './asks.js';
import { Listeners } from './listeners.js';
import { Kind } from './protocol.js';
import type { WatchRegistry } from './watches.js';

/** What liveness needs from its node. */
export interface LivenessHost {
  readonly addr: Addr;
  readonly table: MemberTable;
  readonly asks: AskTable;
  readonly watches: WatchRegistry;
  /** Sends a control frame; failures are logged, not thrown. */
  control(to: number, kind: number, body: unknown[]): void;
  listenerFailed(err: unknown): void;
}

/** Peer and member events, for the node's own bookkeeping and for extensions. */
export class Liveness {
  readonly memberUp: Listeners<[MemberRecord]>;
  readonly memberDown: Listeners<[MemberRecord, string]>;
  readonly peerGoneListeners: Listeners<[Addr, string]>;
  /** Peers whose loss listeners heard and that have not come back since (failed re-dials repeat it). */
  readonly #reported = new Set<number>();
  #probeTimer: NodeJS.Timeout | undefined;

  constructor(private readonly host: LivenessHost) {
    const failed = (err: unknown) => host.listenerFailed(err);
    this.memberUp = new Listeners(failed);
    this.memberDown = new Listeners(failed);
    this.peerGoneListeners = new Listeners(failed);
  }

  /**
   * `peer` is down (its link failed, or a relay reported it): mark it in the view, which reports
   * memberDown and fails what waits on it; a peer outside the view fails its waiters directly.
   */
  peerDown(peer: number, reason: string): void {
    if (!this.host.table.linkDown(peer, reason)) this.peerGone(peer, reason);
  }

  /** `peer` is gone: its asks and watches fail, and so does what only it could carry. */
  peerGone(peer: number, reason: string): void {
    const { asks, watches, table, addr } = this.host;
    asks.peerDown(peer, reason);
    watches.nodeDown(peer, `node down: ${reason}`);
    if (!this.#reported.has(peer)) {
      this.#reported.add(peer);
      this.peerGoneListeners.emit(peer as Addr, reason);
    }
    if (!Addr.isHarbor(peer as Addr)) return;
    // A harbor carried watches across groups: those whose path has no harbor left die with it.
    const ownGroup = Addr.group(addr);
    const harborGroup = Addr.group(peer as Addr);
    const pathGone = (group: number) => !table.harbors(group).some((h) => h.addr !== peer);
    for (const node of watches.watchedNodes()) {
      const group = Addr.group(node as Addr);
      if (group === ownGroup) continue;
      const viaOwn = harborGroup === ownGroup && !Addr.isHarbor(addr);
      if ((viaOwn && pathGone(ownGroup)) || (harborGroup === group && pathGone(group))) {
        watches.nodeDown(node, `harbor path down: ${reason}`);
      }
    }
  }

  /** A link to `peer` came up (or membership says it is back): its next loss is news again. */
  peerBack(peer: number): void {
    this.#reported.delete(peer);
  }

  /** Probes suspected members every `intervalMs`, so a returning node is noticed without traffic. */
  start(intervalMs: number): void {
    this.#probeTimer = setInterval(() => this.probe(), intervalMs);
    this.#probeTimer.unref();
  }

  stop(): void {
    if (this.#probeTimer) clearInterval(this.#probeTimer);
    this.#probeTimer = undefined;
  }

  private probe(): void {
    for (const addr of this.host.table.suspected()) this.host.control(addr, Kind.Probe, []);
  }
}
