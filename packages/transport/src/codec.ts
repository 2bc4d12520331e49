// Body codec: msgpackr in its fast mode (no record structures), carrying Map, Set, Date and bigint as a
// local send does; raw bytes pass through untouched.
import { addExtension, Packr } from 'msgpackr';
import { DecodeError } from './errors.js';
import { FrameFlag } from './frame.js';

/**
 * `moreTypes` carries `Set`, `Error`, typed arrays; `Date` is msgpack's timestamp; a `bigint` is an int64
 * (msgpackr never writes a number as one) or, past 64 bits, msgpackr's bigint extension, and decodes as
 * a bigint. Records stay off: a body is one self-contained msgpack value.
 */
const packr = new Packr({
  useRecords: false,
  moreTypes: true,
  int64AsType: 'bigint',
  useBigIntExtension: true,
});

/** msgpack extension type of a `Map` (msgpackr writes a plain `Map` as a msgpack map, read back as an object). */
export const MAP_EXTENSION = 0x6d;

/** A `Map` marked for the Map extension: msgpackr sends subclasses through extensions. */
class WireMap extends Map<unknown, unknown> {}

addExtension({
  Class: WireMap,
  type: MAP_EXTENSION,
  write: (map: WireMap) => {
    const flat: unknown[] = [];
    for (const [k, v] of map) flat.push(k, v);
    return flat;
  },
  read: (flat: unknown[]) => {
    const map = new Map<unknown, unknown>();
    for (let i = 0; i + 1 < flat.length; i += 2) map.set(flat[i], flat[i + 1]);
    return map;
  },
});

/** Deeper values are left as they are (msgpackr itself refuses cycles). */
const MAX_DEPTH = 64;

/**
 * `value` with every `Map` in it replaced by a `WireMap`, copying only the containers on the way to one;
 * a value without Maps (the usual case) is returned as is, allocating nothing.
 */
function markMaps(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
  const next = depth + 1;
  if (value instanceof Map) {
    const out = new WireMap();
    for (const [k, v] of value) out.set(markMaps(k, next), markMaps(v, next));
    return out;
  }
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      const m = markMaps(v, next);
      if (m === v) continue;
      out ??= value.slice();
      out[i] = m;
    }
    return out ?? value;
  }
  if (value instanceof Set) {
    let changed = false;
    const items = [...value].map((v) => {
      const m = markMaps(v, next);
      if (m !== v) changed = true;
      return m;
    });
    return changed ? new Set(items) : value;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  let out: Record<string, unknown> | undefined;
  const record = value as Record<string, unknown>;
  for (const key in record) {
    const v = record[key];
    const m = markMaps(v, next);
    if (m === v) continue;
    out ??= { ...record };
    out[key] = m;
  }
  return out ?? value;
}

/**
 * Encodes a value as msgpack. The returned buffer may be a view into msgpackr's reusable buffer,
 * valid until the next `encodeBody` call: copy it (or write it into a frame) before encoding again.
 */
export function encodeBody(value: unknown): Buffer {
  return packr.pack(markMaps(value, 0));
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
