// Route codecs: how a client payload becomes the `data` a backend receives, and a reply becomes bytes.
import { C1, Packr } from 'msgpackr';
import { PayloadError } from './errors.js';

/** `msgpack` (default), `json` (UTF-8 text), or `raw` (the bytes as they are). */
export type RouteCodec = 'msgpack' | 'json' | 'raw';

export const ROUTE_CODECS: readonly RouteCodec[] = ['msgpack', 'json', 'raw'];

// Plain maps and arrays only: records would make payloads unreadable to other msgpack libraries.
const packr = new Packr({ useRecords: false, moreTypes: false });
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** msgpack-encodes a value the way every client codec reads it. */
export function packPayload(value: unknown): Uint8Array {
  return packr.pack(value);
}

/** Decodes a client payload with its route's codec; throws `PayloadError` on malformed input. */
export function decodePayload(codec: RouteCodec, bytes: Uint8Array): unknown {
  if (codec === 'raw') return bytes;
  if (bytes.length === 0) return null;
  try {
    if (codec === 'json') return JSON.parse(decoder.decode(bytes));
    const value = packr.unpack(bytes);
    // msgpackr decodes the never-used byte 0xc1 to a marker instead of failing.
    if (value === C1) throw new Error('0xc1 is not a msgpack value');
    return value;
  } catch (err) {
    throw new PayloadError(`payload is not valid ${codec}: ${(err as Error).message}`, { cause: err });
  }
}

/** Encodes a value for a client with a route's codec; `raw` takes bytes or a string. */
export function encodePayload(codec: RouteCodec, value: unknown): Uint8Array {
  switch (codec) {
    case 'raw':
      if (value instanceof Uint8Array) return value;
      if (typeof value === 'string') return encoder.encode(value);
      throw new PayloadError(`a raw route replies with bytes or a string, not ${typeof value}`);
    case 'json':
      return encoder.encode(JSON.stringify(value ?? null));
    case 'msgpack':
      return packr.pack(value);
  }
}
