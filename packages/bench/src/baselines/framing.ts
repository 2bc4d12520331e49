// The raw-TCP baselines' wire: `u32 length | u32 id | msgpack body`, read incrementally, written in batches.
import type { Socket } from 'node:net';

const HEADER = 8;
const SLAB = 64 * 1024;

/**
 * Splits a byte stream into frames. `onFrame` gets the chunk and the body's bounds rather than a view per frame,
 * so the decoder can read many bodies out of one buffer (msgpackr caches one DataView per buffer).
 */
export class FrameReader {
  private rest: Buffer | undefined;

  constructor(private readonly onFrame: (id: number, buf: Buffer, start: number, end: number) => void) {}

  push(chunk: Buffer): void {
    const buf = this.rest === undefined ? chunk : Buffer.concat([this.rest, chunk]);
    let off = 0;
    while (buf.length - off >= HEADER) {
      const length = buf.readUInt32BE(off);
      if (buf.length - off - 4 < length) break;
      this.onFrame(buf.readUInt32BE(off + 4), buf, off + HEADER, off + 4 + length);
      off += 4 + length;
    }
    this.rest = off === buf.length ? undefined : buf.subarray(off);
  }
}

/**
 * Collects frames and writes them with one `socket.write` per flush. Frames are packed forward into a 64 KiB
 * slab; bytes handed to the socket are never overwritten, a full slab is replaced by a fresh one.
 */
export class BatchWriter {
  private slab = Buffer.allocUnsafe(SLAB);
  private start = 0;
  private end = 0;
  private scheduled = false;

  constructor(private readonly socket: Socket) {}

  /** Bytes waiting for the next flush. */
  get buffered(): number {
    return this.end - this.start;
  }

  add(id: number, body: Uint8Array): void {
    const need = HEADER + body.length;
    if (this.end + need > this.slab.length) {
      this.flush();
      this.slab = Buffer.allocUnsafe(Math.max(SLAB, need));
      this.start = 0;
      this.end = 0;
    }
    this.slab.writeUInt32BE(4 + body.length, this.end);
    this.slab.writeUInt32BE(id, this.end + 4);
    this.slab.set(body, this.end + HEADER);
    this.end += need;
  }

  /** Adds a frame and flushes at the end of the current turn (a microtask), as nats.js does. */
  addAndSchedule(id: number, body: Uint8Array): void {
    this.add(id, body);
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.flushScheduled);
    }
  }

  private readonly flushScheduled = (): void => {
    this.scheduled = false;
    this.flush();
  };

  /** Writes everything buffered in one write; returns the socket's verdict (false: wait for 'drain'). */
  flush(): boolean {
    if (this.end === this.start) return !this.socket.writableNeedDrain;
    const out = this.slab.subarray(this.start, this.end);
    this.start = this.end;
    return this.socket.write(out);
  }
}
