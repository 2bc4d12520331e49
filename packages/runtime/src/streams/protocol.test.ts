import { describe, expect, it } from 'vitest';
import { dataBytes, encodeDataHead } from './protocol.js';

describe('data frames', () => {
  it('start with the key as a u32 head', () => {
    expect([...encodeDataHead(0x80000001)]).toEqual([0x80, 0, 0, 1]);
  });

  it('hand a large body over as a view, and copy a small one out of its chunk', () => {
    const chunk = Buffer.alloc(64 * 1024, 1);
    const large = dataBytes(chunk.subarray(100));
    expect(large.buffer).toBe(chunk.buffer);
    expect(large.length).toBe(64 * 1024 - 104);
    const small = dataBytes(chunk.subarray(100, 200));
    expect(small.buffer).not.toBe(chunk.buffer);
    expect([...small]).toEqual(new Array(96).fill(1));
  });
});
