// Runs N bots for a while, in this process or spread over worker processes, with progress reports.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type BotTarget, runBot } from './bot.js';
import { type BotCounts, emptyCounts, mergeCounts } from './stats.js';

/** Options of `runBots`. */
export interface RunBotsOptions {
  target: BotTarget;
  login: string;
  clients: number;
  durationMs: number;
  /** Pause between a bot's requests. Default 100 ms. */
  thinkMs?: number;
  /** Worker processes; default 1 (this process) up to 200 clients, then one per 200. */
  processes?: number;
  /** Called about every `progressMs` with the counts so far. */
  onProgress?: (counts: BotCounts, elapsedMs: number) => void;
  progressMs?: number;
  /** Ends the run early (Ctrl-C). */
  signal?: AbortSignal;
}

export const DEFAULT_THINK_MS = 100;
export const CLIENTS_PER_PROCESS = 200;

/** A slice of the bots, run in this process; `report` gets counts deltas. */
export async function runSlice(
  o: {
    target: BotTarget;
    login: string;
    from: number;
    count: number;
    population: number;
    thinkMs: number;
    durationMs: number;
  },
  signal: AbortSignal,
  counts: BotCounts,
): Promise<void> {
  // A controller of our own: a composed AbortSignal.any/timeout pair can be collected before it fires.
  const controller = new AbortController();
  const stop = controller.signal;
  const abort = () => controller.abort();
  const timer = setTimeout(abort, o.durationMs);
  signal.addEventListener('abort', abort, { once: true });
  try {
    await runAll(o, stop, counts);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', abort);
  }
}

function runAll(o: Parameters<typeof runSlice>[0], stop: AbortSignal, counts: BotCounts): Promise<unknown> {
  return Promise.all(
    Array.from({ length: o.count }, (_, k) =>
      runBot({
        target: o.target,
        login: o.login,
        index: o.from + k,
        thinkMs: o.thinkMs,
        population: o.population,
        signal: stop,
        counts,
      }).catch((err: unknown) => {
        const code = (err as { code?: string }).code ?? 'ERROR';
        counts.errors[code] = (counts.errors[code] ?? 0) + 1;
      }),
    ),
  );
}

/** Takes what accumulated in `counts` since the last call, leaving gauges (connected) in place. */
export function drain(counts: BotCounts): BotCounts {
  const delta = { ...counts, latenciesMs: counts.latenciesMs.splice(0), errors: { ...counts.errors } };
  counts.requests = 0;
  counts.errors = {};
  counts.reconnects = 0;
  return delta;
}

/** Runs the bots and resolves with the merged counts and the elapsed time. */
export async function runBots(options: RunBotsOptions): Promise<{ counts: BotCounts; elapsedMs: number }> {
  const thinkMs = options.thinkMs ?? DEFAULT_THINK_MS;
  const processes = options.processes ?? Math.max(1, Math.ceil(options.clients / CLIENTS_PER_PROCESS));
  const signal = options.signal ?? new AbortController().signal;
  const total = emptyCounts();
  const began = performance.now();
  const live: BotCounts[] = [];
  const report = () => {
    // Gauges come from the latest report of each part, totals are summed.
    const view = mergeCounts(
      { ...total, latenciesMs: total.latenciesMs, errors: { ...total.errors }, connected: 0 },
      emptyCounts(),
    );
    view.connected = live.reduce((n, c) => n + c.connected, 0);
    options.onProgress?.(view, performance.now() - began);
  };
  const timer = setInterval(report, options.progressMs ?? 500);
  try {
    const per = Math.ceil(options.clients / processes);
    const slices = Array.from({ length: processes }, (_, i) => ({
      target: options.target,
      login: options.login,
      from: i * per,
      count: Math.max(0, Math.min(per, options.clients - i * per)),
      population: options.clients,
      thinkMs,
      durationMs: options.durationMs,
    })).filter((s) => s.count > 0);
    await Promise.all(
      slices.map(async (slice) => {
        const mine = emptyCounts();
        live.push(mine);
        if (processes === 1) {
          const pump = setInterval(() => mergeCounts(total, { ...drain(mine), connected: 0 }), 200);
          try {
            await runSlice(slice, signal, mine);
          } finally {
            clearInterval(pump);
            mergeCounts(total, { ...drain(mine), connected: 0 });
          }
        } else
          await runWorker(slice, signal, (delta) => {
            mergeCounts(total, { ...delta, connected: 0 });
            mine.connected = delta.connected;
          });
        mine.connected = 0;
      }),
    );
  } finally {
    clearInterval(timer);
  }
  const elapsedMs = performance.now() - began;
  report();
  return { counts: total, elapsedMs };
}

/** Runs a slice in a child process; it sends count deltas over IPC until it exits. */
function runWorker(
  slice: Parameters<typeof runSlice>[0],
  signal: AbortSignal,
  onDelta: (c: BotCounts) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(new URL('./worker.ts', import.meta.url)), [], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const abort = () => child.send({ type: 'stop' });
    signal.addEventListener('abort', abort, { once: true });
    child.on('message', (m: { type: string; counts?: BotCounts }) => {
      if (m.counts) onDelta(m.counts);
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      signal.removeEventListener('abort', abort);
      if (code === 0) resolve();
      else reject(new Error(`bot worker exited with ${code}`));
    });
    child.send({ type: 'run', slice });
  });
}
