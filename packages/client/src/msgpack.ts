// A small msgpack codec (nil, bool, ints to 64 bits, float64, str, bin, array, map) that writes what msgpackr writes.

import { MalformedMsgpackError, UnsupportedValueError } from './errors.js';

/** Nesting deeper than this is refused both ways: it guards the stack against hostile or cyclic input. */
export const MAX_MSGPACK_DEPTH = 512;

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

// One scratch buffer reused by every `pack` call (the codec is synchronous); `pack` returns a copy.
let buf = new Uint8Array(256);
let view = new DataView(buf.buffer);
let pos = 0;

function reserve(n: number): void {
  if (pos + n <= buf.length) return;
  let size = buf.length * 2;
  while (size < pos + n) size *= 2;
  const next = new Uint8Array(size);
  next.set(buf.subarray(0, pos));
  buf = next;
  view = new DataView(buf.buffer);
}

function byte(b: number): void {
  reserve(1);
  buf[pos++] = b;
}

/** Writes a type byte followed by a big-endian unsigned length or value of 1, 2 or 4 bytes. */
function head(type: number, width: 1 | 2 | 4, n: number): void {
  reserve(1 + width);
  buf[pos++] = type;
  if (width === 1) view.setUint8(pos, n);
  else if (width === 2) view.setUint16(pos, n);
  else view.setUint32(pos, n);
  pos += width;
}

/** Writes a length-prefixed header: the fix form when it fits, else the 8-, 16- or 32-bit form. */
function sized(n: number, fix: number, fixMax: number, t8: number, t16: number, t32: number): void {
  if (n <= fixMax) byte(fix | n);
  else if (n < 0x100 && t8) head(t8, 1, n);
  else if (n < 0x10000) head(t16, 2, n);
  else head(t32, 4, n);
}

function writeNumber(n: number): void {
  if (Number.isInteger(n) && n >= -0x80000000 && n <= 0xffffffff) {
    if (n >= 0) {
      if (n < 0x80) byte(n);
      else if (n < 0x100) head(0xcc, 1, n);
      else if (n < 0x10000) head(0xcd, 2, n);
      else head(0xce, 4, n);
    } else if (n >= -32) byte(n & 0xff);
    else if (n >= -0x80) head(0xd0, 1, n & 0xff);
    else if (n >= -0x8000) head(0xd1, 2, n & 0xffff);
    else head(0xd2, 4, n >>> 0);
    return;
  }
  // Like msgpackr: integers past 32 bits and every non-integer go out as float64.
  reserve(9);
  buf[pos++] = 0xcb;
  view.setFloat64(pos, n);
  pos += 8;
}

function writeBigInt(n: bigint): void {
  reserve(9);
  if (n >= -(1n << 63n) && n < 1n << 63n) {
    buf[pos++] = 0xd3;
    view.setBigInt64(pos, n);
  } else if (n >= 0n && n < 1n << 64n) {
    buf[pos++] = 0xcf;
    view.setBigUint64(pos, n);
  } else {
    throw new UnsupportedValueError(`bigint ${n} does not fit in 64 bits`);
  }
  pos += 8;
}

function writeString(s: string): void {
  // A UTF-8 string takes at most 3 bytes per UTF-16 unit: reserve that, encode, then write the header.
  const max = s.length * 3;
  const width = max < 0x20 ? 0 : max < 0x100 ? 1 : max < 0x10000 ? 2 : 4;
  reserve(1 + width + max);
  const start = pos + 1 + width;
  const len = utf8Encoder.encodeInto(s, buf.subarray(start)).written;
  // The header uses the smallest form for the real length, as msgpackr does; shift the bytes if it is smaller.
  const real = len < 0x20 ? 0 : len < 0x100 ? 1 : len < 0x10000 ? 2 : 4;
  if (real !== width) buf.copyWithin(pos + 1 + real, start, start + len);
  sized(len, 0xa0, 0x1f, 0xd9, 0xda, 0xdb);
  pos += len;
}

function write(value: unknown, depth: number): void {
  if (depth > MAX_MSGPACK_DEPTH) throw new UnsupportedValueError(`nesting deeper than ${MAX_MSGPACK_DEPTH}`);
  switch (typeof value) {
    case 'undefined':
      byte(0xc0);
      return;
    case 'boolean':
      byte(value ? 0xc3 : 0xc2);
      return;
    case 'number':
      writeNumber(value);
      return;
    case 'bigint':
      writeBigInt(value);
      return;
    case 'string':
      writeString(value);
      return;
    case 'object':
      break;
    default:
      throw new UnsupportedValueError(`a ${typeof value} has no msgpack form`);
  }
  if (value === null) {
    byte(0xc0);
    return;
  }
  if (value instanceof Uint8Array) {
    sized(value.length, 0, -1, 0xc4, 0xc5, 0xc6);
    reserve(value.length);
    buf.set(value, pos);
    pos += value.length;
    return;
  }
  if (Array.isArray(value)) {
    sized(value.length, 0x90, 0x0f, 0, 0xdc, 0xdd);
    for (const item of value) write(item, depth + 1);
    return;
  }
  if (value instanceof Map) {
    sized(value.size, 0x80, 0x0f, 0, 0xde, 0xdf);
    for (const [k, v] of value) {
      write(k, depth + 1);
      write(v, depth + 1);
    }
    return;
  }
  if (value instanceof Date || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
    throw new UnsupportedValueError(
      `a ${value.constructor.name} has no msgpack form here (send bytes or numbers)`,
    );
  }
  // Plain objects become maps; keys whose value is undefined are left out, as JSON.stringify does.
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).filter((k) => record[k] !== undefined);
  sized(keys.length, 0x80, 0x0f, 0, 0xde, 0xdf);
  for (const k of keys) {
    writeString(k);
    write(record[k], depth + 1);
  }
}

/** Encodes a value as msgpack; the result is a fresh copy the caller owns. */
export function pack(value: unknown): Uint8Array {
  pos = 0;
  write(value, 0);
  return buf.slice(0, pos);
}

/** Reads one msgpack value at a time from a byte slice. */
class Reader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  pos = 0;
  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  #need(n: number): number {
    const at = this.pos;
    if (at + n > this.#bytes.length) {
      throw new MalformedMsgpackError(
        `truncated: needed ${n} bytes at offset ${at} of ${this.#bytes.length}`,
      );
    }
    this.pos = at + n;
    return at;
  }

  #uint(width: 1 | 2 | 4): number {
    const at = this.#need(width);
    return width === 1 ? this.#bytes[at]! : width === 2 ? this.#view.getUint16(at) : this.#view.getUint32(at);
  }

  #str(len: number): string {
    const at = this.#need(len);
    try {
      return utf8Decoder.decode(this.#bytes.subarray(at, at + len));
    } catch (err) {
      throw new MalformedMsgpackError(`invalid UTF-8 in a string at offset ${at}: ${String(err)}`);
    }
  }

  #array(len: number, depth: number): unknown[] {
    const out = new Array<unknown>(len);
    for (let i = 0; i < len; i++) out[i] = this.value(depth + 1);
    return out;
  }

  #map(len: number, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < len; i++) {
      const key = this.value(depth + 1);
      const value = this.value(depth + 1);
      const k = typeof key === 'string' ? key : String(key);
      // A `__proto__` key is data, not a prototype switch.
      if (k === '__proto__') Object.defineProperty(out, k, { value, enumerable: true, writable: true });
      else out[k] = value;
    }
    return out;
  }

  value(depth: number): unknown {
    if (depth > MAX_MSGPACK_DEPTH)
      throw new MalformedMsgpackError(`nesting deeper than ${MAX_MSGPACK_DEPTH}`);
    const t = this.#bytes[this.#need(1)]!;
    if (t < 0x80) return t;
    if (t < 0x90) return this.#map(t & 0x0f, depth);
    if (t < 0xa0) return this.#array(t & 0x0f, depth);
    if (t < 0xc0) return this.#str(t & 0x1f);
    if (t >= 0xe0) return t - 0x100;
    const v = this.#view;
    let at: number;
    switch (t) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xc4:
      case 0xc5:
      case 0xc6: {
        const len = this.#uint(t === 0xc4 ? 1 : t === 0xc5 ? 2 : 4);
        at = this.#need(len);
        return this.#bytes.slice(at, at + len);
      }
      case 0xca:
        return v.getFloat32(this.#need(4));
      case 0xcb:
        return v.getFloat64(this.#need(8));
      case 0xcc:
        return this.#uint(1);
      case 0xcd:
        return this.#uint(2);
      case 0xce:
        return this.#uint(4);
      case 0xcf:
        return v.getBigUint64(this.#need(8));
      case 0xd0:
        return v.getInt8(this.#need(1));
      case 0xd1:
        return v.getInt16(this.#need(2));
      case 0xd2:
        return v.getInt32(this.#need(4));
      case 0xd3:
        return v.getBigInt64(this.#need(8));
      case 0xd4:
        // msgpackr writes `undefined` as fixext 1 of type 0 with a zero byte.
        at = this.#need(2);
        if (this.#bytes[at] === 0 && this.#bytes[at + 1] === 0) return undefined;
        throw new MalformedMsgpackError(`unknown extension type ${this.#bytes[at]} at offset ${at - 1}`);
      case 0xd9:
        return this.#str(this.#uint(1));
      case 0xda:
        return this.#str(this.#uint(2));
      case 0xdb:
        return this.#str(this.#uint(4));
      case 0xdc:
        return this.#array(this.#uint(2), depth);
      case 0xdd:
        return this.#array(this.#uint(4), depth);
      case 0xde:
        return this.#map(this.#uint(2), depth);
      case 0xdf:
        return this.#map(this.#uint(4), depth);
      default:
        throw new MalformedMsgpackError(
          `unsupported type byte 0x${t.toString(16)} at offset ${this.pos - 1}`,
        );
    }
  }
}

/**
 * Decodes exactly one msgpack value filling `bytes`. Maps become plain objects (non-string keys are
 * stringified), bin becomes a Uint8Array copy, 64-bit ints become bigints (as msgpackr returns them).
 * Throws MalformedMsgpackError on bad or trailing bytes.
 */
export function unpack(bytes: Uint8Array): unknown {
  const reader = new Reader(bytes);
  const value = reader.value(0);
  if (reader.pos !== bytes.length) {
    throw new MalformedMsgpackError(`${bytes.length - reader.pos} trailing bytes after the value`);
  }
  return value;
}
