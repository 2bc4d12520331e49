import { describe, expect, it } from 'vitest';
import { Dispatcher, type Runnable } from './dispatcher.js';

/** Resolves once the dispatcher has run `n` runnables, or rejects after a bound. */
function counter(n: number) {
  let count = 0;
  let done!: () => void;
  const all = new Promise<void>((resolve, reject) => {
    done = resolve;
    setTimeout(() => reject(new Error(`only ${count} of ${n} ran`)), 2000).unref();
  });
  return {
    runnable(fn: () => void = () => {}): Runnable {
      return {
        run() {
          count++;
          if (count === n) done();
          fn();
          return 1;
        },
      };
    },
    all,
  };
}

describe('dispatcher', () => {
  it('runs the others and keeps running after a runnable throws', async () => {
    const errors: unknown[] = [];
    const d = new Dispatcher(10, 100, (err) => errors.push(err));
    const c = counter(3);
    d.schedule(
      c.runnable(() => {
        throw new Error('listener threw');
      }),
    );
    d.schedule(c.runnable());
    d.schedule(c.runnable());
    await c.all;
    expect(errors).toHaveLength(1);
    // Not wedged: later work runs too.
    const again = counter(1);
    d.schedule(again.runnable());
    await again.all;
    expect(d.pending).toBe(0);
  });

  it('survives a throwing error reporter', async () => {
    const d = new Dispatcher(10, 100, () => {
      throw new Error('reporter threw');
    });
    const c = counter(2);
    d.schedule(
      c.runnable(() => {
        throw new Error('boom');
      }),
    );
    d.schedule(c.runnable());
    await c.all;
  });

  it('yields to I/O after the turn budget and resumes', async () => {
    const d = new Dispatcher(1, 2);
    const c = counter(5);
    try {
      for (let i = 0; i < 5; i++) d.schedule(c.runnable());
      await c.all;
    } finally {
      d.close();
    }
  });
});
