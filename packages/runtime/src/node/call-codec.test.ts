import { encodeBody, ProtocolError } from '@troupe/transport';
import { describe, expect, it } from 'vitest';
import { CACHE_LIMIT, type CallHead, CallReader, CallWriter, decodeArg } from './call-codec.js';

const blank = (): CallHead => ({ askId: -1, target: '', handler: '', sender: undefined, argAt: 0 });

describe('call codec', () => {
  it('round-trips Tell and Ask heads, with and without a sender, ASCII and not', () => {
    const w = new CallWriter();
    const r = new CallReader();
    for (const [askId, target, handler, sender] of [
      [-1, 'room', 'say', 'alice'],
      [0xfffffffe, '房间', 'say', undefined],
      [7, 'room', '发言', '玩家'],
    ] as const) {
      const bytes = Buffer.from(w.head(askId, target, handler, sender));
      const head = blank();
      r.read(bytes, 0, bytes.length, askId >= 0, head);
      expect(head).toEqual({ askId, target, handler, sender, argAt: bytes.length });
    }
  });

  it('refuses a name over 255 bytes and a truncated head', () => {
    const w = new CallWriter();
    expect(() => w.head(-1, 'x'.repeat(256), 'h', undefined)).toThrow(ProtocolError);
    const bytes = Buffer.from(w.head(-1, 'target', 'handler', 'sender'));
    expect(() => new CallReader().read(bytes, 0, bytes.length - 3, false, blank())).toThrow(/truncated/);
    expect(() => new CallReader().read(bytes, 0, 3, true, blank())).toThrow(/too short/);
  });

  it('keeps the head cache bounded for a stable target with churning sender names', () => {
    const w = new CallWriter();
    for (let i = 0; i < CACHE_LIMIT * 3; i++) w.head(-1, 'lobby', 'say', `session-${i}`);
    expect(w.cachedHeads).toBeLessThanOrEqual(CACHE_LIMIT);
    expect(w.cachedHeads).toBeGreaterThan(0);
    // Heads stay right across the reset.
    const bytes = Buffer.from(w.head(-1, 'lobby', 'say', 'session-1'));
    const head = blank();
    new CallReader().read(bytes, 0, bytes.length, false, head);
    expect(head.sender).toBe('session-1');
  });

  it('caches no head for targets used once, and caches one from its second use', () => {
    const w = new CallWriter();
    const reader = new CallReader();
    for (let i = 0; i < 1000; i++) {
      const bytes = Buffer.from(w.head(i, `counter/e-${i}`, 'echo', undefined));
      const head = blank();
      reader.read(bytes, 0, bytes.length, true, head);
      expect([head.askId, head.target, head.handler, head.sender]).toEqual([
        i,
        `counter/e-${i}`,
        'echo',
        undefined,
      ]);
    }
    expect(w.cachedHeads).toBe(0);
    w.head(7, 'counter/e-7', 'echo', 'me');
    expect(w.cachedHeads).toBe(1);
    const bytes = Buffer.from(w.head(8, 'counter/e-7', 'echo', 'me'));
    const head = blank();
    reader.read(bytes, 0, bytes.length, true, head);
    expect([head.askId, head.target, head.sender]).toEqual([8, 'counter/e-7', 'me']);
    // A name of 255 bytes fits; one of 256 is refused, written straight or cached.
    expect(() => w.head(1, 'é'.repeat(128), 'h', undefined)).toThrow(ProtocolError);
    expect(w.head(1, 'a'.repeat(255), 'h', 'b'.repeat(255)).length).toBe(4 + 256 + 2 + 256);
  });

  it('reads repeated heads from its whole-head cache, names and all, and tells apart heads that differ', () => {
    const w = new CallWriter();
    const r = new CallReader();
    const read = (bytes: Uint8Array, ask: boolean) => {
      const copy = Buffer.from(bytes);
      const head = blank();
      r.read(copy, 0, copy.length, ask, head);
      // No argument follows: the argument starts where the head ends.
      expect(head.argAt).toBe(copy.length);
      return [head.askId, head.target, head.handler, head.sender];
    };
    for (let i = 0; i < 3; i++) {
      expect(read(w.head(-1, 'room', 'say', 'alice'), false)).toEqual([-1, 'room', 'say', 'alice']);
      expect(read(w.head(i, 'room', 'say', 'bob'), true)).toEqual([i, 'room', 'say', 'bob']);
      expect(read(w.head(-1, 'room', 'sa', 'yalice'), false)).toEqual([-1, 'room', 'sa', 'yalice']);
      expect(read(w.head(-1, 'salle', 'dit', 'élodie'), false)).toEqual([-1, 'salle', 'dit', 'élodie']);
      expect(read(w.head(-1, 'room', 'say', undefined), false)).toEqual([-1, 'room', 'say', undefined]);
    }
  });

  it('decodes an empty argument as undefined', () => {
    expect(decodeArg(0, Buffer.alloc(4), 4)).toBeUndefined();
  });

  it('decodes arguments with the transport codec: Map, Set, Date and bigint arrive as they were sent', () => {
    const head = Buffer.from(new CallWriter().head(-1, 'a', 'b', undefined));
    const value = { m: new Map([['k', 1]]), s: new Set([2]), d: new Date(5), n: 2n ** 70n };
    const frame = Buffer.concat([head, Buffer.from(encodeBody(value))]);
    expect(decodeArg(0, frame, head.length)).toEqual(value);
  });
});
