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
/**
 * Writes `n` in the smallest form: the fix form when `n <= fixMax`, else the 8-bit form (type `t16 - 1`, when
 * the kind has one), the 16-bit form `t16` or the 32-bit form `t16 + 1`; msgpack numbers its types that way.
 */
function sized(n: number, fix: number, fixMax: number, t16: number, has8: boolean): void {
  if (n <= fixMax) byte(fix | n);
  else if (n < 0x100 && has8) head(t16 - 1, 1, n);
  else if (n < 0x10000) head(t16, 2, n);
  else head(t16 + 1, 4, n);
}

function writeNumber(n: number): void {
  if (Number.isInteger(n) && n >= -0x80000000 && n <= 0xffffffff) {
    if (n >= 0) sized(n, 0, 0x7f, 0xcd, true);
    else if (n >= -32) byte(n & 0xff);
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

/** Writes a length header and the bytes: str and bin share it. */
function writeBytes(bytes: Uint8Array, fix: number, fixMax: number, t16: number): void {
  sized(bytes.length, fix, fixMax, t16, true);
  reserve(bytes.length);
  buf.set(bytes, pos);
  pos += bytes.length;
}

function writeString(s: string): void {
  writeBytes(utf8Encoder.encode(s), 0xa0, 0x1f, 0xda);
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
      throw new UnsupportedValueError(`no msgpack form for a ${typeof value}`);
  }
  if (value === null) {
    byte(0xc0);
    return;
  }
  if (value instanceof Uint8Array) {
    writeBytes(value, 0, -1, 0xc5);
    return;
  }
  if (Array.isArray(value)) {
    sized(value.length, 0x90, 0x0f, 0xdc, false);
    for (const item of value) write(item, depth + 1);
    return;
  }
  if (value instanceof Map) {
    sized(value.size, 0x80, 0x0f, 0xde, false);
    for (const [k, v] of value) {
      write(k, depth + 1);
      write(v, depth + 1);
    }
    return;
  }
  if (value instanceof Date || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
    throw new UnsupportedValueError(`no msgpack form for a ${value.constructor.name}`);
  }
  // Plain objects become maps; keys whose value is undefined are left out, as JSON.stringify does.
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).filter((k) => record[k] !== undefined);
  sized(keys.length, 0x80, 0x0f, 0xde, false);
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

// The decoder's input; module state like the encoder's (decoding is synchronous and calls out to nothing).
let input: Uint8Array = new Uint8Array(0);
let inView: DataView = new DataView(input.buffer);
let at = 0;

/** Claims `n` bytes and returns where they start. */
function take(n: number): number {
  const start = at;
  at += n;
  if (at > input.length) throw new MalformedMsgpackError(`truncated: ${n} bytes needed at offset ${start}`);
  return start;
}

function readUint(width: number): number {
  const p = take(width);
  return width === 1 ? input[p]! : width === 2 ? inView.getUint16(p) : inView.getUint32(p);
}

function readStr(len: number): string {
  const p = take(len);
  try {
    return utf8Decoder.decode(input.subarray(p, p + len));
  } catch {
    throw new MalformedMsgpackError(`invalid UTF-8 at offset ${p}`);
  }
}

function readArray(len: number, depth: number): unknown[] {
  const out = new Array<unknown>(len);
  for (let i = 0; i < len; i++) out[i] = read(depth + 1);
  return out;
}

function readMap(len: number, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < len; i++) {
    const key = read(depth + 1);
    const k = typeof key === 'string' ? key : String(key);
    const value = read(depth + 1);
    // A `__proto__` key is data, not a prototype switch.
    if (k === '__proto__') Object.defineProperty(out, k, { value, enumerable: true, writable: true });
    else out[k] = value;
  }
  return out;
}

// uint 8/16/32/64 (0xcc..0xcf) then int 8/16/32/64 (0xd0..0xd3): the low two bits give the width.
const INT_GETTERS = [
  'getUint8',
  'getUint16',
  'getUint32',
  'getBigUint64',
  'getInt8',
  'getInt16',
  'getInt32',
  'getBigInt64',
] as const;

function read(depth: number): unknown {
  if (depth > MAX_MSGPACK_DEPTH) throw new MalformedMsgpackError(`nesting deeper than ${MAX_MSGPACK_DEPTH}`);
  const t = input[take(1)]!;
  if (t < 0x80) return t;
  if (t < 0x90) return readMap(t & 0x0f, depth);
  if (t < 0xa0) return readArray(t & 0x0f, depth);
  if (t < 0xc0) return readStr(t & 0x1f);
  if (t >= 0xe0) return t - 0x100;
  if (t === 0xc0) return null;
  if (t === 0xc2 || t === 0xc3) return t === 0xc3;
  if (t >= 0xcc && t <= 0xd3) {
    const i = t - 0xcc;
    return inView[INT_GETTERS[i]!](take(1 << (i & 3)));
  }
  if (t === 0xca) return inView.getFloat32(take(4));
  if (t === 0xcb) return inView.getFloat64(take(8));
  // bin, str, array and map come in 8/16/32-bit length forms in that order (array and map without 8).
  if (t >= 0xc4 && t <= 0xc6) {
    const len = readUint(1 << (t - 0xc4));
    const p = take(len);
    return input.slice(p, p + len);
  }
  if (t >= 0xd9 && t <= 0xdb) return readStr(readUint(1 << (t - 0xd9)));
  if (t === 0xdc || t === 0xdd) return readArray(readUint(t === 0xdc ? 2 : 4), depth);
  if (t === 0xde || t === 0xdf) return readMap(readUint(t === 0xde ? 2 : 4), depth);
  if (t === 0xd4) {
    // msgpackr writes `undefined` as fixext 1 of type 0 with a zero byte.
    const p = take(2);
    if (input[p] === 0 && input[p + 1] === 0) return undefined;
  }
  throw new MalformedMsgpackError(`bad type byte 0x${t.toString(16)} at offset ${at - 1}`);
}

/**
 * Decodes exactly one msgpack value filling `bytes`. Maps become plain objects (non-string keys are
 * stringified), bin becomes a Uint8Array copy, 64-bit ints become bigints (as msgpackr returns them).
 * Throws MalformedMsgpackError on bad or trailing bytes.
 */
export function unpack(bytes: Uint8Array): unknown {
  input = bytes;
  inView = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  at = 0;
  const value = read(0);
  if (at !== bytes.length)
    throw new MalformedMsgpackError(`${bytes.length - at} trailing bytes after the value`);
  return value;
}
