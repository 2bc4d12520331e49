import { afterEach, describe, expect, it } from 'vitest';
import { Addr } from './addr.js';
import { FrameFlag, FrameKind } from './frame.js';
import { snapshotOf } from './stats.js';
import { TestNet } from './testing/test-net.js';
import { once, waitFor } from './testing/wait.js';

const A = Addr.parse('1.1.1');
const B = Addr.parse('1.1.2');
const USER = FrameKind.User;
const RAW = FrameFlag.Raw;

let net: TestNet;
afterEach(async () => {
  await net.closeAll();
});

describe('writable and drain', () => {
  it('a link over writeHighWaterMark is not writable until it drains, then emits drain once', async () => {
    net = new TestNet({ readHighWaterMark: 16 * 1024, writeHighWaterMark: 256 * 1024 });
    const a = await net.start(A);
    const b = await net.start(B);
    a.send(B, USER, RAW, 0, A, Buffer.from('hi'));
    await once(b.inbox, 'frame', 2000);
    expect(a.writable(B)).toBe(true);
    b.pause(A);
    const body = Buffer.alloc(8 * 1024);
    let sent = 0;
    for (let turn = 0; turn < 10_000 && a.writable(B); turn++) {
      for (let i = 0; i < 16 && a.writable(B); i++, sent++) a.send(B, USER, RAW, 0, A, body);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(a.writable(B)).toBe(false);
    const drains: Addr[] = [];
    a.on('drain', (peer) => drains.push(peer));
    const drained = once<[Addr]>(a, 'drain', 5000);
    b.resume(A);
    expect((await drained)[0]).toBe(B);
    expect(a.writable(B)).toBe(true);
    await waitFor(() => b.inbox.frames.length === sent + 1, 5000, 'every frame delivered');
    expect(drains).toEqual([B]);
  });

  it('a link whose pending queue is full is not writable; a failed dial that drops the queue drains it', async () => {
    net = new TestNet({ pendingLimit: 4 });
    const a = await net.start(A);
    expect(a.writable(B)).toBe(true);
    for (let i = 0; i < 4; i++) a.send(B, USER, RAW, 0, A, Buffer.from('x'));
    expect(a.writable(B)).toBe(false);
    const drained = once<[Addr]>(a, 'drain', 2000);
    // No address is known for B: the dial fails and the queue is dropped.
    expect((await drained)[0]).toBe(B);
    expect(a.writable(B)).toBe(true);
  });
});

describe('link stats', () => {
  it('counts bytes and frames per link both ways and measures the round trip from heartbeats', async () => {
    net = new TestNet({ downTimeoutMs: 400, heartbeatIntervalMs: 50 });
    const a = await net.start(A);
    const b = await net.start(B);
    const before = Date.now();
    for (let i = 0; i < 10; i++) a.send(B, USER, RAW, 0, A, Buffer.alloc(100));
    await waitFor(() => b.inbox.frames.length === 10, 2000, 'ten frames');
    b.send(A, USER, RAW, 0, B, Buffer.alloc(50));
    await once(a.inbox, 'frame', 2000);
    await waitFor(() => a.linkStats()[0]?.rttMs !== undefined, 2000, 'a heartbeat answered');
    const [sa] = a.linkStats();
    const [sb] = b.linkStats();
    expect(sa).toMatchObject({ peer: B, state: 'up' });
    expect(sb).toMatchObject({ peer: A, state: 'up' });
    // Ten frames of 115 bytes plus the handshake and heartbeats.
    expect(sa!.bytesOut).toBeGreaterThanOrEqual(10 * 115);
    expect(sa!.framesOut).toBeGreaterThanOrEqual(10);
    expect(sb!.framesIn).toBeGreaterThanOrEqual(10);
    expect(sb!.bytesIn).toBeGreaterThanOrEqual(10 * 115);
    expect(sa!.framesIn).toBeGreaterThanOrEqual(1);
    expect(sa!.rttMs).toBeGreaterThanOrEqual(0);
    expect(sa!.since).toBeGreaterThanOrEqual(before - 1);
    expect(sa!.incarnation).toMatch(/^1\.1\.2#/);
    // Per-link bytes add up to the transport's totals (one link here).
    expect(a.stats().bytesOut).toBe(sa!.bytesOut);
  });

  it('reports a link that never came up as down, with nothing counted', async () => {
    net = new TestNet();
    const a = await net.start(A);
    const down = once(a, 'down', 2000);
    a.send(B, USER, RAW, 0, A, Buffer.from('x'));
    expect(a.linkStats()).toMatchObject([{ peer: B, state: 'connecting' }]);
    await down;
    expect(a.linkStats()).toMatchObject([
      { peer: B, state: 'down', bytesIn: 0, bytesOut: 0, rttMs: undefined, since: undefined },
    ]);
  });
});

describe('resetBackoff', () => {
  it('forgets the reconnect backoff, so frames for a peer that is back go out at once', async () => {
    net = new TestNet({ reconnectBaseMs: 2000, reconnectMaxMs: 2000 });
    const a = await net.start(A);
    // A failed dial (no address known): the next one would wait 1.6 to 2.4 s.
    const failed = once(a, 'down', 2000);
    a.send(B, USER, RAW, 0, A, Buffer.from('lost'));
    await failed;
    const b = await net.start(B);
    a.send(B, USER, RAW, 0, A, Buffer.from('waits for the backoff'));
    expect(a.linkStats()).toMatchObject([{ state: 'connecting' }]);
    a.resetBackoff(B);
    const [f] = await once(b.inbox, 'frame', 1000);
    expect(f.body.toString()).toBe('waits for the backoff');
  });

  it('is a no-op for a peer without a link', async () => {
    net = new TestNet();
    const a = await net.start(A);
    a.resetBackoff(B);
    expect(a.linkStats()).toEqual([]);
  });
});

describe('link release', () => {
  it('forgets a link that has been down with nothing queued for linkIdleReleaseMs', async () => {
    net = new TestNet({ linkIdleReleaseMs: 100 });
    const a = await net.start(A);
    const b = await net.start(B);
    a.send(B, USER, RAW, 0, A, Buffer.from('x'));
    await once(b.inbox, 'frame', 2000);
    // A link to a peer that never answers, and one to a peer that went away.
    const gone = once(a, 'down', 2000, (peer) => peer === Addr.parse('1.1.9'));
    a.send(Addr.parse('1.1.9'), USER, RAW, 0, A, Buffer.from('x'));
    await gone;
    const left = once(a, 'down', 2000, (peer) => peer === B);
    await b.close();
    await left;
    expect(snapshotOf(a).links.length).toBe(2);
    await waitFor(() => snapshotOf(a).links.length === 0, 2000, 'both links released');
    expect(a.linkStats()).toEqual([]);
  });

  it('keeps links that are up, however long they are idle', async () => {
    net = new TestNet({ linkIdleReleaseMs: 50, downTimeoutMs: 2000 });
    const a = await net.start(A);
    const b = await net.start(B);
    a.send(B, USER, RAW, 0, A, Buffer.from('x'));
    await once(b.inbox, 'frame', 2000);
    // Several release sweeps pass (every 25 ms) while the link idles.
    const sweeps = Date.now() + 200;
    await waitFor(() => Date.now() > sweeps, 1000, 'a few sweeps');
    expect(snapshotOf(a).links).toMatchObject([{ up: true }]);
  });
});
