// Per-peer backpressure for extensions: whether a link takes more bytes now, and a call when it drains.
import type { Addr, TcpTransport } from '@troupe/transport';

/** Waiters for links to drain, over the transport's `writable` and `drain` signals. */
export class BackpressureSignals {
  readonly #transport: TcpTransport;
  readonly #waiters = new Map<number, Array<() => void>>();
  readonly #onDrain = (peer: Addr): void => {
    const fns = this.#waiters.get(peer);
    if (fns === undefined) return;
    this.#waiters.delete(peer);
    for (const fn of fns) fn();
  };

  constructor(transport: TcpTransport) {
    this.#transport = transport;
    this.#transport.on('drain', this.#onDrain);
  }

  writable(peer: Addr): boolean {
    return this.#transport.writable(peer);
  }

  /** Calls `fn` once when `peer`'s link drains below its high-water mark, or now if it is below. */
  onDrain(peer: Addr, fn: () => void): void {
    if (this.writable(peer)) {
      queueMicrotask(fn);
      return;
    }
    const fns = this.#waiters.get(peer);
    if (fns === undefined) this.#waiters.set(peer, [fn]);
    else fns.push(fn);
  }

  /** Runs the waiters of `peer` now (its link is gone: it will not drain). */
  release(peer: Addr): void {
    this.#onDrain(peer);
  }

  close(): void {
    this.#transport.off('drain', this.#onDrain);
    this.#waiters.clear();
  }
}
