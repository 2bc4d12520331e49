// Per-peer backpressure for extensions: whether a link takes more bytes now, and a call when it drains.
import type { Addr, TcpTransport } from '@troupe/transport';

/** The transport's writable/drain signals (`TcpTransport#writable` and its `drain` event). */
interface DrainingTransport {
  writable?(peer: Addr): boolean;
  on(event: 'drain', fn: (peer: Addr) => void): unknown;
  off(event: 'drain', fn: (peer: Addr) => void): unknown;
}

/**
 * Waiters for links to drain. A transport without the writable signal reports every link writable,
 * so waiters run at once (nothing is ever held back waiting for a signal that cannot come).
 */
export class BackpressureSignals {
  readonly #transport: DrainingTransport;
  readonly #waiters = new Map<number, Array<() => void>>();
  readonly #onDrain = (peer: Addr): void => {
    const fns = this.#waiters.get(peer);
    if (fns === undefined) return;
    this.#waiters.delete(peer);
    for (const fn of fns) fn();
  };

  constructor(transport: TcpTransport) {
    this.#transport = transport as unknown as DrainingTransport;
    this.#transport.on('drain', this.#onDrain);
  }

  writable(peer: Addr): boolean {
    const t = this.#transport;
    return typeof t.writable === 'function' ? t.writable(peer) : true;
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
