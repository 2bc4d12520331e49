import { describe, expect, it } from 'vitest';
import { bodyFlags, decodeBody, encodeBody } from './codec.js';
import { DecodeError } from './errors.js';
import { FrameFlag } from './frame.js';

describe('body codec', () => {
  it('round-trips nested values', () => {
    const value = {
      id: 42,
      name: 'troupe',
      neg: -7,
      big: 2 ** 40,
      float: 1.5,
      flag: true,
      none: null,
      list: [1, 'two', { three: [3] }],
      nested: { deep: { deeper: { deepest: ['x'] } } },
      bytes: new Uint8Array([1, 2, 3]),
    };
    const decoded = decodeBody(bodyFlags(value), encodeBody(value)) as typeof value;
    expect({ ...decoded, bytes: new Uint8Array(decoded.bytes) }).toEqual(value);
  });

  it('carries Map, Set, Date and bigint as a local send does, nested anywhere', () => {
    const value = {
      map: new Map<unknown, unknown>([
        ['a', 1],
        [2, { inner: new Map([['x', new Set([1, 'two'])]]) }],
      ]),
      set: new Set(['p', 3]),
      when: new Date(1_700_000_000_123),
      small: 5n,
      huge: 2n ** 100n + 7n,
      negative: -(2n ** 63n),
      list: [new Map([[1, 2]]), 2 ** 40, -1.5],
      plain: { stays: 'an object' },
    };
    const decoded = decodeBody(0, encodeBody(value)) as typeof value;
    expect(decoded).toEqual(value);
    expect(decoded.map).toBeInstanceOf(Map);
    expect((decoded.map.get(2) as { inner: Map<string, Set<unknown>> }).inner.get('x')).toBeInstanceOf(Set);
    expect(decoded.list[0]).toBeInstanceOf(Map);
    expect(typeof decoded.small).toBe('bigint');
    expect(decoded.huge).toBe(2n ** 100n + 7n);
    expect(typeof decoded.list[1]).toBe('number');
    expect(Object.getPrototypeOf(decoded.plain)).toBe(Object.prototype);
    expect(decodeBody(0, encodeBody(new Map([['top', 1]])))).toEqual(new Map([['top', 1]]));
  });

  it('leaves the caller’s value untouched when it replaces Maps for the wire', () => {
    const inner = new Map([['k', 'v']]);
    const value = { inner, list: [inner] };
    encodeBody(value);
    expect(value.inner).toBe(inner);
    expect(value.list[0]).toBe(inner);
    expect(inner.constructor).toBe(Map);
  });

  it('passes a Uint8Array body through raw, as a copy', () => {
    const bytes = new Uint8Array([0xc1, 0xff, 0, 7]);
    expect(bodyFlags(bytes)).toBe(FrameFlag.Raw);
    expect(bodyFlags({ a: 1 })).toBe(0);
    const wire = Buffer.from(bytes);
    const out = decodeBody(FrameFlag.Raw, wire) as Uint8Array;
    expect(out).toBeInstanceOf(Uint8Array);
    expect([...out]).toEqual([...bytes]);
    wire[0] = 0;
    expect(out[0]).toBe(0xc1);
  });

  it('throws DecodeError for garbage', () => {
    for (const bytes of [[0xdd, 0xff, 0xff, 0xff, 0xff], [0x92, 1], [0xd9, 10, 65], [0xc4], [0x81]]) {
      expect(() => decodeBody(0, Buffer.from(bytes))).toThrow(DecodeError);
    }
    const whole = encodeBody({ list: [1, 2, 3], text: 'abcdef' });
    expect(() => decodeBody(0, whole.subarray(0, whole.length - 2))).toThrow(DecodeError);
  });
});
