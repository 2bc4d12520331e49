import { describe, expect, it } from 'vitest';
import { Addr } from './addr.js';
import { encodeBody } from './codec.js';
import { encodeFrame, type Frame, FrameDecoder, FrameKind } from './frame.js';
import { RejectCode, rejectFrame } from './handshake.js';
import { type HandshakeIdentity, HandshakeMachine, type HandshakeStep } from './handshake-machine.js';

const A = Addr.parse('1.1.1');
const B = Addr.parse('1.1.2');

function identity(addr: Addr, over: Partial<HandshakeIdentity> = {}): HandshakeIdentity {
  return {
    addr,
    clusterId: 'c1',
    secretKey: Buffer.from('secret'),
    incarnation: `${Addr.format(addr)}-1`,
    maxFrameSize: 4096,
    ...over,
  };
}

function frame(bytes: Buffer): Frame {
  const frames: Frame[] = [];
  new FrameDecoder((f) => frames.push(f)).push(bytes);
  return frames[0]!;
}

/** Feeds `bytes` to `machine`, as a connection would after decoding. */
function feed(machine: HandshakeMachine, bytes: Buffer): HandshakeStep {
  return machine.receive(frame(bytes));
}

describe('the handshake state machine, frame by frame', () => {
  it('dialer B and acceptor A: Hello, Hello, Auth, Auth, Welcome', () => {
    const dialer = new HandshakeMachine(identity(B), 'dialer', A);
    const acceptor = new HandshakeMachine(identity(A, { maxFrameSize: 2048 }), 'acceptor');
    const helloA = acceptor.hello();
    const helloB = dialer.hello();
    expect(frame(helloB)).toMatchObject({ kind: FrameKind.Hello, to: A, from: B });

    const authFromB = feed(dialer, helloA);
    expect(authFromB.outcome).toBe('wait');
    expect(dialer.peerHello).toMatchObject({ addr: A, inc: '1.1.1-1', max: 2048 });
    const authFromA = feed(acceptor, helloB);
    expect(authFromA.outcome).toBe('wait');

    const sendB = (authFromB as { send: Buffer }).send;
    const sendA = (authFromA as { send: Buffer }).send;
    expect(feed(acceptor, sendB)).toEqual({ outcome: 'authenticated' });
    expect(acceptor.authenticated).toBe(true);
    expect(feed(dialer, sendA)).toEqual({ outcome: 'wait' });
    expect(dialer.authenticated).toBe(true);
    expect(feed(dialer, acceptor.welcome())).toEqual({ outcome: 'up' });
  });

  it('a proof made with another secret is refused with BAD_SECRET, by both sides', () => {
    const dialer = new HandshakeMachine(identity(B, { secretKey: Buffer.from('wrong') }), 'dialer', A);
    const acceptor = new HandshakeMachine(identity(A), 'acceptor');
    const fromDialer = feed(dialer, acceptor.hello()) as { send: Buffer };
    const fromAcceptor = feed(acceptor, dialer.hello()) as { send: Buffer };
    const bad = { outcome: 'refuse', reject: { code: RejectCode.BadSecret } };
    expect(feed(acceptor, fromDialer.send)).toMatchObject(bad);
    expect(feed(dialer, fromAcceptor.send)).toMatchObject(bad);
    expect(acceptor.authenticated).toBe(false);
    expect(dialer.authenticated).toBe(false);
  });

  it('refuses out-of-order and foreign frames with PROTOCOL', () => {
    const acceptor = () => new HandshakeMachine(identity(A), 'acceptor');
    const dialerHello = new HandshakeMachine(identity(B), 'dialer', A).hello();
    const codeOf = (step: HandshakeStep) => (step.outcome === 'refuse' ? step.reject.code : step.outcome);

    expect(codeOf(feed(acceptor(), encodeFrame(FrameKind.Auth, 0, 0, A, B, encodeBody({ proof: 1 }))))).toBe(
      RejectCode.Protocol,
    );
    expect(codeOf(feed(acceptor(), encodeFrame(FrameKind.Welcome, 0, 0, A, B, encodeBody({}))))).toBe(
      RejectCode.Protocol,
    );
    expect(codeOf(feed(acceptor(), encodeFrame(FrameKind.User, 0, 0, A, B, Buffer.from('early'))))).toBe(
      RejectCode.Protocol,
    );
    const twice = acceptor();
    expect(feed(twice, dialerHello).outcome).toBe('wait');
    expect(codeOf(feed(twice, dialerHello))).toBe(RejectCode.Protocol);
  });

  it('the acceptor refuses a Hello addressed to another node', () => {
    const acceptor = new HandshakeMachine(identity(A), 'acceptor');
    const misdialled = new HandshakeMachine(identity(B), 'dialer', Addr.parse('1.1.9')).hello();
    const step = feed(acceptor, misdialled);
    expect(step).toMatchObject({ outcome: 'refuse', reject: { code: RejectCode.Address } });
  });

  it("reports the peer's Reject as refused, with its code", () => {
    const dialer = new HandshakeMachine(identity(B), 'dialer', A);
    const step = feed(dialer, rejectFrame(A, B, { code: 'CLUSTER', reason: 'cluster id differs' }));
    expect(step).toEqual({ outcome: 'refused', reject: { code: 'CLUSTER', reason: 'cluster id differs' } });
  });
});
