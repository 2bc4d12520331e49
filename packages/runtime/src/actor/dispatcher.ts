// Runs ready actors: a run queue drained in microtasks, a per-actor budget, and a per-turn budget after
// which it yields to I/O with setImmediate. Nothing thrown by one runnable stops the others.
import { Queue } from './queue.js';

/**
 * Runs are queued as reactions of a settled promise rather than with `queueMicrotask`, which creates an
 * `AsyncResource` per call: the run after an inbound frame starts sooner (a micro-benchmark's echo hop, data
 * to write, fell by about 1 µs).
 */
const RESOLVED = Promise.resolve();

/** Something the dispatcher can run: processes up to `budget` messages, returns how many it did. */
export interface Runnable {
  run(budget: number): number;
}

/** Where an error thrown out of a runnable goes by default: a process warning, never a crash. */
function warn(err: unknown): void {
  process.emitWarning(err instanceof Error ? err : new Error(String(err)), 'TroupeDispatcherWarning');
}

export class Dispatcher {
  private readonly ready = new Queue<Runnable>(64);
  private scheduled = false;
  private yielded: NodeJS.Immediate | undefined;

  constructor(
    /** Messages one actor handles before the next ready actor gets a turn. */
    private readonly throughput: number,
    /** Messages handled in one event-loop turn before yielding to I/O. */
    private readonly turnBudget: number,
    /** Told about an error a runnable let escape (mailboxes catch their own; this is the last line). */
    private readonly onError: (err: unknown) => void = warn,
  ) {}

  schedule(cell: Runnable): void {
    this.ready.push(cell);
    if (!this.scheduled) {
      this.scheduled = true;
      RESOLVED.then(this.drain);
    }
  }

  /** Runnables waiting for a turn. */
  get pending(): number {
    return this.ready.length;
  }

  private readonly drain = (): void => {
    this.yielded = undefined;
    let done = 0;
    try {
      for (let cell = this.ready.shift(); cell !== undefined; cell = this.ready.shift()) {
        try {
          done += cell.run(this.throughput);
        } catch (err) {
          done++;
          this.report(err);
        }
        if (done >= this.turnBudget && this.ready.length > 0) {
          this.yielded = setImmediate(this.drain);
          return;
        }
      }
    } finally {
      // However this turn ended, the dispatcher is left able to run what is ready.
      if (this.yielded === undefined) {
        if (this.ready.length > 0) RESOLVED.then(this.drain);
        else this.scheduled = false;
      }
    }
  };

  private report(err: unknown): void {
    try {
      this.onError(err);
    } catch {
      // A throwing reporter must not stop the run queue either.
    }
  }

  /** Cancels a pending yield (node stop). */
  close(): void {
    if (this.yielded) clearImmediate(this.yielded);
    this.yielded = undefined;
  }
}
