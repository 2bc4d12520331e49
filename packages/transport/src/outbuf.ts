// A growable buffer that frames are encoded straight into, then handed to a socket in one write.
import { HEADER_SIZE, writeHeader } from './frame.js';

/** Starting capacity of an outbound buffer; it doubles as needed. */
export const OUT_BUFFER_INITIAL = 64 * 1024;
/** Flushes up to this size are copied out (from Node's pool) so the big buffer is reused. */
const COPY_OUT_MAX = 4 * 1024;
/** A buffer that grew past this is not kept after a flush. */
const KEEP_MAX = 1024 * 1024;
/** Until the first frame: a connection that never carries a frame never allocates its buffer. */
const UNALLOCATED = Buffer.alloc(0);

/**
 * Encoded frames waiting for one `socket.write`. Used for a connection's per-turn batch and for a
 * link's pending queue, so a queue that waited for the link is handed over without re-encoding.
 */
export class OutBuffer {
  private buf: Buffer;
  /** Bytes filled. */
  len = 0;
  /** Frames filled. */
  frames = 0;

  constructor(private readonly initial = OUT_BUFFER_INITIAL) {
    this.buf = UNALLOCATED;
  }

  /** Bytes allocated (0 until the first frame). */
  get capacity(): number {
    return this.buf.length;
  }

  /** Appends one frame: header written in place, then `head` and `body` copied once each. */
  frame(
    kind: number,
    flags: number,
    hops: number,
    to: number,
    from: number,
    body: Uint8Array,
    head?: Uint8Array,
  ): void {
    const end = this.len + HEADER_SIZE + (head?.length ?? 0) + body.length;
    if (end > this.buf.length) this.grow(end);
    this.frameStart(kind, flags, hops, to, from, body.length, head);
    if (body.length > 0) this.buf.set(body, this.len);
    this.len = end;
  }

  /**
   * Appends the start of a frame, its header and `head`, declaring a body of `bodyLength` bytes that
   * the caller writes to the socket right after this buffer (a large body, never copied here).
   */
  frameStart(
    kind: number,
    flags: number,
    hops: number,
    to: number,
    from: number,
    bodyLength: number,
    head?: Uint8Array,
  ): void {
    const start = this.len;
    const headLength = head === undefined ? 0 : head.length;
    const end = start + HEADER_SIZE + headLength;
    if (end > this.buf.length) this.grow(end);
    writeHeader(this.buf, start, headLength + bodyLength, kind, flags, hops, to, from);
    if (headLength > 0) this.buf.set(head!, start + HEADER_SIZE);
    this.len = end;
    this.frames++;
  }

  /** Appends an already-encoded frame. */
  raw(frame: Uint8Array): void {
    const end = this.len + frame.length;
    if (end > this.buf.length) this.grow(end);
    this.buf.set(frame, this.len);
    this.len = end;
    this.frames++;
  }

  /** Appends everything held by `other` and empties it. */
  absorb(other: OutBuffer): void {
    if (other.len === 0) return;
    const end = this.len + other.len;
    if (end > this.buf.length) this.grow(end);
    other.buf.copy(this.buf, this.len, 0, other.len);
    this.len = end;
    this.frames += other.frames;
    other.clear();
  }

  /**
   * Returns the filled bytes and empties the buffer. Large batches are handed over as they are (the
   * socket owns them from now on) and a fresh buffer is started; small ones are copied out.
   */
  take(): Buffer {
    const n = this.len;
    let out: Buffer;
    if (n <= COPY_OUT_MAX) {
      out = Buffer.allocUnsafe(n);
      this.buf.copy(out, 0, 0, n);
    } else {
      out = this.buf.subarray(0, n);
      const keep = this.buf.length <= KEEP_MAX && n > this.buf.length / 2 ? this.buf.length : this.initial;
      this.buf = Buffer.allocUnsafe(keep);
    }
    this.len = 0;
    this.frames = 0;
    return out;
  }

  /** Drops every frame larger than `max` bytes (header included); returns how many were dropped. */
  dropLarger(max: number): number {
    let read = 0;
    let write = 0;
    let dropped = 0;
    while (read < this.len) {
      const size = this.buf.readUInt32BE(read) + 4;
      if (size > max) dropped++;
      else {
        if (write !== read) this.buf.copy(this.buf, write, read, read + size);
        write += size;
      }
      read += size;
    }
    this.len = write;
    this.frames -= dropped;
    return dropped;
  }

  /** Drops everything held. */
  clear(): void {
    this.len = 0;
    this.frames = 0;
    if (this.buf.length > KEEP_MAX) this.buf = UNALLOCATED;
  }

  private grow(need: number): void {
    let size = Math.max(this.initial, this.buf.length * 2);
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
}
