// Runs ready actors: a run queue drained in microtasks, a per-actor budget, and a per-turn budget after
// which it yields to I/O with setImmediate.
import { Queue } from './queue.js';

/** Something the dispatcher can run: processes up to `budget` messages, returns how many it did. */
export interface Runnable {
  run(budget: number): number;
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
  ) {}

  schedule(cell: Runnable): void {
    this.ready.push(cell);
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.drain);
    }
  }

  private readonly drain = (): void => {
    this.yielded = undefined;
    let done = 0;
    for (let cell = this.ready.shift(); cell !== undefined; cell = this.ready.shift()) {
      done += cell.run(this.throughput);
      if (done >= this.turnBudget && this.ready.length > 0) {
        this.yielded = setImmediate(this.drain);
        return;
      }
    }
    this.scheduled = false;
  };

  /** Cancels a pending yield (node stop). */
  close(): void {
    if (this.yielded) clearImmediate(this.yielded);
    this.yielded = undefined;
  }
}
