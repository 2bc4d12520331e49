// A list of callbacks that extensions register and unregister; one throwing never stops the others.

/** Callbacks of one signature, called in registration order. */
export class Listeners<A extends unknown[]> {
  #fns: Array<(...args: A) => void> = [];

  constructor(private readonly onError: (err: unknown) => void) {}

  /** Adds `fn`; returns its unregister function. */
  add(fn: (...args: A) => void): () => void {
    this.#fns = [...this.#fns, fn];
    return () => {
      this.#fns = this.#fns.filter((f) => f !== fn);
    };
  }

  get size(): number {
    return this.#fns.length;
  }

  /** Calls every listener registered now (copy-on-write, so one may unregister while called). */
  emit(...args: A): void {
    for (const fn of this.#fns) {
      try {
        fn(...args);
      } catch (err) {
        this.onError(err);
      }
    }
  }
}
