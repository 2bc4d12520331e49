// Frame reading into buffers of our own: the socket reads straight into them and frames go on as views.
import { ProtocolError, TruncatedFrameError } from './errors.js';
import {
  DEFAULT_MAX_FRAME_SIZE,
  type Frame,
  type FrameSink,
  frameSizeAt,
  HEADER_SIZE,
  scanFrames,
} from './frame.js';

/** Default largest read buffer: a bulk link's reads land in buffers of up to this size. */
export const DEFAULT_READ_BUFFER_SIZE = 1024 * 1024;
/**
 * Smallest read buffer of an authenticated link: buffers filled by slow traffic shrink back to it.
 * (Before the handshake completes, buffers hold four of the small frames allowed then.)
 */
export const MIN_READ_BUFFER_SIZE = 64 * 1024;
/**
 * Frames up to this size never straddle two buffers: the last stretch of a buffer is read only up to
 * the end of the frame in progress, so the next buffer starts on a frame boundary and nothing is copied.
 */
const MAX_RESERVE = 128 * 1024;
/**
 * Frames of at least this size are bulk (a stream's data): buffers grow only for links whose bytes are
 * mostly bulk frames. Small frames gain nothing from larger reads, and stay in 64 KiB buffers.
 */
const BULK_FRAME = 8 * 1024;
const EMPTY = Buffer.alloc(0);

/**
 * The reading side of a connection when the socket reads into our memory (`net` `onread`): `next()`
 * says where the next read lands, `filled(n)` takes the `n` bytes that arrived there and hands every
 * complete frame to the sink as a view of the buffer, with no copy and no allocation per read.
 *
 * A buffer is never reused: a frame (or a view of its body that a reader keeps) stays valid, and once
 * a buffer is full the reader takes a fresh one. A frame that cannot finish in the current buffer
 * moves, with the part of it already read, into the next one: the only copy, kept to a few header
 * bytes for frames up to the reserve by reading a buffer's last stretch only up to a frame's end.
 * Buffers grow (doubling, up to `maxBufferSize`) while reads fill them as fast as they are offered
 * and the bytes are mostly large frames (bulk), and halve otherwise, so a link that carries little,
 * or carries small frames, holds a 64 KiB one. No I/O here: the caller wires `next` and `filled` to
 * the socket.
 */
export class FrameReader {
  /** Largest frame accepted, header included; writable, as `FrameDecoder.maxFrameSize`. */
  maxFrameSize: number;
  readonly #sink: FrameSink;
  readonly #maxBufferSize: number;
  /** Empty until the socket asks where to read (a TLS socket never does). */
  #buf: Buffer = EMPTY;
  /** Where the first incomplete frame starts. */
  #start = 0;
  /** Where the bytes read so far end. */
  #end = 0;
  /** The next read lands in `[#end, #limit)`. */
  #limit = 0;
  /** A read of this buffer filled all the room it was given: the peer sends as fast as we read. */
  #saturated = false;
  /** Bytes of bulk frames scanned out of this buffer. */
  #bulkBytes = 0;
  #failed = false;
  #carried = 0;

  constructor(
    sink: FrameSink,
    maxFrameSize = DEFAULT_MAX_FRAME_SIZE,
    maxBufferSize = DEFAULT_READ_BUFFER_SIZE,
  ) {
    this.#sink = sink;
    this.maxFrameSize = maxFrameSize;
    this.#maxBufferSize = Math.max(MIN_READ_BUFFER_SIZE, maxBufferSize);
  }

  /** Bytes held back waiting for the rest of a frame. */
  get buffered(): number {
    return this.#end - this.#start;
  }

  /** Size of the buffer reads land in now. */
  get bufferSize(): number {
    return this.#buf.length;
  }

  /** Bytes moved from a full buffer into the next one, over the reader's life: all the copying it does. */
  get carried(): number {
    return this.#carried;
  }

  /** Where the next read must land: a view of the current buffer (the socket fills it from the start). */
  next(): Buffer {
    if (this.#limit === 0) this.#renew(0);
    return this.#buf.subarray(this.#end, this.#limit);
  }

  /**
   * `n` bytes arrived in the view `next()` returned. Complete frames go to the sink; a bad length throws
   * (`ProtocolError`, `FrameTooLargeError`) and the reader stops, as the decoder does.
   */
  filled(n: number): void {
    if (this.#failed) throw new ProtocolError('reader already failed');
    // A read that filled all the room it had may have had more waiting.
    if (n === this.#limit - this.#end) this.#saturated = true;
    this.#end += n;
    try {
      this.#start = scanFrames(this.#buf, this.#start, this.#end, this, this.#deliver);
    } catch (err) {
      this.#failed = true;
      throw err;
    }
    this.#plan();
  }

  /** Declares the end of the stream: throws `TruncatedFrameError` when a partial frame is left. */
  end(): void {
    const have = this.#end - this.#start;
    if (have === 0) return;
    const need = have >= 4 ? frameSizeAt(this.#buf, this.#start) : HEADER_SIZE;
    this.#start = this.#end;
    throw new TruncatedFrameError(need - have);
  }

  readonly #deliver = (frame: Frame): void => {
    const size = frame.bodyEnd - frame.bodyStart;
    if (size >= BULK_FRAME) this.#bulkBytes += size;
    this.#sink(frame);
  };

  /** Chooses where the next read lands, taking a fresh buffer when this one has no room left for it. */
  #plan(): void {
    const buf = this.#buf;
    const start = this.#start;
    const partial = this.#end - start;
    const size = partial >= 4 ? frameSizeAt(buf, start) : 0;
    if (start + size > buf.length) {
      this.#renew(size);
      return;
    }
    const free = this.#free();
    if (size > 0 && start + size > free) {
      // The last stretch: read to the end of this frame and no further, so the buffer ends on a boundary.
      this.#limit = start + size;
    } else if (this.#end < free) {
      this.#limit = free;
    } else {
      this.#renew(size);
    }
  }

  /** Where reads of unknown frames stop: the buffer less its reserve. */
  #free(): number {
    const length = this.#buf.length;
    return length - Math.min(MAX_RESERVE, length >>> 2);
  }

  /** Moves to a fresh buffer, big enough for a frame of `size` whose first bytes are carried over. */
  #renew(size: number): void {
    const old = this.#buf;
    const bulk = this.#saturated && this.#bulkBytes * 2 >= this.#end;
    const grown = bulk ? old.length * 2 : old.length >>> 1;
    // Before the peer is authenticated its frames are small, and so is what it can make us allocate.
    const floor = Math.min(MIN_READ_BUFFER_SIZE, 4 * this.maxFrameSize);
    const length = Math.max(Math.min(grown, this.#maxBufferSize), floor, size);
    const next = Buffer.allocUnsafe(length);
    const partial = old.copy(next, 0, this.#start, this.#end);
    this.#carried += partial;
    this.#buf = next;
    this.#start = 0;
    this.#end = partial;
    this.#saturated = false;
    this.#bulkBytes = 0;
    const free = this.#free();
    this.#limit = Math.max(size, free);
  }
}
