import { describe, expect, it } from 'vitest';
import { FrameTooLargeError, ProtocolError, TruncatedFrameError } from './errors.js';
import {
  DEFAULT_MAX_FRAME_SIZE,
  encodeFrame,
  type Frame,
  FrameDecoder,
  HEADER_SIZE,
  setHops,
  writeHeader,
} from './frame.js';
import { seededRandom } from './testing/wait.js';

interface Spec {
  kind: number;
  flags: number;
  hops: number;
  to: number;
  from: number;
  body: Buffer;
}

function randomSpecs(rand: () => number, n: number): Spec[] {
  const specs: Spec[] = [];
  for (let i = 0; i < n; i++) {
    const len = rand() < 0.1 ? 0 : Math.floor(rand() * 2001);
    const body = Buffer.allocUnsafe(len);
    for (let j = 0; j < len; j++) body[j] = Math.floor(rand() * 256);
    specs.push({
      kind: Math.floor(rand() * 256),
      flags: Math.floor(rand() * 256),
      hops: Math.floor(rand() * 256),
      to: Math.floor(rand() * 0x100000000),
      from: Math.floor(rand() * 0x100000000),
      body,
    });
  }
  return specs;
}

function decodeAll(chunks: Buffer[], max = DEFAULT_MAX_FRAME_SIZE): Spec[] {
  const out: Spec[] = [];
  const d = new FrameDecoder((f: Frame) => {
    out.push({
      kind: f.kind,
      flags: f.flags,
      hops: f.hops,
      to: f.to,
      from: f.from,
      body: Buffer.from(f.body),
    });
  }, max);
  for (const c of chunks) d.push(c);
  d.end();
  return out;
}

/** Index of the first frame that differs, or -1 (a fast check: deep equality over Buffers is slow). */
function firstMismatch(got: Spec[], want: Spec[]): number {
  const n = Math.max(got.length, want.length);
  for (let i = 0; i < n; i++) {
    const g = got[i];
    const w = want[i];
    if (!g || !w) return i;
    if (g.kind !== w.kind || g.flags !== w.flags || g.hops !== w.hops || g.to !== w.to || g.from !== w.from)
      return i;
    if (!g.body.equals(w.body)) return i;
  }
  return -1;
}

function splitAt(rand: () => number, stream: Buffer, maxChunk: number): Buffer[] {
  const chunks: Buffer[] = [];
  let off = 0;
  while (off < stream.length) {
    const n = 1 + Math.floor(rand() * maxChunk);
    chunks.push(stream.subarray(off, off + n));
    off += n;
  }
  return chunks;
}

describe('FrameDecoder', () => {
  const rand = seededRandom(0x7e0e);
  const specs = randomSpecs(rand, 3000);
  const stream = Buffer.concat(specs.map((s) => encodeFrame(s.kind, s.flags, s.hops, s.to, s.from, s.body)));

  it('reproduces thousands of random frames from one chunk (many frames per chunk)', () => {
    expect(specs.length).toBe(3000);
    expect(firstMismatch(decodeAll([stream]), specs)).toBe(-1);
  });

  it('reproduces them whatever the chunking: random split points', () => {
    for (const maxChunk of [3, 17, 100, 5000, 70_000]) {
      expect(firstMismatch(decodeAll(splitAt(rand, stream, maxChunk)), specs)).toBe(-1);
    }
  });

  it('reproduces them fed one byte at a time', () => {
    const part = Buffer.concat(
      specs.slice(0, 200).map((s) => encodeFrame(s.kind, s.flags, s.hops, s.to, s.from, s.body)),
    );
    const bytes: Buffer[] = [];
    for (let i = 0; i < part.length; i++) bytes.push(part.subarray(i, i + 1));
    expect(firstMismatch(decodeAll(bytes), specs.slice(0, 200))).toBe(-1);
  });

  it('writeHeader + body equals encodeFrame, and raw is the whole frame', () => {
    const body = Buffer.from('hello');
    const buf = Buffer.alloc(HEADER_SIZE + body.length);
    writeHeader(buf, 0, body.length, 16, 1, 7, 0xfffff001, 0x00100001);
    body.copy(buf, HEADER_SIZE);
    expect(buf).toEqual(encodeFrame(16, 1, 7, 0xfffff001, 0x00100001, body));
    const got: Frame[] = [];
    new FrameDecoder((f) => got.push(f)).push(buf);
    expect(got[0]!.raw).toEqual(buf);
    expect(got[0]!.hops).toBe(7);
    setHops(buf, 6);
    expect(buf[6]).toBe(6);
  });

  it('throws TruncatedFrameError on end() inside a frame or a header', () => {
    const frame = encodeFrame(16, 0, 0, 1, 2, Buffer.alloc(100));
    for (const cut of [1, 3, 4, 10, HEADER_SIZE, frame.length - 1]) {
      const d = new FrameDecoder(() => {});
      d.push(frame.subarray(0, cut));
      expect(() => d.end()).toThrow(TruncatedFrameError);
    }
    const whole = new FrameDecoder(() => {});
    whole.push(frame);
    expect(() => whole.end()).not.toThrow();
  });

  it('throws FrameTooLargeError for a declared length over the limit, before the body arrives', () => {
    const d = new FrameDecoder(() => {}, 1024);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(1024);
    expect(() => d.push(header)).toThrow(FrameTooLargeError);
    expect(() => d.push(Buffer.alloc(1))).toThrow(ProtocolError);
  });

  it('throws ProtocolError for a declared length shorter than the header', () => {
    const d = new FrameDecoder(() => {});
    const bad = Buffer.alloc(HEADER_SIZE);
    bad.writeUInt32BE(HEADER_SIZE - 5);
    expect(() => d.push(bad)).toThrow(ProtocolError);
  });

  it('encodeFrame refuses an oversize body with FrameTooLargeError', () => {
    expect(() => encodeFrame(16, 0, 0, 1, 2, Buffer.alloc(1000), 1000)).toThrow(FrameTooLargeError);
    expect(() => encodeFrame(16, 0, 0, 1, 2, Buffer.alloc(1000 - HEADER_SIZE), 1000)).not.toThrow();
    expect(() => encodeFrame(16, 0, 0, 1, 2, Buffer.alloc(DEFAULT_MAX_FRAME_SIZE))).toThrow(
      FrameTooLargeError,
    );
  });
});
