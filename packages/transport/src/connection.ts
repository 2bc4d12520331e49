// One TCP connection between two nodes: handshake, frame decoding, the coalesced writer and its state.
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Addr } from './addr.js';
import { BatchWriter } from './batch-writer.js';
import { HandshakeError, ProtocolError } from './errors.js';
import { type Frame, FrameDecoder, FrameKind } from './frame.js';
import { FrameReader } from './frame-reader.js';
import { type Reject, RejectCode, type Role, rejectFrame } from './handshake.js';
import { HandshakeMachine, type HandshakeStep } from './handshake-machine.js';
import type { Link } from './link.js';
import type { SocketOpener } from './listener.js';
import type { ResolvedOptions } from './options.js';
import type { OutBuffer } from './outbuf.js';

/**
 * `connecting`: TCP connect in progress (dialer). `handshake`: Hello/Auth exchange. `up`: carries frames.
 * `closing`: logically gone (down reported), socket still ending. `closed`: socket released.
 */
export type ConnectionState = 'connecting' | 'handshake' | 'up' | 'closing' | 'closed';

/** Counters shared by every connection of a transport. */
export interface Counters {
  framesIn: number;
  framesOut: number;
  bytesIn: number;
  bytesOut: number;
  /** `socket.write` calls: framesOut / writes is the coalescing ratio. */
  writes: number;
  /** Frames dropped because their `from` was not the authenticated peer (and the peer is no harbor). */
  forgedFrames: number;
}

/** Traffic of one connection since it came up. */
export interface Traffic {
  bytesIn: number;
  bytesOut: number;
  framesIn: number;
  framesOut: number;
}

/** What a connection needs from its transport. */
export interface ConnectionHost {
  readonly opts: ResolvedOptions;
  readonly counters: Counters;
  /** An authenticated inbound connection asks to be accepted: undefined accepts, a Reject refuses. */
  decideInbound(conn: Connection): Reject | undefined;
  /** The handshake completed (dialer: Welcome received; acceptor: Welcome sent). */
  connectionUp(conn: Connection): void;
  /** The peer refused our dial with `reject`; the connection closes right after. */
  refusedByPeer(conn: Connection, reject: Reject): void;
  /** Logically closed: `dropped` frames queued on it were lost. Called once. */
  connectionClosed(conn: Connection, reason: string, dropped: number, error?: Error): void;
  /** The socket is fully closed. Called once, after `connectionClosed`. */
  connectionReleased(conn: Connection): void;
  /** Schedules `conn.flush()` for the end of this turn. */
  queueFlush(conn: Connection): void;
  /** An inbound chunk was handed on. */
  afterChunk(): void;
  /** Hands an application frame to the owner. */
  deliver(frame: Frame, via: Addr): void;
  /** A batch written by `conn` was taken by the kernel: its queued bytes went down. */
  written(conn: Connection): void;
}

/** How a connection ends: `abort` destroys the socket and drops what is queued; `end` flushes first. */
type CloseMode = 'abort' | 'end';

const now = () => performance.now();

/** Flag of a `Ping` that answers another: its body is the 8-byte timestamp the first one carried. */
const PING_REPLY = 2;
/** A Ping body: the sender's `performance.now()` as a float64, echoed back to measure the round trip. */
const PING_BODY = 8;

/** One socket. Links own up connections; the transport owns them while they handshake. */
export class Connection {
  state: ConnectionState;
  /** Peer address: claimed by its Hello, authenticated once `authenticated` is true. */
  peer: Addr | undefined;
  peerIncarnation: string | undefined;
  /** The largest frame the peer accepts, from its Hello (our own limit when it did not say). */
  peerMaxFrameSize: number;
  authenticated = false;
  /** The link this connection serves (set when dialling, or when an inbound is accepted). */
  link: Link | null = null;
  flushQueued = false;
  /** The batch being filled holds a prompt frame (written early past `promptFlushBytes`). */
  promptQueued = false;
  /** `performance.now()` of the last bytes received. */
  lastReceived = now();
  /** Traffic since the connection came up (handshake frames included). */
  readonly traffic: Traffic = { bytesIn: 0, bytesOut: 0, framesIn: 0, framesOut: 0 };
  /** Last heartbeat round trip, in ms. */
  rttMs: number | undefined;
  /** `Date.now()` when the connection came up. */
  upSince = 0;
  /** A refused handshake whose socket waits (unread) for the peer to close: nothing left to deliver. */
  lingering = false;

  readonly socket: Socket;
  /** Frames out of the socket's bytes: read into our buffers (plain TCP), or decoded from 'data' chunks (TLS). */
  private readonly input: FrameDecoder | FrameReader;
  private machine: HandshakeMachine | null;
  private peerIsHarbor = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly writer: BatchWriter;

  constructor(
    private readonly host: ConnectionHost,
    open: SocketOpener,
    readonly role: Role,
    /** The address a dialer dialled. */
    readonly dialled?: Addr,
    /** The socket event that means "connected": `secureConnect` for TLS. */
    connectEvent = 'connect',
  ) {
    const opts = host.opts;
    this.peerMaxFrameSize = opts.maxFrameSize;
    // Until the peer is authenticated it may send only small frames: it cannot make us buffer or decode much.
    const reader = new FrameReader(this.onFrame, opts.maxHandshakeFrameSize, opts.readBufferSize);
    const opened = open({ buffer: () => reader.next(), callback: (n: number) => this.onRead(reader, n) });
    const socket = opened.socket;
    this.socket = socket;
    if (opened.readsInto) {
      this.input = reader;
    } else {
      const decoder = new FrameDecoder(this.onFrame, opts.maxHandshakeFrameSize);
      this.input = decoder;
      socket.on('data', (chunk: Buffer) => this.onData(decoder, chunk));
    }
    this.machine = new HandshakeMachine(opts, role, dialled);
    this.state = role === 'dialer' ? 'connecting' : 'handshake';
    this.writer = new BatchWriter(socket, host.counters, this.traffic, () => host.written(this));
    socket.setNoDelay(true);
    socket.on('drain', this.onDrain);
    socket.on('end', this.onEnd);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
    if (role === 'dialer') {
      socket.once(connectEvent, this.onConnect);
      this.arm(opts.connectTimeoutMs, 'connect');
    } else {
      this.writeNow(this.machine.hello());
      this.arm(opts.handshakeTimeoutMs, 'handshake');
    }
  }

  /** `host:port` of the other end, for logs. */
  get remote(): string {
    return `${this.socket.remoteAddress ?? '?'}:${this.socket.remotePort ?? '?'}`;
  }

  /** Frames encoded for the next write (its buffer is allocated by the first frame, once up). */
  get out(): OutBuffer {
    return this.writer.out;
  }

  /** Bytes queued for this socket: written but not yet taken by the kernel, plus this turn's batch. */
  get queuedBytes(): number {
    return this.writer.queuedBytes;
  }

  /** Writes this turn's batch in one `socket.write`; waits for 'drain' if the socket is saturated. */
  flush(): void {
    this.flushQueued = false;
    this.flushEarly();
  }

  /** Writes the batch now, mid-turn (it grew past `flushBytes`); the turn's flush writes the rest. */
  flushEarly(): void {
    if (this.state !== 'up' && this.state !== 'closing') return;
    this.promptQueued = false;
    this.writer.write();
  }

  /**
   * Writes the batch now, followed by `body`: the batch's last frame is the header `OutBuffer.frameStart`
   * wrote for it. Only on an up connection (the link, its caller, checks).
   */
  flushWith(body: Uint8Array): void {
    this.promptQueued = false;
    this.writer.writeWith(body);
  }

  /** Queues a heartbeat carrying a timestamp; the peer echoes it, which measures the round trip. */
  ping(): void {
    if (this.state !== 'up' || this.link?.blackholed) return;
    PING_SCRATCH.writeDoubleBE(now(), 0);
    this.out.frame(FrameKind.Ping, 0, 0, this.peer!, this.host.opts.addr, PING_SCRATCH);
    if (!this.flushQueued) this.host.queueFlush(this);
  }

  /** Graceful end: flush what is queued, say Goodbye, end the socket. */
  goodbye(reason: string): void {
    if (this.state === 'up') {
      this.out.frame(FrameKind.Goodbye, 0, 0, this.peer!, this.host.opts.addr, EMPTY);
    }
    this.close(reason, 'end');
  }

  /** Abrupt end: destroy the socket; frames still queued are dropped and counted. */
  abort(reason: string, error?: Error): void {
    this.close(reason, 'abort', error);
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.lastReceived = now();
    this.socket.resume();
  }

  /** Refuses the handshake: Reject, then end the socket. DUPLICATE is routine, anything else an error. */
  refuse(reject: Reject): void {
    if (this.state === 'closing' || this.state === 'closed') return;
    if (!this.socket.destroyed) this.writeNow(rejectFrame(this.host.opts.addr, this.peer ?? 0, reject));
    const reason = `handshake refused: ${reject.code}: ${reject.reason}`;
    this.close(reason, 'end', routine(reject) ? undefined : new HandshakeError(reason, reject.code));
  }

  private close(reason: string, mode: CloseMode, error?: Error): void {
    if (this.state === 'closing' || this.state === 'closed') return;
    const wasOpen = this.state === 'up';
    this.state = 'closing';
    this.machine = null;
    this.disarm();
    let dropped = 0;
    if (mode === 'end' && wasOpen && !this.socket.destroyed) {
      // A paused socket would never see the peer's end; the rest of the stream is read and ignored.
      this.socket.resume();
      this.promptQueued = false;
      this.writer.write(true);
      this.socket.end();
      // A peer that never closes its side must not hold the socket forever.
      this.arm(this.host.opts.downTimeoutMs, 'linger');
    } else {
      dropped = this.writer.drop();
      if (mode === 'end') {
        // A refused handshake: the Reject goes out and the socket is released at the peer's close or after
        // the linger. An authenticated peer (DUPLICATE, ADDRESS_IN_USE) is read to see its close; a
        // stranger is not read any further: it cannot make us read on.
        if (this.authenticated) this.socket.resume();
        else this.socket.pause();
        this.socket.end();
        this.lingering = !this.authenticated;
        this.arm(this.host.opts.handshakeTimeoutMs, 'linger');
      } else {
        this.socket.destroy();
      }
    }
    this.host.connectionClosed(this, reason, dropped, error);
  }

  /** Handshake frames go straight to the socket: nothing else is queued before the link is up. */
  private writeNow(frame: Buffer): void {
    const counters = this.host.counters;
    counters.framesOut++;
    counters.bytesOut += frame.length;
    counters.writes++;
    this.traffic.framesOut++;
    this.traffic.bytesOut += frame.length;
    this.socket.write(frame);
  }

  private arm(ms: number, phase: 'connect' | 'handshake' | 'linger'): void {
    this.disarm();
    this.timer = setTimeout(this.onTimeout, ms, phase, ms);
  }

  private disarm(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  private readonly onTimeout = (phase: 'connect' | 'handshake' | 'linger', ms: number): void => {
    this.timer = null;
    if (phase === 'linger') {
      this.socket.destroy();
      return;
    }
    const reason = `${phase} timeout after ${ms}ms`;
    this.close(reason, 'abort', phase === 'handshake' ? new HandshakeError(reason, 'TIMEOUT') : undefined);
  };

  private readonly onConnect = (): void => {
    if (this.state !== 'connecting' || this.machine === null) return;
    this.state = 'handshake';
    this.writeNow(this.machine.hello());
    this.arm(this.host.opts.handshakeTimeoutMs, 'handshake');
  };

  /** `n` bytes were read into the reader's buffer (plain TCP). */
  private onRead(reader: FrameReader, n: number): boolean {
    this.received(n);
    try {
      reader.filled(n);
      this.host.afterChunk();
    } catch (err) {
      this.malformed(err as Error);
    }
    // Never `false` (which would pause the socket): pausing is the link's call, through `pause()`.
    return true;
  }

  /** A chunk arrived as a 'data' event (TLS). */
  private onData(decoder: FrameDecoder, chunk: Buffer): void {
    this.received(chunk.length);
    try {
      decoder.push(chunk);
      this.host.afterChunk();
    } catch (err) {
      this.malformed(err as Error);
    }
  }

  private received(bytes: number): void {
    // A blackholed link (fault injection) hears nothing: its silence is judged like a partition's.
    if (this.link === null || !this.link.blackholed) this.lastReceived = now();
    this.host.counters.bytesIn += bytes;
    this.traffic.bytesIn += bytes;
  }

  /** The byte stream broke the framing (or a frame's handling threw): the connection ends with the reason. */
  private malformed(e: Error): void {
    if (this.state === 'handshake') {
      this.refuse({ code: RejectCode.Protocol, reason: e.message });
    } else {
      this.close(`protocol error: ${e.message}`, 'abort', e);
    }
  }

  private readonly onFrame = (frame: Frame): void => {
    const state = this.state;
    if (state === 'up') {
      this.host.counters.framesIn++;
      this.traffic.framesIn++;
      if (this.link!.blackholed) return;
      if (frame.kind >= FrameKind.User) {
        // Only a harbor speaks for other nodes: anyone else naming another sender is forging it.
        if (frame.from !== this.peer && !this.peerIsHarbor) {
          this.host.counters.forgedFrames++;
          this.link!.log.debug(
            { from: frame.from, kind: frame.kind },
            'dropped a frame with a forged origin',
          );
          return;
        }
        this.host.deliver(frame, this.peer!);
      } else if (frame.kind === FrameKind.Ping) {
        this.onPing(frame);
      } else if (frame.kind === FrameKind.Goodbye) {
        this.close('goodbye', 'end');
      } else {
        this.close(
          `protocol error: link frame kind ${frame.kind} after the handshake`,
          'abort',
          new ProtocolError(`link frame kind ${frame.kind} after the handshake`),
        );
      }
    } else if (state === 'handshake' && this.machine !== null) {
      this.host.counters.framesIn++;
      this.traffic.framesIn++;
      this.handshakeStep(this.machine.receive(frame));
    }
    // `connecting` cannot receive; `closing` and `closed` ignore the rest of the stream.
  };

  /** Answers a timestamped Ping, or takes the round trip from the answer to ours. */
  private onPing(frame: Frame): void {
    if (frame.bodyEnd - frame.bodyStart !== PING_BODY) return;
    if (frame.flags & PING_REPLY) {
      this.rttMs = Math.max(0, now() - frame.data.readDoubleBE(frame.bodyStart));
      return;
    }
    this.out.frame(FrameKind.Ping, PING_REPLY, 0, this.peer!, this.host.opts.addr, frame.body);
    if (!this.flushQueued) this.host.queueFlush(this);
  }

  private handshakeStep(step: HandshakeStep): void {
    const machine = this.machine!;
    switch (step.outcome) {
      case 'wait':
        if (machine.peerHello !== undefined && this.peer === undefined) {
          this.peer = machine.peerHello.addr;
          this.peerIncarnation = machine.peerHello.inc;
          this.peerMaxFrameSize = machine.peerHello.max ?? this.host.opts.maxFrameSize;
        }
        if (step.send !== undefined) this.writeNow(step.send);
        if (machine.authenticated) this.authenticated = true;
        return;
      case 'authenticated': {
        this.authenticated = true;
        const reject = this.host.decideInbound(this);
        if (reject !== undefined) {
          this.refuse(reject);
          return;
        }
        // The transport may have dropped the connection without a word (a blackholed peer).
        if (this.state !== 'handshake') return;
        this.writeNow(machine.welcome());
        this.becomeUp();
        return;
      }
      case 'up':
        this.becomeUp();
        return;
      case 'refuse':
        this.refuse(step.reject);
        return;
      case 'refused': {
        const reject = step.reject;
        const reason = `refused by peer: ${reject.code}: ${reject.reason}`;
        this.host.refusedByPeer(this, reject);
        this.close(
          reason,
          'end',
          routine(reject) ? undefined : new HandshakeError(reason, reject.code, true),
        );
      }
    }
  }

  private becomeUp(): void {
    this.state = 'up';
    this.machine = null;
    this.disarm();
    this.input.maxFrameSize = this.host.opts.maxFrameSize;
    this.peerIsHarbor = Addr.isHarbor(this.peer!);
    this.lastReceived = now();
    this.upSince = Date.now();
    this.host.connectionUp(this);
  }

  private readonly onDrain = (): void => {
    this.writer.drained();
    if (this.state === 'up' || this.state === 'closing') this.writer.write();
  };

  private readonly onEnd = (): void => {
    if (this.state === 'closing' || this.state === 'closed') return;
    this.close(
      this.state === 'up' ? 'connection closed by peer' : 'connection closed by peer during the handshake',
      'abort',
    );
  };

  private readonly onError = (err: Error): void => {
    this.close(err.message, 'abort');
  };

  private readonly onClose = (): void => {
    if (this.state !== 'closing') this.close('socket closed', 'abort');
    this.state = 'closed';
    this.disarm();
    try {
      this.input.end();
    } catch {
      // A partial frame at the end of a dead stream is already accounted for by the close.
    }
    this.host.connectionReleased(this);
  };
}

const EMPTY = new Uint8Array(0);
const PING_SCRATCH = Buffer.alloc(PING_BODY);

/** Refusals that are part of normal operation, not failures. */
function routine(reject: Reject): boolean {
  return reject.code === RejectCode.Duplicate || reject.code === RejectCode.Closing;
}
