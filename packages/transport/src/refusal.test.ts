import { afterEach, describe, expect, it } from 'vitest';
import { Addr } from './addr.js';
import { encodeBody } from './codec.js';
import { HandshakeError } from './errors.js';
import { encodeFrame, FrameFlag, FrameKind } from './frame.js';
import { newNonce, parseReject } from './handshake.js';
import { RawPeer, testIdentity } from './testing/raw-peer.js';
import { captureLogs, TestNet } from './testing/test-net.js';
import { once, waitFor } from './testing/wait.js';
import type { TcpTransport } from './transport.js';

const L = Addr.parse('1.1.1');
const G = Addr.parse('1.1.2');
const W = Addr.parse('1.1.3');
const USER = FrameKind.User;
const RAW = FrameFlag.Raw;

type DownArgs = [Addr, string, { wasUp: boolean; dropped: number }];

let net: TestNet;
afterEach(async () => {
  await net.closeAll();
});

/**
 * A listener L with captured logs, and a good peer G in a ping-pong conversation with it that keeps
 * running while a bad actor is refused.
 */
async function setup() {
  net = new TestNet({ handshakeTimeoutMs: 500 });
  const logs = captureLogs('warn');
  const l = await net.start(L, { logger: logs.logger });
  const g = await net.start(G);
  const errors: [Error, Addr | undefined][] = [];
  l.on('error', (err, peer) => errors.push([err, peer]));
  const vias = new Set<Addr>();
  l.onFrame = (frame, via) => {
    vias.add(via);
    l.send(via, frame.kind, frame.flags, 0, L, frame.body);
  };
  let rounds = 0;
  g.onFrame = () => {
    rounds++;
    g.send(L, USER, RAW, 0, G, Buffer.from('ping'));
  };
  g.send(L, USER, RAW, 0, G, Buffer.from('ping'));
  const gDowns: string[] = [];
  g.on('down', (_p, reason) => gDowns.push(reason));
  await once(l, 'up', 2000);
  /** Asserts the good peer kept talking to L throughout and is still served now; only it (and `also`) got through. */
  const goodPeerServed = async (also: Addr[] = []) => {
    const before = rounds;
    await waitFor(() => rounds >= before + 10, 2000, 'ten more round trips with the good peer');
    expect(gDowns).toEqual([]);
    expect([...vias].sort()).toEqual([G, ...also].sort());
  };
  return { l, g, logs, errors, goodPeerServed };
}

function expectRefusal(errors: [Error, Addr | undefined][], pattern: RegExp) {
  expect(errors.length).toBeGreaterThan(0);
  expect(errors[0]![0]).toBeInstanceOf(HandshakeError);
  expect(errors[0]![0].message).toMatch(pattern);
}

async function rawHello(l: TcpTransport, body: Record<string, unknown>): Promise<RawPeer> {
  const raw = net.trackPeer(await RawPeer.connect(l.port));
  await raw.frame(FrameKind.Hello, 2000);
  raw.write(encodeFrame(FrameKind.Hello, 0, 0, L, W, encodeBody(body)));
  return raw;
}

describe('refused handshakes', () => {
  it('wrong secret: refused on both sides with the reason, nothing delivered, the good peer unaffected', async () => {
    const { l, logs, errors, goodPeerServed } = await setup();
    const w = await net.start(W, { secret: 'not-the-secret' });
    const wErrors: Error[] = [];
    w.on('error', (e) => wErrors.push(e));
    const down = once<DownArgs>(w, 'down', 2000);
    w.send(L, USER, RAW, 0, W, Buffer.from('intruder'));
    const [, reason, info] = await down;
    expect(reason).toMatch(/BAD_SECRET/);
    expect(info).toMatchObject({ wasUp: false, dropped: 1 });
    expect(wErrors[0]).toBeInstanceOf(HandshakeError);
    if (errors.length === 0) await once(l, 'error', 2000);
    expectRefusal(errors, /BAD_SECRET/);
    expect(errors[0]![1]).toBe(W);
    expect(logs.text()).toMatch(/BAD_SECRET/);
    expect(l.isUp(W)).toBe(false);
    await goodPeerServed();
  });

  it('wrong cluster id: refused with CLUSTER', async () => {
    const { l, logs, errors, goodPeerServed } = await setup();
    const w = await net.start(W, { clusterId: 'another-cluster' });
    const down = once<DownArgs>(w, 'down', 2000);
    w.send(L, USER, RAW, 0, W, Buffer.from('intruder'));
    expect((await down)[1]).toMatch(/CLUSTER/);
    if (errors.length === 0) await once(l, 'error', 2000);
    expectRefusal(errors, /CLUSTER.*another-cluster/);
    expect(logs.text()).toMatch(/CLUSTER/);
    await goodPeerServed();
  });

  it('wrong protocol version (a Hello crafted by hand): Reject VERSION, then the socket is closed', async () => {
    const { l, logs, errors, goodPeerServed } = await setup();
    const raw = await rawHello(l, {
      v: 2,
      cluster: 'test-cluster',
      addr: W,
      inc: 'w',
      nonce: newNonce(),
      role: 'dialer',
    });
    const reject = await raw.frame(FrameKind.Reject, 2000);
    expect(parseReject(reject.body).code).toBe('VERSION');
    await raw.whenClosed(2000);
    expect(raw.frames.map((f) => f.kind)).toEqual([FrameKind.Hello, FrameKind.Reject]);
    expectRefusal(errors, /VERSION/);
    expect(logs.text()).toMatch(/VERSION/);
    await goodPeerServed();
  });

  it('garbage bytes before the handshake: closed with a protocol error', async () => {
    const { l, logs, errors, goodPeerServed } = await setup();
    const raw = net.trackPeer(await RawPeer.connect(l.port));
    raw.write(Buffer.from('GET / HTTP/1.1\r\nHost: troupe\r\n\r\n'));
    await raw.whenClosed(2000);
    expectRefusal(errors, /PROTOCOL/);
    expect(logs.text()).toMatch(/PROTOCOL/);
    await goodPeerServed();
  });

  it('an application frame before the handshake: refused, never delivered', async () => {
    const { l, errors, goodPeerServed } = await setup();
    const raw = net.trackPeer(await RawPeer.connect(l.port));
    raw.write(encodeFrame(USER, RAW, 0, L, W, Buffer.from('sneaky')));
    const reject = await raw.frame(FrameKind.Reject, 2000);
    expect(parseReject(reject.body)).toMatchObject({ code: 'PROTOCOL' });
    await raw.whenClosed(2000);
    expectRefusal(errors, /before the handshake/);
    await goodPeerServed();
  });

  it('a Hello that is not a valid map: refused', async () => {
    const { l, errors, goodPeerServed } = await setup();
    const raw = net.trackPeer(await RawPeer.connect(l.port));
    raw.write(encodeFrame(FrameKind.Hello, 0, 0, L, W, Buffer.from([0x92, 1])));
    await raw.whenClosed(2000);
    expectRefusal(errors, /PROTOCOL/);
    await goodPeerServed();
  });

  it('a client that connects and says nothing: closed after handshakeTimeoutMs', async () => {
    const { l, errors, goodPeerServed } = await setup();
    const raw = net.trackPeer(await RawPeer.connect(l.port));
    const t0 = Date.now();
    await raw.whenClosed(2000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(400);
    expectRefusal(errors, /handshake timeout/);
    await goodPeerServed();
  });

  it('the dialer checks it reached the address it dialled', async () => {
    const { l, errors, goodPeerServed } = await setup();
    const wrong = Addr.parse('1.1.9');
    const w = await net.start(W);
    net.ports.set(wrong, l.port);
    const down = once<DownArgs>(w, 'down', 2000);
    w.send(wrong, USER, RAW, 0, W, Buffer.from('misrouted'));
    const [peer, reason] = await down;
    expect(peer).toBe(wrong);
    expect(reason).toMatch(/ADDRESS.*dialled 1\.1\.9 but the listener is 1\.1\.1/);
    if (errors.length === 0) await once(l, 'error', 2000);
    expectRefusal(errors, /ADDRESS/);
    await goodPeerServed();
  });

  it('bytes that break the protocol after the handshake close that link only, with a reason', async () => {
    const { l, errors, goodPeerServed } = await setup();
    const identity = testIdentity;
    const downs: [Addr, string][] = [];
    l.on('down', (peer, reason) => downs.push([peer, reason]));
    const cases: [Addr, Buffer, RegExp][] = [
      [
        Addr.parse('1.1.4'),
        Buffer.from('\xff\xff\xff\xff garbage'),
        /protocol error: frame of \d+ bytes exceeds/,
      ],
      [
        Addr.parse('1.1.5'),
        encodeFrame(FrameKind.Hello, 0, 0, L, W, Buffer.alloc(0)),
        /link frame kind 1 after/,
      ],
      [Addr.parse('1.1.6'), Buffer.from([0, 0, 0, 2, 1, 2]), /shorter than its header/],
    ];
    for (const [addr, bytes, reason] of cases) {
      const raw = net.trackPeer(await RawPeer.connect(l.port));
      await raw.handshake('dialer', identity(addr), L, 2000);
      raw.write(encodeFrame(USER, RAW, 0, L, addr, Buffer.from('fine')));
      raw.write(bytes);
      await raw.whenClosed(2000);
      expect(downs.at(-1)).toEqual([addr, expect.stringMatching(reason)]);
      expect(errors.at(-1)![1]).toBe(addr);
    }
    expect(downs).toHaveLength(3);
    // Frames before the violation were delivered; the good peer never noticed.
    await goodPeerServed(cases.map(([addr]) => addr));
  });

  it('a throwing event listener is logged and does not break the transport', async () => {
    const { l, logs, goodPeerServed } = await setup();
    l.on('down', () => {
      throw new Error('listener bug');
    });
    const w = await net.start(W);
    const bothUp = Promise.all([once(l, 'up', 2000, (p) => p === W), once(w, 'up', 2000)]);
    w.send(L, USER, RAW, 0, W, Buffer.from('hello'));
    await bothUp;
    const gone = once(w, 'down', 2000);
    await w.close();
    await gone;
    await waitFor(() => logs.text().includes('listener threw'), 2000, 'the listener error logged');
    expect(l.isUp(W)).toBe(false);
    expect(l.isUp(G)).toBe(true);
    await goodPeerServed([W]);
  });
});
