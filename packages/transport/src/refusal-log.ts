// Refused handshakes, counted by reason and logged at a bounded rate: one line, then one summary per interval.
import type { Logger } from 'pino';

/**
 * Anyone who can reach the port can make this node refuse handshakes, as fast as it can connect. Each
 * refusal is counted; the first of an interval is reported in full (logged, and `record` returns true so
 * the caller emits its error event), the rest of that interval only in one summary line at its end.
 */
export class RefusalLog {
  /** Refusals so far, by reason (a `RejectCode`, `TIMEOUT`, `TOO_MANY_HANDSHAKES`, `TLS`). */
  readonly counts: Record<string, number> = {};
  private suppressed: Record<string, number> = {};
  private suppressedTotal = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  /** Counts a refusal that the caller reports itself (one of our own dials: paced by the backoff). */
  count(reason: string): void {
    this.counts[reason] = (this.counts[reason] ?? 0) + 1;
  }

  /**
   * Counts one refusal. Returns true when this one is to be reported in full (the first of the
   * interval, which it logs with `details`); false when it only goes into the interval's summary.
   */
  record(reason: string, details: Record<string, unknown>, message: string): boolean {
    this.count(reason);
    if (this.timer === null) {
      this.timer = setTimeout(this.summarize, this.intervalMs);
      this.timer.unref();
      this.log.warn({ ...details, refused: reason }, message);
      return true;
    }
    this.suppressed[reason] = (this.suppressed[reason] ?? 0) + 1;
    this.suppressedTotal++;
    return false;
  }

  /** Logs what the current interval suppressed, and stops the timer. */
  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.summarize();
  }

  private readonly summarize = (): void => {
    this.timer = null;
    if (this.suppressedTotal === 0) return;
    this.log.warn(
      { refused: this.suppressed, intervalMs: this.intervalMs },
      `${this.suppressedTotal} more handshakes refused`,
    );
    this.suppressed = {};
    this.suppressedTotal = 0;
  };
}
