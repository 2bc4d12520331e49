// Requests in flight: one id, one deadline and one place that settles and unregisters each.

import {
  type ClientError,
  CodecError,
  RemoteError,
  RequestAbortedError,
  RequestTimeoutError,
} from './errors.js';
import { decodeNotice } from './messages.js';

interface Pending {
  msgId: number;
  decode: (body: Uint8Array) => unknown;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/** The table of requests waiting for their RESPONSE. */
export class PendingRequests {
  readonly #pending = new Map<number, Pending>();
  #lastId = 0;

  /** Requests waiting. */
  get size(): number {
    return this.#pending.size;
  }

  /** The next request id (1..2^32-1, wrapping; skipping ids still in flight). */
  nextId(): number {
    do this.#lastId = (this.#lastId % 0xffffffff) + 1;
    while (this.#pending.has(this.#lastId));
    return this.#lastId;
  }

  /** Registers request `id`; the promise settles on its response, its timeout, its signal or `failAll`. */
  add(
    id: number,
    msgId: number,
    decode: (body: Uint8Array) => unknown,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    return new Promise<unknown>((resolve, reject) => {
      const entry: Pending = {
        msgId,
        decode,
        resolve,
        reject,
        signal,
        onAbort: undefined,
        timer: setTimeout(
          () => this.#finish(id)?.reject(new RequestTimeoutError(msgId, timeoutMs)),
          timeoutMs,
        ),
      };
      if (signal) {
        entry.onAbort = () => this.#finish(id)?.reject(new RequestAbortedError(msgId, signal.reason));
        signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      this.#pending.set(id, entry);
    });
  }

  /** Settles request `id` from a RESPONSE; false when no such request waits (late, or already settled). */
  settle(id: number, status: number, body: Uint8Array): boolean {
    const entry = this.#finish(id);
    if (!entry) return false;
    try {
      if (status === 0) {
        entry.resolve(entry.decode(body));
      } else {
        const error = decodeNotice(body);
        entry.reject(new RemoteError(error.code, error.message, error.data));
      }
    } catch (err) {
      entry.reject(new CodecError(`response to msgId ${entry.msgId} could not be decoded`, { cause: err }));
    }
    return true;
  }

  /** Rejects every waiting request with `error(msgId)`. */
  failAll(error: (msgId: number) => ClientError): void {
    for (const id of [...this.#pending.keys()]) {
      const entry = this.#finish(id);
      entry?.reject(error(entry.msgId));
    }
  }

  #finish(id: number): Pending | undefined {
    const entry = this.#pending.get(id);
    if (!entry) return undefined;
    this.#pending.delete(id);
    clearTimeout(entry.timer);
    if (entry.onAbort) entry.signal?.removeEventListener('abort', entry.onAbort);
    return entry;
  }
}
