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
