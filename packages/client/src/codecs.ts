// Payload codecs a route may use: msgpack (default), json and raw bytes.

import { CodecError } from './errors.js';
import { pack, unpack } from './msgpack.js';

/** The codec names a route may declare. */
export type CodecName = 'msgpack' | 'json' | 'raw';

/** Turns a route's payloads into body bytes and back. An empty body stands for "no value" (`undefined`). */
export interface PayloadCodec {
  encode(value: unknown): Uint8Array;
  decode(bytes: Uint8Array): unknown;
}

const EMPTY = new Uint8Array(0);
const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

const msgpack: PayloadCodec = {
  encode: (value) => (value === undefined ? EMPTY : pack(value)),
  decode: (bytes) => (bytes.length === 0 ? undefined : unpack(bytes)),
};

const json: PayloadCodec = {
  encode: (value) => (value === undefined ? EMPTY : textEncoder.encode(JSON.stringify(value))),
  decode(bytes) {
    if (bytes.length === 0) return undefined;
    try {
      return JSON.parse(textDecoder.decode(bytes));
    } catch (err) {
      throw new CodecError(`body is not JSON text: ${(err as Error).message}`, { cause: err });
    }
  },
};

const raw: PayloadCodec = {
  encode(value) {
    if (value === undefined) return EMPTY;
    if (!(value instanceof Uint8Array)) throw new CodecError('payload must be a Uint8Array');
    return value;
  },
  decode: (bytes) => bytes,
};

/** The codecs by name. */
export const codecs: Readonly<Record<CodecName, PayloadCodec>> = Object.freeze({ msgpack, json, raw });
