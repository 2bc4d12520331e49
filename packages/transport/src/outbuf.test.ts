import { describe, expect, it } from 'vitest';
import { type Frame, FrameDecoder, HEADER_SIZE } from './frame.js';
import { OUT_BUFFER_INITIAL, OutBuffer } from './outbuf.js';

function decodeAll(bytes: Buffer): Frame[] {
  const frames: Frame[] = [];
  new FrameDecoder((f) => frames.push(f)).push(bytes);
  return frames;
}

describe('OutBuffer', () => {
  it('allocates nothing until the first frame, then its initial capacity', () => {
    const out = new OutBuffer();
    expect(out.capacity).toBe(0);
    out.frame(16, 0, 0, 1, 2, Buffer.from('x'));
    expect(out.capacity).toBe(OUT_BUFFER_INITIAL);
  });

  it('encodes frames with head and body, and hands them over in one buffer', () => {
    const out = new OutBuffer(64);
    out.frame(16, 1, 2, 3, 4, Buffer.from('body'), Buffer.from('head-'));
    out.raw(Buffer.concat([Buffer.from([0, 0, 0, 12, 17, 0, 0, 0, 0, 0, 5, 0, 0, 0, 6]), Buffer.from('r')]));
    expect(out.frames).toBe(2);
    const bytes = out.take();
    expect(out.len).toBe(0);
    expect(out.frames).toBe(0);
    const frames = decodeAll(bytes);
    expect(frames.map((f) => [f.kind, f.flags, f.hops, f.to, f.from, f.body.toString()])).toEqual([
      [16, 1, 2, 3, 4, 'head-body'],
      [17, 0, 0, 5, 6, 'r'],
    ]);
  });

  it('grows past its capacity, hands a large batch over as is and goes on in a fresh buffer', () => {
    const out = new OutBuffer(32);
    const big = Buffer.alloc(10_000, 7);
    out.frame(16, 0, 0, 1, 2, big);
    const grown = out.capacity;
    expect(grown).toBeGreaterThanOrEqual(10_000 + HEADER_SIZE);
    const taken = out.take();
    expect(taken.length).toBe(10_000 + HEADER_SIZE);
    // A well-used capacity is kept for the next batch.
    expect(out.capacity).toBe(grown);
    // The handed-over bytes are not overwritten by later frames.
    out.frame(16, 0, 0, 1, 2, Buffer.alloc(10, 1));
    expect(taken[HEADER_SIZE]).toBe(7);
  });

  it('absorbs another buffer (a pending queue) without re-encoding, emptying it', () => {
    const pending = new OutBuffer(16);
    pending.frame(16, 0, 0, 1, 2, Buffer.from('a'));
    pending.frame(16, 0, 0, 1, 2, Buffer.from('b'));
    const out = new OutBuffer(16);
    out.frame(16, 0, 0, 1, 2, Buffer.from('first'));
    out.absorb(pending);
    expect(pending.frames).toBe(0);
    expect(decodeAll(out.take()).map((f) => f.body.toString())).toEqual(['first', 'a', 'b']);
  });

  it('drops the frames larger than a limit, keeping the others in order', () => {
    const out = new OutBuffer(16);
    out.frame(16, 0, 0, 1, 2, Buffer.from('keep 1'));
    out.frame(16, 0, 0, 1, 2, Buffer.alloc(100));
    out.frame(16, 0, 0, 1, 2, Buffer.from('keep 2'));
    out.frame(16, 0, 0, 1, 2, Buffer.alloc(200));
    expect(out.dropLarger(HEADER_SIZE + 50)).toBe(2);
    expect(out.frames).toBe(2);
    expect(decodeAll(out.take()).map((f) => f.body.toString())).toEqual(['keep 1', 'keep 2']);
  });

  it('clear drops everything', () => {
    const out = new OutBuffer(16);
    out.frame(16, 0, 0, 1, 2, Buffer.from('x'));
    out.clear();
    expect([out.len, out.frames]).toEqual([0, 0]);
  });
});
