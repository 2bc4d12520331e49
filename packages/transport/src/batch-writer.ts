// The batch writer of one socket: frames gathered in an OutBuffer, written in one `socket.write`, counted.
import type { Socket } from 'node:net';
import { OutBuffer } from './outbuf.js';

/**
 * Bodies from this size up are not copied into the batch: the batch (ending with the body's frame
 * header) and the body go to the socket as two chunks of one corked write. Below it one copy costs
 * less than the extra chunk.
 */
export const DIRECT_BODY_MIN = 32 * 1024;

/** What a batch writer counts: the connection's own traffic, and (with `writes`) the transport's totals. */
export interface WriteCounters {
  framesOut: number;
  bytesOut: number;
}

/**
 * Holds the frames encoded since the last write and writes them in one `socket.write`. While the socket
 * is saturated (write returned false) it gathers until `drained()`. It knows how many frames each write
 * carried, so a connection that dies can count what it lost (at-most-once, but never silently).
 */
export class BatchWriter {
  /** Frames encoded for the next write (allocated by the first frame). */
  readonly out = new OutBuffer();
  private waitingDrain = false;
  /** Frames per write handed to the socket and not yet confirmed written. */
  private readonly inflight: number[] = [];
  private lost = 0;

  constructor(
    private readonly socket: Socket,
    private readonly totals: WriteCounters & { writes: number },
    private readonly traffic: WriteCounters,
    /** A write completed: the bytes queued for the socket went down. */
    private readonly onWritten: () => void,
  ) {}

  /** Bytes queued for this socket: written but not yet taken by the kernel, plus the batch. */
  get queuedBytes(): number {
    return this.socket.writableLength + this.out.len;
  }

  /**
   * Writes the batch now unless it is empty or the socket is saturated; `evenIfSaturated` writes anyway
   * (the last batch before the socket is ended, which Node buffers).
   */
  write(evenIfSaturated = false): void {
    if ((this.waitingDrain && !evenIfSaturated) || this.out.len === 0) return;
    const frames = this.out.frames;
    const chunk = this.out.take();
    const totals = this.totals;
    totals.framesOut += frames;
    totals.bytesOut += chunk.length;
    totals.writes++;
    this.traffic.framesOut += frames;
    this.traffic.bytesOut += chunk.length;
    this.inflight.push(frames);
    if (!this.socket.write(chunk, this.written)) this.waitingDrain = true;
  }

  /**
   * Writes the batch, which ends with the header of a frame whose `body` follows, then `body` itself,
   * without copying it: the socket holds the caller's bytes until written. Written even while the
   * socket is saturated, since the batch already declares the body (the caller's cap on queued bytes
   * bounds what Node buffers).
   */
  writeWith(body: Uint8Array): void {
    const frames = this.out.frames;
    const chunk = this.out.take();
    const bytes = chunk.length + body.length;
    const totals = this.totals;
    totals.framesOut += frames;
    totals.bytesOut += bytes;
    totals.writes++;
    this.traffic.framesOut += frames;
    this.traffic.bytesOut += bytes;
    this.inflight.push(frames);
    const socket = this.socket;
    socket.cork();
    socket.write(chunk);
    const ok = socket.write(body, this.written);
    socket.uncork();
    if (!ok) this.waitingDrain = true;
  }

  /** The socket drained: `write()` may go on. */
  drained(): void {
    this.waitingDrain = false;
  }

  /** Drops everything not yet confirmed written; returns how many frames that was. */
  drop(): number {
    let dropped = this.out.frames + this.lost;
    for (const n of this.inflight) dropped += n;
    this.inflight.length = 0;
    this.lost = 0;
    this.out.clear();
    return dropped;
  }

  private readonly written = (err?: Error | null): void => {
    const n = this.inflight.shift() ?? 0;
    if (err) this.lost += n;
    else this.onWritten();
  };
}
