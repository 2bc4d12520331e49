// Fault injection for one link: frames held back for a fixed delay, then released in order.

/**
 * A FIFO of encoded frames, each released `ms` after it was queued (never before one queued earlier,
 * so order holds when the delay shrinks). `release` hands a frame on; if it throws (the link is full),
 * the rest is dropped and counted through `onDropped`, as on a real slow link.
 */
export class DelayLine {
  private frames: { due: number; frame: Buffer }[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly release: (frame: Buffer) => void,
    private readonly onDropped: (frames: number, err: unknown) => void,
  ) {}

  /** Frames held back. */
  get size(): number {
    return this.frames.length;
  }

  push(frame: Buffer, ms: number): void {
    const now = Date.now();
    const last = this.frames.at(-1);
    const due = Math.max(now + ms, last === undefined ? 0 : last.due);
    this.frames.push({ due, frame });
    if (this.timer === null) this.timer = setTimeout(this.releaseDue, due - now);
  }

  /** Releases everything now (the delay was cleared). */
  flush(): void {
    this.releaseUpTo(Number.POSITIVE_INFINITY);
  }

  /** Drops everything held (the link shut down). */
  clear(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.frames = [];
  }

  private readonly releaseDue = (): void => {
    this.releaseUpTo(Date.now());
  };

  private releaseUpTo(limit: number): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    let i = 0;
    try {
      for (; i < this.frames.length && this.frames[i]!.due <= limit; i++) this.release(this.frames[i]!.frame);
    } catch (err) {
      this.onDropped(this.frames.length - i, err);
      i = this.frames.length;
    }
    this.frames = this.frames.slice(i);
    const next = this.frames[0];
    if (next !== undefined) this.timer = setTimeout(this.releaseDue, Math.max(0, next.due - Date.now()));
  }
}
