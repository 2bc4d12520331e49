import { afterEach, describe, expect, it } from 'vitest';
import { Addr } from './addr.js';
import { FrameTooLargeError } from './errors.js';
import { encodeFrame, FrameFlag, FrameKind, HEADER_SIZE } from './frame.js';
import { RawPeer, testIdentity } from './testing/raw-peer.js';
import { TestNet } from './testing/test-net.js';
import { once, waitFor } from './testing/wait.js';

const L = Addr.parse('1.1.1');
const G = Addr.parse('1.1.2');
const M = Addr.parse('1.1.4');
const HARBOR = Addr.parse('1.255.1');
const USER = FrameKind.User;
const RAW = FrameFlag.Raw;
const identity = testIdentity;

let net: TestNet;
afterEach(async () => {
  await net.closeAll();
});

describe('frame origin', () => {
  it('drops and counts a frame whose from is not the authenticated peer', async () => {
    net = new TestNet();
    const l = await net.start(L);
    const raw = net.trackPeer(await RawPeer.connect(l.port));
    await raw.handshake('dialer', identity(M), L, 2000);
    raw.write(encodeFrame(USER, RAW, 0, L, G, Buffer.from('forged: I am G')));
    raw.write(encodeFrame(USER, RAW, 0, L, M, Buffer.from('honest')));
    const [f] = await once(l.inbox, 'frame', 2000);
    expect(f).toMatchObject({ from: M, via: M });
    expect(f.body.toString()).toBe('honest');
    expect(l.inbox.frames).toHaveLength(1);
    expect(l.stats().forgedFrames).toBe(1);
    expect(l.isUp(M)).toBe(true);
  });

  it('accepts frames of other senders from a harbor, which relays them', async () => {
    net = new TestNet();
    const l = await net.start(L);
    const raw = net.trackPeer(await RawPeer.connect(l.port));
    await raw.handshake('dialer', identity(HARBOR), L, 2000);
    raw.write(encodeFrame(USER, RAW, 3, L, Addr.parse('2.1.1'), Buffer.from('relayed')));
    const [f] = await once(l.inbox, 'frame', 2000);
    expect(f).toMatchObject({ from: Addr.parse('2.1.1'), via: HARBOR });
    expect(l.stats().forgedFrames).toBe(0);
  });
});

describe('frame size limit exchanged in the handshake', () => {
  it("refuses at the sender a frame over the peer's limit; the link and its other traffic carry on", async () => {
    net = new TestNet();
    const a = await net.start(L);
    const b = await net.start(G, { maxFrameSize: 2048 });
    const up = once<[Addr, { maxFrameSize: number }]>(a, 'up', 2000);
    a.send(G, USER, RAW, 0, L, Buffer.from('first'));
    expect((await up)[1].maxFrameSize).toBe(2048);
    await once(b.inbox, 'frame', 2000);
    const downs: string[] = [];
    a.on('down', (_p, reason) => downs.push(reason));
    b.on('down', (_p, reason) => downs.push(reason));
    let error: unknown;
    try {
      a.send(G, USER, RAW, 0, L, Buffer.alloc(2049 - HEADER_SIZE));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(FrameTooLargeError);
    expect(error).toMatchObject({ size: 2049, limit: 2048 });
    a.send(G, USER, RAW, 0, L, Buffer.alloc(2048 - HEADER_SIZE));
    a.send(G, USER, RAW, 0, L, Buffer.from('after'));
    await waitFor(() => b.inbox.frames.length === 3, 2000, 'the frames within the limit');
    expect(b.inbox.frames.map((f) => f.body.length)).toEqual([5, 2048 - HEADER_SIZE, 5]);
    expect(downs).toEqual([]);
    expect(a.isUp(G)).toBe(true);
  });

  it('drops a frame queued before the limit was known, instead of sending what the peer would refuse', async () => {
    net = new TestNet();
    const a = await net.start(L);
    const b = await net.start(G, { maxFrameSize: 2048 });
    const downs: string[] = [];
    a.on('down', (_p, reason) => downs.push(reason));
    a.send(G, USER, RAW, 0, L, Buffer.from('one'));
    a.send(G, USER, RAW, 0, L, Buffer.alloc(4000));
    a.send(G, USER, RAW, 0, L, Buffer.from('three'));
    await waitFor(() => b.inbox.frames.length === 2, 2000, 'the two small frames');
    expect(b.inbox.frames.map((f) => f.body.toString())).toEqual(['one', 'three']);
    expect(a.stats().dropped.frameTooLarge).toBe(1);
    expect(downs).toEqual([]);
    expect(a.isUp(G)).toBe(true);
  });
});
