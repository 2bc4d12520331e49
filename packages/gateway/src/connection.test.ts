// Connection frame reading: whole-frame chunks, frames split or batched across chunks, bad frames, and
// the one-buffer RESPONSE frame the dispatcher writes.
import {
  decodeResponse,
  encodeFrame,
  encodeFrames,
  encodeResponse,
  FrameReader,
  MsgId,
} from '@troupe/client/wire';
import { describe, expect, it } from 'vitest';
import { Connection, type ConnectionHost } from './connection.js';
import { responseFrame } from './dispatch.js';
import type { ClientSocket } from './socket.js';

function harness(maxFrame = 1024) {
  const frames: Array<[number, number[]]> = [];
  const refusals: string[] = [];
  const written: Uint8Array[] = [];
  let ended = false;
  const socket: ClientSocket = {
    transport: 'tcp',
    remote: 'test',
    write: (bytes) => written.push(bytes),
    buffered: 0,
    end: () => {
      ended = true;
    },
    destroy: () => {
      ended = true;
    },
  };
  const host: ConnectionHost = {
    maxFrame,
    maxOutboundBytes: 1 << 20,
    frame: (_conn, msgId, payload) => frames.push([msgId, [...payload]]),
    closed: () => {},
    refused: (_conn, code) => refusals.push(code),
    bytes: () => {},
  };
  const conn = new Connection(socket, host);
  return { conn, frames, refusals, written, ended: () => ended };
}

/** The frames in everything written to the socket. */
function read(written: Uint8Array[]): Array<[number, number[]]> {
  const out: Array<[number, number[]]> = [];
  const reader = new FrameReader(1 << 20);
  for (const w of written) reader.push(w, (msgId, payload) => out.push([msgId, [...payload]]));
  return out;
}

describe('Connection', () => {
  it('hands on a chunk holding exactly one frame', () => {
    const h = harness();
    h.conn.data(encodeFrame(5, Uint8Array.of(1, 2, 3)));
    h.conn.data(encodeFrame(6, new Uint8Array(0)));
    expect(h.frames).toEqual([
      [5, [1, 2, 3]],
      [6, []],
    ]);
  });

  it('reads frames batched in one chunk and frames split over chunks', () => {
    const h = harness();
    h.conn.data(
      encodeFrames([
        [1, Uint8Array.of(9)],
        [2, Uint8Array.of(8, 8)],
      ]),
    );
    const split = encodeFrame(3, Uint8Array.of(7, 7, 7, 7));
    h.conn.data(split.subarray(0, 5));
    h.conn.data(split.subarray(5, 10));
    h.conn.data(split.subarray(10));
    h.conn.data(encodeFrame(4, Uint8Array.of(6)));
    expect(h.frames).toEqual([
      [1, [9]],
      [2, [8, 8]],
      [3, [7, 7, 7, 7]],
      [4, [6]],
    ]);
  });

  it('echoes a heartbeat on a whole-frame chunk without handing it on', async () => {
    const h = harness();
    h.conn.data(encodeFrame(MsgId.Heartbeat, Uint8Array.of(4, 2)));
    await Promise.resolve();
    expect(h.frames).toEqual([]);
    expect(read(h.written)).toEqual([[MsgId.Heartbeat, [4, 2]]]);
  });

  it('closes with PROTOCOL_ERROR on a single frame of a refused msgId', async () => {
    const h = harness();
    // msgId 0x80000000 (neither an application id nor a reserved one), 1 byte of payload.
    h.conn.data(Uint8Array.of(0x80, 0, 0, 0, 0, 0, 0, 1, 7));
    expect(h.refusals).toEqual(['PROTOCOL_ERROR']);
    expect(h.frames).toEqual([]);
    expect(h.ended()).toBe(true);
    expect(read(h.written)[0]?.[0]).toBe(MsgId.Notice);
  });

  it('closes with FRAME_TOO_LARGE on a single frame over maxFrame', () => {
    const h = harness(4);
    h.conn.data(encodeFrame(1, new Uint8Array(5)));
    expect(h.refusals).toEqual(['FRAME_TOO_LARGE']);
    expect(h.frames).toEqual([]);
  });

  it('closes with PROTOCOL_ERROR on a heartbeat over 64 bytes', () => {
    const h = harness();
    h.conn.data(encodeFrame(MsgId.Heartbeat, new Uint8Array(65)));
    expect(h.refusals).toEqual(['PROTOCOL_ERROR']);
  });
});

describe('responseFrame', () => {
  it('is byte for byte the RESPONSE frame of the client protocol', () => {
    const body = Uint8Array.of(1, 2, 3, 250);
    for (const status of [0, 1] as const) {
      const built = responseFrame(0xfeedbeef, status, body);
      expect([...built]).toEqual([...encodeFrame(MsgId.Response, encodeResponse(0xfeedbeef, status, body))]);
      const [[msgId, payload]] = read([built]) as [[number, number[]]];
      expect(msgId).toBe(MsgId.Response);
      expect(decodeResponse(Uint8Array.from(payload))).toEqual({ requestId: 0xfeedbeef, status, body });
    }
  });
});
