// A hand-driven peer over a raw socket, for tests that must break or stall the protocol on purpose.
import net from 'node:net';
import { EventEmitter } from 'eventemitter3';
import type { Addr } from '../addr.js';
import { encodeBody } from '../codec.js';
import { encodeFrame, type Frame, FrameDecoder, FrameKind, HEADER_SIZE } from '../frame.js';
import {
  authFrame,
  checkHello,
  computeProof,
  helloFrame,
  newNonce,
  PROTOCOL_VERSION,
  type Role,
} from '../handshake.js';
import { once } from './wait.js';

/** Who the raw peer claims to be in a handshake. */
export interface RawIdentity {
  self: Addr;
  clusterId: string;
  secret: string;
  incarnation: string;
}

/** A raw peer's identity in the cluster `TestNet` builds (its cluster id and secret). */
export function testIdentity(self: Addr): RawIdentity {
  return { self, clusterId: 'test-cluster', secret: 'test-secret', incarnation: 'raw' };
}

interface RawPeerEvents {
  frame: (frame: Frame) => void;
  close: () => void;
}

/** A socket whose frames are decoded and kept (copied), with helpers to wait on them. */
export class RawPeer extends EventEmitter<RawPeerEvents> {
  readonly frames: Frame[] = [];
  closed = false;
  decodeError: Error | undefined;
  private readonly decoder = new FrameDecoder((f) => {
    const raw = Buffer.from(f.raw);
    const copy: Frame = {
      ...f,
      raw,
      body: raw.subarray(HEADER_SIZE),
      data: raw,
      bodyStart: HEADER_SIZE,
      bodyEnd: raw.length,
    };
    this.frames.push(copy);
    this.emit('frame', copy);
  });

  constructor(readonly socket: net.Socket) {
    super();
    socket.on('data', (chunk: Buffer) => {
      try {
        this.decoder.push(chunk);
      } catch (err) {
        this.decodeError = err as Error;
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.emit('close');
    });
  }

  /** Connects to `port` on 127.0.0.1. */
  static connect(port: number): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RawPeer(socket));
      });
    });
  }

  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** The first received frame of `kind` (already received or next), within `timeoutMs`. */
  async frame(kind: number, timeoutMs: number): Promise<Frame> {
    const seen = this.frames.find((f) => f.kind === kind);
    if (seen) return seen;
    const [f] = await once<[Frame]>(this, 'frame', timeoutMs, (f) => f.kind === kind);
    return f;
  }

  /** Resolves when the other side has closed the socket. */
  async whenClosed(timeoutMs: number): Promise<void> {
    if (this.closed) return;
    await once(this, 'close', timeoutMs);
  }

  /**
   * Runs a correct handshake as `role` against the transport on the other end. A dialer waits for
   * Welcome; an acceptor sends it. With `finish` false both stop after the Auth exchange, and the test
   * answers or waits as it likes. Afterwards the peer sends nothing unless told to.
   */
  async handshake(role: Role, me: RawIdentity, peer: Addr, timeoutMs: number, finish = true): Promise<void> {
    const nonce = newNonce();
    this.write(
      helloFrame(me.self, role === 'dialer' ? peer : 0, {
        v: PROTOCOL_VERSION,
        cluster: me.clusterId,
        inc: me.incarnation,
        nonce,
        role,
      }),
    );
    const hello = await this.frame(FrameKind.Hello, timeoutMs);
    const check = checkHello(hello.body, { clusterId: me.clusterId, self: me.self, role, dialled: peer });
    if (!check.ok) throw new Error(`raw peer refuses the Hello: ${check.reject.reason}`);
    const key = Buffer.from(me.secret);
    this.write(
      authFrame(me.self, peer, computeProof(key, role, check.hello.nonce, nonce, me.self, me.incarnation)),
    );
    await this.frame(FrameKind.Auth, timeoutMs);
    if (!finish) return;
    if (role === 'dialer') await this.frame(FrameKind.Welcome, timeoutMs);
    else this.write(encodeFrame(FrameKind.Welcome, 0, 0, peer, me.self, encodeBody({})));
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** A TCP server whose connections become raw peers; `answer: false` accepts and never says a word. */
export class RawServer extends EventEmitter<{ peer: (peer: RawPeer) => void }> {
  readonly peers: RawPeer[] = [];
  port = 0;
  private claimed = 0;
  private readonly server: net.Server;

  constructor() {
    super();
    this.server = net.createServer((socket) => {
      const peer = new RawPeer(socket);
      this.peers.push(peer);
      this.emit('peer', peer);
    });
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this;
  }

  /** The first accepted peer not yet returned by this method, waiting for one if need be. */
  async nextPeer(timeoutMs: number): Promise<RawPeer> {
    if (this.claimed < this.peers.length) return this.peers[this.claimed++]!;
    await once(this, 'peer', timeoutMs);
    return this.peers[this.claimed++]!;
  }

  close(): Promise<void> {
    for (const p of this.peers) p.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
