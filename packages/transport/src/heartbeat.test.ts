import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Addr } from './addr.js';
import { FrameFlag, FrameKind } from './frame.js';
import type { FromPeer, ToPeer } from './peer-process.fixture.js';
import { RawPeer, RawServer, testIdentity } from './testing/raw-peer.js';
import { TestNet } from './testing/test-net.js';
import { once, stallEventLoop, waitFor } from './testing/wait.js';

const P = Addr.parse('1.1.1');
const Q = Addr.parse('1.1.2');
const SILENT = Addr.parse('1.1.5');
const USER = FrameKind.User;
const RAW = FrameFlag.Raw;
const identity = testIdentity;

type DownArgs = [Addr, string, { wasUp: boolean }];

let net: TestNet;
const children: ChildProcess[] = [];
afterEach(async () => {
  await net.closeAll();
  await Promise.all(
    children.splice(0).map((child) => {
      if (child.exitCode !== null || child.signalCode !== null) return undefined;
      const exited = once(child, 'exit', 5000);
      child.kill();
      return exited;
    }),
  );
});

describe('heartbeats', () => {
  it('declares a peer that completed the handshake and then went silent down, after downTimeoutMs', async () => {
    net = new TestNet({ downTimeoutMs: 400, heartbeatIntervalMs: 100 });
    const p = await net.start(P);
    const raw = net.trackPeer(await RawPeer.connect(p.port));
    const up = once(p, 'up', 2000);
    await raw.handshake('dialer', identity(SILENT), P, 2000);
    await up;
    const t0 = Date.now();
    const [peer, reason, info] = await once<DownArgs>(p, 'down', 1500);
    const elapsed = Date.now() - t0;
    expect(peer).toBe(SILENT);
    expect(reason).toMatch(/^heartbeat timeout: silent for \d+ms$/);
    expect(info.wasUp).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(350);
    expect(elapsed).toBeLessThan(1000);
    // The transport kept pinging the idle link, and closed the socket when it gave up.
    expect(raw.frames.filter((f) => f.kind === FrameKind.Ping).length).toBeGreaterThanOrEqual(2);
    await raw.whenClosed(1000);
  });

  it('declares a silent acceptor down too, after delivering what was pending for it', async () => {
    net = new TestNet({ downTimeoutMs: 400, heartbeatIntervalMs: 100 });
    const server = net.track(await new RawServer().listen());
    const p = await net.start(P);
    net.ports.set(SILENT, server.port);
    p.send(SILENT, USER, RAW, 0, P, Buffer.from('queued before up'));
    const raw = await server.nextPeer(2000);
    await raw.handshake('acceptor', identity(SILENT), P, 2000);
    const frame = await raw.frame(USER, 2000);
    expect(frame.body.toString()).toBe('queued before up');
    const [peer, reason] = await once<DownArgs>(p, 'down', 1500);
    expect(peer).toBe(SILENT);
    expect(reason).toMatch(/heartbeat timeout/);
  });

  it('keeps an idle but live link up with pings', async () => {
    net = new TestNet({ downTimeoutMs: 300, heartbeatIntervalMs: 60 });
    const p = await net.start(P);
    const q = await net.start(Q);
    p.send(Q, USER, RAW, 0, P, Buffer.from('hi'));
    await once(q.inbox, 'frame', 2000);
    const before = q.stats().framesIn;
    // Three down timeouts of silence from the application: only pings flow.
    await expect(Promise.race([once(p, 'down', 900), once(q, 'down', 900)])).rejects.toThrow(/timed out/);
    expect(q.stats().framesIn - before).toBeGreaterThanOrEqual(4);
    expect(p.isUp(Q) && q.isUp(P)).toBe(true);
  });
});

/** A transport in a child process: a separate event loop that the test can stall, or keep running while this one stalls. */
async function spawnPeer(config: {
  addr: string;
  peers: Record<string, number>;
  downTimeoutMs?: number;
  heartbeatIntervalMs?: number;
}) {
  const fixture = fileURLToPath(new URL('./peer-process.fixture.ts', import.meta.url));
  const child = fork(fixture, [JSON.stringify({ incarnation: `child-${process.pid}`, ...config })], {
    execArgv: ['--import', 'tsx', '--conditions=@troupe/source'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.push(child);
  const messages: FromPeer[] = [];
  child.on('message', (m: FromPeer) => messages.push(m));
  const next = async <T extends FromPeer['type']>(type: T, timeoutMs: number) => {
    const [m] = await once<[FromPeer]>(child, 'message', timeoutMs, (m) => m.type === type);
    return m as Extract<FromPeer, { type: T }>;
  };
  const tell = (m: ToPeer) => child.send(m);
  const { port } = await next('ready', 15_000);
  return { child, port, messages, next, tell };
}

describe('heartbeats across processes (real event-loop stalls)', () => {
  it('a 500 ms stall on either side causes no down with the default settings', async () => {
    net = new TestNet();
    const p = await net.start(P);
    const peer = await spawnPeer({ addr: '1.1.2', peers: { '1.1.1': p.port } });
    net.ports.set(Q, peer.port);
    const downs: string[] = [];
    p.on('down', (_q, reason) => downs.push(reason));

    const roundTrip = async (text: string) => {
      const echoed = once(p.inbox, 'frame', 3000, (f) => f.body.toString() === text);
      p.send(Q, USER, RAW, 0, P, Buffer.from(text));
      await echoed;
    };
    await roundTrip('hello');
    for (let i = 0; i < 2; i++) {
      stallEventLoop(500);
      await roundTrip(`after our stall ${i}`);
      const stalled = peer.next('stalled', 3000);
      peer.tell({ type: 'stall', ms: 500 });
      await stalled;
      await roundTrip(`after its stall ${i}`);
    }
    // Two heartbeat intervals of quiet after the last stall: still no down anywhere.
    await expect(once(p, 'down', 1000)).rejects.toThrow(/timed out/);
    expect(downs).toEqual([]);
    expect(peer.messages.filter((m) => m.type === 'down')).toEqual([]);
    expect(p.isUp(Q)).toBe(true);
  });

  it('our own loop stalled past downTimeoutMs while the peer kept pinging: no false down', async () => {
    net = new TestNet({ downTimeoutMs: 400, heartbeatIntervalMs: 100 });
    const p = await net.start(P);
    // The peer tolerates our stall; it pings every 100 ms throughout.
    const peer = await spawnPeer({
      addr: '1.1.2',
      peers: { '1.1.1': p.port },
      downTimeoutMs: 5000,
      heartbeatIntervalMs: 100,
    });
    net.ports.set(Q, peer.port);
    p.send(Q, USER, RAW, 0, P, Buffer.from('hello'));
    await once(p.inbox, 'frame', 3000);
    const downs: string[] = [];
    p.on('down', (_q, reason) => downs.push(reason));
    stallEventLoop(1000);
    // The ticks right after the stall must not judge the unread pings as silence.
    await expect(once(p, 'down', 500)).rejects.toThrow(/timed out/);
    expect(downs).toEqual([]);
    const echoed = once(p.inbox, 'frame', 3000, (f) => f.body.toString() === 'still here');
    p.send(Q, USER, RAW, 0, P, Buffer.from('still here'));
    await echoed;
    await waitFor(() => peer.messages.some((m) => m.type === 'frame' && m.body === 'still here'), 2000);
  });
});
