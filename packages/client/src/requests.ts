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
export interface PendingRequests {
  /** The next request id (1..2^32-1, wrapping; skipping ids still in flight). */
  nextId(): number;
  /** Registers request `id`; the promise settles on its response, its timeout, its signal or `failAll`. */
  add(
    id: number,
    msgId: number,
    decode: (body: Uint8Array) => unknown,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<unknown>;
  /** Settles request `id` from a RESPONSE; false when no such request waits (late, or already settled). */
  settle(id: number, status: number, body: Uint8Array): boolean;
  /** Rejects every waiting request with `error(msgId)`. */
  failAll(error: (msgId: number) => ClientError): void;
}

/** Makes an empty request table. */
export function pendingRequests(): PendingRequests {
  const pending = new Map<number, Pending>();
  let lastId = 0;

  function finish(id: number): Pending | undefined {
    const entry = pending.get(id);
    if (!entry) return undefined;
    pending.delete(id);
    clearTimeout(entry.timer);
    if (entry.onAbort) entry.signal?.removeEventListener('abort', entry.onAbort);
    return entry;
  }

  return {
    nextId() {
      do lastId = (lastId % 0xffffffff) + 1;
      while (pending.has(lastId));
      return lastId;
    },
    add(id, msgId, decode, timeoutMs, signal) {
      return new Promise<unknown>((resolve, reject) => {
        const entry: Pending = {
          msgId,
          decode,
          resolve,
          reject,
          signal,
          onAbort: undefined,
          timer: setTimeout(() => finish(id)?.reject(new RequestTimeoutError(msgId, timeoutMs)), timeoutMs),
        };
        if (signal) {
          entry.onAbort = () => finish(id)?.reject(new RequestAbortedError(msgId, signal.reason));
          signal.addEventListener('abort', entry.onAbort, { once: true });
        }
        pending.set(id, entry);
      });
    },
    settle(id, status, body) {
      const entry = finish(id);
      if (!entry) return false;
      try {
        if (status === 0) {
          entry.resolve(entry.decode(body));
        } else {
          const error = decodeNotice(body);
          entry.reject(new RemoteError(error.code, error.message, error.data));
        }
      } catch (err) {
        entry.reject(new CodecError(`undecodable response to msgId ${entry.msgId}`, { cause: err }));
      }
      return true;
    },
    failAll(error) {
      for (const id of [...pending.keys()]) {
        const entry = finish(id);
        entry?.reject(error(entry.msgId));
      }
    },
  };
}
