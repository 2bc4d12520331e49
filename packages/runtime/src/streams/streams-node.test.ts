// Streams between actors of real nodes over a loopback TCP link.
import { createHash } from 'node:crypto';
import { Addr } from '@troupe/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { defineActor } from '../actor/define.js';
import { createTestCluster, type TestCluster } from '../testing/cluster.js';
import { waitFor } from '../testing/wait.js';
import type { StreamResetError } from './errors.js';
import type { TroupeStream } from './stream.js';
import { type Streams, streams } from './streams.js';

const link = { downTimeoutMs: 800, heartbeatIntervalMs: 100, reconnectBaseMs: 20, reconnectMaxMs: 200 };
let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

/** Echoes every stream it is given; `held` streams are kept unread (a stalled reader). */
const Echo = defineActor({
  init: (held: TroupeStream[]) => ({ held }),
  handlers: {
    stream(state, s: TroupeStream) {
      s.on('error', () => {});
      if ((s.meta as { stall?: boolean } | null)?.stall) {
        s.pause();
        state.held.push(s);
        return;
      }
      s.pipe(s);
    },
  },
});

async function start(): Promise<{ a: Streams; b: Streams; held: TroupeStream[] }> {
  const a = streams();
  const b = streams();
  cluster = await createTestCluster({
    nodes: ['1.1.1', '1.2.1'],
    nodeOptions: { link },
    perNode: { '1.1.1': { extensions: [a] }, '1.2.1': { extensions: [b] } },
  });
  const held: TroupeStream[] = [];
  cluster.node('1.2.1').spawn(Echo, { name: 'echo', args: held });
  return { a, b, held };
}

const echo = { node: Addr.parse('1.2.1'), name: 'echo' };

/** Writes `total` pseudo-random bytes with backpressure and returns the sha256 of what went out. */
function pump(s: TroupeStream, total: number, seed: number): Promise<string> {
  const hash = createHash('sha256');
  let sent = 0;
  let x = seed;
  return new Promise((resolve, reject) => {
    s.on('error', reject);
    const write = () => {
      while (sent < total) {
        const n = Math.min(64 * 1024, total - sent);
        const chunk = Buffer.allocUnsafe(n);
        for (let i = 0; i < n; i++) {
          x = (x * 1103515245 + 12345) >>> 0;
          chunk[i] = x >>> 24;
        }
        hash.update(chunk);
        sent += n;
        if (!s.write(chunk)) {
          s.once('drain', write);
          return;
        }
      }
      s.end(() => resolve(hash.digest('hex')));
    };
    write();
  });
}

function digest(s: TroupeStream): Promise<{ sha: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  return new Promise((resolve, reject) => {
    s.on('data', (c: Buffer) => {
      hash.update(c);
      bytes += c.length;
    });
    s.on('end', () => resolve({ sha: hash.digest('hex'), bytes }));
    s.on('error', reject);
  });
}

describe('streams between nodes', () => {
  it('echo 16 MB byte-identical through an actor on another node', async () => {
    const { a } = await start();
    const s = a.open(echo);
    const [sent, got] = await Promise.all([pump(s, 16 * 1024 * 1024, 7), digest(s)]);
    expect(got.bytes).toBe(16 * 1024 * 1024);
    expect(got.sha).toBe(sent);
    await waitFor(() => a.stats().open === 0, 5000, 'the stream forgotten');
  });

  it('a stalled reader stalls only its own stream', async () => {
    const { a, b, held } = await start();
    const stalled = a.open(echo, { meta: { stall: true } });
    stalled.on('error', () => {});
    let stalledSent = 0;
    const fill = () => {
      while (stalled.write(Buffer.alloc(16 * 1024))) stalledSent += 16 * 1024;
    };
    fill();
    stalled.on('drain', fill);
    await waitFor(() => held.length === 1, 5000, 'the stalled stream accepted');
    const others = Array.from({ length: 4 }, () => a.open(echo));
    const results = await Promise.all(
      others.map((s, i) => Promise.all([pump(s, 4 * 1024 * 1024, i + 1), digest(s)])),
    );
    for (const [sent, got] of results) expect(got.sha).toBe(sent);
    expect(held[0]!.readableLength).toBeLessThanOrEqual(b.options.window);
    expect(stalledSent).toBeLessThan(b.options.window + 1024 * 1024);
    stalled.removeAllListeners('drain');
  });

  it('a reader keeping up gets views of the read buffers; bytes left waiting hold only themselves', async () => {
    const { a, held } = await start();
    const stalled = a.open(echo, { meta: { stall: true } });
    stalled.on('error', () => {});
    stalled.write(Buffer.alloc(200 * 1024, 1));
    await waitFor(() => held[0]?.readableLength === 200 * 1024, 5000, 'the stalled stream filled');
    const flowing = a.open(echo);
    const chunks: Buffer[] = [];
    flowing.on('data', (c: Buffer) => chunks.push(c));
    await pump(flowing, 2 * 1024 * 1024, 3);
    await waitFor(() => chunks.reduce((n, c) => n + c.length, 0) === 2 * 1024 * 1024, 5000, 'the echo');
    // Echoed back in 64 KiB frames over plain TCP: the flowing reader got views of larger read buffers.
    expect(chunks.some((c) => c.buffer.byteLength > c.length)).toBe(true);
    const waiting: Buffer[] = [];
    held[0]!.on('data', (c: Buffer) => waiting.push(c));
    held[0]!.resume();
    await waitFor(() => waiting.reduce((n, c) => n + c.length, 0) === 200 * 1024, 5000, 'the held bytes');
    expect(waiting.every((c) => c.buffer.byteLength === c.length)).toBe(true);
  });

  it('ends every stream of a link with NODE_DOWN when the peer dies', async () => {
    const { a } = await start();
    const open = [a.open(echo), a.open(echo), a.open(echo)];
    for (const s of open) s.write('hello');
    await waitFor(() => a.stats().open === 3, 5000, 'three streams');
    const errors = open.map((s) => new Promise<Error>((resolve) => s.on('error', resolve)));
    await cluster!.kill('1.2.1');
    for (const err of await Promise.all(errors)) expect((err as { code?: string }).code).toBe('NODE_DOWN');
    expect(a.stats().open).toBe(0);
  });

  it('opens a stream to an actor of its own node without a link', async () => {
    const { b } = await start();
    const s = b.open(echo);
    const [sent, got] = await Promise.all([pump(s, 2 * 1024 * 1024, 9), digest(s)]);
    expect(got.sha).toBe(sent);
  });

  it('fails a stream to a missing actor with ACTOR_NOT_FOUND', async () => {
    const { a } = await start();
    const s = a.open({ node: Addr.parse('1.2.1'), name: 'nobody' });
    const err = (await new Promise<Error>((resolve) => s.on('error', resolve))) as StreamResetError;
    expect(err.code).toBe('ACTOR_NOT_FOUND');
  });
});
