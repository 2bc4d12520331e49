// The link handshake as a pure state machine: frames in, frames and an outcome out. No socket, no timer.
import { Addr } from './addr.js';
import { FrameKind } from './frame.js';
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
  verifyAuth,
  welcomeFrame,
} from './handshake.js';

/** Who this side is, as the handshake needs it. */
export interface HandshakeIdentity {
  readonly addr: Addr;
  readonly clusterId: string;
  readonly secretKey: Uint8Array;
  readonly incarnation: string;
  /** Announced in the Hello: the largest frame this side accepts. */
  readonly maxFrameSize: number;
}

/** The part of a frame the handshake reads. */
export interface HandshakeFrame {
  readonly kind: number;
  readonly to: number;
  readonly body: Uint8Array;
}

/**
 * What to do after a frame: `send` (when set) goes to the peer first. `wait`: more frames are needed.
 * `authenticated`: the acceptor has verified the dialer and must decide (then `welcome()` or refuse).
 * `up`: the dialer got its Welcome. `refuse`: send `Reject` and close. `refused`: the peer refused us.
 */
export type HandshakeStep =
  | { outcome: 'wait'; send?: Buffer }
  | { outcome: 'authenticated' }
  | { outcome: 'up' }
  | { outcome: 'refuse'; reject: Reject }
  | { outcome: 'refused'; reject: Reject };

const WAIT: HandshakeStep = { outcome: 'wait' };

function refuse(code: RejectCode, reason: string): HandshakeStep {
  return { outcome: 'refuse', reject: { code, reason } };
}

/**
 * One side of one handshake. Feed it the peer's frames in order with `receive`; it checks the Hello,
 * answers the challenge, verifies the proof and tells the caller what to do. A machine that returned
 * `refuse`, `refused` or `up` is finished.
 */
export class HandshakeMachine {
  /** The peer's Hello once checked (its address is authenticated only once `authenticated`). */
  peerHello: Hello | undefined;
  authenticated = false;
  private readonly nonce = newNonce();

  constructor(
    private readonly me: HandshakeIdentity,
    readonly role: Role,
    /** The address a dialer dialled. */
    readonly dialled?: Addr,
  ) {}

  /** This side's Hello, sent first by both sides. */
  hello(): Buffer {
    return helloFrame(this.me.addr, this.dialled ?? 0, {
      v: PROTOCOL_VERSION,
      cluster: this.me.clusterId,
      inc: this.me.incarnation,
      nonce: this.nonce,
      role: this.role,
      max: this.me.maxFrameSize,
    });
  }

  /** The acceptor's Welcome, once it decided to accept. */
  welcome(): Buffer {
    return welcomeFrame(this.me.addr, this.peerHello!.addr);
  }

  receive(frame: HandshakeFrame): HandshakeStep {
    switch (frame.kind) {
      case FrameKind.Hello:
        return this.onHello(frame);
      case FrameKind.Auth:
        return this.onAuth(frame);
      case FrameKind.Welcome:
        if (this.role === 'dialer' && this.authenticated) return { outcome: 'up' };
        return refuse(RejectCode.Protocol, 'Welcome out of order');
      case FrameKind.Reject:
        return { outcome: 'refused', reject: parseReject(frame.body) };
      default:
        return refuse(RejectCode.Protocol, `frame kind ${frame.kind} before the handshake completed`);
    }
  }

  /** The peer's Hello: check it, then answer its challenge. */
  private onHello(frame: HandshakeFrame): HandshakeStep {
    const me = this.me;
    if (this.peerHello) return refuse(RejectCode.Protocol, 'second Hello');
    const check = checkHello(frame.body, {
      clusterId: me.clusterId,
      self: me.addr,
      role: this.role,
      ...(this.dialled === undefined ? {} : { dialled: this.dialled }),
    });
    if (!check.ok) return { outcome: 'refuse', reject: check.reject };
    if (this.role === 'acceptor' && frame.to !== 0 && frame.to !== me.addr) {
      return refuse(
        RejectCode.Address,
        `peer dialled ${safeFormat(frame.to)} but this node is ${Addr.format(me.addr)}`,
      );
    }
    const hello = check.hello;
    this.peerHello = hello;
    const proof = computeProof(me.secretKey, this.role, hello.nonce, this.nonce, me.addr, me.incarnation);
    return { outcome: 'wait', send: authFrame(me.addr, hello.addr, proof) };
  }

  /** The peer's proof of the secret. */
  private onAuth(frame: HandshakeFrame): HandshakeStep {
    if (!this.peerHello || this.authenticated) return refuse(RejectCode.Protocol, 'Auth out of order');
    if (!verifyAuth(frame.body, this.me.secretKey, this.peerHello, this.nonce)) {
      return refuse(RejectCode.BadSecret, 'proof of the cluster secret did not verify');
    }
    this.authenticated = true;
    return this.role === 'acceptor' ? { outcome: 'authenticated' } : WAIT;
  }
}

function safeFormat(value: number): string {
  try {
    return Addr.format(Addr.from(value));
  } catch {
    return String(value);
  }
}
