// Frame layout, encoder and incremental decoder. No I/O: the decoder takes bytes and hands frames to a sink.
import { FrameTooLargeError, ProtocolError, TruncatedFrameError } from './errors.js';

/**
 * Header: `u32 length | u8 kind | u8 flags | u8 hops | u32 to | u32 from`, big-endian, then the body.
 * `length` counts every byte after the length field itself (11 header bytes + body).
 */
export const HEADER_SIZE = 15;
/** Bytes counted by `length` before the body. */
const AFTER_LENGTH = HEADER_SIZE - 4;
/** Default largest frame, header included. */
export const DEFAULT_MAX_FRAME_SIZE = 4 * 1024 * 1024;

/** Frame kinds 0..15 belong to the link (handshake, heartbeats); 16..255 to the layers above. */
export const FrameKind = {
  Hello: 1,
  Auth: 2,
  Welcome: 3,
  Reject: 4,
  Ping: 5,
  Goodbye: 6,
  /** First kind free for the runtime. */
  User: 16,
} as const;

/** Flag bits. `Raw` marks a body that is opaque bytes rather than msgpack. Bits 1..7 are free above. */
export const FrameFlag = {
  Raw: 1,
} as const;

/** A decoded frame. `body` and `raw` are views into the received chunk: copy them to keep them. */
export interface Frame {
  kind: number;
  flags: number;
  hops: number;
  to: number;
  from: number;
  body: Buffer;
  /** The whole frame, header included, for forwarding without re-encoding. */
  raw: Buffer;
  /**
   * The buffer the frame was read from, and where its body lies in it: decoders that take a range
   * read in place, without making a view per frame.
   */
  data: Buffer;
  bodyStart: number;
  bodyEnd: number;
}

/** Writes a header into `buf` at `offset`; `bodyLength` bytes of body must follow. */
export function writeHeader(
  buf: Buffer,
  offset: number,
  bodyLength: number,
  kind: number,
  flags: number,
  hops: number,
  to: number,
  from: number,
): void {
  buf.writeUInt32BE(bodyLength + AFTER_LENGTH, offset);
  buf[offset + 4] = kind;
  buf[offset + 5] = flags;
  buf[offset + 6] = hops;
  buf.writeUInt32BE(to >>> 0, offset + 7);
  buf.writeUInt32BE(from >>> 0, offset + 11);
}

/** Encodes one frame into a fresh buffer; throws `FrameTooLargeError` past `maxFrameSize`. */
export function encodeFrame(
  kind: number,
  flags: number,
  hops: number,
  to: number,
  from: number,
  body: Uint8Array,
  maxFrameSize = DEFAULT_MAX_FRAME_SIZE,
): Buffer {
  const size = HEADER_SIZE + body.length;
  if (size > maxFrameSize) throw new FrameTooLargeError(size, maxFrameSize);
  const buf = Buffer.allocUnsafe(size);
  writeHeader(buf, 0, body.length, kind, flags, hops, to, from);
  buf.set(body, HEADER_SIZE);
  return buf;
}

/** Encodes a frame whose body is `head` then `body` into fresh bytes, with no size limit. */
export function encodeFrameParts(
  kind: number,
  flags: number,
  hops: number,
  to: number,
  from: number,
  head: Uint8Array,
  body: Uint8Array,
): Buffer {
  const buf = Buffer.allocUnsafe(HEADER_SIZE + head.length + body.length);
  writeHeader(buf, 0, head.length + body.length, kind, flags, hops, to, from);
  buf.set(head, HEADER_SIZE);
  buf.set(body, HEADER_SIZE + head.length);
  return buf;
}

/** Rewrites the hops byte of an encoded frame in place (harbors forward by header alone). */
export function setHops(raw: Buffer, hops: number): void {
  raw[6] = hops;
}

/** Big-endian u32 without `readUInt32BE`'s bounds checks (the caller has checked the length). */
function u32(buf: Buffer, at: number): number {
  return ((buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!) >>> 0;
}

/** A frame read in place: header fields eagerly, `body` and `raw` as views made on demand. */
export class DecodedFrame implements Frame {
  readonly kind: number;
  readonly flags: number;
  readonly hops: number;
  readonly to: number;
  readonly from: number;
  constructor(
    private readonly chunk: Buffer,
    private readonly offset: number,
    private readonly size: number,
  ) {
    this.kind = chunk[offset + 4]!;
    this.flags = chunk[offset + 5]!;
    this.hops = chunk[offset + 6]!;
    this.to = u32(chunk, offset + 7);
    this.from = u32(chunk, offset + 11);
  }
  get data(): Buffer {
    return this.chunk;
  }
  get bodyStart(): number {
    return this.offset + HEADER_SIZE;
  }
  get bodyEnd(): number {
    return this.offset + this.size;
  }
  /** A view of the body, made on demand (a harbor relaying the frame never needs one). */
  get body(): Buffer {
    return this.chunk.subarray(this.offset + HEADER_SIZE, this.offset + this.size);
  }
  get raw(): Buffer {
    return this.chunk.subarray(this.offset, this.offset + this.size);
  }
}

/** Receives decoded frames. */
export type FrameSink = (frame: Frame) => void;

/** The frame-size limit a scan checks, read again before every frame (a link raises it mid-chunk). */
export interface FrameLimit {
  readonly maxFrameSize: number;
}

/**
 * Hands every complete frame of `buf[from, to)` to `sink`, in order, and returns where the first
 * incomplete frame starts (`to` when none is). Throws `ProtocolError` for a length shorter than the
 * header and `FrameTooLargeError` past the limit, as soon as the length field is readable.
 */
export function scanFrames(
  buf: Buffer,
  from: number,
  to: number,
  limit: FrameLimit,
  sink: FrameSink,
): number {
  let off = from;
  while (to - off >= 4) {
    const declared = u32(buf, off);
    const size = declared + 4;
    if (declared < AFTER_LENGTH) {
      throw new ProtocolError(`frame declares length ${declared}, shorter than its header`);
    }
    if (size > limit.maxFrameSize) throw new FrameTooLargeError(size, limit.maxFrameSize);
    if (to - off < size) break;
    sink(new DecodedFrame(buf, off, size));
    off += size;
  }
  return off;
}

/** The size of the frame at `buf[at]` (header included), read from its length field (4 bytes needed). */
export function frameSizeAt(buf: Buffer, at: number): number {
  return u32(buf, at) + 4;
}

/**
 * Incremental decoder: `push` any chunking of the byte stream; complete frames go to the sink in order.
 * A declared length over the limit throws `FrameTooLargeError` and the decoder stops; `end()` throws
 * `TruncatedFrameError` when a partial frame is left. The caller closes the connection on either.
 */
export class FrameDecoder {
  /** Chunks of an incomplete frame, joined once when `need` bytes have arrived (no per-chunk copying). */
  private parts: Buffer[] = [];
  private partsLength = 0;
  /** Bytes the incomplete frame needs in total: its size once the length field is known, else 4. */
  private need = 0;
  private failed = false;

  constructor(
    private readonly sink: FrameSink,
    /**
     * Largest frame accepted, header included. Writable: a link raises it once the peer is
     * authenticated, and the new limit applies from the next frame (even within the same chunk).
     */
    public maxFrameSize = DEFAULT_MAX_FRAME_SIZE,
  ) {}

  /** Bytes held back waiting for the rest of a frame. */
  get buffered(): number {
    return this.partsLength;
  }

  push(chunk: Buffer): void {
    if (this.failed) throw new ProtocolError('decoder already failed');
    let buf = chunk;
    if (this.partsLength > 0) {
      this.parts.push(chunk);
      this.partsLength += chunk.length;
      if (this.partsLength < this.need) return;
      buf = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.partsLength);
      this.parts = [];
      this.partsLength = 0;
    }
    const len = buf.length;
    let off: number;
    try {
      off = scanFrames(buf, 0, len, this, this.sink);
    } catch (err) {
      this.failed = true;
      throw err;
    }
    if (off < len) {
      const rest = buf.subarray(off);
      this.parts.push(rest);
      this.partsLength = rest.length;
      this.need = rest.length >= 4 ? rest.readUInt32BE(0) + 4 : 4;
    }
  }

  /** Declares the end of the stream. */
  end(): void {
    const have = this.partsLength;
    if (have > 0) {
      const need = have >= 4 ? this.need : HEADER_SIZE;
      this.parts = [];
      this.partsLength = 0;
      throw new TruncatedFrameError(need - have);
    }
  }
}
