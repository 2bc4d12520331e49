// Credit accounting for streams: what a sender may still send, what a receiver grants back, and
// the per-link cap on bytes in flight. Pure arithmetic, no I/O.

/**
 * Credit every stream starts with in each direction, before any window update (yamux's 256 KiB).
 * A receiver configured with a larger window grants the difference as soon as the stream opens.
 */
export const INITIAL_WINDOW = 256 * 1024;

/** The sending half of a stream's flow control. */
export class SendWindow {
  /** Bytes the peer still accepts. */
  credit = INITIAL_WINDOW;
  /** Bytes sent that no window update has answered yet (they hold link budget). */
  unacked = 0;

  /** `n` bytes went out. */
  sent(n: number): void {
    this.credit -= n;
    this.unacked += n;
  }

  /** The peer granted `n` more bytes; returns how many sent bytes this acknowledges. */
  grant(n: number): number {
    this.credit += n;
    const acked = Math.min(n, this.unacked);
    this.unacked -= acked;
    return acked;
  }
}

/**
 * The receiving half. `granted` is everything the peer was ever allowed to send, `received` what it
 * sent; the reader consumed all received bytes but those still buffered. Credit goes back once the
 * peer's remaining allowance falls under half the window, so updates are few and large.
 *
 * The window tunes itself up to `maxWindow`: whenever an update is due while the reader holds nothing
 * back, the reader keeps up and the window (not the reader) is what paces the stream, so it doubles.
 * Waiting instead for the sender to run dry would grow it only when a whole window's round trip was
 * lost, which a sender with half a window in flight rarely shows (measured: a 256 KiB window stayed
 * put and held one loopback stream to a fifth of what 4 MiB carries). A reader that falls behind never
 * triggers growth, so a stalled stream keeps the window it had.
 */
export class ReceiveWindow {
  window: number;
  readonly maxWindow: number;
  granted = INITIAL_WINDOW;
  received = 0;

  constructor(window: number, maxWindow = window) {
    this.window = window;
    this.maxWindow = Math.max(window, maxWindow);
  }

  /** Records `n` received bytes; false when they exceed what the peer was granted. */
  receive(n: number): boolean {
    this.received += n;
    return this.received <= this.granted;
  }

  /**
   * Credit to send now, given `buffered` bytes not yet read (0 when none is due). The reader's
   * consumption raises the ceiling to `consumed + window`.
   */
  update(buffered: number): number {
    const consumed = this.received - buffered;
    let due = consumed + this.window - this.granted;
    if (due <= 0 || (due < this.window / 2 && this.granted - this.received > this.window / 2)) return 0;
    if (buffered === 0 && this.window < this.maxWindow) {
      this.window = Math.min(this.window * 2, this.maxWindow);
      due = consumed + this.window - this.granted;
    }
    this.granted += due;
    return due;
  }
}

/** The cap on bytes in flight over one link, shared by all its streams. */
export class LinkBudget {
  readonly cap: number;
  inFlight = 0;

  constructor(cap: number) {
    this.cap = cap;
  }

  get available(): number {
    return Math.max(0, this.cap - this.inFlight);
  }

  take(n: number): void {
    this.inFlight += n;
  }

  release(n: number): void {
    this.inFlight = Math.max(0, this.inFlight - n);
  }
}
