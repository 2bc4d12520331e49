// The msgpack codec against msgpackr, both ways, byte for byte where msgpackr's output is defined.

import { unpack as mpUnpack, Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { MalformedMsgpackError, UnsupportedValueError } from './errors.js';
import { MAX_MSGPACK_DEPTH, pack, unpack } from './msgpack.js';

// msgpackr's default packer writes every object as map16 and refuses maps past 65,535 keys; with
// variableMapSize it picks the smallest map header, as this codec does (both read either form).
const packr = new Packr({ useRecords: false, variableMapSize: true });
const mpPack = (value: unknown) => packr.pack(value);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));

const SAMPLES: unknown[] = [
  null,
  true,
  false,
  0,
  1,
  127,
  128,
  255,
  256,
  65535,
  65536,
  2 ** 32 - 1,
  2 ** 32,
  2 ** 53 - 1,
  -1,
  -32,
  -33,
  -128,
  -129,
  -32768,
  -32769,
  -(2 ** 31),
  -(2 ** 31) - 1,
  -(2 ** 53) + 1,
  1.5,
  -0.25,
  Number.MAX_VALUE,
  Number.POSITIVE_INFINITY,
  '',
  'a',
  'a'.repeat(31),
  'a'.repeat(32),
  'a'.repeat(255),
  'a'.repeat(256),
  'é'.repeat(200),
  'ü€😀'.repeat(30),
  'x'.repeat(70_000),
  [],
  [1, 'two', [3], { four: 4 }],
  new Array(15).fill(7),
  new Array(16).fill(7),
  new Array(70_000).fill(1),
  {},
  { a: 1, b: 'x', c: [true, null], d: { e: -5.5 } },
  Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, i])),
  Object.fromEntries(Array.from({ length: 70_000 }, (_, i) => [`k${i}`, i])),
];

const BINS = [
  new Uint8Array(0),
  new Uint8Array([1, 2, 3]),
  new Uint8Array(300).fill(9),
  new Uint8Array(70_000).fill(4),
];

describe('msgpack', () => {
  it('writes the same bytes as msgpackr for every supported type', () => {
    for (const value of [...SAMPLES, ...BINS])
      expect(hex(pack(value)), JSON.stringify(value)?.slice(0, 40)).toBe(hex(mpPack(value)));
  });

  it('reads what msgpackr writes', () => {
    for (const value of SAMPLES) expect(unpack(mpPack(value))).toEqual(value);
    for (const bin of BINS) {
      const out = unpack(mpPack(bin));
      expect(out).toBeInstanceOf(Uint8Array);
      expect(Array.from(out as Uint8Array)).toEqual(Array.from(bin));
    }
  });

  it('writes what msgpackr reads, bins included', () => {
    for (const value of SAMPLES) expect(mpUnpack(pack(value))).toEqual(value);
    expect(Array.from(mpUnpack(pack({ b: new Uint8Array([5, 6]) })).b)).toEqual([5, 6]);
  });

  it('round-trips NaN and -0 as msgpackr does', () => {
    expect(Number.isNaN(unpack(pack(Number.NaN)))).toBe(true);
    expect(hex(pack(-0))).toBe(hex(mpPack(-0)));
  });

  it('carries 64-bit integers as bigints both ways, like msgpackr', () => {
    for (const n of [0n, 12n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n - 1n, 2n ** 53n + 1n]) {
      expect(hex(pack(n))).toBe(hex(mpPack(n)));
      expect(unpack(mpPack(n))).toBe(n);
      expect(mpUnpack(pack(n))).toBe(n);
    }
    expect(() => pack(2n ** 64n)).toThrow(UnsupportedValueError);
  });

  it('reads float32 and the undefined extension msgpackr writes', () => {
    expect(unpack(bytes('ca3fc00000'))).toBe(1.5);
    expect(unpack(mpPack(undefined))).toBeUndefined();
    expect(unpack(mpPack([undefined, 1]))).toEqual([undefined, 1]);
  });

  it('leaves out map keys whose value is undefined, and writes a lone undefined as nil', () => {
    expect(unpack(pack({ a: undefined, b: 1 }))).toEqual({ b: 1 });
    expect(hex(pack(undefined))).toBe('c0');
  });

  it('writes a Map as a msgpack map and reads non-string keys as strings', () => {
    const m = new Map<unknown, unknown>([
      [1, 'one'],
      ['two', 2],
    ]);
    expect(hex(pack(m))).toBe(hex(mpPack(m)));
    expect(unpack(pack(m))).toEqual({ 1: 'one', two: 2 });
  });

  it('keeps a __proto__ key as data', () => {
    const out = unpack(bytes('81a95f5f70726f746f5f5f81a17801')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__']);
    expect((out as { x?: number }).x).toBeUndefined();
  });

  it('returns bins as copies, not views into the input', () => {
    const input = pack(new Uint8Array([1, 2, 3]));
    const out = unpack(input) as Uint8Array;
    input[2] = 99;
    expect(Array.from(out)).toEqual([1, 2, 3]);
  });

  it('refuses values it cannot represent with UnsupportedValueError', () => {
    for (const bad of [() => 1, Symbol('s'), new Date(0), new Float32Array(2), new ArrayBuffer(2)]) {
      expect(() => pack(bad)).toThrow(UnsupportedValueError);
    }
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => pack(cyclic)).toThrow(/nesting deeper/);
  });

  it('refuses malformed bytes with MalformedMsgpackError', () => {
    for (const bad of [
      '',
      'c1',
      'cd01',
      'a3616263ff',
      'c40501',
      '92c0',
      'd40100',
      'c7010000',
      'a2c328',
      'c0c0',
    ]) {
      expect(() => unpack(bytes(bad)), bad).toThrow(MalformedMsgpackError);
    }
  });

  it('refuses nesting past the depth limit without exhausting the stack', () => {
    const deep = new Uint8Array(MAX_MSGPACK_DEPTH + 2).fill(0x91);
    expect(() => unpack(deep)).toThrow(/nesting deeper/);
    let value: unknown = 0;
    for (let i = 0; i < MAX_MSGPACK_DEPTH; i++) value = [value];
    expect(unpack(pack(value))).toEqual(value);
  });
});
