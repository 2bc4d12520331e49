import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Addr } from './addr.js';
import {
  ClosedError,
  FrameTooLargeError,
  OutboundBufferFullError,
  PendingQueueFullError,
  ProtocolError,
} from './errors.js';
import { DEFAULT_MAX_FRAME_SIZE, encodeFrame, FrameFlag, FrameKind, HEADER_SIZE } from './frame.js';
import type { TransportOptions } from './options.js';
import { snapshotOf } from './stats.js';
import { RawServer } from './testing/raw-peer.js';
import { TestNet } from './testing/test-net.js';
import { makeTestCredentials } from './testing/tls.js';
import { once, waitFor } from './testing/wait.js';
import type { TcpTransport } from './transport.js';

const A = Addr.parse('1.1.1');
const B = Addr.parse('1.1.2');
const C = Addr.parse('1.1.3');
/** A harbor: the only kind of peer whose frames may name another sender. */
const H = Addr.parse('1.255.1');
const USER = FrameKind.User;
const RAW = FrameFlag.Raw;

function seq(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(n);
  return b;
}

type DownArgs = [Addr, string, { incarnation?: string; wasUp: boolean; dropped: number }];

let net: TestNet;
afterEach(async () => {
  await net.closeAll();
});

/** One suite, every link implementation: plain TCP, TLS with certificates made by openssl, TLS with a PSK. */
const [credentials] = makeTestCredentials(1);
const LINKS: [string, Partial<TransportOptions>][] = [
  ['plain TCP', {}],
  ['TLS', { tls: credentials! }],
  ['TLS with a pre-shared key', { tls: { psk: { identity: 'suite', key: Buffer.alloc(32, 7) } } }],
];
/** The link implementation of the suite being run. */
let link: Partial<TransportOptions> = {};
function testNet(options: Partial<TransportOptions> = {}): TestNet {
  return new TestNet({ ...options, ...link });
}

describe.each(LINKS)('TcpTransport links over %s', (_name, options) => {
  beforeAll(() => {
    link = options;
  });

  it('delivers 100,000 frames complete and in order, coalesced into few writes', async () => {
    net = testNet();
    const a = await net.start(A);
    const b = await net.start(B);
    a.send(B, USER, RAW, 0, A, seq(0));
    await once(b.inbox, 'frame', 2000);
    const total = 100_000;
    let next = 0;
    let outOfOrder = -1;
    const done = new Promise<void>((resolve) => {
      b.onFrame = (frame, via) => {
        if (via !== A || frame.body.readUInt32BE(0) !== next) outOfOrder = next;
        if (++next === total) resolve();
      };
    });
    for (let i = 0; i < total; i++) a.send(B, USER, RAW, 0, A, seq(i));
    await done;
    expect(outOfOrder).toBe(-1);
    expect(next).toBe(total);
    const sa = a.stats();
    const sb = b.stats();
    expect(sb.framesIn).toBeGreaterThanOrEqual(total);
    expect(sa.framesOut).toBeGreaterThanOrEqual(total);
    expect(sa.bytesOut).toBeGreaterThanOrEqual(total * (HEADER_SIZE + 4));
    // One write per turn, not per frame.
    expect(snapshotOf(a).writes).toBeLessThan(total / 100);
  });

  it('carries large frames both ways intact, as views that later reads leave alone', async () => {
    net = testNet();
    const a = await net.start(A);
    const b = await net.start(B);
    // Bodies of 64 KiB (a stream's chunk) and up to 3 MiB (past the largest read buffer), each filled
    // with its index; the receiver keeps the views it was handed and checks them only at the end.
    const sizes = Array.from({ length: 60 }, (_, i) => (i % 6 === 5 ? 3 * 1024 * 1024 - i : 64 * 1024 + i));
    const receive = (t: TcpTransport, from: Addr) =>
      new Promise<Buffer[]>((resolve) => {
        const kept: Buffer[] = [];
        t.onFrame = (frame, via) => {
          if (via === from) kept.push(frame.body);
          if (kept.length === sizes.length) resolve(kept);
        };
      });
    const atB = receive(b, A);
    const atA = receive(a, B);
    sizes.forEach((n, i) => {
      a.send(B, USER, RAW, 0, A, Buffer.alloc(n, i));
      b.send(A, USER, RAW, 0, B, Buffer.alloc(n, 255 - i));
    });
    const [gotB, gotA] = await Promise.all([atB, atA]);
    const intact = (got: Buffer[], fill: (i: number) => number) =>
      got.every((body, i) => body.equals(Buffer.alloc(sizes[i]!, fill(i))));
    expect(intact(gotB, (i) => i)).toBe(true);
    expect(intact(gotA, (i) => 255 - i)).toBe(true);
  });

  it('opens the link lazily, reports up with the incarnation, and uses one connection both ways', async () => {
    net = testNet();
    const a = await net.start(A, { incarnation: 'a-1' });
    const b = await net.start(B, { incarnation: 'b-1' });
    expect(a.isUp(B)).toBe(false);
    expect(snapshotOf(a).connections.up).toBe(0);
    const upA = once<[Addr, { addr: Addr; incarnation: string }]>(a, 'up', 2000);
    const upB = once<[Addr, { addr: Addr; incarnation: string }]>(b, 'up', 2000);
    a.send(B, USER, RAW, 0, A, Buffer.from('ping'));
    expect((await upA)[1]).toEqual({ addr: B, incarnation: 'b-1', maxFrameSize: DEFAULT_MAX_FRAME_SIZE });
    expect((await upB)[1]).toEqual({ addr: A, incarnation: 'a-1', maxFrameSize: DEFAULT_MAX_FRAME_SIZE });
    await once(b.inbox, 'frame', 2000);
    b.send(A, USER, RAW, 0, B, Buffer.from('pong'));
    const [reply] = await once(a.inbox, 'frame', 2000);
    expect(reply.body.toString()).toBe('pong');
    expect(reply.via).toBe(B);
    expect(a.isUp(B)).toBe(true);
    expect(a.peerIncarnation(B)).toBe('b-1');
    expect(b.upPeers()).toEqual([A]);
    for (const t of [a, b]) {
      expect(snapshotOf(t).connections).toMatchObject({ up: 1, connecting: 0, handshake: 0 });
    }
  });

  it('refuses bad sends at the call site with named errors', async () => {
    net = testNet({ maxFrameSize: 1024 });
    const a = await net.start(A);
    expect(() => a.send(B, USER, 0, 0, A, Buffer.alloc(1024 - HEADER_SIZE + 1))).toThrow(FrameTooLargeError);
    expect(() => a.sendRaw(B, Buffer.alloc(1025))).toThrow(FrameTooLargeError);
    expect(() => a.send(B, FrameKind.Ping, 0, 0, A, Buffer.alloc(0))).toThrow(ProtocolError);
    expect(() => a.send(A, USER, 0, 0, A, Buffer.alloc(0))).toThrow(/itself/);
    await a.close();
    expect(() => a.send(B, USER, 0, 0, A, Buffer.alloc(1))).toThrow(ClosedError);
    expect(() => a.sendRaw(B, encodeFrame(USER, 0, 0, B, A, Buffer.alloc(1)))).toThrow(ClosedError);
    await a.close();
    a.destroy();
  });

  it('a harbor forwards an encoded frame with sendRaw; via is the harbor, from is kept', async () => {
    net = testNet();
    const h = await net.start(H);
    const b = await net.start(B);
    h.sendRaw(B, encodeFrame(USER + 1, RAW, 3, B, C, Buffer.from('relayed')));
    const [f] = await once(b.inbox, 'frame', 2000);
    expect(f).toMatchObject({ kind: USER + 1, flags: RAW, to: B, from: C, via: H });
    expect(f.body.toString()).toBe('relayed');
  });

  it('sendVia sends over the link to a relay while the header names the final target', async () => {
    net = testNet();
    const a = await net.start(A);
    const b = await net.start(B);
    a.sendVia(B, C, USER, RAW, 5, A, Buffer.from('for C'));
    const [f] = await once(b.inbox, 'frame', 2000);
    expect(f).toMatchObject({ kind: USER, to: C, from: A, via: A });
    expect(f.body.toString()).toBe('for C');
    expect(a.isUp(B)).toBe(true);
    expect(a.isUp(C)).toBe(false);
  });

  it('gives PendingQueueFullError past pendingLimit, then drops the queue when the dial times out', async () => {
    net = testNet({ pendingLimit: 8, handshakeTimeoutMs: 300, connectTimeoutMs: 300 });
    const mute = net.track(await new RawServer().listen());
    const a = await net.start(A);
    net.ports.set(B, mute.port);
    for (let i = 0; i < 8; i++) a.send(B, USER, RAW, 0, A, seq(i));
    expect(() => a.send(B, USER, RAW, 0, A, seq(8))).toThrow(PendingQueueFullError);
    const [peer, reason, info] = await once<DownArgs>(a, 'down', 2000);
    expect(peer).toBe(B);
    // Over TLS the mute server never finishes the TLS handshake, which counts as connecting.
    expect(reason).toMatch(/(handshake|connect) timeout/);
    expect(info).toMatchObject({ wasUp: false, dropped: 8 });
    expect(a.stats().dropped.dialFailed).toBe(8);
    expect(a.isUp(B)).toBe(false);
  });

  it('a failed dial reports down (wasUp false); the next send asks the address book again and backs off', async () => {
    net = testNet({ reconnectBaseMs: 100, reconnectMaxMs: 100 });
    const a = await net.start(A);
    const errors: Error[] = [];
    a.on('error', (e) => errors.push(e));
    a.send(B, USER, RAW, 0, A, seq(1));
    const [, unknown, info1] = await once<DownArgs>(a, 'down', 2000);
    expect(unknown).toMatch(/no address known/);
    expect(info1).toMatchObject({ wasUp: false, dropped: 1 });

    const gone = await new RawServer().listen();
    await gone.close();
    net.ports.set(B, gone.port);
    a.send(B, USER, RAW, 0, A, seq(2));
    a.send(B, USER, RAW, 0, A, seq(3));
    const [, refused, info2] = await once<DownArgs>(a, 'down', 2000);
    expect(refused).toMatch(/ECONNREFUSED/);
    expect(info2).toMatchObject({ wasUp: false, dropped: 2 });

    const b = await net.start(B);
    const t0 = Date.now();
    a.send(B, USER, RAW, 0, A, seq(4));
    const [f] = await once(b.inbox, 'frame', 2000);
    expect(f.body.readUInt32BE(0)).toBe(4);
    // Two consecutive failures: the third dial waited out the backoff (100 ms +-20%).
    expect(Date.now() - t0).toBeGreaterThanOrEqual(75);
    expect(a.stats().dropped.dialFailed).toBe(3);
    expect(errors).toEqual([]);
  });

  it('reports a destroyed peer down promptly; the restarted peer on the same port gets sends, new incarnation', async () => {
    net = testNet({ downTimeoutMs: 400 });
    const a = await net.start(A);
    const b1 = await net.start(B, { incarnation: 'b-1' });
    a.send(B, USER, RAW, 0, A, seq(1));
    await once(b1.inbox, 'frame', 2000);
    const down = once<DownArgs>(a, 'down', 600);
    b1.destroy();
    const [peer, reason, info] = await down;
    expect(peer).toBe(B);
    expect(reason).toMatch(/closed by peer|ECONNRESET|heartbeat/);
    expect(info).toMatchObject({ wasUp: true, incarnation: 'b-1' });
    expect(a.isUp(B)).toBe(false);

    const b2 = await net.start(B, { incarnation: 'b-2', listen: { port: b1.port } });
    const up = once<[Addr, { incarnation: string }]>(a, 'up', 2000);
    a.send(B, USER, RAW, 0, A, seq(2));
    expect((await up)[1].incarnation).toBe('b-2');
    const [f] = await once(b2.inbox, 'frame', 2000);
    expect(f.body.readUInt32BE(0)).toBe(2);
    expect(a.peerIncarnation(B)).toBe('b-2');
  });

  it('refuses a new incarnation while the old holder of the address is alive, and takes it once it is gone', async () => {
    net = testNet();
    const a = await net.start(A, { incarnation: 'a-1' });
    const b1 = await net.start(B, { incarnation: 'b-1' });
    a.send(B, USER, RAW, 0, A, seq(1));
    await once(b1.inbox, 'frame', 2000);
    const events: string[] = [];
    a.on('down', (p, reason, info) => events.push(`down ${Addr.format(p)} ${reason} ${info.incarnation}`));
    a.on('up', (p, info) => events.push(`up ${Addr.format(p)} ${info.incarnation}`));
    // Same address, new incarnation, different port: dials A while A holds a live link to b-1.
    const b2 = await net.start(B, { incarnation: 'b-2' });
    const refused = once<DownArgs>(b2, 'down', 2000);
    b2.send(A, USER, RAW, 0, B, seq(2));
    const [peer, reason, info] = await refused;
    expect(peer).toBe(A);
    expect(reason).toMatch(/ADDRESS_IN_USE/);
    expect(info.wasUp).toBe(false);
    // The live holder is untouched.
    a.send(B, USER, RAW, 0, A, seq(3));
    const [f] = await once(b1.inbox, 'frame', 2000);
    expect(f.body.readUInt32BE(0)).toBe(3);
    expect(events).toEqual([]);
    // Once the holder is gone, the new incarnation gets in.
    const gone = once<DownArgs>(a, 'down', 2000);
    b1.destroy();
    await gone;
    b2.send(A, USER, RAW, 0, B, seq(4));
    const [g] = await once(a.inbox, 'frame', 3000);
    expect(g.body.readUInt32BE(0)).toBe(4);
    expect(events.at(-1)).toBe('up 1.1.2 b-2');
  });

  it('graceful close delivers everything queued before it; the peer sees down "goodbye" promptly', async () => {
    net = testNet({ downTimeoutMs: 10_000 });
    const a = await net.start(A);
    const b = await net.start(B);
    a.send(B, USER, RAW, 0, A, seq(0));
    await once(b.inbox, 'frame', 2000);
    const total = 20_000;
    let next = 1;
    const all = new Promise<void>((resolve) => {
      b.onFrame = (frame) => {
        if (frame.body.readUInt32BE(0) === next) next++;
        if (next === total) resolve();
      };
    });
    const goodbye = once<DownArgs>(b, 'down', 1000);
    for (let i = 1; i < total; i++) a.send(B, USER, RAW, 0, A, seq(i));
    const closed = a.close();
    expect(a.close()).toBe(closed);
    await all;
    const [peer, reason, info] = await goodbye;
    expect(peer).toBe(A);
    expect(reason).toBe('goodbye');
    expect(info.wasUp).toBe(true);
    await closed;
    expect(next).toBe(total);
    expect(snapshotOf(a).connections).toMatchObject({ up: 0, closing: 0 });
  });

  it('disconnect(peer) says goodbye and reports down with the reason on both sides', async () => {
    net = testNet({ downTimeoutMs: 10_000 });
    const a = await net.start(A);
    const b = await net.start(B);
    a.send(B, USER, RAW, 0, A, seq(0));
    await once(b.inbox, 'frame', 2000);
    const downA = once<DownArgs>(a, 'down', 1000);
    const downB = once<DownArgs>(b, 'down', 1000);
    a.disconnect(B, 'membership: gone');
    expect((await downA)[1]).toBe('membership: gone');
    expect((await downB)[1]).toBe('goodbye');
    expect(a.isUp(B)).toBe(false);
  });

  it('simultaneous dials end with exactly one connection and every frame delivered once (20 rounds)', async () => {
    for (let round = 0; round < 20; round++) {
      net = testNet();
      // Alternate which side has the lower address.
      const [x, y] = round % 2 === 0 ? [A, B] : [B, A];
      const tx = await net.start(x);
      const ty = await net.start(y);
      const ups = { x: 0, y: 0 };
      tx.on('up', () => ups.x++);
      ty.on('up', () => ups.y++);
      const downs: string[] = [];
      tx.on('down', (_p, r) => downs.push(r));
      ty.on('down', (_p, r) => downs.push(r));
      const n = 50;
      for (let i = 0; i < n; i++) {
        tx.send(y, USER, RAW, 0, x, seq(i));
        ty.send(x, USER, RAW, 0, y, seq(i));
      }
      // Both sides are dialling at once.
      expect(snapshotOf(tx).links[0]).toMatchObject({ dialing: true, pending: n });
      expect(snapshotOf(ty).links[0]).toMatchObject({ dialing: true, pending: n });
      await waitFor(() => tx.inbox.frames.length >= n && ty.inbox.frames.length >= n, 3000, 'both inboxes');
      const settled = (t: TcpTransport) => {
        const c = snapshotOf(t).connections;
        return c.up === 1 && c.connecting + c.handshake + c.closing === 0;
      };
      await waitFor(() => settled(tx) && settled(ty), 3000, 'one connection per side');
      for (const inbox of [tx.inbox, ty.inbox]) {
        expect(inbox.frames.map((f) => f.body.readUInt32BE(0))).toEqual([...Array(n).keys()]);
      }
      expect(ups).toEqual({ x: 1, y: 1 });
      expect(downs).toEqual([]);
      // The one connection carries traffic both ways afterwards.
      tx.send(y, USER, RAW, 0, x, seq(n));
      await waitFor(() => ty.inbox.frames.length === n + 1, 2000, 'one more frame');
      await net.closeAll();
    }
  });

  it('pause(peer) stops delivery without declaring the peer down; resume delivers in order', async () => {
    net = testNet({ downTimeoutMs: 300 });
    const a = await net.start(A);
    const b = await net.start(B);
    b.send(A, USER, RAW, 0, B, seq(0));
    await once(a.inbox, 'frame', 2000);
    a.pause(B);
    for (let i = 1; i <= 100; i++) b.send(A, USER, RAW, 0, B, seq(i));
    await waitFor(() => b.stats().framesOut >= 101, 2000, 'b flushed');
    // Longer than downTimeoutMs: neither a frame nor a down while paused.
    await expect(once(a, 'down', 500)).rejects.toThrow(/timed out/);
    expect(a.inbox.frames.length).toBe(1);
    a.resume(B);
    await waitFor(() => a.inbox.frames.length === 101, 2000, 'frames after resume');
    expect(a.inbox.frames.map((f) => f.body.readUInt32BE(0))).toEqual([...Array(101).keys()]);
    expect(a.isUp(B)).toBe(true);
  });

  it('an exception from onFrame is reported as an error event and the link keeps working', async () => {
    net = testNet();
    const a = await net.start(A);
    const b = await net.start(B);
    let n = 0;
    b.onFrame = (frame) => {
      n++;
      if (frame.body.readUInt32BE(0) === 1) throw new Error('owner bug');
    };
    const err = once<[Error, Addr]>(b, 'error', 2000);
    for (let i = 0; i < 3; i++) a.send(B, USER, RAW, 0, A, seq(i));
    const [e, via] = await err;
    expect(e.message).toBe('owner bug');
    expect(via).toBe(A);
    await waitFor(() => n === 3, 2000, 'all three frames');
    expect(b.isUp(A)).toBe(true);
  });

  it('throws OutboundBufferFullError once a non-reading peer lets maxOutboundBytes pile up', async () => {
    net = testNet({
      maxFrameSize: 16 * 1024,
      maxOutboundBytes: 256 * 1024,
      readHighWaterMark: 16 * 1024,
    });
    const a = await net.start(A);
    const b = await net.start(B);
    a.send(B, USER, RAW, 0, A, seq(0));
    await once(b.inbox, 'frame', 2000);
    b.pause(A);
    const body = Buffer.alloc(4096);
    let error: unknown;
    for (let turn = 0; turn < 20_000 && error === undefined; turn++) {
      try {
        for (let i = 0; i < 16; i++) a.send(B, USER, RAW, 0, A, body);
      } catch (err) {
        error = err;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(error).toBeInstanceOf(OutboundBufferFullError);
    expect((error as OutboundBufferFullError).limit).toBe(256 * 1024);
    expect(a.isUp(B)).toBe(true);
  });
});
