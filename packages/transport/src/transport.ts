// TcpTransport: the public face of the links: sending, the table of links to peers, events and stats.
import type net from 'node:net';
import { EventEmitter } from 'eventemitter3';
import type { Logger } from 'pino';
import { Addr } from './addr.js';
import { Connection, type ConnectionHost, type ConnectionState, type Counters } from './connection.js';
import {
  ClosedError,
  FrameTooLargeError,
  HandshakeError,
  InvalidAddressError,
  ProtocolError,
} from './errors.js';
import { FailureDetector } from './failure-detector.js';
import { FlushScheduler } from './flush-scheduler.js';
import { type Frame, FrameKind, HEADER_SIZE } from './frame.js';
import type { Reject } from './handshake.js';
import { type DownInfo, Link, type LinkHost, type PeerInfo } from './link.js';
import { adoptSocket, connectEvent, createListener, dialSocket, type ReadInto } from './listener.js';
import { type PeerEndpoint, type ResolvedOptions, resolveOptions, type TransportOptions } from './options.js';
import { RefusalLog } from './refusal-log.js';
import { type LinkStats, type TransportSnapshot, type TransportStats, transportHooks } from './stats.js';

/** Events of a `TcpTransport`. */
export interface TransportEvents {
  /** A link to `peer` came up (after an authenticated handshake). */
  up: (peer: Addr, info: PeerInfo) => void;
  /**
   * A link went down, or a dial failed (`wasUp: false`); `dropped` frames queued for it were lost.
   * `info.error` is the `HandshakeError` (with its `rejectCode`) when the handshake was refused.
   */
  down: (peer: Addr, reason: string, info: DownInfo) => void;
  /** A link that was not `writable` drained below `writeHighWaterMark`. */
  drain: (peer: Addr) => void;
  /** Protocol errors and refused handshakes, with the reason. Never thrown. */
  error: (err: Error, peer?: Addr) => void;
}

/** An empty head for frames that have none. */
const NO_HEAD = new Uint8Array(0);

/**
 * Authenticated, batched TCP (or TLS) links between Troupe nodes: one connection per peer, opened lazily
 * on the first `send`, frames coalesced into one write per connection per event-loop turn.
 */
export class TcpTransport extends EventEmitter<TransportEvents> {
  /** Listens and resolves once the port is bound. */
  static async start(options: TransportOptions): Promise<TcpTransport> {
    const transport = new TcpTransport(resolveOptions(options));
    await transport.listen();
    return transport;
  }

  readonly addr: Addr;
  /**
   * Hot path: set by the owner; called synchronously for every non-control frame. `via` is the
   * authenticated peer the frame came from (`frame.from` may differ when relayed by a harbor). The
   * frame's buffers are views into the received chunk: copy what must outlive the call.
   */
  onFrame: (frame: Frame, via: Addr) => void;

  private readonly opts: ResolvedOptions;
  private readonly counters: Counters = {
    framesIn: 0,
    framesOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    writes: 0,
    forgedFrames: 0,
  };
  /** What links and connections call back into; kept off the public surface. */
  private readonly core: ConnectionHost & LinkHost;
  private readonly log: Logger;
  private readonly dropped: Record<string, number> = {};
  private readonly refusals: RefusalLog;
  private readonly links = new Map<number, Link>();
  private readonly conns = new Set<Connection>();
  /** Inbound connections still in their handshake (capped by `maxHandshakes`). */
  private readonly handshaking = new Set<Connection>();
  private readonly server: net.Server;
  private readonly detector: FailureDetector;
  private readonly flusher = new FlushScheduler<Connection>();
  private releaseTimer: NodeJS.Timeout | null = null;
  private state: 'open' | 'closed' | 'destroyed' = 'open';
  private closing: Promise<void> | null = null;
  private released: (() => void) | null = null;

  private boundPort = 0;
  private boundHost: string;

  private constructor(opts: ResolvedOptions) {
    super();
    this.opts = opts;
    this.addr = opts.addr;
    this.boundHost = opts.listenHost;
    this.log = opts.logger.child({ component: 'transport', node: opts.addrText });
    this.refusals = new RefusalLog(opts.refusalLogIntervalMs, this.log);
    this.onFrame = this.dropUnowned;
    this.server = createListener(opts, this.onConnection, this.onTlsError);
    this.detector = new FailureDetector(opts, () => this.links.values(), this.log);
    this.core = {
      opts,
      logger: this.log,
      counters: this.counters,
      dial: (link, endpoint) => this.dial(link, endpoint),
      queueFlush: (conn) => this.flusher.queue(conn),
      afterChunk: () => this.flusher.afterChunk(),
      countDropped: (reason, frames) => this.countDropped(reason, frames),
      linkUp: (peer, info) => this.notify('up', peer, info),
      linkDown: (peer, reason, info) => this.notify('down', peer, reason, info),
      linkDrain: (peer) => this.notify('drain', peer),
      deliver: (frame, via) => {
        try {
          this.onFrame(frame, via);
        } catch (err) {
          this.log.error({ err, peer: Addr.format(via) }, 'onFrame threw');
          this.notify('error', err as Error, via);
        }
      },
      written: (conn) => conn.link?.checkDrain(),
      decideInbound: (conn) => this.decideInbound(conn),
      connectionUp: (conn) => {
        this.handshaking.delete(conn);
        conn.link!.connectionUp(conn);
      },
      refusedByPeer: (conn, reject) => conn.link?.refused(conn, reject),
      connectionClosed: (conn, reason, dropped, error) => this.connectionClosed(conn, reason, dropped, error),
      connectionReleased: (conn) => this.connectionReleased(conn),
    };
    transportHooks.set(this, {
      snapshot: () => this.snapshot(),
      link: (peer) => this.links.get(peer) ?? this.newLink(peer),
    });
  }

  private listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('error', onError);
      this.server.listen(this.opts.listenPort, this.opts.listenHost, () => {
        this.server.off('error', onError);
        this.server.on('error', (err) => {
          this.log.error({ err }, 'listener error');
          this.notify('error', err);
        });
        const address = this.server.address() as net.AddressInfo;
        this.boundPort = address.port;
        this.boundHost = address.address;
        this.detector.start();
        const sweep = Math.max(1, Math.ceil(this.opts.linkIdleReleaseMs / 2));
        this.releaseTimer = setInterval(this.releaseIdleLinks, sweep);
        this.releaseTimer.unref();
        this.log.info({ host: this.host, port: this.port, tls: this.opts.tls !== undefined }, 'listening');
        resolve();
      });
    });
  }

  /** The real listening port. */
  get port(): number {
    return this.boundPort;
  }

  /** The address the listener is bound to. */
  get host(): string {
    return this.boundHost;
  }

  /**
   * Encodes header+body straight into the link's outbound buffer, opening the link lazily. `head`, when
   * given, is written before `body` (a layer's own envelope bytes ahead of the payload, copied once).
   * A body of `DIRECT_BODY_MIN` (32 KiB) or more on an up link is not copied at all: it is handed to the
   * socket as it is, behind the batch, so it must not change afterwards (as with `socket.write`).
   * `prompt` marks a frame someone waits for: its batch is written past `promptFlushBytes`. A frame over
   * this node's `maxFrameSize`, or over the peer's (once a handshake told it), throws `FrameTooLargeError`
   * and leaves the link as it was.
   */
  send(
    to: Addr,
    kind: number,
    flags: number,
    hops: number,
    from: number,
    body: Uint8Array,
    head: Uint8Array = NO_HEAD,
    prompt = false,
  ): void {
    this.sendVia(to, to, kind, flags, hops, from, body, head, prompt);
  }

  /**
   * Like `send`, but over the link to `via` while the header names the final target `to` (a harbor
   * relays it onward by header alone).
   */
  sendVia(
    via: Addr,
    to: Addr,
    kind: number,
    flags: number,
    hops: number,
    from: number,
    body: Uint8Array,
    head: Uint8Array = NO_HEAD,
    prompt = false,
  ): void {
    if (this.state !== 'open') throw new ClosedError('transport');
    const size = HEADER_SIZE + head.length + body.length;
    if (size > this.opts.maxFrameSize) throw new FrameTooLargeError(size, this.opts.maxFrameSize);
    if (kind < FrameKind.User) throw new ProtocolError(`frame kind ${kind} is reserved for the link`);
    const link = this.links.get(via) ?? this.newLink(via);
    link.send(kind, flags, hops, to, from, body, head, prompt);
  }

  /** Sends an already-encoded frame (harbor forwarding) over the link to `via`. */
  sendRaw(via: Addr, frame: Uint8Array): void {
    if (this.state !== 'open') throw new ClosedError('transport');
    if (frame.length > this.opts.maxFrameSize)
      throw new FrameTooLargeError(frame.length, this.opts.maxFrameSize);
    if (frame.length < HEADER_SIZE || frame[4]! < FrameKind.User) {
      throw new ProtocolError('sendRaw needs a whole application frame');
    }
    const link = this.links.get(via) ?? this.newLink(via);
    link.sendRaw(frame);
  }

  isUp(peer: Addr): boolean {
    return this.links.get(peer)?.conn != null;
  }

  /**
   * Whether `peer` takes more frames without piling up: fewer than `writeHighWaterMark` bytes queued
   * for it (and room in its pending queue). When false, `drain` is emitted once it is true again.
   */
  writable(peer: Addr): boolean {
    return this.links.get(peer)?.writable ?? true;
  }

  /** The incarnation of the peer on its up link. */
  peerIncarnation(peer: Addr): string | undefined {
    return this.links.get(peer)?.conn?.peerIncarnation;
  }

  upPeers(): Addr[] {
    const peers: Addr[] = [];
    for (const link of this.links.values()) if (link.conn !== null) peers.push(link.peer);
    return peers;
  }

  /**
   * Forgets the reconnect backoff for `peer` and dials now if frames wait for it. The node calls it
   * when membership says the peer is back, so a restarted peer is reached at once, not after a backoff.
   */
  resetBackoff(peer: Addr): void {
    this.links.get(peer)?.resetBackoff();
  }

  /** Closes the link to one peer (Goodbye if it is up) and reports down with `reason`. */
  disconnect(peer: Addr, reason: string): void {
    const link = this.links.get(peer);
    if (link === undefined) return;
    link.shutdown(reason, true);
    this.links.delete(peer);
  }

  /** Stops reading from the peer's socket (inbound backpressure). Its silence is not held against it. */
  pause(peer: Addr): void {
    if (peer === this.addr) return;
    (this.links.get(peer) ?? this.newLink(peer)).pause();
  }

  resume(peer: Addr): void {
    this.links.get(peer)?.resume();
  }

  /** Graceful: stop accepting, flush every up link, send Goodbye, close sockets, clear timers. Idempotent. */
  close(): Promise<void> {
    if (this.closing !== null) return this.closing;
    if (this.state === 'open') this.stop('transport closed', true);
    const sockets = new Promise<void>((resolve) => {
      this.released = resolve;
      if (this.conns.size === 0) resolve();
    });
    const listener = new Promise<void>((resolve) => {
      if (!this.server.listening) resolve();
      else this.server.close(() => resolve());
    });
    this.closing = Promise.all([sockets, listener]).then(() => {
      this.log.info('closed');
    });
    return this.closing;
  }

  /** Abrupt: destroy every socket and the listener now, no Goodbye, no flush. Idempotent. */
  destroy(): void {
    if (this.state === 'destroyed') return;
    if (this.state === 'open') this.stop('transport destroyed', false);
    this.state = 'destroyed';
    for (const conn of this.conns) conn.socket.destroy();
  }

  stats(): TransportStats {
    const c = this.counters;
    return {
      framesIn: c.framesIn,
      framesOut: c.framesOut,
      bytesIn: c.bytesIn,
      bytesOut: c.bytesOut,
      dropped: { ...this.dropped },
      forgedFrames: c.forgedFrames,
      handshakesRefused: { ...this.refusals.counts },
    };
  }

  /** One entry per link this transport holds: its state and the traffic of its current connection. */
  linkStats(): LinkStats[] {
    const out: LinkStats[] = [];
    for (const link of this.links.values()) {
      const c = link.conn;
      const state =
        c !== null ? 'up' : link.dialing !== null || link.pendingCount > 0 ? 'connecting' : 'down';
      out.push({
        peer: link.peer,
        state,
        bytesIn: c?.traffic.bytesIn ?? 0,
        bytesOut: c?.traffic.bytesOut ?? 0,
        framesIn: c?.traffic.framesIn ?? 0,
        framesOut: c?.traffic.framesOut ?? 0,
        rttMs: c?.rttMs,
        since: c?.upSince,
        queuedBytes: link.queuedBytes,
        incarnation: link.incarnation,
      });
    }
    return out;
  }

  private stop(reason: string, graceful: boolean): void {
    this.state = 'closed';
    this.detector.stop();
    this.refusals.stop();
    if (this.releaseTimer !== null) clearInterval(this.releaseTimer);
    this.releaseTimer = null;
    if (this.server.listening) this.server.close();
    for (const link of this.links.values()) link.shutdown(reason, graceful);
    for (const conn of [...this.conns]) {
      if (conn.state === 'connecting' || conn.state === 'handshake') conn.abort(reason);
      else if (conn.lingering) conn.socket.destroy();
    }
  }

  /**
   * Emits from inside socket handlers and shutdown loops: a throwing listener is logged, and must not
   * unwind the transport's own bookkeeping.
   */
  private notify<E extends keyof TransportEvents>(event: E, ...args: Parameters<TransportEvents[E]>): void {
    try {
      (this.emit as (e: E, ...a: Parameters<TransportEvents[E]>) => boolean)(event, ...args);
    } catch (err) {
      this.log.error({ err, event }, 'a transport event listener threw');
    }
  }

  private newLink(peer: Addr): Link {
    if (peer === this.addr)
      throw new InvalidAddressError('format', `no link to this node itself (${this.opts.addrText})`);
    const link = new Link(this.core, Addr.from(peer));
    this.links.set(peer, link);
    return link;
  }

  private readonly dropUnowned = (): void => {
    this.countDropped('noHandler', 1);
  };

  private readonly onConnection = (socket: net.Socket): void => {
    if (this.state !== 'open') {
      socket.destroy();
      return;
    }
    if (this.handshaking.size >= this.opts.maxHandshakes) {
      // Refused before a byte is read or a buffer allocated: a flood of connections costs a counter.
      socket.destroy();
      const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
      const limit = this.opts.maxHandshakes;
      this.refusals.record('TOO_MANY_HANDSHAKES', { remote, limit }, 'too many handshakes in progress');
      return;
    }
    const conn = new Connection(this.core, (into) => adoptSocket(this.opts, socket, into), 'acceptor');
    this.conns.add(conn);
    this.handshaking.add(conn);
  };

  private readonly onTlsError = (err: Error, socket: net.Socket): void => {
    socket.destroy();
    const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    if (this.refusals.record('TLS', { remote, err: err.message }, 'TLS handshake failed')) {
      this.notify('error', new HandshakeError(`TLS handshake failed: ${err.message}`, 'TLS'));
    }
  };

  // Called back by links and connections through `core`.

  private dial(link: Link, endpoint: PeerEndpoint): Connection {
    const open = (into: ReadInto) => dialSocket(this.opts, endpoint, into);
    const conn = new Connection(this.core, open, 'dialer', link.peer, connectEvent(this.opts));
    conn.link = link;
    this.conns.add(conn);
    return conn;
  }

  private countDropped(reason: string, frames: number): void {
    this.dropped[reason] = (this.dropped[reason] ?? 0) + frames;
  }

  private decideInbound(conn: Connection): Reject | undefined {
    if (this.state !== 'open') return { code: 'CLOSING', reason: `${this.opts.addrText} is shutting down` };
    const peer = conn.peer!;
    const link = this.links.get(peer) ?? this.newLink(peer);
    if (link.blackholed) {
      // A partition: the peer hears nothing back and times out, as it would on a cut cable.
      conn.abort('blackholed');
      return undefined;
    }
    const reject = link.decideInbound(conn);
    if (reject === undefined) conn.link = link;
    return reject;
  }

  private connectionClosed(conn: Connection, reason: string, dropped: number, error?: Error): void {
    const link = conn.link;
    const log = link?.log ?? this.log;
    const inbound = this.handshaking.delete(conn);
    if (error !== undefined) {
      const details = { reason, remote: conn.remote, claimed: formatMaybe(conn.peer) };
      const refusal = error instanceof HandshakeError && !error.byPeer ? error.rejectCode : undefined;
      // Refusals of inbound handshakes are what a scanner or an attacker causes: counted, rate-limited.
      if (refusal === undefined || !inbound) {
        if (refusal !== undefined) this.refusals.count(refusal);
        log.warn(details, 'connection refused or broken');
        this.notify('error', error, conn.peer);
      } else if (this.refusals.record(refusal, details, 'connection refused or broken')) {
        this.notify('error', error, conn.peer);
      }
    }
    if (link !== null) link.connectionClosed(conn, reason, dropped, error as HandshakeError | undefined);
    else if (error === undefined) log.debug({ reason, remote: conn.remote }, 'inbound connection closed');
  }

  private connectionReleased(conn: Connection): void {
    this.conns.delete(conn);
    this.handshaking.delete(conn);
    if (this.conns.size === 0 && this.released !== null) this.released();
  }

  /** Forgets links that have been down with nothing to send for `linkIdleReleaseMs`. */
  private readonly releaseIdleLinks = (): void => {
    const now = Date.now();
    for (const [peer, link] of this.links) {
      if (link.idleFor(this.opts.linkIdleReleaseMs, now)) this.links.delete(peer);
    }
  };

  private snapshot(): TransportSnapshot {
    const connections: Record<ConnectionState, number> = {
      connecting: 0,
      handshake: 0,
      up: 0,
      closing: 0,
      closed: 0,
    };
    for (const c of this.conns) connections[c.state]++;
    const links = [...this.links.values()].map((l) => ({
      peer: l.name,
      up: l.conn !== null,
      dialing: l.dialing !== null,
      pending: l.pendingCount,
    }));
    return { connections, writes: this.counters.writes, links };
  }
}

function formatMaybe(addr: Addr | undefined): string | undefined {
  if (addr === undefined) return undefined;
  return Addr.format(addr);
}
