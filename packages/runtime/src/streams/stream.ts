// One stream as a Node `Duplex`: credit-limited writes, window updates as the reader consumes.
import { Duplex } from 'node:stream';
import type { Addr } from '@troupe/transport';
import { StreamProtocolError, StreamResetError } from './errors.js';
import { canReceive, canSend, isFinal, type StreamState, transition } from './state.js';
import { ReceiveWindow, SendWindow } from './window.js';

/** What a stream needs of the link it runs over (implemented per peer by the extension). */
export interface StreamLink {
  readonly peer: Addr;
  /** Bytes any stream may send on the link now: 0 while the link is over its cap or not writable. */
  allowance(): number;
  sendData(key: number, chunk: Uint8Array, start: number, end: number): void;
  sendCredit(key: number, bytes: number): void;
  sendFin(key: number): void;
  sendReset(key: number, code: string, message: string): void;
  /** Calls `stream.pump()` once the link has allowance again. */
  wait(stream: TroupeStream): void;
  /** Sent bytes acknowledged by a window update (or abandoned): they leave the link's budget. */
  release(bytes: number): void;
  /** The stream is over: drop it from the link. */
  forget(stream: TroupeStream): void;
}

interface PendingWrite {
  chunk: Uint8Array;
  offset: number;
  callback: (error?: Error | null) => void;
}

/** Readable buffer mark: above it the stream stops granting credit until the reader catches up. */
const READ_HIGH_WATER = 64 * 1024;

/**
 * A flow-controlled byte stream to an actor on another node. Writes go out as long as the peer's
 * window and the link's cap allow and wait otherwise; a reader that stops reading stops granting
 * credit, which stalls this stream's writer and nothing else. `end()` half-closes, `destroy()` (or
 * `reset()`) aborts both ways; a reset by the peer or its node going down destroys the stream with
 * the reason as its error.
 */
export class TroupeStream extends Duplex {
  /** This side's key for the stream on its link (the opener's id, with the top bit on the accepting side). */
  readonly key: number;
  /** The node at the other end. */
  readonly peer: Addr;
  /** Whatever the opener passed as `meta` (msgpack-encodable). */
  readonly meta: unknown;
  /** Whether this side opened the stream. */
  readonly initiator: boolean;
  readonly #link: StreamLink;
  readonly #send = new SendWindow();
  readonly #recv: ReceiveWindow;
  readonly #maxChunk: number;
  #state: StreamState = 'open';
  #pending: PendingWrite | undefined;

  /** @internal Made by the streams extension. */
  constructor(
    link: StreamLink,
    key: number,
    meta: unknown,
    initiator: boolean,
    window: number,
    maxChunk: number,
    maxWindow = window,
  ) {
    super({ allowHalfOpen: true, readableHighWaterMark: READ_HIGH_WATER });
    this.#link = link;
    this.key = key;
    this.peer = link.peer;
    this.meta = meta;
    this.initiator = initiator;
    this.#recv = new ReceiveWindow(window, maxWindow);
    this.#maxChunk = maxChunk;
  }

  /** Where the stream is in its lifecycle. */
  get state(): StreamState {
    return this.#state;
  }

  /** Aborts the stream both ways; the peer's side fails with `StreamResetError(code)`. */
  reset(code = 'CANCELLED', message = 'stream reset'): void {
    if (isFinal(this.#state)) return;
    this.#state = 'reset';
    this.#link.sendReset(this.key, code, message);
    this.destroy();
  }

  // ---- Duplex ------------------------------------------------------------------------------------

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#pending = { chunk, offset: 0, callback };
    this.pump();
  }

  override _final(callback: (error?: Error | null) => void): void {
    const next = transition(this.#state, 'sendFin');
    if (next === undefined) {
      callback();
      return;
    }
    try {
      this.#link.sendFin(this.key);
    } catch (err) {
      callback(err as Error);
      return;
    }
    this.#state = next;
    if (isFinal(next)) this.#finish();
    callback();
  }

  override _read(): void {
    this.#grant();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!isFinal(this.#state)) {
      this.#state = 'reset';
      const code = (error as { code?: unknown } | null)?.code;
      try {
        this.#link.sendReset(
          this.key,
          typeof code === 'string' ? code : 'CANCELLED',
          error?.message ?? 'stream destroyed',
        );
      } catch {
        // The link is gone: the peer's side ends with it.
      }
    }
    this.#finish();
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.callback(error ?? new StreamResetError('CANCELLED', 'stream destroyed'));
    callback(error);
  }

  // ---- called by the link ------------------------------------------------------------------------

  /** @internal Sends what the window and the link allow of the pending write. */
  pump(): void {
    const p = this.#pending;
    if (p === undefined) return;
    if (!canSend(this.#state)) {
      this.#pending = undefined;
      p.callback(new StreamResetError('CANCELLED', `stream ${this.key} can no longer send`));
      return;
    }
    while (p.offset < p.chunk.length) {
      const n = Math.min(
        p.chunk.length - p.offset,
        this.#send.credit,
        this.#maxChunk,
        this.#link.allowance(),
      );
      if (n <= 0) {
        // Out of stream credit: the peer's window update pumps again. Out of link allowance: the link does.
        if (this.#send.credit > 0) this.#link.wait(this);
        return;
      }
      try {
        this.#link.sendData(this.key, p.chunk, p.offset, p.offset + n);
      } catch (err) {
        this.#pending = undefined;
        p.callback(err as Error);
        return;
      }
      this.#send.sent(n);
      p.offset += n;
    }
    this.#pending = undefined;
    p.callback();
  }

  /** @internal Grants the configured window beyond the initial one, right after opening. */
  grantInitial(): void {
    this.#grant();
  }

  /** @internal */
  onData(bytes: Buffer): void {
    if (!canReceive(this.#state)) {
      this.#violation(`data after the peer's FIN on stream ${this.key}`);
      return;
    }
    if (!this.#recv.receive(bytes.length)) {
      this.#violation(`data past the granted window on stream ${this.key}`);
      return;
    }
    this.push(this.#keepable(bytes));
    this.#grant();
  }

  /** @internal */
  onCredit(bytes: number): void {
    this.#link.release(this.#send.grant(bytes));
    this.pump();
  }

  /** @internal */
  onFin(): void {
    const next = transition(this.#state, 'recvFin');
    if (next === undefined) {
      this.#violation(`a second FIN on stream ${this.key}`);
      return;
    }
    this.#state = next;
    this.push(null);
    if (isFinal(next)) this.#finish();
  }

  /** @internal The peer reset the stream. */
  onReset(code: string, message: string): void {
    if (isFinal(this.#state)) return;
    this.#state = 'reset';
    this.destroy(new StreamResetError(code, message));
  }

  /** @internal The link is gone (peer down, extension stopping). */
  fail(error: Error): void {
    if (this.destroyed) return;
    this.#state = 'reset';
    this.destroy(error);
  }

  #grant(): void {
    if (!canReceive(this.#state)) return;
    const due = this.#recv.update(this.readableLength);
    if (due > 0) {
      try {
        this.#link.sendCredit(this.key, due);
      } catch (err) {
        this.fail(err as Error);
      }
    }
  }

  /**
   * A reader that keeps up takes the bytes as they are: a view of the link's read buffer, gone once read.
   * Bytes that will wait in the readable buffer (the reader paused, or behind) are copied first, so a slow
   * or stalled reader holds only its own bytes, not the read buffers they arrived in with other streams'.
   */
  #keepable(bytes: Buffer): Buffer {
    const waits = this.readableFlowing !== true || this.readableLength > 0;
    return waits && bytes.length < bytes.buffer.byteLength ? Buffer.from(bytes) : bytes;
  }

  #violation(message: string): void {
    this.#state = 'reset';
    const error = new StreamProtocolError(message);
    try {
      this.#link.sendReset(this.key, error.code, message);
    } catch {
      // The link is gone anyway.
    }
    this.destroy(error);
  }

  /** The stream is over: its unacknowledged bytes leave the link budget and the link forgets it. */
  #finish(): void {
    this.#link.release(this.#send.unacked);
    this.#send.unacked = 0;
    this.#link.forget(this);
  }
}
