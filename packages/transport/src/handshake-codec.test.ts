import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { Addr } from './addr.js';
import { encodeBody } from './codec.js';
import { ProtocolError } from './errors.js';
import { HEADER_SIZE } from './frame.js';
import { helloFrame, newNonce, PROTOCOL_VERSION } from './handshake.js';
import { readHandshakeMap } from './handshake-codec.js';

describe('the strict handshake reader', () => {
  it('reads what helloFrame writes', () => {
    const nonce = newNonce();
    const frame = helloFrame(Addr.parse('4095.255.4095'), 0, {
      v: PROTOCOL_VERSION,
      cluster: 'c'.repeat(300),
      inc: 'x',
      nonce,
      role: 'dialer',
      max: 0xffffffff,
    });
    const map = readHandshakeMap(frame.subarray(HEADER_SIZE));
    expect(Object.fromEntries(map)).toEqual({
      v: 1,
      cluster: 'c'.repeat(300),
      addr: Addr.parse('4095.255.4095'),
      inc: 'x',
      nonce: Buffer.from(nonce),
      role: 'dialer',
      max: 0xffffffff,
    });
  });

  it('reads nil, booleans and empty maps', () => {
    expect(Object.fromEntries(readHandshakeMap(encodeBody({ a: null, b: true, c: false })))).toEqual({
      a: null,
      b: true,
      c: false,
    });
    expect(readHandshakeMap(encodeBody({})).size).toBe(0);
  });

  it.each([
    ['an extension value', new Packr({ moreTypes: true }).pack({ e: new Error('boom') })],
    ['undefined (an extension in msgpackr)', encodeBody({ v: undefined })],
    ['a float', encodeBody({ v: 1.5 })],
    ['a negative number', encodeBody({ v: -1 })],
    ['a nested map', encodeBody({ v: { nested: 1 } })],
    ['an array', encodeBody({ v: [1, 2] })],
    ['a non-string key', Buffer.from([0x81, 0x01, 0x01])],
    ['too many entries', encodeBody(Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, i])))],
    ['a truncated string', Buffer.from([0x81, 0xa1, 0x61, 0xa5, 0x61])],
    ['trailing bytes', Buffer.concat([encodeBody({ a: 1 }), Buffer.from([0])])],
    ['a body that is not a map', encodeBody('hello')],
    ['an empty body', Buffer.alloc(0)],
  ])('refuses %s with ProtocolError', (_what, body) => {
    expect(() => readHandshakeMap(body)).toThrow(ProtocolError);
  });

  it('refuses a map announcing a million entries after reading only its header', () => {
    const bomb = Buffer.from([0xdf, 0x00, 0x0f, 0x42, 0x40]);
    expect(() => readHandshakeMap(bomb)).toThrow(/not a map/);
    const map16 = Buffer.from([0xde, 0xff, 0xff]);
    expect(() => readHandshakeMap(map16)).toThrow(/65535 entries/);
  });
});
