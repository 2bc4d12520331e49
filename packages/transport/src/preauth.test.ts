import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Addr } from './addr.js';
import { FrameFlag, FrameKind, HEADER_SIZE, writeHeader } from './frame.js';
import { parseReject } from './handshake.js';
import { RawPeer } from './testing/raw-peer.js';
import { captureLogs, TestNet } from './testing/test-net.js';
import { once, waitFor } from './testing/wait.js';

const L = Addr.parse('1.1.1');
const G = Addr.parse('1.1.2');
const W = Addr.parse('1.1.3');
const USER = FrameKind.User;
const RAW = FrameFlag.Raw;

let net_: TestNet;
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await net_.closeAll();
});

/** A victim L and a good peer G ping-ponging with it the whole time. */
async function victim(options: Parameters<TestNet['start']>[1] = {}) {
  net_ = new TestNet({ handshakeTimeoutMs: 1000 });
  const logs = captureLogs('warn');
  const l = await net_.start(L, { logger: logs.logger, ...options });
  const g = await net_.start(G);
  l.onFrame = (frame, via) => l.send(via, frame.kind, frame.flags, 0, L, frame.body);
  let rounds = 0;
  g.onFrame = () => {
    rounds++;
    g.send(L, USER, RAW, 0, G, Buffer.from('ping'));
  };
  g.send(L, USER, RAW, 0, G, Buffer.from('ping'));
  const downs: string[] = [];
  g.on('down', (_p, reason) => downs.push(reason));
  l.on('down', (_p, reason) => downs.push(reason));
  await once(l, 'up', 2000);
  const goodPeerServed = async () => {
    const before = rounds;
    await waitFor(() => rounds >= before + 10, 3000, 'ten more round trips with the good peer');
    expect(downs).toEqual([]);
  };
  return { l, g, logs, goodPeerServed };
}

/** A Hello frame header declaring `size` bytes in all, followed by `body`. */
function helloHead(size: number): Buffer {
  const head = Buffer.allocUnsafe(HEADER_SIZE);
  writeHeader(head, 0, size - HEADER_SIZE, FrameKind.Hello, 0, 0, L, W);
  return head;
}

/** Raw sockets that connect and write `bytes`, kept for cleanup. */
async function flood(port: number, count: number, bytes: Buffer[]): Promise<net.Socket[]> {
  const opened = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<net.Socket>((resolve, reject) => {
          const s = net.connect({ host: '127.0.0.1', port });
          s.on('error', () => {});
          s.resume();
          s.once('connect', () => resolve(s));
          s.once('error', reject);
        }),
    ),
  );
  sockets.push(...opened);
  // The same buffers are written to every socket: the attacker's own memory stays flat.
  for (const s of opened) for (const b of bytes) s.write(b);
  return opened;
}

const closed = (s: net.Socket) => s.destroyed || s.readableEnded;

describe('before authentication', () => {
  it('a 4 MiB Hello full of msgpack extension values is refused from its header; peers never notice', async () => {
    const { l, goodPeerServed } = await victim();
    const size = 4 * 1024 * 1024;
    const body = Buffer.alloc(size - HEADER_SIZE);
    // {x: [ext, ext, ...]}: fixmap, "x", array32, then fixext1 values (type 0x65, msgpackr's error extension).
    body.set([0x81, 0xa1, 0x78, 0xdd], 0);
    const count = Math.floor((body.length - 8) / 3);
    body.writeUInt32BE(count, 4);
    for (let i = 0; i < count; i++) body.set([0xd4, 0x65, 0xc0], 8 + i * 3);
    const raw = net_.trackPeer(await RawPeer.connect(l.port));
    await raw.frame(FrameKind.Hello, 2000);
    raw.write(Buffer.concat([helloHead(size), body]));
    const reject = await raw.frame(FrameKind.Reject, 2000);
    expect(parseReject(reject.body)).toMatchObject({ code: 'PROTOCOL' });
    expect(parseReject(reject.body).reason).toMatch(/exceeds the limit of 1024 bytes/);
    await raw.whenClosed(3000);
    expect(l.stats().handshakesRefused.PROTOCOL).toBe(1);
    await goodPeerServed();
  });

  it('a small Hello holding an extension value is refused by the strict reader', async () => {
    const { l, goodPeerServed } = await victim();
    const raw = net_.trackPeer(await RawPeer.connect(l.port));
    await raw.frame(FrameKind.Hello, 2000);
    const body = Buffer.from([0x81, 0xa1, 0x76, 0xd4, 0x65, 0xc0]);
    const frame = Buffer.concat([helloHead(HEADER_SIZE + body.length), body]);
    raw.write(frame);
    const reject = await raw.frame(FrameKind.Reject, 2000);
    expect(parseReject(reject.body).reason).toMatch(/not allowed in a handshake/);
    await goodPeerServed();
  });

  it('200 connections each holding part of a 4 MiB frame: memory stays bounded, peers are served', async () => {
    const { l, goodPeerServed } = await victim();
    const partial = Buffer.alloc(512 * 1024 - HEADER_SIZE, 0x61);
    const mem = () => {
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const before = mem();
    const bytesBefore = l.stats().bytesIn;
    const socks = await flood(l.port, 200, [helloHead(4 * 1024 * 1024), partial]);
    // Fixed: every socket is refused and closed. Unfixed: the victim ends up holding all 100 MiB.
    await waitFor(
      () => socks.every(closed) || l.stats().bytesIn - bytesBefore >= 200 * 500 * 1024,
      15_000,
      'the flood refused or fully buffered',
    );
    const grown = mem() - before;
    expect(grown).toBeLessThan(40 * 1024 * 1024);
    expect(socks.every(closed)).toBe(true);
    const refused = l.stats().handshakesRefused;
    expect((refused.PROTOCOL ?? 0) + (refused.TOO_MANY_HANDSHAKES ?? 0)).toBe(200);
    await goodPeerServed();
  });

  it('caps concurrent handshakes: the rest are closed on accept, counted, and logged once per interval', async () => {
    const { l, logs, goodPeerServed } = await victim({
      maxHandshakes: 50,
      refusalLogIntervalMs: 300,
      // The 50 holders must not time out while the others are refused.
      handshakeTimeoutMs: 10_000,
    });
    // Each sends the first 10 bytes of a small Hello and stops: a legal, incomplete frame.
    const socks = await flood(l.port, 200, [helloHead(200).subarray(0, 10)]);
    await waitFor(() => (l.stats().handshakesRefused.TOO_MANY_HANDSHAKES ?? 0) === 150, 5000, '150 refused');
    await waitFor(() => socks.filter(closed).length === 150, 5000, '150 sockets closed');
    await waitFor(() => logs.text().includes('more handshakes refused'), 2000, 'the summary line');
    const lines = logs.lines.filter((line) => JSON.stringify(line).includes('TOO_MANY_HANDSHAKES'));
    // The first refusal of an interval in full, the others in one summary per interval: not one per refusal.
    expect(lines[0]).toMatchObject({ refused: 'TOO_MANY_HANDSHAKES', limit: 50 });
    const summarized = lines
      .slice(1)
      .map((line) => line.refused as Record<string, number> | string)
      .reduce<number>((sum, r) => sum + (typeof r === 'string' ? 1 : (r.TOO_MANY_HANDSHAKES ?? 0)), 0);
    expect(1 + summarized).toBe(150);
    expect(lines.length).toBeLessThanOrEqual(6);
    await goodPeerServed();
    // Once the holders give up, a legitimate node gets in again.
    for (const s of socks) s.destroy();
    const w = await net_.start(W);
    w.send(L, USER, RAW, 0, W, Buffer.from('hello'));
    await once(w, 'up', 3000);
  });

  it('allocates no output buffer for a connection that has not completed its handshake', async () => {
    const { l } = await victim();
    const before = process.memoryUsage().arrayBuffers;
    const socks = await flood(l.port, 100, []);
    await waitFor(() => l.stats().framesOut >= 100, 2000, 'a Hello to each');
    // 100 connections at 64 KiB each would be 6.4 MiB of output buffers.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(2 * 1024 * 1024);
    expect(socks.some(closed)).toBe(false);
  });
});
