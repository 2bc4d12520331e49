// Stream frame kinds and bodies. Data, credit and FIN are fixed binary; open and reset are msgpack.
import { decodeBody, encodeBody } from '@troupe/transport';
import { ExtensionKinds } from '../node/extension.js';

/**
 * Every body starts with the sender's stream key, a u32: the opener's id (top bit clear) from the
 * opening side, the id with the top bit set from the accepting side, so both sides can open at once.
 */
export const StreamKind = {
  /** msgpack `[key, actorName, handler, meta]`: open a stream to an actor of the receiving node. */
  Open: ExtensionKinds.Streams,
  /** `u32 key | bytes`. */
  Data: ExtensionKinds.Streams + 1,
  /** `u32 key | u32 bytes`: the receiver grants more window. */
  Credit: ExtensionKinds.Streams + 2,
  /** `u32 key`: the sender ends its writing half. */
  Fin: ExtensionKinds.Streams + 3,
  /** msgpack `[key, code, message]`: aborts the stream both ways. */
  Reset: ExtensionKinds.Streams + 4,
} as const;

/** Top bit of a key: set on keys of the accepting side. */
export const ACCEPTOR_BIT = 0x80000000;

/** The receiver's key for the stream a frame with the sender's `key` belongs to. */
export function peerKey(key: number): number {
  return (key ^ ACCEPTOR_BIT) >>> 0;
}

/** The `u32 key` a data frame starts with, sent as the frame's head ahead of the caller's bytes. */
export function encodeDataHead(key: number): Buffer {
  const out = Buffer.allocUnsafe(4);
  out.writeUInt32BE(key, 0);
  return out;
}

/** A data body of at least this many bytes goes to the reader as a view of the link's read buffer. */
export const DATA_VIEW_MIN = 32 * 1024;

/**
 * The bytes of a received data frame's body after its key. A view when it is large (`DATA_VIEW_MIN`, the
 * usual bulk case) or covers at least half of the memory it lives in: handing it over costs no copy,
 * and the read buffer it keeps alive (at most the transport's `readBufferSize`) is shared by the chunks
 * read with it. A small body is copied, so a few bytes do not keep a whole read buffer alive.
 */
export function dataBytes(body: Buffer): Buffer {
  const bytes = body.subarray(4);
  const large = bytes.length >= DATA_VIEW_MIN || bytes.length * 2 >= bytes.buffer.byteLength;
  return large ? bytes : Buffer.from(bytes);
}

export function encodeCredit(key: number, bytes: number): Buffer {
  const out = Buffer.allocUnsafe(8);
  out.writeUInt32BE(key, 0);
  out.writeUInt32BE(bytes, 4);
  return out;
}

export function encodeFin(key: number): Buffer {
  const out = Buffer.allocUnsafe(4);
  out.writeUInt32BE(key, 0);
  return out;
}

/** A msgpack body as bytes of its own (msgpackr reuses its buffer). */
export function encodeControl(value: unknown[]): Buffer {
  return Buffer.from(encodeBody(value));
}

/** Open: `[key, name, handler, meta]`, or undefined when malformed. */
export function decodeOpen(body: Buffer): [number, string, string, unknown] | undefined {
  const v = decodeBody(0, body) as unknown;
  if (!Array.isArray(v) || v.length !== 4) return undefined;
  const [key, name, handler, meta] = v;
  if (!isKey(key) || typeof name !== 'string' || name === '' || typeof handler !== 'string') return undefined;
  return [key, name, handler, meta];
}

/** Reset: `[key, code, message]`, or undefined when malformed. */
export function decodeReset(body: Buffer): [number, string, string] | undefined {
  const v = decodeBody(0, body) as unknown;
  if (!Array.isArray(v) || v.length !== 3) return undefined;
  const [key, code, message] = v;
  if (!isKey(key) || typeof code !== 'string' || typeof message !== 'string') return undefined;
  return [key, code, message];
}

function isKey(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
}
