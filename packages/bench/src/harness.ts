// Measurement plumbing for the harness process: statistics, timed runs, and worker processes that never outlive it.
import { type ChildProcess, fork } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** IPC, harness to worker. */
export type ToWorker = { type: 'command'; id: number; name: string; arg: unknown };
/** IPC, worker to harness. */
export type FromWorker =
  | { type: 'ready'; info: unknown }
  | { type: 'failed'; error: string }
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; error: string };

/** Median of the finite values; NaN when there are none. */
export function median(values: readonly number[]): number {
  const xs = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (xs.length === 0) return Number.NaN;
  const mid = xs.length >> 1;
  return xs.length % 2 === 1 ? xs[mid]! : (xs[mid - 1]! + xs[mid]!) / 2;
}

/** Nearest-rank percentile (`p` in 0..100) of values sorted ascending; NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs `work` once for `warmupMs` (discarded), then once for `durationMs`, and returns operations per second
 * of the second run over its actual elapsed time. `work(ms)` does as many operations as fit in `ms` and
 * returns how many it did.
 */
export async function timedRun(
  window: { warmupMs: number; durationMs: number },
  work: (ms: number) => Promise<number>,
): Promise<number> {
  await work(window.warmupMs);
  const t0 = performance.now();
  const ops = await work(window.durationMs);
  return ops / ((performance.now() - t0) / 1000);
}

/** A loopback TCP port that was free a moment ago (for peers that must know each other's port up front). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port from listen(0)'));
      });
    });
  });
}

/** A worker process on the harness side. */
export interface WorkerHandle {
  readonly pid: number;
  /** What the worker reported with its ready message (e.g. the port it listens on). */
  readonly info: unknown;
  /** Runs a named command in the worker and resolves with its result; rejects if the worker dies. */
  request<T = unknown>(command: string, arg?: unknown, timeoutMs?: number): Promise<T>;
  /** SIGKILLs the worker (idempotent). */
  kill(): void;
}

export interface SpawnOptions {
  /** JSON-serialisable options handed to the worker's start function. */
  options?: unknown;
  /** Extra node flags, e.g. `--expose-gc`. */
  execArgv?: readonly string[];
  /** How long the worker may take to report ready. */
  readyTimeoutMs?: number;
}

const DEFAULT_READY_TIMEOUT_MS = 30_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
/** The workspace root: workers run there so `--import tsx` resolves the root's tsx. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const live = new Set<ChildProcess>();

/** SIGKILLs every worker still alive. Synchronous, so it is safe in an `exit` handler. */
export function killAllWorkers(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}

let cleanupInstalled = false;
/** Makes sure no worker outlives the harness: kill them on exit, SIGINT, SIGTERM and uncaught errors. */
export function installCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.on('exit', killAllWorkers);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      killAllWorkers();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
}

/**
 * Forks a TypeScript worker script under tsx and waits for its ready message. The script must call
 * `servePeer` (see peer.ts). The worker is tracked, so `killAllWorkers` reaches it, and it exits by itself if
 * the harness disappears (its IPC channel closes).
 */
export function spawnWorker(script: URL, opts: SpawnOptions = {}): Promise<WorkerHandle> {
  const child = fork(fileURLToPath(script), [JSON.stringify(opts.options ?? {})], {
    cwd: ROOT,
    execPath: process.execPath,
    execArgv: ['--import', 'tsx', '--conditions=@troupe/source', ...(opts.execArgv ?? [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  live.add(child);
  const name = script.pathname.split('/').slice(-2).join('/');
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let exitReason: Error | undefined;

  const kill = () => {
    live.delete(child);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };

  return new Promise<WorkerHandle>((resolveReady, rejectReady) => {
    const readyTimer = setTimeout(() => {
      kill();
      rejectReady(
        new Error(`worker ${name} not ready within ${opts.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS} ms`),
      );
    }, opts.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS);

    child.on('exit', (code, signal) => {
      live.delete(child);
      clearTimeout(readyTimer);
      exitReason = new Error(`worker ${name} exited (${signal ?? `code ${code}`})`);
      rejectReady(exitReason);
      for (const p of pending.values()) p.reject(exitReason);
      pending.clear();
    });
    child.on('error', (err) => {
      clearTimeout(readyTimer);
      kill();
      rejectReady(err);
    });
    child.on('message', (raw) => {
      const msg = raw as FromWorker;
      if (msg.type === 'ready') {
        clearTimeout(readyTimer);
        resolveReady(handle(msg.info));
      } else if (msg.type === 'failed') {
        clearTimeout(readyTimer);
        kill();
        rejectReady(new Error(`worker ${name} failed to start: ${msg.error}`));
      } else if (msg.type === 'reply') {
        const p = pending.get(msg.id);
        if (p === undefined) return;
        pending.delete(msg.id);
        if (msg.ok) p.resolve(msg.value);
        else p.reject(new Error(`worker ${name}: ${msg.error}`));
      }
    });

    const handle = (info: unknown): WorkerHandle => ({
      pid: child.pid ?? -1,
      info,
      kill,
      request<T>(command: string, arg?: unknown, timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS): Promise<T> {
        if (exitReason !== undefined) return Promise.reject(exitReason);
        const id = ++nextId;
        return new Promise<T>((resolve, reject) => {
          const timer = setTimeout(() => {
            pending.delete(id);
            reject(new Error(`worker ${name}: ${command} took over ${timeoutMs} ms`));
          }, timeoutMs);
          pending.set(id, {
            resolve: (v) => {
              clearTimeout(timer);
              resolve(v as T);
            },
            reject: (e) => {
              clearTimeout(timer);
              reject(e);
            },
          });
          const msg: ToWorker = { type: 'command', id, name: command, arg };
          child.send(msg);
        });
      },
    });
  });
}
