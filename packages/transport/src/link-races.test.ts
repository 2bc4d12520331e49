import { afterEach, describe, expect, it } from 'vitest';
import { Addr } from './addr.js';
import { FrameFlag, FrameKind } from './frame.js';
import { parseReject, RejectCode, rejectFrame } from './handshake.js';
import { RawPeer, RawServer } from './testing/raw-peer.js';
import { TestNet } from './testing/test-net.js';
import { once, waitFor } from './testing/wait.js';
import type { TcpTransport } from './transport.js';

// The dial tie-break, driven one message at a time from a hand-made peer R so that every ordering
// of a simultaneous dial can be produced on purpose.
const LOW = Addr.parse('1.1.1');
const HIGH = Addr.parse('1.1.2');
const USER = FrameKind.User;
const RAW = FrameFlag.Raw;
const identity = (self: Addr, incarnation = 'r-1') => ({
  self,
  clusterId: 'test-cluster',
  secret: 'test-secret',
  incarnation,
});

let net: TestNet;
afterEach(async () => {
  await net.closeAll();
});

/** Events of `t`, as short strings, in order. */
function record(t: TcpTransport): string[] {
  const events: string[] = [];
  t.on('up', (p, info) => events.push(`up ${Addr.format(p)} ${info.incarnation}`));
  t.on('down', (p, reason) => events.push(`down ${Addr.format(p)} ${reason}`));
  t.on('error', (err) => events.push(`error ${err.message}`));
  return events;
}

function bodies(raw: RawPeer): string[] {
  return raw.frames.filter((f) => f.kind === USER).map((f) => f.body.toString());
}

describe('dial tie-break', () => {
  it('a dial refused as DUPLICATE keeps its frames and sends them on the peer’s own dial', async () => {
    net = new TestNet();
    const server = net.track(await new RawServer().listen());
    const t = await net.start(HIGH);
    const events = record(t);
    net.ports.set(LOW, server.port);
    for (const text of ['one', 'two', 'three']) t.send(LOW, USER, RAW, 0, HIGH, Buffer.from(text));
    const r1 = await server.nextPeer(2000);
    await r1.handshake('acceptor', identity(LOW), HIGH, 2000, false);
    r1.write(rejectFrame(LOW, HIGH, { code: RejectCode.Duplicate, reason: 'my dial wins' }));
    await r1.whenClosed(2000);
    expect(t.isUp(LOW)).toBe(false);

    const r2 = net.trackPeer(await RawPeer.connect(t.port));
    await r2.handshake('dialer', identity(LOW), HIGH, 2000);
    await waitFor(() => bodies(r2).length === 3, 2000, 'pending frames on the inbound');
    expect(bodies(r2)).toEqual(['one', 'two', 'three']);
    expect(events).toEqual(['up 1.1.1 r-1']);
  });

  it('after DUPLICATE with no dial from the peer within handshakeTimeoutMs, dials again', async () => {
    net = new TestNet({ handshakeTimeoutMs: 300 });
    const server = net.track(await new RawServer().listen());
    const t = await net.start(HIGH);
    const events = record(t);
    net.ports.set(LOW, server.port);
    t.send(LOW, USER, RAW, 0, HIGH, Buffer.from('patient'));
    const r1 = await server.nextPeer(2000);
    await r1.handshake('acceptor', identity(LOW), HIGH, 2000, false);
    const refusedAt = Date.now();
    r1.write(rejectFrame(LOW, HIGH, { code: RejectCode.Duplicate, reason: 'my dial wins' }));
    const r2 = await server.nextPeer(2000);
    expect(Date.now() - refusedAt).toBeGreaterThanOrEqual(250);
    await r2.handshake('acceptor', identity(LOW), HIGH, 2000);
    await waitFor(() => bodies(r2).length === 1, 2000, 'the frame on the second dial');
    expect(bodies(r2)).toEqual(['patient']);
    expect(events).toEqual(['up 1.1.1 r-1']);
  });

  it('lower address, own dial in progress: refuses the peer’s inbound, then completes its own', async () => {
    net = new TestNet();
    const server = net.track(await new RawServer().listen());
    const t = await net.start(LOW);
    const events = record(t);
    net.ports.set(HIGH, server.port);
    t.send(HIGH, USER, RAW, 0, LOW, Buffer.from('mine'));
    const r1 = await server.nextPeer(2000);
    const r2 = net.trackPeer(await RawPeer.connect(t.port));
    await r2.handshake('dialer', identity(HIGH), LOW, 2000, false);
    const reject = await r2.frame(FrameKind.Reject, 2000);
    expect(parseReject(reject.body).code).toBe('DUPLICATE');
    await r2.whenClosed(2000);
    await r1.handshake('acceptor', identity(HIGH), LOW, 2000);
    await waitFor(() => bodies(r1).length === 1, 2000, 'the frame on our dial');
    expect(events).toEqual(['up 1.1.2 r-1']);
  });

  it('higher address, own dial in progress: abandons it for the peer’s inbound and sends the queue there', async () => {
    net = new TestNet();
    const server = net.track(await new RawServer().listen());
    const t = await net.start(HIGH);
    const events = record(t);
    net.ports.set(LOW, server.port);
    t.send(LOW, USER, RAW, 0, HIGH, Buffer.from('a'));
    t.send(LOW, USER, RAW, 0, HIGH, Buffer.from('b'));
    const r1 = await server.nextPeer(2000);
    const r2 = net.trackPeer(await RawPeer.connect(t.port));
    await r2.handshake('dialer', identity(LOW), HIGH, 2000);
    await waitFor(() => bodies(r2).length === 2, 2000, 'the queue on the inbound');
    expect(bodies(r2)).toEqual(['a', 'b']);
    await r1.whenClosed(2000);
    expect(bodies(r1)).toEqual([]);
    expect(events).toEqual(['up 1.1.1 r-1']);
  });

  it('lower address, own dial up, same incarnation dials in: DUPLICATE, the link is kept and probed', async () => {
    net = new TestNet({ downTimeoutMs: 20_000 });
    const server = net.track(await new RawServer().listen());
    const t = await net.start(LOW);
    const events = record(t);
    net.ports.set(HIGH, server.port);
    t.send(HIGH, USER, RAW, 0, LOW, Buffer.from('first'));
    const r1 = await server.nextPeer(2000);
    await r1.handshake('acceptor', identity(HIGH), LOW, 2000);
    await waitFor(() => bodies(r1).length === 1, 2000, 'first frame');

    const r2 = net.trackPeer(await RawPeer.connect(t.port));
    await r2.handshake('dialer', identity(HIGH), LOW, 2000, false);
    expect(parseReject((await r2.frame(FrameKind.Reject, 2000)).body).code).toBe('DUPLICATE');
    // A probe well before the first heartbeat (5 s at this downTimeoutMs).
    await r1.frame(FrameKind.Ping, 1000);
    t.send(HIGH, USER, RAW, 0, LOW, Buffer.from('second'));
    await waitFor(() => bodies(r1).length === 2, 2000, 'second frame on the kept link');
    expect(events).toEqual(['up 1.1.2 r-1']);

    // Had the peer really dropped the first connection, its close lets the next dial in.
    const down = once(t, 'down', 2000);
    r1.destroy();
    await down;
    const r3 = net.trackPeer(await RawPeer.connect(t.port));
    await r3.handshake('dialer', identity(HIGH), LOW, 2000);
    expect(t.isUp(HIGH)).toBe(true);
  });

  it('higher address, own dial up, the peer dials in: the inbound replaces it (down, then up)', async () => {
    net = new TestNet({ downTimeoutMs: 20_000 });
    const server = net.track(await new RawServer().listen());
    const t = await net.start(HIGH);
    const events = record(t);
    net.ports.set(LOW, server.port);
    t.send(LOW, USER, RAW, 0, HIGH, Buffer.from('first'));
    const r1 = await server.nextPeer(2000);
    await r1.handshake('acceptor', identity(LOW), HIGH, 2000);
    await waitFor(() => bodies(r1).length === 1, 2000, 'first frame');

    const r2 = net.trackPeer(await RawPeer.connect(t.port));
    await r2.handshake('dialer', identity(LOW), HIGH, 2000);
    await r1.whenClosed(2000);
    t.send(LOW, USER, RAW, 0, HIGH, Buffer.from('second'));
    await waitFor(() => bodies(r2).length === 1, 2000, 'second frame on the new connection');
    expect(events).toEqual([
      'up 1.1.1 r-1',
      'down 1.1.1 replaced by a new connection from the peer',
      'up 1.1.1 r-1',
    ]);
  });
});
