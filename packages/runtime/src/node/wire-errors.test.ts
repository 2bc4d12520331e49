import { DecodeError, FrameTooLargeError, NodeDownError, ProtocolError } from '@troupe/transport';
import { describe, expect, it } from 'vitest';
import { ActorStoppedError, EncodeError, RemoteError, ReplyError, toWireError } from '../errors.js';
import { asWireError, fromWire, MAPPED_CODES } from './wire-errors.js';

describe('wire errors', () => {
  it('maps runtime and transport verdicts back to their own classes', () => {
    const tooLarge = fromWire(
      { code: 'FRAME_TOO_LARGE', message: 'reply of 5 MB', data: { size: 5e6, limit: 4e6 } },
      false,
    );
    expect(tooLarge).toBeInstanceOf(FrameTooLargeError);
    expect(tooLarge).toMatchObject({ message: 'reply of 5 MB', size: 5e6, limit: 4e6 });
    expect(fromWire({ code: 'DECODE_ERROR', message: 'bad msgpack' }, false)).toBeInstanceOf(DecodeError);
    expect(fromWire({ code: 'PROTOCOL_ERROR', message: 'x' }, false)).toBeInstanceOf(ProtocolError);
    expect(fromWire({ code: 'ENCODE_ERROR', message: 'x' }, false)).toBeInstanceOf(EncodeError);
    expect(fromWire({ code: 'NODE_DOWN', message: 'gone' }, false)).toBeInstanceOf(NodeDownError);
    expect(fromWire({ code: 'ACTOR_STOPPED', message: 'x' }, false)).toBeInstanceOf(ActorStoppedError);
    for (const code of MAPPED_CODES) {
      const err = fromWire({ code, message: `m ${code}` }, false);
      expect(err).not.toBeInstanceOf(RemoteError);
      expect(err).toMatchObject({ code, message: `m ${code}` });
    }
  });

  it('gives RemoteError only for a handler rejection, whatever its code', () => {
    const err = fromWire(toWireError(new ReplyError('DECODE_ERROR', 'my own', { n: 1 })), true);
    expect(err).toBeInstanceOf(RemoteError);
    expect(err).toMatchObject({ code: 'DECODE_ERROR', message: 'my own', data: { n: 1 } });
    expect(fromWire({ code: 'SOMETHING_NEW', message: 'x' }, false)).toBeInstanceOf(RemoteError);
  });

  it('cleans untrusted error values', () => {
    expect(asWireError({ code: 7, message: null })).toEqual({ code: 'UNKNOWN', message: 'remote error' });
    expect(asWireError('text')).toEqual({ code: 'UNKNOWN', message: 'text' });
    expect(asWireError({ code: 'X', message: 'y', data: [1] })).toEqual({
      code: 'X',
      message: 'y',
      data: [1],
    });
  });
});
