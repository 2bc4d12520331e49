// A side is one contestant of a scenario (Troupe, raw TCP, Moleculer...): opened once, measured once per run.
import { type SpawnOptions, sleep, type WorkerHandle } from './harness.js';
import type { Mark } from './peer.js';

/** Grace beyond a window before a worker that has not answered is given up on. */
const GRACE_MS = 30_000;

function timeout(window: Window): number {
  return window.warmupMs + window.durationMs + GRACE_MS;
}

/** How long one measurement warms up and then measures. */
export interface Window {
  warmupMs: number;
  durationMs: number;
}

/** One measured figure, with latency percentiles when the side has them. */
export interface Sample {
  value: number;
  p50Us?: number;
  p99Us?: number;
}

/** A contestant, opened once per scenario and measured once per run. */
export interface Side {
  measure(window: Window): Promise<Sample>;
  close(): Promise<void>;
}

/** What the harness hands to a function that opens a side. */
export interface SideContext {
  /** Forks a worker script (see `servePeer`), waits until it is ready; killed when the scenario ends at the latest. */
  spawn(script: URL, opts?: SpawnOptions): Promise<WorkerHandle>;
  /** A loopback port that was free a moment ago. */
  freePort(): Promise<number>;
  /** True under `--quick`: a smoke test, so sizes may shrink. */
  quick: boolean;
}

/**
 * A side whose figure is a rate counted by meters while `driver` produces load: the driver serves `start` and
 * `stop` (resolving once it is idle), each counter serves `mark` (a `Mark`). Each counter's rate is its increase
 * over its own clock between two marks `durationMs` apart, taken after `warmupMs`; the figure is their sum, with
 * the latencies of the first counter. After `stop` it waits until every counter stops moving, so a backlog
 * cannot spill into the next side's window.
 */
export function meteredSide(
  driver: WorkerHandle,
  counter: WorkerHandle | readonly WorkerHandle[],
  workers: WorkerHandle[],
): Side {
  const counters: readonly WorkerHandle[] = 'request' in counter ? [counter] : counter;
  const marks = () => Promise.all(counters.map((c) => c.request<Mark>('mark', undefined, GRACE_MS)));
  return {
    async measure(window) {
      await driver.request('start', undefined, GRACE_MS);
      try {
        await sleep(window.warmupMs);
        const first = await marks();
        await sleep(window.durationMs);
        const last = await marks();
        let value = 0;
        first.forEach((f, i) => {
          const l = last[i]!;
          value += (l.count - f.count) / ((l.t - f.t) / 1000);
        });
        const sample: Sample = { value };
        if (last[0]!.p50Us !== undefined) sample.p50Us = last[0]!.p50Us;
        if (last[0]!.p99Us !== undefined) sample.p99Us = last[0]!.p99Us;
        return sample;
      } finally {
        await driver.request('stop', undefined, GRACE_MS);
        for (const c of counters) await settle(c);
      }
    },
    async close() {
      for (const w of workers) w.kill();
    },
  };
}

/** Waits until a counter's count holds still for two polls 50 ms apart (at most 10 s). */
export async function settle(counter: WorkerHandle): Promise<void> {
  let last = -1;
  let still = 0;
  const deadline = performance.now() + 10_000;
  while (still < 2 && performance.now() < deadline) {
    const { count } = await counter.request<Mark>('mark', undefined, GRACE_MS);
    still = count === last ? still + 1 : 0;
    last = count;
    if (still < 2) await sleep(50);
  }
}

/** A side measured entirely inside one worker: `command` gets the window (plus `arg`) and returns a `Sample`. */
export function selfTimedSide(worker: WorkerHandle, command: string, arg: object = {}): Side {
  return {
    measure: (window) => worker.request<Sample>(command, { ...arg, ...window }, timeout(window)),
    async close() {
      worker.kill();
    },
  };
}

/**
 * A side measured in a fresh process each time (heap figures must not inherit another run's garbage):
 * spawns `script`, runs `command` with `arg`, kills the worker.
 */
export function freshProcessSide(
  ctx: SideContext,
  script: URL,
  command: string,
  arg: object,
  spawnOpts: SpawnOptions = {},
): Side {
  return {
    async measure(window) {
      const worker = await ctx.spawn(script, spawnOpts);
      try {
        return await worker.request<Sample>(command, { ...arg, ...window }, timeout(window));
      } finally {
        worker.kill();
      }
    },
    async close() {},
  };
}
