// Link handshake messages: building and checking Hello, Auth and Reject bodies, and the HMAC proofs. No I/O.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Addr } from './addr.js';
import { encodeBody } from './codec.js';
import { encodeFrame, FrameKind, HEADER_SIZE } from './frame.js';
import { type HandshakeValue, readHandshakeMap } from './handshake-codec.js';

/** The link protocol version carried in every Hello. */
export const PROTOCOL_VERSION = 1;
/** Bytes of the random challenge each side sends in its Hello. */
export const NONCE_SIZE = 16;
const PROOF_SIZE = 32;
const MAX_TEXT = 256;

/** Which end of the TCP connection a side is. Bound into the proof so a proof cannot be reflected back. */
export type Role = 'dialer' | 'acceptor';

/** Machine-readable reasons for refusing a handshake, sent in `Reject {code, reason}`. */
export const RejectCode = {
  Version: 'VERSION',
  Cluster: 'CLUSTER',
  Address: 'ADDRESS',
  BadSecret: 'BAD_SECRET',
  Duplicate: 'DUPLICATE',
  AddressInUse: 'ADDRESS_IN_USE',
  Protocol: 'PROTOCOL',
  Closing: 'CLOSING',
} as const;
export type RejectCode = (typeof RejectCode)[keyof typeof RejectCode];

/** Body of a `Reject` frame. */
export interface Reject {
  code: string;
  reason: string;
}

/** Body of a `Hello` frame: who a side is, and its challenge to the other side. */
export interface Hello {
  v: number;
  cluster: string;
  addr: Addr;
  inc: string;
  nonce: Uint8Array;
  role: Role;
  /** The largest frame the sender accepts, header included (absent from older peers). */
  max?: number;
}

/** What a side expects of the peer's Hello. */
export interface HelloExpectation {
  clusterId: string;
  /** This node. */
  self: Addr;
  /** This side's role; the peer must have the other. */
  role: Role;
  /** The address the dialer dialled (the acceptor must be this node). */
  dialled?: Addr;
}

export type HelloCheck = { ok: true; hello: Hello } | { ok: false; reject: Reject };

/** A fresh random challenge. */
export function newNonce(): Uint8Array {
  return randomBytes(NONCE_SIZE);
}

/** Client-supplied text, shortened and quoted for a log line or a Reject reason. */
function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}...` : text);
}

function refuse(code: RejectCode, reason: string): HelloCheck {
  return { ok: false, reject: { code, reason } };
}

/** Parses and checks the peer's Hello; a failure carries the Reject to send back. */
export function checkHello(body: Uint8Array, expect: HelloExpectation): HelloCheck {
  let h: Record<string, HandshakeValue | undefined>;
  try {
    h = Object.fromEntries(readHandshakeMap(body));
  } catch (err) {
    return refuse(RejectCode.Protocol, `undecodable Hello: ${(err as Error).message}`);
  }
  if (h.v !== PROTOCOL_VERSION) {
    return refuse(
      RejectCode.Version,
      `protocol version ${quote(h.v)} is not supported (this node speaks ${PROTOCOL_VERSION})`,
    );
  }
  if (h.cluster !== expect.clusterId) {
    return refuse(
      RejectCode.Cluster,
      `cluster id ${quote(h.cluster)} does not match ${quote(expect.clusterId)}`,
    );
  }
  let addr: Addr;
  try {
    addr = Addr.from(h.addr as number);
  } catch {
    return refuse(RejectCode.Address, `invalid address ${quote(h.addr)}`);
  }
  if (addr === expect.self) return refuse(RejectCode.Address, `peer claims this node's own address`);
  if (expect.dialled !== undefined && addr !== expect.dialled) {
    return refuse(
      RejectCode.Address,
      `dialled ${Addr.format(expect.dialled)} but the listener is ${Addr.format(addr)}`,
    );
  }
  const peerRole: Role = expect.role === 'dialer' ? 'acceptor' : 'dialer';
  if (h.role !== peerRole)
    return refuse(RejectCode.Protocol, `peer role ${quote(h.role)}, expected ${peerRole}`);
  if (typeof h.inc !== 'string' || h.inc.length === 0 || h.inc.length > MAX_TEXT) {
    return refuse(RejectCode.Protocol, 'missing or oversized incarnation');
  }
  if (!(h.nonce instanceof Uint8Array) || h.nonce.length !== NONCE_SIZE) {
    return refuse(RejectCode.Protocol, `nonce must be ${NONCE_SIZE} bytes`);
  }
  if (h.max !== undefined && (typeof h.max !== 'number' || h.max < HEADER_SIZE)) {
    return refuse(RejectCode.Protocol, `frame size limit ${quote(h.max)} is below the header size`);
  }
  const nonce = Buffer.from(h.nonce);
  const hello: Hello = { v: h.v, cluster: h.cluster, addr, inc: h.inc, nonce, role: peerRole };
  if (h.max !== undefined) hello.max = h.max;
  return { ok: true, hello };
}

/**
 * HMAC-SHA256(secret, "troupe-auth|role|peerNonce|myNonce|myAddr|myInc"): proves the prover knows the
 * secret, answers this connection's challenge, and binds its identity and role.
 */
export function computeProof(
  secretKey: Uint8Array,
  role: Role,
  peerNonce: Uint8Array,
  myNonce: Uint8Array,
  myAddr: Addr,
  myInc: string,
): Buffer {
  const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
  return createHmac('sha256', secretKey)
    .update(`troupe-auth|${role}|${hex(peerNonce)}|${hex(myNonce)}|${Addr.format(myAddr)}|${myInc}`)
    .digest();
}

/**
 * Checks the peer's Auth body against its Hello and our own nonce, in constant time.
 * `peer` is the peer's Hello; `myNonce` the challenge we sent it.
 */
export function verifyAuth(
  body: Uint8Array,
  secretKey: Uint8Array,
  peer: Hello,
  myNonce: Uint8Array,
): boolean {
  let proof: HandshakeValue | undefined;
  try {
    proof = readHandshakeMap(body).get('proof');
  } catch {
    return false;
  }
  if (!(proof instanceof Uint8Array) || proof.length !== PROOF_SIZE) return false;
  const expected = computeProof(secretKey, peer.role, myNonce, peer.nonce, peer.addr, peer.inc);
  return timingSafeEqual(expected, proof);
}

/** Parses a Reject body leniently: a malformed one still refuses. */
export function parseReject(body: Uint8Array): Reject {
  try {
    const v = readHandshakeMap(body);
    const code = v.get('code');
    const reason = v.get('reason');
    return {
      code: typeof code === 'string' ? code.slice(0, 32) : 'UNKNOWN',
      reason: typeof reason === 'string' ? reason.slice(0, MAX_TEXT) : '',
    };
  } catch {
    return { code: 'UNKNOWN', reason: 'undecodable Reject' };
  }
}

/** Hello frame; `to` is the dialled address (0 when the acceptor does not know it yet). */
export function helloFrame(self: Addr, to: number, body: Omit<Hello, 'addr'>): Buffer {
  const payload = encodeBody({
    v: body.v,
    cluster: body.cluster,
    addr: self,
    inc: body.inc,
    nonce: body.nonce,
    role: body.role,
    ...(body.max === undefined ? {} : { max: body.max }),
  });
  return encodeFrame(FrameKind.Hello, 0, 0, to, self, payload);
}

export function authFrame(self: Addr, to: Addr, proof: Uint8Array): Buffer {
  return encodeFrame(FrameKind.Auth, 0, 0, to, self, encodeBody({ proof }));
}

export function welcomeFrame(self: Addr, to: Addr): Buffer {
  return encodeFrame(FrameKind.Welcome, 0, 0, to, self, encodeBody({}));
}

export function rejectFrame(self: Addr, to: number, reject: Reject): Buffer {
  return encodeFrame(
    FrameKind.Reject,
    0,
    0,
    to,
    self,
    encodeBody({ code: reject.code.slice(0, 32), reason: reject.reason.slice(0, MAX_TEXT) }),
  );
}
