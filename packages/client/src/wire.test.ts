// Framing, REQUEST/RESPONSE payloads and the protocol messages: byte layouts, splits, limits, bad input.

import { describe, expect, it } from 'vitest';
import { WireProtocolError } from './errors.js';
import { decodeHello, decodeNotice, decodeWelcome, encodeMessage } from './messages.js';
import { pack } from './msgpack.js';
import {
  decodeRequest,
  decodeResponse,
  encodeFrame,
  encodeFrames,
  encodeRequest,
  encodeResponse,
  FrameReader,
  isValidMsgId,
  MsgId,
} from './wire.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function collect(reader: FrameReader, chunks: Uint8Array[]): Array<[number, string]> {
  const out: Array<[number, string]> = [];
  for (const chunk of chunks) reader.push(chunk, (id, payload) => out.push([id, hex(payload)]));
  return out;
}

describe('frames', () => {
  it('lays a frame out as u32 BE msgId, u32 BE length, payload', () => {
    expect(hex(encodeFrame(8, new Uint8Array([0xaa, 0xbb])))).toBe('0000000800000002aabb');
    expect(hex(encodeFrame(MsgId.Notice, new Uint8Array(0)))).toBe('ffffffff00000000');
  });

  it('concatenates several frames into one buffer', () => {
    const both = encodeFrames([
      [1, new Uint8Array([1])],
      [MsgId.Heartbeat, new Uint8Array(0)],
    ]);
    expect(hex(both)).toBe('000000010000000101' + '0000000000000000');
  });

  it('refuses to encode a msgId outside the protocol', () => {
    expect(() => encodeFrame(0x80000000, new Uint8Array(0))).toThrow(WireProtocolError);
    expect(() => encodeFrame(-1, new Uint8Array(0))).toThrow(WireProtocolError);
    expect(isValidMsgId(MsgId.MaxApp)).toBe(true);
    expect(isValidMsgId(MsgId.FirstReserved)).toBe(true);
    expect(isValidMsgId(MsgId.FirstReserved - 1)).toBe(false);
  });

  it('decodes frames split at every byte and many frames per chunk', () => {
    const stream = encodeFrames([
      [1, new Uint8Array([1, 2, 3])],
      [2, new Uint8Array(0)],
      [MsgId.Response, new Uint8Array(300).fill(7)],
    ]);
    const expected = collect(new FrameReader(1024), [stream]);
    expect(expected.map(([id]) => id)).toEqual([1, 2, MsgId.Response]);
    for (let cut = 1; cut < stream.length; cut++) {
      const reader = new FrameReader(1024);
      expect(collect(reader, [stream.subarray(0, cut), stream.subarray(cut)])).toEqual(expected);
      expect(reader.buffered).toBe(0);
    }
    const bytewise = new FrameReader(1024);
    expect(
      collect(
        bytewise,
        Array.from(stream, (b) => new Uint8Array([b])),
      ),
    ).toEqual(expected);
  });

  it('keeps its tail even when the caller reuses the chunk buffer', () => {
    const stream = encodeFrame(3, new Uint8Array([9, 8, 7, 6]));
    const scratch = new Uint8Array(stream.length);
    scratch.set(stream.subarray(0, 10));
    const reader = new FrameReader(64);
    const out: string[] = [];
    reader.push(scratch.subarray(0, 10), (_, p) => out.push(hex(p)));
    scratch.fill(0);
    reader.push(stream.subarray(10), (_, p) => out.push(hex(p)));
    expect(out).toEqual(['09080706']);
  });

  it('fails with FRAME_TOO_LARGE from the header alone, and stays failed', () => {
    const reader = new FrameReader(4);
    const header = encodeFrame(1, new Uint8Array(5)).subarray(0, 8);
    expect(() => reader.push(header, () => {})).toThrow(expect.objectContaining({ code: 'FRAME_TOO_LARGE' }));
    expect(() => reader.push(encodeFrame(1, new Uint8Array(1)), () => {})).toThrow(WireProtocolError);
  });

  it('fails with PROTOCOL_ERROR on a msgId in the refused range, after delivering the frames before it', () => {
    const reader = new FrameReader(64);
    const good = encodeFrame(5, new Uint8Array([1]));
    const bad = new Uint8Array([0x80, 0, 0, 0, 0, 0, 0, 0]);
    const seen: number[] = [];
    const chunk = new Uint8Array([...good, ...bad]);
    expect(() => reader.push(chunk, (id) => seen.push(id))).toThrow(
      expect.objectContaining({ code: 'PROTOCOL_ERROR' }),
    );
    expect(seen).toEqual([5]);
  });

  it('keeps the undelivered rest when a consumer throws mid-chunk', () => {
    const reader = new FrameReader(64);
    const stream = encodeFrames([
      [1, new Uint8Array([1])],
      [2, new Uint8Array([2])],
    ]);
    expect(() =>
      reader.push(stream, (id) => {
        if (id === 1) throw new Error('consumer');
      }),
    ).toThrow('consumer');
    expect(collect(reader, [new Uint8Array(0)])).toEqual([[2, '02']]);
  });

  it('validates maxPayload', () => {
    expect(() => new FrameReader(-1)).toThrow(RangeError);
    expect(() => new FrameReader(1.5)).toThrow(RangeError);
  });
});

describe('requests and responses', () => {
  it('lays REQUEST out as requestId, msgId, body and RESPONSE as requestId, status, body', () => {
    const req = encodeRequest(7, 8, new Uint8Array([0xc0]));
    expect(hex(req)).toBe('0000000700000008c0');
    expect(decodeRequest(req)).toEqual({ requestId: 7, msgId: 8, body: new Uint8Array([0xc0]) });
    const res = encodeResponse(0xffffffff, 1, new Uint8Array([1, 2]));
    expect(hex(res)).toBe('ffffffff010102');
    expect(decodeResponse(res)).toEqual({ requestId: 0xffffffff, status: 1, body: new Uint8Array([1, 2]) });
  });

  it('refuses payloads shorter than their header with PROTOCOL_ERROR', () => {
    expect(() => decodeRequest(new Uint8Array(7))).toThrow(
      expect.objectContaining({ code: 'PROTOCOL_ERROR' }),
    );
    expect(() => decodeResponse(new Uint8Array(4))).toThrow(
      expect.objectContaining({ code: 'PROTOCOL_ERROR' }),
    );
  });
});

describe('protocol messages', () => {
  it('round-trips HELLO, WELCOME and NOTICE', () => {
    const hello = { v: 1, resume: 'tok', received: 3 };
    expect(decodeHello(encodeMessage(hello))).toEqual(hello);
    const welcome = {
      session: 's1',
      token: 't',
      resumed: false,
      heartbeatMs: 1000,
      idleMs: 3000,
      maxFrame: 65536,
    };
    expect(decodeWelcome(encodeMessage(welcome))).toEqual(welcome);
    const notice = { code: 'KICKED', message: 'bye', data: { n: 1 } };
    expect(decodeNotice(encodeMessage(notice))).toEqual(notice);
  });

  it('refuses malformed messages with PROTOCOL_ERROR naming the field', () => {
    expect(() => decodeNotice(pack({ code: 1, message: 'x' }))).toThrow(/NOTICE.code/);
    expect(() => decodeNotice(pack([1]))).toThrow(/not a map/);
    expect(() => decodeNotice(new Uint8Array([0xc1]))).toThrow(/not msgpack/);
    expect(() => decodeWelcome(pack({ session: 's', token: 't', resumed: 'no' }))).toThrow(/WELCOME.resumed/);
    expect(() => decodeHello(pack({ v: 1, received: -1 }))).toThrow(/HELLO.received/);
    expect(() => decodeHello(pack({ v: 1, ticket: 5 }))).toThrow(WireProtocolError);
  });
});
