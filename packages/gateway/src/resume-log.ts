// The per-session log of numbered frames sent to a client, kept (bounded) so a resumed client gets
// exactly the frames it missed.
import { ResumeFailedError } from './errors.js';

/** Bounds of the log: whichever is reached first evicts the oldest frames. */
export interface ResumeLogLimits {
  maxFrames: number;
  maxBytes: number;
}

/**
 * Numbers the frames of a session 1, 2, 3... (across its connections) and keeps the latest ones.
 * The frames are stored as the exact bytes written (shared with other sessions for a broadcast), so
 * a replay is byte-identical to the original.
 */
export class ResumeLog {
  readonly #limits: ResumeLogLimits;
  /** Frames still held; `#frames[i]` has number `#firstSeq + i`. */
  #frames: Uint8Array[] = [];
  #head = 0;
  #firstSeq = 1;
  #bytes = 0;
  /** Number of the last frame recorded (0 before any). */
  #lastSeq = 0;

  constructor(limits: ResumeLogLimits) {
    this.#limits = limits;
  }

  /** Number of the last frame recorded. */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** Bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Numbers a frame and keeps it, evicting the oldest past the limits. */
  record(frame: Uint8Array): number {
    this.#frames.push(frame);
    this.#bytes += frame.length;
    this.#lastSeq++;
    while (this.#frames.length - this.#head > this.#limits.maxFrames || this.#bytes > this.#limits.maxBytes) {
      this.#bytes -= this.#frames[this.#head]!.length;
      this.#frames[this.#head] = EMPTY;
      this.#head++;
      this.#firstSeq++;
    }
    // Compact now and then so eviction stays O(1) amortised without an ever-growing array.
    if (this.#head > 1024 && this.#head * 2 > this.#frames.length) {
      this.#frames = this.#frames.slice(this.#head);
      this.#head = 0;
    }
    return this.#lastSeq;
  }

  /**
   * The frames numbered after `received`, in order. Throws `ResumeFailedError` when the client claims
   * frames never sent, or when some it missed were already evicted.
   */
  after(received: number): Uint8Array[] {
    if (!Number.isInteger(received) || received < 0)
      throw new ResumeFailedError(`received must be a count of frames, got ${received}`);
    if (received > this.#lastSeq)
      throw new ResumeFailedError(`the client counts ${received} frames but only ${this.#lastSeq} were sent`);
    if (received < this.#firstSeq - 1)
      throw new ResumeFailedError(
        `frames ${received + 1}..${this.#firstSeq - 1} are no longer held (the resume buffer keeps ` +
          `${this.#limits.maxFrames} frames / ${this.#limits.maxBytes} bytes)`,
      );
    const start = this.#head + (received - (this.#firstSeq - 1));
    return this.#frames.slice(start);
  }
}

const EMPTY = new Uint8Array(0);
