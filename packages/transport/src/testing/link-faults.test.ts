import { afterEach, describe, expect, it } from 'vitest';
import { Addr } from '../addr.js';
import { FrameFlag, FrameKind } from '../frame.js';
import { linkFaults } from './link-faults.js';
import { TestNet } from './test-net.js';
import { once, waitFor } from './wait.js';

const A = Addr.parse('1.1.1');
const B = Addr.parse('1.1.2');
const USER = FrameKind.User;
const RAW = FrameFlag.Raw;

let net: TestNet;
afterEach(async () => {
  await net.closeAll();
});

async function pair() {
  net = new TestNet({ downTimeoutMs: 300, heartbeatIntervalMs: 50 });
  const a = await net.start(A);
  const b = await net.start(B);
  a.send(B, USER, RAW, 0, A, Buffer.from('hello'));
  await once(b.inbox, 'frame', 2000);
  return { a, b };
}

describe('linkFaults', () => {
  it('blackhole: both sides see the link go silent and declare it down; nothing is dialled until healed', async () => {
    const { a, b } = await pair();
    const fa = linkFaults(a);
    const fb = linkFaults(b);
    const downA = once(a, 'down', 2000);
    const downB = once(b, 'down', 2000);
    fa.blackhole(B, true);
    fb.blackhole(A, true);
    const reasons = [(await downA)[1], (await downB)[1]];
    // The first to judge the silence aborts the socket; the other may see that close first.
    expect(reasons.some((r) => /heartbeat timeout/.test(r))).toBe(true);
    // While blackholed, sends vanish without a dial.
    const ups: Addr[] = [];
    a.on('up', (peer) => ups.push(peer));
    a.send(B, USER, RAW, 0, A, Buffer.from('lost'));
    b.send(A, USER, RAW, 0, B, Buffer.from('lost too'));
    expect(a.stats().dropped.blackhole).toBe(1);
    expect(b.stats().dropped.blackhole).toBe(1);
    expect(a.linkStats()).toMatchObject([{ state: 'down' }]);
    // Heal: the next frame dials and arrives.
    fa.clear();
    fb.blackhole(A, false);
    a.send(B, USER, RAW, 0, A, Buffer.from('healed'));
    const [f] = await once(b.inbox, 'frame', 2000);
    expect(f.body.toString()).toBe('healed');
    expect(ups).toEqual([B]);
    expect(b.inbox.frames.map((x) => x.body.toString())).toEqual(['hello', 'healed']);
  });

  it('a one-sided blackhole refuses the peer’s dials too, so the partition holds', async () => {
    const { a, b } = await pair();
    const downB = once(b, 'down', 2000, (_p, _r, info) => info.wasUp);
    linkFaults(a).blackhole(B, true);
    await downB;
    const failed = once(b, 'down', 3000, (_p, _r, info) => !info.wasUp);
    b.send(A, USER, RAW, 0, B, Buffer.from('knock'));
    await failed;
    expect(a.inbox.frames).toHaveLength(0);
  });

  it('delay: frames to the peer are held for the delay, in order; the other direction is untouched', async () => {
    const { a, b } = await pair();
    const faults = linkFaults(a);
    faults.delay(B, 300);
    const t0 = Date.now();
    for (let i = 0; i < 5; i++) a.send(B, USER, RAW, 0, A, Buffer.from(`slow ${i}`));
    b.send(A, USER, RAW, 0, B, Buffer.from('fast'));
    await once(a.inbox, 'frame', 2000);
    expect(b.inbox.frames).toHaveLength(1);
    await waitFor(() => b.inbox.frames.length === 6, 2000, 'the delayed frames');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(b.inbox.frames.slice(1).map((f) => f.body.toString())).toEqual(
      [0, 1, 2, 3, 4].map((i) => `slow ${i}`),
    );
    // clear() releases what is held at once.
    faults.delay(B, 60_000);
    a.send(B, USER, RAW, 0, A, Buffer.from('held'));
    faults.clear();
    const [f] = await once(b.inbox, 'frame', 2000);
    expect(f.body.toString()).toBe('held');
  });
});
