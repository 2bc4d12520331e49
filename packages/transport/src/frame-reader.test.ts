// FrameReader: frames out of reads into its own buffers, in any read sizes, as views that stay valid.
import { describe, expect, it } from 'vitest';
import { FrameTooLargeError, ProtocolError, TruncatedFrameError } from './errors.js';
import { encodeFrame, type Frame, HEADER_SIZE } from './frame.js';
import { FrameReader, MIN_READ_BUFFER_SIZE } from './frame-reader.js';
import { seededRandom } from './testing/wait.js';

/** Frames with bodies of `sizes` bytes, each body filled with its index (so a mix-up shows). */
function framesOf(sizes: number[]): Buffer[] {
  return sizes.map((n, i) => encodeFrame(16 + (i % 200), 0, 0, i, 1, Buffer.alloc(n, i & 0xff)));
}

/**
 * Plays a socket: each read copies into `next()` at most `readSize()` bytes of `wire` (or as many as
 * the view holds: a bulk sender keeps the socket full), then calls `filled`.
 */
function play(reader: FrameReader, wire: Buffer, readSize: () => number): number {
  let off = 0;
  let reads = 0;
  while (off < wire.length) {
    const into = reader.next();
    expect(into.length).toBeGreaterThan(0);
    const n = Math.min(into.length, readSize(), wire.length - off);
    wire.copy(into, 0, off, off + n);
    off += n;
    reads++;
    reader.filled(n);
  }
  return reads;
}

function collect(maxFrameSize?: number, maxBuffer?: number): { reader: FrameReader; got: Frame[] } {
  const got: Frame[] = [];
  return { reader: new FrameReader((f) => got.push(f), maxFrameSize, maxBuffer), got };
}

describe('FrameReader', () => {
  const rand = seededRandom(0x5eed);
  const sizes = Array.from({ length: 1000 }, () =>
    rand() < 0.1 ? Math.floor(rand() * 200_000) : Math.floor(rand() * 3000),
  );
  const frames = framesOf(sizes);
  const wire = Buffer.concat(frames);

  it('reproduces random frames whatever the read sizes, as views that later reads never overwrite', () => {
    for (const max of [1000, 70_000, 300_000, 10_000_000]) {
      const { reader, got } = collect();
      play(reader, wire, () => 1 + Math.floor(rand() * max));
      reader.end();
      // Checked only now, after every read: a view whose memory was reused would have changed.
      expect(got.length).toBe(frames.length);
      for (let i = 0; i < frames.length; i++) {
        if (!got[i]!.raw.equals(frames[i]!)) expect.fail(`frame ${i} differs (reads up to ${max})`);
      }
    }
  });

  it('reproduces small frames read a few bytes at a time', () => {
    const small = framesOf(Array.from({ length: 300 }, () => Math.floor(rand() * 100)));
    const { reader, got } = collect();
    play(reader, Buffer.concat(small), () => 1 + Math.floor(rand() * 7));
    expect(got.map((f, i) => f.raw.equals(small[i]!)).every(Boolean)).toBe(true);
    expect(got.length).toBe(small.length);
  });

  it('copies nothing but a few header bytes for bulk 64 KiB frames, reading ever larger buffers', () => {
    const bulk = Buffer.concat(framesOf(Array.from({ length: 400 }, () => 64 * 1024 + 4)));
    const { reader, got } = collect();
    play(reader, bulk, () => Number.MAX_SAFE_INTEGER);
    expect(reader.bufferSize).toBe(1024 * 1024);
    // Grown: 400 more frames (26 MB) in 1 MiB buffers, only the first few bytes of a header ever carried over.
    const carried = reader.carried;
    const reads = play(reader, bulk, () => Number.MAX_SAFE_INTEGER);
    expect(got.length).toBe(800);
    expect(reader.carried - carried).toBeLessThan(3 * 30);
    // About two reads per buffer (the free room, then up to a frame's end), not one per frame.
    expect(reads).toBeLessThan(70);
  });

  it('keeps small frames in 64 KiB buffers however fast they come', () => {
    const small = Buffer.concat(framesOf(Array.from({ length: 30_000 }, () => 100)));
    const { reader, got } = collect();
    play(reader, small, () => Number.MAX_SAFE_INTEGER);
    expect(got.length).toBe(30_000);
    expect(reader.bufferSize).toBe(MIN_READ_BUFFER_SIZE);
  });

  it('shrinks back to the smallest buffer while reads come in small', () => {
    const bulk = Buffer.concat(framesOf(Array.from({ length: 100 }, () => 64 * 1024)));
    const { reader } = collect();
    play(reader, bulk, () => Number.MAX_SAFE_INTEGER);
    expect(reader.bufferSize).toBeGreaterThan(MIN_READ_BUFFER_SIZE);
    play(reader, Buffer.concat(framesOf(Array.from({ length: 20_000 }, () => 100))), () => 500);
    expect(reader.bufferSize).toBe(MIN_READ_BUFFER_SIZE);
  });

  it('reads a frame larger than its buffers into one buffer of the frame size', () => {
    const big = framesOf([3 * 1024 * 1024, 10, 2 * 1024 * 1024]);
    const { reader, got } = collect(8 * 1024 * 1024);
    play(reader, Buffer.concat(big), () => 100_000);
    expect(got.map((f) => f.raw.equals(big[got.indexOf(f)]!))).toEqual([true, true, true]);
    expect(got[0]!.data.length).toBe(big[0]!.length);
  });

  it('keeps buffers small before the handshake raises the frame limit', () => {
    const { reader } = collect(1024);
    expect(reader.next().length).toBeLessThanOrEqual(4 * 1024);
    reader.maxFrameSize = 4 * 1024 * 1024;
    play(reader, Buffer.concat(framesOf(Array.from({ length: 100 }, () => 500))), () => 1 << 20);
    expect(reader.bufferSize).toBeGreaterThanOrEqual(MIN_READ_BUFFER_SIZE);
  });

  it('throws FrameTooLargeError for a length over the limit, then refuses more bytes', () => {
    const { reader } = collect(1024);
    const into = reader.next();
    into.writeUInt32BE(5000, 0);
    expect(() => reader.filled(4)).toThrow(FrameTooLargeError);
    expect(() => reader.filled(1)).toThrow(ProtocolError);
  });

  it('throws ProtocolError for a length shorter than the header', () => {
    const { reader } = collect();
    reader.next().writeUInt32BE(HEADER_SIZE - 5, 0);
    expect(() => reader.filled(HEADER_SIZE)).toThrow(ProtocolError);
  });

  it('throws TruncatedFrameError on end() inside a frame or a header', () => {
    const frame = encodeFrame(16, 0, 0, 1, 2, Buffer.alloc(100));
    for (const cut of [1, 3, 4, HEADER_SIZE, frame.length - 1]) {
      const { reader } = collect();
      play(reader, frame.subarray(0, cut), () => 1 << 20);
      expect(() => reader.end()).toThrow(TruncatedFrameError);
    }
    const { reader } = collect();
    play(reader, frame, () => 1 << 20);
    expect(() => reader.end()).not.toThrow();
  });
});
