// The streams extension over an in-memory pair of hosts: flow control, half-close, reset, peer down.
import { Addr, type Frame } from '@troupe/transport';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { ExtensionHost, LocalMessage, SendOptions } from '../node/extension.js';
import { StreamResetError } from './errors.js';
import type { TroupeStream } from './stream.js';
import { Streams } from './streams.js';
import { INITIAL_WINDOW } from './window.js';

/** Two hosts joined by an in-memory link that delivers frames on later turns, in order. */
class MemoryHost {
  readonly addr: Addr;
  peer: MemoryHost | undefined;
  readonly log = pino({ level: 'silent' });
  readonly frames = new Map<number, (frame: Frame, via: Addr) => void>();
  readonly actors = new Map<string, (message: LocalMessage) => void>();
  readonly downHooks: Array<(peer: number, reason: string) => void> = [];
  writableNow = true;
  drains: Array<() => void> = [];
  framesSent = 0;

  constructor(addr: string) {
    this.addr = Addr.parse(addr);
  }

  asHost(): ExtensionHost {
    const self = this;
    return {
      addr: this.addr,
      log: this.log,
      onFrame: (kind: number, fn: (frame: Frame, via: Addr) => void) => this.frames.set(kind, fn),
      send(to: Addr, kind: number, body: unknown, options?: SendOptions) {
        const peer = self.peer;
        if (peer === undefined || peer.addr !== to) throw new Error(`no link to ${to}`);
        const bytes = Buffer.concat([options?.head ?? Buffer.alloc(0), body as Uint8Array]);
        self.framesSent++;
        setImmediate(() => {
          const frame = {
            kind,
            flags: 1,
            hops: 0,
            to,
            from: self.addr,
            body: bytes,
            raw: bytes,
            data: bytes,
            bodyStart: 0,
            bodyEnd: bytes.length,
          };
          peer.frames.get(kind)?.(frame, self.addr);
        });
      },
      writable: () => self.writableNow,
      onDrain(_peer: Addr, fn: () => void) {
        if (self.writableNow) fn();
        else self.drains.push(fn);
      },
      deliver(name: string, message: LocalMessage) {
        const actor = self.actors.get(name);
        if (actor === undefined) return false;
        actor(message);
        return true;
      },
      onMemberDown: () => () => {},
      onPeerGone(fn: (peer: number, reason: string) => void) {
        self.downHooks.push(fn);
        return () => {};
      },
      addStats: () => {},
    } as unknown as ExtensionHost;
  }

  drain(): void {
    this.writableNow = true;
    for (const fn of this.drains.splice(0)) fn();
  }
}

function pair(options?: ConstructorParameters<typeof Streams>[0]) {
  const a = new MemoryHost('1.1.1');
  const b = new MemoryHost('1.2.1');
  a.peer = b;
  b.peer = a;
  const sa = new Streams(options);
  const sb = new Streams(options);
  sa.start(a.asHost());
  sb.start(b.asHost());
  const accepted: TroupeStream[] = [];
  b.actors.set('sink', (m) => accepted.push(m.arg as TroupeStream));
  return { a, b, sa, sb, accepted, target: { node: b.addr, name: 'sink' } };
}

const opened: Streams[] = [];
afterEach(() => {
  for (const s of opened.splice(0)) s.stop();
});

function until(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    const check = () => {
      if (predicate()) return resolve();
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setImmediate(check);
    };
    check();
  });
}

function collect(stream: TroupeStream): { bytes: () => Buffer; ended: Promise<void> } {
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  return { bytes: () => Buffer.concat(chunks), ended };
}

function pattern(n: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

describe('streams over an in-memory link', () => {
  it('carries bytes both ways, half-closes each side, and forgets the stream after both FINs', async () => {
    const p = pair();
    opened.push(p.sa, p.sb);
    const s = p.sa.open(p.target, { meta: { hello: 'b' } });
    const payload = pattern(3 * INITIAL_WINDOW + 17, 1);
    s.end(payload);
    await until(() => p.accepted.length === 1, 'the accepted stream');
    const back = p.accepted[0]!;
    expect(back.meta).toEqual({ hello: 'b' });
    const atB = collect(back);
    await atB.ended;
    expect(atB.bytes().equals(payload)).toBe(true);
    // B may still write after A's FIN (half-close), then ends too.
    const atA = collect(s);
    back.end(Buffer.from('reply'));
    await atA.ended;
    expect(atA.bytes().toString()).toBe('reply');
    await until(() => p.sa.stats().open === 0 && p.sb.stats().open === 0, 'both sides forget the stream');
    expect(s.state).toBe('closed');
  });

  it('stalls only the stream whose reader stopped; others keep flowing', async () => {
    const p = pair();
    opened.push(p.sa, p.sb);
    const stalled = p.sa.open(p.target);
    const busy = p.sa.open(p.target);
    let stalledWritten = 0;
    const big = pattern(64 * 1024, 2);
    const writeStalled = () => {
      while (stalled.write(big)) stalledWritten += big.length;
    };
    writeStalled();
    stalled.on('drain', writeStalled);
    await until(() => p.accepted.length === 2, 'both streams accepted');
    const [stalledEnd, busyEnd] = p.accepted as [TroupeStream, TroupeStream];
    stalledEnd.pause();
    const got = collect(busyEnd);
    const payload = pattern(8 * 1024 * 1024, 3);
    busy.end(payload);
    await got.ended;
    expect(got.bytes().equals(payload)).toBe(true);
    // The stalled stream got no further than its window plus the local buffers.
    expect(stalledEnd.readableLength).toBeLessThanOrEqual(INITIAL_WINDOW);
    expect(stalledWritten).toBeLessThan(INITIAL_WINDOW + 1024 * 1024);
    // Reading again resumes it.
    const rest = collect(stalledEnd);
    stalled.removeAllListeners('drain');
    stalled.end();
    stalledEnd.resume();
    await rest.ended;
    expect(rest.bytes().length).toBeGreaterThanOrEqual(stalledWritten);
  });

  it('waits while the link is not writable and resumes on drain', async () => {
    const p = pair();
    opened.push(p.sa, p.sb);
    p.a.writableNow = false;
    const s = p.sa.open(p.target);
    const done = new Promise<void>((resolve) => s.write(Buffer.from('held'), () => resolve()));
    await until(() => p.accepted.length === 1, 'the accepted stream');
    const sentBefore = p.a.framesSent;
    await new Promise((r) => setImmediate(r));
    expect(p.a.framesSent).toBe(sentBefore);
    p.a.drain();
    await done;
    const got = collect(p.accepted[0]!);
    s.end();
    await got.ended;
    expect(got.bytes().toString()).toBe('held');
  });

  it('caps bytes in flight per link across streams', async () => {
    const p = pair({ linkWindow: 64 * 1024, maxChunk: 16 * 1024 });
    opened.push(p.sa, p.sb);
    const streams = [p.sa.open(p.target), p.sa.open(p.target), p.sa.open(p.target)];
    for (const s of streams) s.write(pattern(200 * 1024, 4));
    await until(() => p.accepted.length === 3, 'three streams accepted');
    for (const s of p.accepted) s.pause();
    await until(() => p.sa.stats().links[0]!.inFlight === 64 * 1024, 'the link cap reached');
    await new Promise((r) => setImmediate(r));
    expect(p.sa.stats().links[0]!.inFlight).toBe(64 * 1024);
    const total = p.accepted.reduce((n, s) => n + s.readableLength, 0);
    expect(total).toBeLessThanOrEqual(64 * 1024);
  });

  it('resets: the other side fails with StreamResetError and its code', async () => {
    const p = pair();
    opened.push(p.sa, p.sb);
    const s = p.sa.open(p.target);
    s.write('x');
    await until(() => p.accepted.length === 1, 'the accepted stream');
    const failed = new Promise<Error>((resolve) => p.accepted[0]!.on('error', resolve));
    s.reset('GAME_OVER', 'the match ended');
    const err = await failed;
    expect(err).toBeInstanceOf(StreamResetError);
    expect((err as StreamResetError).code).toBe('GAME_OVER');
    await until(() => p.sb.stats().open === 0, 'B forgets the stream');
  });

  it('refuses a stream to a missing actor with ACTOR_NOT_FOUND', async () => {
    const p = pair();
    opened.push(p.sa, p.sb);
    const s = p.sa.open({ node: p.b.addr, name: 'nobody' });
    const err = await new Promise<Error>((resolve) => s.on('error', resolve));
    expect((err as StreamResetError).code).toBe('ACTOR_NOT_FOUND');
    expect(p.sb.stats().refused).toBe(1);
  });

  it('ends every stream of a link with NODE_DOWN when the peer is gone', async () => {
    const p = pair();
    opened.push(p.sa, p.sb);
    const streams = [p.sa.open(p.target), p.sa.open(p.target)];
    const errors = streams.map((s) => new Promise<Error>((resolve) => s.on('error', resolve)));
    for (const hook of p.a.downHooks) hook(p.b.addr, 'link lost');
    for (const e of await Promise.all(errors)) expect((e as { code?: string }).code).toBe('NODE_DOWN');
    expect(p.sa.stats().open).toBe(0);
  });

  it('drops a malformed frame without harming the streams', async () => {
    const p = pair();
    opened.push(p.sa, p.sb);
    const s = p.sa.open(p.target);
    await until(() => p.accepted.length === 1, 'the accepted stream');
    const bad = Buffer.from([1, 2]);
    for (const kind of [72, 73, 74, 76]) {
      p.b.frames.get(kind)!(
        {
          kind,
          flags: 1,
          hops: 0,
          to: p.b.addr,
          from: p.a.addr,
          body: bad,
          raw: bad,
          data: bad,
          bodyStart: 0,
          bodyEnd: 2,
        },
        p.a.addr,
      );
    }
    expect(p.sb.stats().malformed).toBe(4);
    const got = collect(p.accepted[0]!);
    s.end('still fine');
    await got.ended;
    expect(got.bytes().toString()).toBe('still fine');
  });
});
