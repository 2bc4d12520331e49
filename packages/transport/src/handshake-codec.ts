// A strict reader for handshake bodies: one flat msgpack map of scalars, no extensions, bounded work.
import { ProtocolError } from './errors.js';

/** A value a handshake body may hold. */
export type HandshakeValue = string | number | boolean | null | Uint8Array;

/** Entries a handshake map may have: a Hello has seven, anything larger is refused unread. */
const MAX_ENTRIES = 16;

/**
 * Reads a handshake body before the peer is authenticated. Accepts exactly one msgpack map (fixmap or
 * map16) whose keys are short strings and whose values are nil, booleans, unsigned integers up to 32
 * bits, strings or byte strings; every other msgpack type (floats, negatives, nested containers, and
 * above all extensions) is refused with `ProtocolError`. Work is linear in the body, which the link
 * bounds by `maxHandshakeFrameSize`, and nothing is allocated per entry beyond the result.
 */
export function readHandshakeMap(body: Uint8Array): Map<string, HandshakeValue> {
  const r = new Reader(body);
  const head = r.u8();
  let entries: number;
  if (head >= 0x80 && head <= 0x8f) entries = head & 0x0f;
  else if (head === 0xde) entries = r.u16();
  else throw new ProtocolError('handshake body is not a map');
  if (entries > MAX_ENTRIES) throw new ProtocolError(`handshake map has ${entries} entries`);
  const out = new Map<string, HandshakeValue>();
  for (let i = 0; i < entries; i++) {
    const key = r.value();
    if (typeof key !== 'string') throw new ProtocolError('handshake map key is not a string');
    out.set(key, r.value());
  }
  if (r.at !== body.length) throw new ProtocolError('bytes after the handshake map');
  return out;
}

class Reader {
  at = 0;
  private readonly view: DataView;
  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(n: number): void {
    if (this.at + n > this.bytes.length) throw new ProtocolError('truncated handshake body');
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.at++]!;
  }

  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.at);
    this.at += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.at);
    this.at += 4;
    return v;
  }

  private text(n: number): string {
    this.need(n);
    const s = Buffer.from(this.bytes.buffer, this.bytes.byteOffset + this.at, n).toString('utf8');
    this.at += n;
    return s;
  }

  private bin(n: number): Uint8Array {
    this.need(n);
    // A copy: the body is a view into the received chunk, which must not be retained.
    const b = this.bytes.slice(this.at, this.at + n);
    this.at += n;
    return b;
  }

  value(): HandshakeValue {
    const t = this.u8();
    if (t <= 0x7f) return t;
    if (t >= 0xa0 && t <= 0xbf) return this.text(t & 0x1f);
    switch (t) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xc4:
        return this.bin(this.u8());
      case 0xc5:
        return this.bin(this.u16());
      case 0xcc:
        return this.u8();
      case 0xcd:
        return this.u16();
      case 0xce:
        return this.u32();
      case 0xd9:
        return this.text(this.u8());
      case 0xda:
        return this.text(this.u16());
      default:
        throw new ProtocolError(`msgpack type 0x${t.toString(16)} is not allowed in a handshake`);
    }
  }
}
