// Body codec: msgpackr in its fast mode (no record structures); raw bytes pass through untouched.
import { Packr } from 'msgpackr';
import { DecodeError } from './errors.js';
import { FrameFlag } from './frame.js';

const packr = new Packr({ useRecords: false, moreTypes: false, int64AsType: 'number' });

/**
 * Encodes a value as msgpack. The returned buffer may be a view into msgpackr's reusable buffer,
 * valid until the next `encodeBody` call: copy it (or write it into a frame) before encoding again.
 */
export function encodeBody(value: unknown): Buffer {
  return packr.pack(value);
}

/** Decodes a msgpack body; a `Raw` flagged body is returned as the bytes themselves (copied). */
export function decodeBody(flags: number, body: Buffer): unknown {
  if (flags & FrameFlag.Raw) return Uint8Array.prototype.slice.call(body);
  try {
    return packr.unpack(body);
  } catch (err) {
    throw new DecodeError(`undecodable body of ${body.length} bytes`, { cause: err });
  }
}

/** Reused range for in-place decoding (msgpackr keeps one DataView per source buffer this way). */
const range = { start: 0, end: 0 };

/**
 * Decodes `data[start, end)` in place: msgpack, or for a `Raw` body the bytes themselves (copied).
 * Decoding many bodies out of one received chunk this way costs no view or DataView per body.
 */
export function decodeBodyAt(flags: number, data: Buffer, start: number, end: number): unknown {
  if (flags & FrameFlag.Raw) return Uint8Array.prototype.slice.call(data, start, end);
  range.start = start;
  range.end = end;
  try {
    return packr.unpack(data, range);
  } catch (err) {
    throw new DecodeError(`undecodable body of ${end - start} bytes`, { cause: err });
  }
}

/** Flags for a body: `Raw` for a `Uint8Array`, else none. */
export function bodyFlags(value: unknown): number {
  return value instanceof Uint8Array ? FrameFlag.Raw : 0;
}
