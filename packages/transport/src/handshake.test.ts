import { describe, expect, it } from 'vitest';
import { Addr } from './addr.js';
import { encodeBody } from './codec.js';
import { type Frame, FrameDecoder, FrameKind, HEADER_SIZE } from './frame.js';
import {
  authFrame,
  checkHello,
  computeProof,
  type Hello,
  helloFrame,
  NONCE_SIZE,
  newNonce,
  PROTOCOL_VERSION,
  parseReject,
  rejectFrame,
  verifyAuth,
} from './handshake.js';

const A = Addr.parse('1.1.1');
const B = Addr.parse('1.1.2');
const key = Buffer.from('cluster-secret');

function decodeOne(buf: Buffer): Frame {
  const frames: Frame[] = [];
  new FrameDecoder((f) => frames.push(f)).push(buf);
  expect(frames).toHaveLength(1);
  return frames[0]!;
}

function helloBody(over: Record<string, unknown> = {}): Buffer {
  const fields: Record<string, unknown> = {
    v: PROTOCOL_VERSION,
    cluster: 'c1',
    addr: B,
    inc: 'b-1',
    nonce: newNonce(),
    role: 'dialer',
    ...over,
  };
  // An undefined field is a missing one (msgpackr would encode `undefined` as an extension).
  for (const key of Object.keys(fields)) if (fields[key] === undefined) delete fields[key];
  return encodeBody(fields);
}

const acceptorView = { clusterId: 'c1', self: A, role: 'acceptor' as const };

describe('handshake messages', () => {
  it('a Hello frame carries who the sender is; the acceptor accepts it', () => {
    const nonce = newNonce();
    const frame = decodeOne(
      helloFrame(B, A, { v: PROTOCOL_VERSION, cluster: 'c1', inc: 'b-1', nonce, role: 'dialer' }),
    );
    expect(frame).toMatchObject({ kind: FrameKind.Hello, to: A, from: B });
    const check = checkHello(frame.body, acceptorView);
    expect(check.ok).toBe(true);
    if (check.ok) {
      expect(check.hello).toMatchObject({ addr: B, inc: 'b-1', role: 'dialer', cluster: 'c1' });
      expect(Buffer.from(check.hello.nonce)).toEqual(Buffer.from(nonce));
    }
  });

  it.each([
    ['version', { v: 2 }, 'VERSION'],
    ['missing version', { v: undefined }, 'VERSION'],
    ['cluster', { cluster: 'c2' }, 'CLUSTER'],
    ['address out of range', { addr: 0 }, 'ADDRESS'],
    ['own address', { addr: A }, 'ADDRESS'],
    ['same role', { role: 'acceptor' }, 'PROTOCOL'],
    ['short nonce', { nonce: new Uint8Array(NONCE_SIZE - 1) }, 'PROTOCOL'],
    ['missing incarnation', { inc: '' }, 'PROTOCOL'],
  ])('refuses a Hello with a bad %s', (_what, over, code) => {
    const check = checkHello(helloBody(over), acceptorView);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.reject.code).toBe(code);
  });

  it('refuses undecodable or non-map Hellos', () => {
    for (const body of [Buffer.from([0x92, 1]), encodeBody('hello'), encodeBody(null)]) {
      const check = checkHello(body, acceptorView);
      expect(check.ok ? 'ok' : check.reject.code).toBe('PROTOCOL');
    }
  });

  it('the dialer refuses a listener that is not the address it dialled', () => {
    const body = helloBody({ role: 'acceptor', addr: Addr.parse('1.1.9') });
    const check = checkHello(body, { clusterId: 'c1', self: A, role: 'dialer', dialled: B });
    expect(check.ok ? 'ok' : check.reject.code).toBe('ADDRESS');
  });
});

describe('proof of the secret', () => {
  const nA = newNonce();
  const nB = newNonce();
  // B dials A. B's Hello as A sees it:
  const helloB: Hello = { v: 1, cluster: 'c1', addr: B, inc: 'b-1', nonce: nB, role: 'dialer' };

  function authBody(proof: Buffer): Buffer {
    return decodeOne(authFrame(B, A, proof)).body;
  }

  it("verifies a proof made with the secret over A's challenge", () => {
    const proof = computeProof(key, 'dialer', nA, nB, B, 'b-1');
    expect(proof).toHaveLength(32);
    expect(verifyAuth(authBody(proof), key, helloB, nA)).toBe(true);
  });

  it('rejects a proof made with another secret, another challenge, identity or incarnation', () => {
    const wrong = [
      computeProof(Buffer.from('other'), 'dialer', nA, nB, B, 'b-1'),
      computeProof(key, 'dialer', newNonce(), nB, B, 'b-1'),
      computeProof(key, 'dialer', nA, nB, Addr.parse('1.1.3'), 'b-1'),
      computeProof(key, 'dialer', nA, nB, B, 'b-2'),
    ];
    for (const proof of wrong) expect(verifyAuth(authBody(proof), key, helloB, nA)).toBe(false);
  });

  it("binds the role: the acceptor's own proof reflected back does not verify", () => {
    // A (acceptor) proves itself to B over B's challenge; a reflector replays A's own role-bound shape.
    const reflected = computeProof(key, 'acceptor', nA, nB, B, 'b-1');
    expect(verifyAuth(authBody(reflected), key, helloB, nA)).toBe(false);
  });

  it('rejects malformed Auth bodies without throwing', () => {
    for (const body of [
      Buffer.from([0xc4]),
      encodeBody({}),
      encodeBody({ proof: 'x' }),
      encodeBody({ proof: new Uint8Array(31) }),
    ]) {
      expect(verifyAuth(body, key, helloB, nA)).toBe(false);
    }
  });

  it('the secret never appears in any handshake frame', () => {
    const secret = 'super-secret-value-123';
    const frames = [
      helloFrame(B, A, { v: 1, cluster: 'c1', inc: 'b-1', nonce: nB, role: 'dialer' }),
      authFrame(B, A, computeProof(Buffer.from(secret), 'dialer', nA, nB, B, 'b-1')),
    ];
    for (const f of frames) expect(f.includes(Buffer.from(secret))).toBe(false);
  });
});

describe('Reject', () => {
  it('round-trips and is parsed leniently', () => {
    const frame = decodeOne(rejectFrame(A, B, { code: 'BAD_SECRET', reason: 'nope' }));
    expect(frame.kind).toBe(FrameKind.Reject);
    expect(parseReject(frame.body)).toEqual({ code: 'BAD_SECRET', reason: 'nope' });
    expect(parseReject(Buffer.from([0xc4]))).toMatchObject({ code: 'UNKNOWN' });
    expect(parseReject(encodeBody({ code: 7 }))).toEqual({ code: 'UNKNOWN', reason: '' });
    expect(frame.raw.length).toBeGreaterThan(HEADER_SIZE);
  });
});
