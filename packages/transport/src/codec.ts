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

/** Flags for a body: `Raw` for a `Uint8Array`, else none. */
export function bodyFlags(value: unknown): number {
  return value instanceof Uint8Array ? FrameFlag.Raw : 0;
}
