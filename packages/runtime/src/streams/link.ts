// The streams of one peer link: their keys, the link's cap on bytes in flight, and writers waiting.
import { Addr } from '@troupe/transport';
import type { ExtensionHost } from '../node/extension.js';
import { encodeControl, encodeCredit, encodeDataHead, encodeFin, StreamKind } from './protocol.js';
import type { StreamLink, TroupeStream } from './stream.js';
import { LinkBudget } from './window.js';

/**
 * How a link hands frames to the node: `host.send`, or a loopback for streams within one node. `head`
 * goes ahead of `body` in the frame (a data frame's key ahead of the writer's bytes, never copied
 * together).
 */
export type FrameSender = (peer: Addr, kind: number, body: Uint8Array, head?: Buffer) => void;

/** Streams over the link to one peer. */
export class LinkStreams implements StreamLink {
  readonly peer: Addr;
  readonly streams = new Map<number, TroupeStream>();
  readonly #host: ExtensionHost;
  readonly #sendFrame: FrameSender;
  readonly #budget: LinkBudget;
  readonly #waiters = new Set<TroupeStream>();
  readonly #loopback: boolean;
  #drainArmed = false;
  #nextId = 1;
  bytesOut = 0;

  constructor(host: ExtensionHost, peer: Addr, linkWindow: number, sendFrame: FrameSender) {
    this.#host = host;
    this.peer = peer;
    this.#sendFrame = sendFrame;
    this.#budget = new LinkBudget(linkWindow);
    this.#loopback = peer === host.addr;
  }

  /** A fresh id for a stream this side opens (31 bits, skipping ids in use). */
  allocateId(): number {
    for (;;) {
      const id = this.#nextId;
      this.#nextId = id >= 0x7fffffff ? 1 : id + 1;
      if (!this.streams.has(id)) return id;
    }
  }

  allowance(): number {
    if (this.#loopback) return Number.POSITIVE_INFINITY;
    if (!this.#host.writable(this.peer)) return 0;
    return this.#budget.available;
  }

  sendData(key: number, chunk: Uint8Array, start: number, end: number): void {
    this.#sendFrame(this.peer, StreamKind.Data, chunk.subarray(start, end), encodeDataHead(key));
    this.#budget.take(end - start);
    this.bytesOut += end - start;
  }

  sendCredit(key: number, bytes: number): void {
    this.#sendFrame(this.peer, StreamKind.Credit, encodeCredit(key, bytes));
  }

  sendFin(key: number): void {
    this.#sendFrame(this.peer, StreamKind.Fin, encodeFin(key));
  }

  sendReset(key: number, code: string, message: string): void {
    this.#sendFrame(this.peer, StreamKind.Reset, encodeControl([key, code, message]));
  }

  wait(stream: TroupeStream): void {
    this.#waiters.add(stream);
    if (this.#drainArmed || this.#host.writable(this.peer)) return;
    // Not writable: the transport says when the link drains. Over the cap: `release` wakes writers.
    this.#drainArmed = true;
    this.#host.onDrain(this.peer, () => {
      this.#drainArmed = false;
      this.#wake();
    });
  }

  release(bytes: number): void {
    if (bytes <= 0) return;
    this.#budget.release(bytes);
    this.#wake();
  }

  forget(stream: TroupeStream): void {
    if (this.streams.get(stream.key) === stream) this.streams.delete(stream.key);
    this.#waiters.delete(stream);
  }

  /** Ends every stream of the link with `error` (the peer went down, the node is stopping). */
  failAll(error: Error): void {
    for (const stream of [...this.streams.values()]) stream.fail(error);
    this.streams.clear();
    this.#waiters.clear();
  }

  /** Resets every stream of the link with code CLOSED; they close here without an error. */
  closeAll(): void {
    for (const stream of [...this.streams.values()]) stream.reset('CLOSED', 'the node is stopping');
    this.streams.clear();
    this.#waiters.clear();
  }

  get inFlight(): number {
    return this.#budget.inFlight;
  }

  toString(): string {
    return Addr.format(this.peer);
  }

  /** Lets waiting writers try again, in the order they started waiting. */
  #wake(): void {
    if (this.#waiters.size === 0) return;
    const waiting = [...this.#waiters];
    this.#waiters.clear();
    for (const stream of waiting) {
      if (this.allowance() <= 0) {
        this.wait(stream);
        continue;
      }
      stream.pump();
    }
  }
}
