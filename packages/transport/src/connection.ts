// One TCP connection between two nodes: handshake, frame decoding, the coalesced writer and its state.
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Addr } from './addr.js';
import { HandshakeError, ProtocolError } from './errors.js';
import { type Frame, FrameDecoder, FrameKind } from './frame.js';
import {
  authFrame,
  checkHello,
  computeProof,
  type Hello,
  helloFrame,
  newNonce,
  PROTOCOL_VERSION,
  parseReject,
  type Reject,
  RejectCode,
  type Role,
  rejectFrame,
  verifyAuth,
  welcomeFrame,
} from './handshake.js';
import type { Link } from './link.js';
import type { ResolvedOptions } from './options.js';
import { OutBuffer } from './outbuf.js';

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
  /** Hands an application frame to the owner. */
  deliver(frame: Frame, via: Addr): void;
}

/** How a connection ends: `abort` destroys the socket and drops what is queued; `end` flushes first. */
type CloseMode = 'abort' | 'end';

const now = () => performance.now();

/** One socket. Links own up connections; the transport owns them while they handshake. */
export class Connection {
  state: ConnectionState;
  /** Peer address: claimed by its Hello, authenticated once `authenticated` is true. */
  peer: Addr | undefined;
  peerIncarnation: string | undefined;
  authenticated = false;
  /** The link this connection serves (set when dialling, or when an inbound is accepted). */
  link: Link | null = null;
  /** Frames encoded for the next write. */
  readonly out = new OutBuffer();
  flushQueued = false;
  /** The batch being filled holds a prompt frame (written early past `promptFlushBytes`). */
  promptQueued = false;
  /** Set when the owner queued frames since the last heartbeat tick. */
  activeSinceTick = false;
  /** `performance.now()` of the last bytes received. */
  lastReceived = now();

  private readonly decoder: FrameDecoder;
  private readonly nonce = newNonce();
  private peerHello: Hello | undefined;
  private timer: NodeJS.Timeout | null = null;
  private waitingDrain = false;
  /** Frames per write handed to the socket and not yet confirmed written. */
  private readonly inflight: number[] = [];
  private lost = 0;

  constructor(
    private readonly host: ConnectionHost,
    readonly socket: Socket,
    readonly role: Role,
    /** The address a dialer dialled. */
    readonly dialled?: Addr,
  ) {
    const opts = host.opts;
    this.decoder = new FrameDecoder(this.onFrame, opts.maxFrameSize);
    this.state = role === 'dialer' ? 'connecting' : 'handshake';
    socket.setNoDelay(true);
    socket.on('data', this.onData);
    socket.on('drain', this.onDrain);
    socket.on('end', this.onEnd);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
    if (role === 'dialer') {
      socket.once('connect', this.onConnect);
      this.arm(opts.connectTimeoutMs, 'connect');
    } else {
      this.sendHello();
      this.arm(opts.handshakeTimeoutMs, 'handshake');
    }
  }

  /** `host:port` of the other end, for logs. */
  get remote(): string {
    return `${this.socket.remoteAddress ?? '?'}:${this.socket.remotePort ?? '?'}`;
  }

  /** Bytes queued for this socket: written but not yet taken by the kernel, plus this turn's batch. */
  get queuedBytes(): number {
    return this.socket.writableLength + this.out.len;
  }

  /** Writes this turn's batch in one `socket.write`; waits for 'drain' if the socket is saturated. */
  flush(): void {
    this.flushQueued = false;
    if (this.waitingDrain || this.out.len === 0) return;
    if (this.state !== 'up' && this.state !== 'closing') return;
    this.writeBatch();
  }

  /** Writes the batch now, mid-turn (it grew past `flushBytes`); the turn's flush writes the rest. */
  flushEarly(): void {
    if (this.waitingDrain || this.out.len === 0) return;
    if (this.state !== 'up' && this.state !== 'closing') return;
    this.writeBatch();
  }

  /** Queues a heartbeat. */
  ping(): void {
    if (this.state !== 'up') return;
    this.out.frame(FrameKind.Ping, 0, 0, this.peer!, this.host.opts.addr, EMPTY);
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

  private close(reason: string, mode: CloseMode, error?: Error): void {
    if (this.state === 'closing' || this.state === 'closed') return;
    const wasOpen = this.state === 'up';
    this.state = 'closing';
    this.disarm();
    let dropped = 0;
    // A paused socket would never see the peer's end; the rest of the stream is read and ignored.
    if (mode === 'end') this.socket.resume();
    if (mode === 'end' && wasOpen && !this.socket.destroyed) {
      if (this.out.len > 0) this.writeBatch();
      this.socket.end();
      // A peer that never closes its side must not hold the socket forever.
      this.arm(this.host.opts.downTimeoutMs, 'linger');
    } else {
      dropped = this.out.frames + this.lost;
      for (const n of this.inflight) dropped += n;
      this.inflight.length = 0;
      this.lost = 0;
      this.out.clear();
      if (mode === 'end') {
        this.socket.end();
        this.arm(this.host.opts.handshakeTimeoutMs, 'linger');
      } else {
        this.socket.destroy();
      }
    }
    this.host.connectionClosed(this, reason, dropped, error);
  }

  private writeBatch(): void {
    this.promptQueued = false;
    const frames = this.out.frames;
    const chunk = this.out.take();
    const counters = this.host.counters;
    counters.framesOut += frames;
    counters.bytesOut += chunk.length;
    counters.writes++;
    this.inflight.push(frames);
    if (!this.socket.write(chunk, this.onWritten)) this.waitingDrain = true;
  }

  /** Handshake frames go straight to the socket: nothing else is queued before the link is up. */
  private writeNow(frame: Buffer): void {
    this.host.counters.framesOut++;
    this.host.counters.bytesOut += frame.length;
    this.host.counters.writes++;
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

  private sendHello(): void {
    const opts = this.host.opts;
    this.writeNow(
      helloFrame(opts.addr, this.dialled ?? 0, {
        v: PROTOCOL_VERSION,
        cluster: opts.clusterId,
        inc: opts.incarnation,
        nonce: this.nonce,
        role: this.role,
      }),
    );
  }

  /** Refuses the handshake: Reject, then end the socket. DUPLICATE is routine, anything else an error. */
  refuse(reject: Reject): void {
    if (this.state === 'closing' || this.state === 'closed') return;
    if (!this.socket.destroyed) this.writeNow(rejectFrame(this.host.opts.addr, this.peer ?? 0, reject));
    const routine = reject.code === RejectCode.Duplicate || reject.code === RejectCode.Closing;
    const reason = `handshake refused: ${reject.code}: ${reject.reason}`;
    this.close(reason, 'end', routine ? undefined : new HandshakeError(reason));
  }

  private readonly onTimeout = (phase: 'connect' | 'handshake' | 'linger', ms: number): void => {
    this.timer = null;
    if (phase === 'linger') {
      this.socket.destroy();
      return;
    }
    const reason = `${phase} timeout after ${ms}ms`;
    this.close(reason, 'abort', phase === 'handshake' ? new HandshakeError(reason) : undefined);
  };

  private readonly onConnect = (): void => {
    if (this.state !== 'connecting') return;
    this.state = 'handshake';
    this.sendHello();
    this.arm(this.host.opts.handshakeTimeoutMs, 'handshake');
  };

  private readonly onData = (chunk: Buffer): void => {
    this.lastReceived = now();
    this.host.counters.bytesIn += chunk.length;
    try {
      this.decoder.push(chunk);
    } catch (err) {
      const e = err as Error;
      const reason = `protocol error: ${e.message}`;
      if (this.state === 'handshake') {
        this.refuse({ code: RejectCode.Protocol, reason: e.message });
      } else {
        this.close(reason, 'abort', e);
      }
    }
  };

  private readonly onFrame = (frame: Frame): void => {
    const state = this.state;
    if (state === 'up') {
      this.host.counters.framesIn++;
      if (frame.kind >= FrameKind.User) {
        this.host.deliver(frame, this.peer!);
      } else if (frame.kind === FrameKind.Goodbye) {
        this.close('goodbye', 'end');
      } else if (frame.kind !== FrameKind.Ping) {
        this.close(
          `protocol error: link frame kind ${frame.kind} after the handshake`,
          'abort',
          new ProtocolError(`link frame kind ${frame.kind} after the handshake`),
        );
      }
    } else if (state === 'handshake') {
      this.host.counters.framesIn++;
      this.handshakeFrame(frame);
    }
    // `connecting` cannot receive; `closing` and `closed` ignore the rest of the stream.
  };

  private handshakeFrame(frame: Frame): void {
    switch (frame.kind) {
      case FrameKind.Hello:
        this.onHello(frame);
        break;
      case FrameKind.Auth:
        this.onAuth(frame);
        break;
      case FrameKind.Welcome:
        if (this.role === 'dialer' && this.authenticated) this.becomeUp();
        else this.refuse({ code: RejectCode.Protocol, reason: 'Welcome out of order' });
        break;
      case FrameKind.Reject: {
        const reject = parseReject(frame.body);
        const reason = `refused by peer: ${reject.code}: ${reject.reason}`;
        this.host.refusedByPeer(this, reject);
        const routine = reject.code === RejectCode.Duplicate || reject.code === RejectCode.Closing;
        this.close(reason, 'end', routine ? undefined : new HandshakeError(reason));
        break;
      }
      default:
        this.refuse({
          code: RejectCode.Protocol,
          reason: `frame kind ${frame.kind} before the handshake completed`,
        });
    }
  }

  /** The peer's Hello: check it, then answer its challenge. */
  private onHello(frame: Frame): void {
    const opts = this.host.opts;
    if (this.peerHello) {
      this.refuse({ code: RejectCode.Protocol, reason: 'second Hello' });
      return;
    }
    const check = checkHello(frame.body, {
      clusterId: opts.clusterId,
      self: opts.addr,
      role: this.role,
      ...(this.dialled === undefined ? {} : { dialled: this.dialled }),
    });
    if (!check.ok) {
      this.refuse(check.reject);
      return;
    }
    if (this.role === 'acceptor' && frame.to !== 0 && frame.to !== opts.addr) {
      this.refuse({
        code: RejectCode.Address,
        reason: `peer dialled ${safeFormat(frame.to)} but this node is ${opts.addrText}`,
      });
      return;
    }
    const hello = check.hello;
    this.peerHello = hello;
    this.peer = hello.addr;
    this.peerIncarnation = hello.inc;
    const proof = computeProof(
      opts.secretKey,
      this.role,
      hello.nonce,
      this.nonce,
      opts.addr,
      opts.incarnation,
    );
    this.writeNow(authFrame(opts.addr, hello.addr, proof));
  }

  /** The peer's proof. The acceptor then decides whether this connection becomes the link. */
  private onAuth(frame: Frame): void {
    const opts = this.host.opts;
    if (!this.peerHello || this.authenticated) {
      this.refuse({ code: RejectCode.Protocol, reason: 'Auth out of order' });
      return;
    }
    if (!verifyAuth(frame.body, opts.secretKey, this.peerHello, this.nonce)) {
      this.refuse({ code: RejectCode.BadSecret, reason: 'proof of the cluster secret did not verify' });
      return;
    }
    this.authenticated = true;
    if (this.role !== 'acceptor') return;
    const reject = this.host.decideInbound(this);
    if (reject) {
      this.refuse(reject);
      return;
    }
    this.writeNow(welcomeFrame(opts.addr, this.peer!));
    this.becomeUp();
  }

  private becomeUp(): void {
    this.state = 'up';
    this.disarm();
    this.lastReceived = now();
    this.host.connectionUp(this);
  }

  private readonly onWritten = (err?: Error | null): void => {
    const n = this.inflight.shift() ?? 0;
    if (err) this.lost += n;
  };

  private readonly onDrain = (): void => {
    this.waitingDrain = false;
    if (this.out.len > 0 && (this.state === 'up' || this.state === 'closing')) this.writeBatch();
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
      this.decoder.end();
    } catch {
      // A partial frame at the end of a dead stream is already accounted for by the close.
    }
    this.host.connectionReleased(this);
  };
}

const EMPTY = new Uint8Array(0);

function safeFormat(value: number): string {
  try {
    return Addr.format(Addr.from(value));
  } catch {
    return String(value);
  }
}
