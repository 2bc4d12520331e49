// The failure detector: one timer pings every up link and declares links silent past downTimeoutMs down.
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';

/** What the detector needs of an up connection. */
export interface WatchedConnection {
  /** Clock reading of the last bytes received. */
  readonly lastReceived: number;
  /** Queues a heartbeat (the peer answers it, which also measures the round trip). */
  ping(): void;
  abort(reason: string): void;
}

/** What the detector needs of a link. */
export interface WatchedLink {
  /** The up connection, or null. */
  readonly conn: WatchedConnection | null;
  /** A paused link is not read, so its silence is not held against the peer. */
  readonly paused: boolean;
  readonly log: Logger;
}

/** Timing the detector works with (a subset of the transport options). */
export interface DetectorTiming {
  readonly downTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
}

/**
 * Judges silence every `min(heartbeatIntervalMs, downTimeoutMs / 10)` and pings every link once per
 * `heartbeatIntervalMs`. Stall-tolerant: a tick that comes late by more than one interval (our own event
 * loop was blocked, the peer's bytes may be unread) judges nobody, and a suspect is re-checked after the
 * poll phase has read what already arrived.
 */
export class FailureDetector {
  private timer: NodeJS.Timeout | null = null;
  private lastTickAt = 0;
  private lastPingAt = 0;
  private suspects: [WatchedLink, WatchedConnection][] = [];

  constructor(
    private readonly timing: DetectorTiming,
    private readonly links: () => Iterable<WatchedLink>,
    private readonly log: Logger,
    /** Must be the clock `lastReceived` is read from. */
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** Silence is judged this often (finer than the ping period, so a death is seen soon after the timeout). */
  get checkIntervalMs(): number {
    const t = this.timing;
    return Math.max(1, Math.min(t.heartbeatIntervalMs, Math.floor(t.downTimeoutMs / 10)));
  }

  start(): void {
    if (this.timer !== null) return;
    this.lastTickAt = this.clock();
    this.lastPingAt = this.lastTickAt;
    this.timer = setInterval(this.tick, this.checkIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.suspects.length = 0;
  }

  private readonly tick = (): void => {
    const now = this.clock();
    const interval = this.checkIntervalMs;
    const late = now - this.lastTickAt - interval;
    this.lastTickAt = now;
    const downAfter = this.timing.downTimeoutMs;
    const pingTick = now - this.lastPingAt >= this.timing.heartbeatIntervalMs - interval / 2;
    if (pingTick) this.lastPingAt = now;
    for (const link of this.links()) {
      const c = link.conn;
      if (c === null) continue;
      if (pingTick) c.ping();
      if (!link.paused && now - c.lastReceived > downAfter) this.suspects.push([link, c]);
    }
    if (this.suspects.length === 0) return;
    if (late > interval) {
      this.log.debug({ lateMs: Math.round(late) }, 'heartbeat tick late; not judging silence');
      this.suspects.length = 0;
      return;
    }
    setImmediate(this.recheck);
  };

  private readonly recheck = (): void => {
    const now = this.clock();
    for (const [link, c] of this.suspects) {
      if (link.conn !== c || link.paused) continue;
      const silent = now - c.lastReceived;
      if (silent > this.timing.downTimeoutMs) {
        link.log.warn({ silentMs: Math.round(silent) }, 'peer silent; declaring it down');
        c.abort(`heartbeat timeout: silent for ${Math.round(silent)}ms`);
      }
    }
    this.suspects.length = 0;
  };
}
