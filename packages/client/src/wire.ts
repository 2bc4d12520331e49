// The client wire protocol's framing: `u32 BE msgId | u32 BE length | payload`, plus REQUEST/RESPONSE payloads.

import { WireProtocolError } from './errors.js';

/** The msgIds the protocol reserves, and the bounds of the application range. */
export const MsgId = {
  Heartbeat: 0,
  Notice: 0xffffffff,
  Hello: 0xfffffffe,
  Welcome: 0xfffffffd,
  Request: 0xfffffffc,
  Response: 0xfffffffb,
  FirstReserved: 0xffffff00,
  MaxApp: 0x7fffffff,
} as const;

/** Bytes before a frame's payload: msgId and length, both u32 big-endian. */
export const FRAME_HEADER = 8;

/** Bytes before a REQUEST body (requestId, msgId) and before a RESPONSE body (requestId, status). */
export const REQUEST_HEADER = 8;
export const RESPONSE_HEADER = 5;

/** True for a msgId the protocol allows on the wire: heartbeat, an application id, or a reserved protocol id. */
export function isValidMsgId(msgId: number): boolean {
  return (
    Number.isInteger(msgId) &&
    msgId >= 0 &&
    (msgId <= MsgId.MaxApp || (msgId >= MsgId.FirstReserved && msgId <= 0xffffffff))
  );
}

/** True for an application msgId (`1..0x7FFFFFFF`), the range routes may use. */
export function isAppMsgId(msgId: number): boolean {
  return Number.isInteger(msgId) && msgId >= 1 && msgId <= MsgId.MaxApp;
}

function checkMsgId(msgId: number): void {
  if (!isValidMsgId(msgId))
    throw new WireProtocolError('PROTOCOL_ERROR', `msgId ${msgId} is outside the protocol`);
}

function writeFrame(out: Uint8Array, at: number, msgId: number, payload: Uint8Array): number {
  checkMsgId(msgId);
  const view = new DataView(out.buffer, out.byteOffset + at, FRAME_HEADER);
  view.setUint32(0, msgId);
  view.setUint32(4, payload.length);
  out.set(payload, at + FRAME_HEADER);
  return at + FRAME_HEADER + payload.length;
}

/** One frame: header and payload in a fresh buffer. */
export function encodeFrame(msgId: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER + payload.length);
  writeFrame(out, 0, msgId, payload);
  return out;
}

/** Concatenates several frames into one buffer (one WebSocket message). */
export function encodeFrames(frames: Array<[msgId: number, payload: Uint8Array]>): Uint8Array {
  let size = 0;
  for (const [, payload] of frames) size += FRAME_HEADER + payload.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const [msgId, payload] of frames) at = writeFrame(out, at, msgId, payload);
  return out;
}

/**
 * Incremental decoder: takes bytes as they arrive (arbitrary splits, many frames per chunk) and emits whole
 * frames. A payload past `maxPayload` throws WireProtocolError `FRAME_TOO_LARGE`, a msgId outside the
 * protocol throws `PROTOCOL_ERROR`; the reader then stays failed and every later `push` throws the same error.
 * Payloads are views into the pushed chunk when a frame lies whole inside it, so copy one to keep it past the
 * chunk's lifetime if the chunk's buffer is reused.
 */
export class FrameReader {
  readonly #maxPayload: number;
  #pending: Uint8Array = new Uint8Array(0);
  #failed: WireProtocolError | undefined;

  constructor(maxPayload: number) {
    if (!Number.isInteger(maxPayload) || maxPayload < 0 || maxPayload > 0xffffffff) {
      throw new RangeError(`maxPayload must be a u32, got ${maxPayload}`);
    }
    this.#maxPayload = maxPayload;
  }

  /** Bytes held back waiting for the rest of a frame. */
  get buffered(): number {
    return this.#pending.length;
  }

  push(chunk: Uint8Array, onFrame: (msgId: number, payload: Uint8Array) => void): void {
    if (this.#failed) throw this.#failed;
    let bytes = chunk;
    if (this.#pending.length > 0) {
      bytes = new Uint8Array(this.#pending.length + chunk.length);
      bytes.set(this.#pending);
      bytes.set(chunk, this.#pending.length);
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let at = 0;
    try {
      while (bytes.length - at >= FRAME_HEADER) {
        const msgId = view.getUint32(at);
        const length = view.getUint32(at + 4);
        if (!isValidMsgId(msgId)) {
          throw this.#fail('PROTOCOL_ERROR', `refused msgId 0x${msgId.toString(16)}`);
        }
        if (length > this.#maxPayload) {
          throw this.#fail('FRAME_TOO_LARGE', `frame of ${length} bytes exceeds ${this.#maxPayload}`);
        }
        if (bytes.length - at - FRAME_HEADER < length) break;
        const start = at + FRAME_HEADER;
        at = start + length;
        onFrame(msgId, bytes.subarray(start, at));
      }
    } finally {
      // Keep only the unfinished tail (also when `onFrame` threw), copied so the caller may reuse its chunk.
      if (!this.#failed) this.#pending = at === bytes.length ? new Uint8Array(0) : bytes.slice(at);
    }
  }

  #fail(code: 'FRAME_TOO_LARGE' | 'PROTOCOL_ERROR', message: string): WireProtocolError {
    this.#failed = new WireProtocolError(code, message);
    this.#pending = new Uint8Array(0);
    return this.#failed;
  }
}

/** A REQUEST payload: `u32 BE requestId | u32 BE msgId | body`. */
export function encodeRequest(requestId: number, msgId: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(REQUEST_HEADER + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, requestId);
  view.setUint32(4, msgId);
  out.set(body, REQUEST_HEADER);
  return out;
}

/** Splits a REQUEST payload; the body is a view into `payload`. Throws PROTOCOL_ERROR when it is too short. */
export function decodeRequest(payload: Uint8Array): { requestId: number; msgId: number; body: Uint8Array } {
  if (payload.length < REQUEST_HEADER) {
    throw new WireProtocolError('PROTOCOL_ERROR', `REQUEST payload too short (${payload.length} bytes)`);
  }
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  return { requestId: view.getUint32(0), msgId: view.getUint32(4), body: payload.subarray(REQUEST_HEADER) };
}

/** A RESPONSE payload: `u32 BE requestId | u8 status | body`; status 1 means the body is an error map. */
export function encodeResponse(requestId: number, status: 0 | 1, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(RESPONSE_HEADER + body.length);
  new DataView(out.buffer).setUint32(0, requestId);
  out[4] = status;
  out.set(body, RESPONSE_HEADER);
  return out;
}

/** Splits a RESPONSE payload; the body is a view into `payload`. Throws PROTOCOL_ERROR when it is too short. */
export function decodeResponse(payload: Uint8Array): { requestId: number; status: number; body: Uint8Array } {
  if (payload.length < RESPONSE_HEADER) {
    throw new WireProtocolError('PROTOCOL_ERROR', `RESPONSE payload too short (${payload.length} bytes)`);
  }
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  return { requestId: view.getUint32(0), status: payload[4]!, body: payload.subarray(RESPONSE_HEADER) };
}
