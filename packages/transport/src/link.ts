// The link to one peer: its up connection, the pending queue while dialling, backoff, and the dial tie-break.
import type { Logger } from 'pino';
import { Addr } from './addr.js';
import { DIRECT_BODY_MIN } from './batch-writer.js';
import type { Connection } from './connection.js';
import { DelayLine } from './delay-line.js';
import {
  FrameTooLargeError,
  type HandshakeError,
  OutboundBufferFullError,
  PendingQueueFullError,
} from './errors.js';
import { encodeFrameParts, HEADER_SIZE } from './frame.js';
import { type Reject, RejectCode } from './handshake.js';
import { backoffDelay, type PeerEndpoint, type ResolvedOptions } from './options.js';
import { OutBuffer } from './outbuf.js';

/** Starting capacity of a pending queue; most links come up before it fills. */
const PENDING_INITIAL = 4 * 1024;

/** What the peer's `up` event reports. */
export interface PeerInfo {
  addr: Addr;
  incarnation: string;
  /** The largest frame the peer accepts, header included (from its Hello). */
  maxFrameSize: number;
}

/** What the peer's `down` event reports besides the reason. */
export interface DownInfo {
  /** The incarnation of the peer on the connection that went down, when known. */
  incarnation?: string;
  /** Whether the link had been up (false: a dial failed). */
  wasUp: boolean;
  /** Frames lost with it (at-most-once). */
  dropped: number;
  /** Set when the peer refused the handshake or we refused it: carries the refusal's `rejectCode`. */
  error?: HandshakeError;
}

/** What a link needs from its transport. */
export interface LinkHost {
  readonly opts: ResolvedOptions;
  /** The transport's logger; each link makes one child of it. */
  readonly logger: Logger;
  dial(link: Link, endpoint: PeerEndpoint): Connection;
  queueFlush(conn: Connection): void;
  countDropped(reason: string, frames: number): void;
  linkUp(peer: Addr, info: PeerInfo): void;
  linkDown(peer: Addr, reason: string, info: DownInfo): void;
  /** The link was not writable and now is (its queued bytes fell below the high-water mark). */
  linkDrain(peer: Addr): void;
}

/**
 * Per-peer state. Up: `conn` carries frames. Otherwise frames wait, encoded, in `pending` while
 * `dialing` connects, a backoff `retryTimer` runs, or an `awaitTimer` waits for the peer's own dial.
 */
export class Link {
  readonly name: string;
  readonly log: Logger;
  /** The up connection. */
  conn: Connection | null = null;
  /** Our outbound connection while it handshakes. */
  dialing: Connection | null = null;
  /** The incarnation seen on the last up connection. */
  incarnation: string | undefined;
  paused = false;
  /** Fault injection: frames are dropped both ways and nothing is dialled. */
  blackholed = false;
  /** Fault injection: every outbound frame is held this long first. */
  delayMs = 0;
  /** The peer's frame size limit, from the last handshake (unknown before the first). */
  peerMaxFrameSize: number | undefined;
  /** `Date.now()` since when the link is down with nothing queued (0 while in use). */
  idleSince = Date.now();

  private pending: OutBuffer | null = null;
  private blocked = false;
  private readonly delayed = new DelayLine(
    (frame) => this.enqueueRaw(frame),
    (frames, err) => {
      this.host.countDropped('delayed', frames);
      this.log.debug({ err, frames }, 'delayed frames dropped');
    },
  );
  private failures = 0;
  private nextDialAt = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  /** `retryTimer` reports a dial that could not start (rather than waiting out a backoff). */
  private reportingFailure = false;
  private awaitTimer: NodeJS.Timeout | null = null;
  private attaching = false;

  constructor(
    private readonly host: LinkHost,
    readonly peer: Addr,
  ) {
    this.name = Addr.format(peer);
    this.log = host.logger.child({ peer: this.name });
  }

  get pendingCount(): number {
    return this.pending === null ? 0 : this.pending.frames;
  }

  /** Encodes one frame into the up connection's batch, or into the pending queue and dials. */
  send(
    kind: number,
    flags: number,
    hops: number,
    to: number,
    from: number,
    body: Uint8Array,
    head: Uint8Array,
    prompt: boolean,
  ): void {
    const size = HEADER_SIZE + head.length + body.length;
    if (this.peerMaxFrameSize !== undefined && size > this.peerMaxFrameSize) {
      throw new FrameTooLargeError(size, this.peerMaxFrameSize);
    }
    if (this.blackholed || this.delayMs > 0) {
      this.sendFaulty(() => encodeFrameParts(kind, flags, hops, to, from, head, body));
      return;
    }
    const c = this.conn;
    if (c !== null) {
      const opts = this.host.opts;
      const queued = c.queuedBytes;
      if (queued + size > opts.maxOutboundBytes)
        throw new OutboundBufferFullError(this.name, queued, opts.maxOutboundBytes);
      if (queued + size >= opts.writeHighWaterMark) this.blocked = true;
      if (body.length >= DIRECT_BODY_MIN && c.state === 'up') {
        // A large body goes to the socket as it is, behind what is batched: no copy, no allocation.
        c.out.frameStart(kind, flags, hops, to, from, body.length, head);
        c.flushWith(body);
        return;
      }
      c.out.frame(kind, flags, hops, to, from, body, head);
      if (prompt) c.promptQueued = true;
      if (!c.flushQueued) this.host.queueFlush(c);
      if (c.out.len >= (c.promptQueued ? opts.promptFlushBytes : opts.flushBytes)) c.flushEarly();
      return;
    }
    this.queue(size).frame(kind, flags, hops, to, from, body, head);
    this.ensureDial();
    if (!this.writable) this.blocked = true;
  }

  /** Like `send`, for an already-encoded frame. */
  sendRaw(frame: Uint8Array): void {
    if (this.peerMaxFrameSize !== undefined && frame.length > this.peerMaxFrameSize) {
      throw new FrameTooLargeError(frame.length, this.peerMaxFrameSize);
    }
    if (this.blackholed || this.delayMs > 0) {
      this.sendFaulty(() => Buffer.from(frame));
      return;
    }
    this.enqueueRaw(frame);
  }

  private enqueueRaw(frame: Uint8Array): void {
    const c = this.conn;
    if (c !== null) {
      const limit = this.host.opts.maxOutboundBytes;
      if (c.queuedBytes + frame.length > limit)
        throw new OutboundBufferFullError(this.name, c.queuedBytes, limit);
      c.out.raw(frame);
      if (!c.flushQueued) this.host.queueFlush(c);
      if (c.out.len >= this.host.opts.flushBytes) c.flushEarly();
    } else {
      this.queue(frame.length).raw(frame);
      this.ensureDial();
    }
    if (!this.blocked && !this.writable) this.blocked = true;
  }

  /** Bytes waiting for the peer: the up connection's, or the pending queue's. */
  get queuedBytes(): number {
    if (this.conn !== null) return this.conn.queuedBytes;
    return this.pending === null ? 0 : this.pending.len;
  }

  /** Below the write high-water mark, with room in the pending queue. */
  get writable(): boolean {
    return (
      this.queuedBytes < this.host.opts.writeHighWaterMark && this.pendingCount < this.host.opts.pendingLimit
    );
  }

  /** Reports `drain` when a link that was not writable is again. */
  checkDrain(): void {
    if (!this.blocked || !this.writable) return;
    this.blocked = false;
    this.host.linkDrain(this.peer);
  }

  /** A fault is injected: blackholed frames vanish; delayed ones are copied and sent `delayMs` later. */
  private sendFaulty(encode: () => Buffer): void {
    if (this.blackholed) this.host.countDropped('blackhole', 1);
    else this.delayed.push(encode(), this.delayMs);
  }

  /** Turns the blackhole on or off. On: the up connection goes silent; nothing is dialled. */
  setBlackhole(on: boolean): void {
    this.blackholed = on;
    if (on) this.dropPending('blackhole');
  }

  /** Sets the outbound delay; 0 sends what was held back at once. */
  setDelay(ms: number): void {
    this.delayMs = ms;
    if (ms === 0) this.delayed.flush();
  }

  /**
   * Forgets the reconnect backoff (membership says the peer is back) and dials now if frames wait.
   */
  resetBackoff(): void {
    this.failures = 0;
    this.nextDialAt = 0;
    // Only a backoff wait is cut short; a failed dial still being reported is left to report.
    if (this.retryTimer !== null && !this.reportingFailure) {
      clearTimeout(this.retryTimer);
      this.retryTimer = null;
      if (this.pendingCount > 0) this.ensureDial();
    }
  }

  /** Down for `ms` with nothing queued, dialled or held: the link object can be released. */
  idleFor(ms: number, now: number): boolean {
    return (
      this.conn === null &&
      this.dialing === null &&
      this.pendingCount === 0 &&
      this.retryTimer === null &&
      this.awaitTimer === null &&
      this.delayed.size === 0 &&
      !this.paused &&
      !this.blackholed &&
      this.delayMs === 0 &&
      this.idleSince > 0 &&
      now - this.idleSince >= ms
    );
  }

  private queue(size: number): OutBuffer {
    const opts = this.host.opts;
    let p = this.pending;
    if (p === null) {
      p = new OutBuffer(PENDING_INITIAL);
      this.pending = p;
    }
    if (p.frames >= opts.pendingLimit) throw new PendingQueueFullError(this.name, opts.pendingLimit);
    if (p.len + size > opts.maxOutboundBytes)
      throw new OutboundBufferFullError(this.name, p.len, opts.maxOutboundBytes);
    return p;
  }

  /** Starts a dial unless one is running, a backoff is waited out, or the peer is expected to dial us. */
  private ensureDial(): void {
    if (this.conn !== null || this.dialing !== null || this.retryTimer !== null || this.awaitTimer !== null)
      return;
    if (this.attaching || this.blackholed) return;
    const wait = this.nextDialAt - Date.now();
    if (wait > 0) {
      this.retryTimer = setTimeout(this.onRetry, wait);
      return;
    }
    this.dial();
  }

  private readonly onRetry = (): void => {
    this.retryTimer = null;
    if (this.pendingCount > 0) this.ensureDial();
  };

  private dial(): void {
    let endpoint: PeerEndpoint | undefined;
    let problem = `no address known for ${this.name}`;
    try {
      endpoint = this.host.opts.resolve(this.peer);
    } catch (err) {
      problem = `resolving ${this.name} failed: ${(err as Error).message}`;
    }
    if (endpoint !== undefined) {
      try {
        this.dialing = this.host.dial(this, endpoint);
        this.log.debug({ host: endpoint.host, port: endpoint.port }, 'dialling');
        return;
      } catch (err) {
        problem = `cannot dial ${endpoint.host}:${endpoint.port}: ${(err as Error).message}`;
      }
    }
    // Reported on a later turn: `send` never emits events from inside the caller's stack.
    this.reportingFailure = true;
    this.retryTimer = setTimeout(this.onDialImpossible, 0, problem);
  }

  private readonly onDialImpossible = (reason: string): void => {
    this.retryTimer = null;
    this.reportingFailure = false;
    this.failDial(reason, undefined, undefined);
  };

  /** A dial failed: count it for backoff, drop what waited for it, and say so. */
  private failDial(reason: string, conn: Connection | undefined, error: HandshakeError | undefined): void {
    this.failures++;
    const delay = backoffDelay(this.host.opts, this.failures);
    this.nextDialAt = Date.now() + delay;
    const dropped = this.dropPending('dialFailed');
    this.log.warn({ reason, failures: this.failures, retryInMs: delay, dropped }, 'dial failed');
    const info: DownInfo = { wasUp: false, dropped };
    if (conn?.peerIncarnation !== undefined) info.incarnation = conn.peerIncarnation;
    if (error !== undefined) info.error = error;
    this.host.linkDown(this.peer, reason, info);
  }

  private dropPending(reason: string): number {
    const dropped = this.pendingCount;
    this.pending = null;
    if (dropped > 0) this.host.countDropped(reason, dropped);
    this.markIdle();
    this.checkDrain();
    return dropped;
  }

  /** Starts the idle clock when nothing is up or queued. */
  private markIdle(): void {
    if (this.conn === null && this.dialing === null && this.pendingCount === 0) this.idleSince = Date.now();
  }

  /**
   * The acceptor's rule for an authenticated inbound connection from this peer. Undefined accepts.
   * Simultaneous dials resolve to the lower address's dial, so both sides keep the same connection.
   */
  decideInbound(inbound: Connection): Reject | undefined {
    const self = this.host.opts.addr;
    const cur = this.conn;
    if (cur !== null) {
      // Our own dial is up with the same incarnation, yet the peer dialled too: either it is abandoning
      // this dial after accepting ours (a simultaneous dial we won), or it dropped ours and its close has
      // not reached us. Keep ours; a ping makes a dead connection reset promptly.
      if (cur.role === 'dialer' && cur.peerIncarnation === inbound.peerIncarnation && self < this.peer) {
        cur.ping();
        return { code: RejectCode.Duplicate, reason: `${this.host.opts.addrText}'s own dial is up` };
      }
      // Another incarnation claims an address whose holder is alive (heard from within two heartbeats):
      // refuse it, so an impostor or a stale twin cannot cut a live node off. A holder that died without
      // closing its socket goes quiet, and the next dial after that takes over.
      if (
        cur.peerIncarnation !== inbound.peerIncarnation &&
        performance.now() - cur.lastReceived < 2 * this.host.opts.heartbeatIntervalMs
      ) {
        return {
          code: RejectCode.AddressInUse,
          reason: `${Addr.format(this.peer)} is held by a live node of incarnation ${cur.peerIncarnation}`,
        };
      }
      // Otherwise the peer would not dial if its side were alive: the inbound replaces ours.
      return undefined;
    }
    if (this.dialing !== null && self < this.peer) {
      return {
        code: RejectCode.Duplicate,
        reason: `${this.host.opts.addrText}'s own dial wins (lower address)`,
      };
    }
    return undefined;
  }

  /** A connection finished its handshake. */
  connectionUp(conn: Connection): void {
    if (conn.role === 'dialer' && conn !== this.dialing) {
      conn.abort('superseded by the connection from the peer');
      return;
    }
    this.attach(conn);
  }

  private attach(conn: Connection): void {
    const inc = conn.peerIncarnation!;
    this.attaching = true;
    try {
      const old = this.conn;
      if (old !== null && old !== conn) {
        // Reported down first, so the owner sees the old incarnation go before the new one comes.
        old.abort(old.peerIncarnation === inc ? 'replaced by a new connection from the peer' : 'restarted');
      }
      const dialing = this.dialing;
      this.dialing = null;
      if (dialing !== null && dialing !== conn) dialing.abort('superseded by the connection from the peer');
      this.clearTimers();
      this.failures = 0;
      this.nextDialAt = 0;
      this.conn = conn;
      this.idleSince = 0;
      conn.link = this;
      if (this.incarnation !== undefined && this.incarnation !== inc) {
        this.log.info({ previous: this.incarnation, incarnation: inc }, 'peer restarted');
      }
      this.incarnation = inc;
      this.peerMaxFrameSize = conn.peerMaxFrameSize;
      const pending = this.pending;
      this.pending = null;
      if (pending !== null && conn.peerMaxFrameSize < this.host.opts.maxFrameSize) {
        // Queued before the peer's limit was known: what it would refuse is dropped here, not sent.
        const dropped = pending.dropLarger(conn.peerMaxFrameSize);
        if (dropped > 0) this.host.countDropped('frameTooLarge', dropped);
      }
      if (pending !== null && pending.frames > 0) {
        conn.out.absorb(pending);
        if (!conn.flushQueued) this.host.queueFlush(conn);
      }
      if (this.paused) conn.pause();
    } finally {
      this.attaching = false;
    }
    this.log.info({ incarnation: inc, role: conn.role, remote: conn.remote }, 'link up');
    this.host.linkUp(this.peer, { addr: this.peer, incarnation: inc, maxFrameSize: conn.peerMaxFrameSize });
  }

  /** The peer refused our dial. DUPLICATE means it is dialling us: wait for that instead. */
  refused(conn: Connection, reject: Reject): void {
    if (conn !== this.dialing || reject.code !== RejectCode.Duplicate) return;
    this.dialing = null;
    this.log.debug({ reason: reject.reason }, 'dial refused as duplicate; expecting the peer to dial');
    this.awaitTimer = setTimeout(this.onAwaitTimeout, this.host.opts.handshakeTimeoutMs);
  }

  private readonly onAwaitTimeout = (): void => {
    this.awaitTimer = null;
    if (this.conn !== null) return;
    this.failures++;
    this.nextDialAt = Date.now() + backoffDelay(this.host.opts, this.failures);
    this.log.debug('the peer did not dial after refusing ours as duplicate; dialling again');
    if (this.pendingCount > 0) this.ensureDial();
  };

  /** A connection of this link closed (after its frames were counted as dropped). */
  connectionClosed(conn: Connection, reason: string, dropped: number, error?: HandshakeError): void {
    if (conn === this.conn) {
      this.conn = null;
      if (dropped > 0) this.host.countDropped('connectionLost', dropped);
      this.log.info({ reason, dropped }, 'link down');
      const info: DownInfo = { wasUp: true, dropped };
      if (conn.peerIncarnation !== undefined) info.incarnation = conn.peerIncarnation;
      this.markIdle();
      this.checkDrain();
      this.host.linkDown(this.peer, reason, info);
    } else if (conn === this.dialing) {
      this.dialing = null;
      this.failDial(reason, conn, error);
    }
  }

  pause(): void {
    this.paused = true;
    this.conn?.pause();
  }

  resume(): void {
    this.paused = false;
    this.conn?.resume();
  }

  /**
   * Ends the link: an up connection says Goodbye (`graceful`) or is destroyed; a dial in progress is
   * abandoned and its pending frames dropped. Down is reported either way.
   */
  shutdown(reason: string, graceful: boolean): void {
    this.clearTimers();
    this.delayed.clear();
    const dialing = this.dialing;
    this.dialing = null;
    dialing?.abort(reason);
    const dropped = this.dropPending('closed');
    if (dialing !== null || dropped > 0) this.host.linkDown(this.peer, reason, { wasUp: false, dropped });
    const c = this.conn;
    if (c !== null) {
      if (graceful) c.goodbye(reason);
      else c.abort(reason);
    }
    this.failures = 0;
    this.nextDialAt = 0;
  }

  private clearTimers(): void {
    if (this.retryTimer !== null) {
      clearTimeout(this.retryTimer);
      this.retryTimer = null;
      this.reportingFailure = false;
    }
    if (this.awaitTimer !== null) {
      clearTimeout(this.awaitTimer);
      this.awaitTimer = null;
    }
  }
}
