// One client connection: incremental frame decoding, heartbeat echo, outbound coalescing with a
// byte bound (slow clients), and closing with a notice. Knows frames, not sessions or routes.
import {
  encodeFrame,
  encodeMessage,
  FRAME_HEADER,
  FrameReader,
  isValidMsgId,
  MsgId,
  WireProtocolError,
} from '@troupe/client/wire';
import type { ClientSocket, SocketEvents } from './socket.js';

/** Largest heartbeat payload echoed. */
export const MAX_HEARTBEAT_PAYLOAD = 64;

/** What a connection needs from the gateway. */
export interface ConnectionHost {
  readonly maxFrame: number;
  readonly maxOutboundBytes: number;
  /** A frame other than a heartbeat arrived. */
  frame(conn: Connection, msgId: number, payload: Uint8Array): void;
  /**
   * The connection ended (once): closed by the gateway (at once, without waiting for a client that
   * may not read) or by the client. `conn.closeReason` says why.
   */
  closed(conn: Connection): void;
  /** The gateway closes this connection with a notice: counted under `refusals` by code, and logged. */
  refused(conn: Connection, code: string, message: string): void;
  /** Bytes in and out, for metrics. */
  bytes(direction: 'in' | 'out', n: number): void;
}

/** The big-endian u32 at `at` (read by hand: no DataView per message). */
function u32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

/** The NOTICE frame for `code`. */
export function noticeFrame(code: string, message: string, data?: unknown): Uint8Array {
  return encodeFrame(
    MsgId.Notice,
    encodeMessage(data === undefined ? { code, message } : { code, message, data }),
  );
}

/**
 * A client connection. Outbound frames are queued and written once per turn (one WebSocket message
 * carries them all); queued plus socket-buffered bytes past `maxOutboundBytes` close the connection
 * with SLOW_CLIENT, so one stalled reader costs others nothing.
 */
export class Connection implements SocketEvents {
  /** Set by the gateway once the connection carries a session. */
  owner: unknown;
  /** Last time a frame arrived (ms). */
  lastActive = Date.now();
  /** Why the connection closed (`closed` when the client went away). */
  closeReason = 'closed';
  readonly socket: ClientSocket;
  readonly #host: ConnectionHost;
  /**
   * Held only while a frame is incomplete: an idle connection (most of them) keeps no decoder state,
   * which is worth a few hundred bytes each at tens of thousands of sessions per gateway.
   */
  #reader: FrameReader | undefined;
  /** Frames waiting for this turn's write; made when the first one comes. */
  #out: Uint8Array[] | undefined;
  #outBytes = 0;
  #flushQueued = false;
  #closing = false;
  #gone = false;

  constructor(socket: ClientSocket, host: ConnectionHost) {
    this.socket = socket;
    this.#host = host;
  }

  /** Whether frames can still be sent. */
  get open(): boolean {
    return !this.#closing && !this.#gone;
  }

  data(chunk: Uint8Array): void {
    if (this.#closing || this.#gone) return;
    this.#host.bytes('in', chunk.length);
    this.lastActive = Date.now();
    try {
      if (this.#reader === undefined && this.#wholeFrame(chunk)) return;
      const reader = this.#reader ?? new FrameReader(this.#host.maxFrame);
      this.#reader = reader;
      reader.push(chunk, (msgId, payload) => this.#frame(msgId, payload));
      if (reader.buffered === 0) this.#reader = undefined;
    } catch (err) {
      const code = err instanceof WireProtocolError ? err.code : 'PROTOCOL_ERROR';
      this.close(code, (err as Error).message, `protocol: ${(err as Error).message}`);
    }
  }

  /**
   * The common case, a chunk that is exactly one valid frame (a WebSocket message carrying one
   * request): handled without a reader, a copy or a closure. Anything else returns false for the
   * reader, which also reports what is wrong with it.
   */
  #wholeFrame(chunk: Uint8Array): boolean {
    if (chunk.length < FRAME_HEADER) return false;
    const msgId = u32(chunk, 0);
    const length = u32(chunk, 4);
    if (length !== chunk.length - FRAME_HEADER || length > this.#host.maxFrame || !isValidMsgId(msgId))
      return false;
    this.#frame(msgId, chunk.subarray(FRAME_HEADER));
    return true;
  }

  #frame(msgId: number, payload: Uint8Array): void {
    if (this.#closing) return;
    if (msgId === MsgId.Heartbeat) {
      if (payload.length > MAX_HEARTBEAT_PAYLOAD)
        throw new WireProtocolError(
          'PROTOCOL_ERROR',
          `heartbeat payload over ${MAX_HEARTBEAT_PAYLOAD} bytes`,
        );
      this.send(encodeFrame(MsgId.Heartbeat, payload));
      return;
    }
    this.#host.frame(this, msgId, payload);
  }

  invalid(reason: string): void {
    this.close('PROTOCOL_ERROR', reason, `protocol: ${reason}`);
  }

  closed(): void {
    if (this.#gone) return;
    this.#gone = true;
    this.#out = undefined;
    this.#outBytes = 0;
    this.#ended();
  }

  #endedOnce = false;

  #ended(): void {
    if (this.#endedOnce) return;
    this.#endedOnce = true;
    this.#host.closed(this);
  }

  /**
   * Queues a whole frame for this turn's write; returns false when the connection is closing or was
   * just found slow. `now` writes at once when nothing is queued (a fan-out reaching thousands of
   * connections in one turn: no per-connection queue or flush task, and order is kept).
   */
  send(frame: Uint8Array, now = false): boolean {
    if (this.#closing || this.#gone) return false;
    if (this.#outBytes + this.socket.buffered + frame.length > this.#host.maxOutboundBytes) {
      this.close(
        'SLOW_CLIENT',
        `more than ${this.#host.maxOutboundBytes} bytes waited for this client`,
        'slow',
      );
      return false;
    }
    if (now && this.#out === undefined) {
      this.#host.bytes('out', frame.length);
      this.socket.write(frame);
      return true;
    }
    this.#queue(frame);
    return true;
  }

  /** Sends a notice, flushes, and closes. Idempotent; `reason` is what `closeReason` reports. */
  close(code: string, message: string, reason: string, data?: unknown): void {
    if (this.#closing || this.#gone) return;
    this.closeReason = reason;
    this.#host.refused(this, code, message);
    this.#queue(noticeFrame(code, message, data));
    this.#closing = true;
    this.#flush();
    this.socket.end();
    this.#ended();
  }

  /** Closes without a notice (the session moved to another connection, or the gateway is killed). */
  drop(reason: string): void {
    if (this.#gone) return;
    if (!this.#closing) this.closeReason = reason;
    this.#closing = true;
    this.#flush();
    this.socket.end();
    this.#ended();
  }

  #queue(frame: Uint8Array): void {
    this.#out ??= [];
    this.#out.push(frame);
    this.#outBytes += frame.length;
    if (!this.#flushQueued) {
      this.#flushQueued = true;
      queueMicrotask(() => this.#flush());
    }
  }

  #flush(): void {
    this.#flushQueued = false;
    const queued = this.#out;
    if (queued === undefined || queued.length === 0 || this.#gone) return;
    const out = queued.length === 1 ? queued[0]! : Buffer.concat(queued, this.#outBytes);
    this.#host.bytes('out', this.#outBytes);
    this.#out = undefined;
    this.#outBytes = 0;
    this.socket.write(out);
  }
}
