// A program run as its README says, in a child process: its stdout lines, stderr JSON logs, signals, exit.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));

/** A running child process with its output collected. */
export interface Spawned {
  readonly child: ChildProcess;
  readonly stdout: string[];
  readonly stderr: string[];
  /** Resolves with the first stdout line matching `re` (rejects past `timeoutMs` or on exit). */
  line(re: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the first stderr line matching `re`. */
  errLine(re: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code once it exits (rejects past `timeoutMs`). */
  exited(timeoutMs?: number): Promise<number | null>;
  /** Sends `signal` and waits for the exit code. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

const running = new Set<ChildProcess>();

/** SIGKILLs every child still running (call in `afterEach`). */
export async function killAll(): Promise<void> {
  await Promise.all(
    [...running].map(async (c) => {
      if (c.exitCode === null && c.signalCode === null) {
        const gone = new Promise((r) => c.once('exit', r));
        c.kill('SIGKILL');
        await gone;
      }
      running.delete(c);
    }),
  );
}

/** Runs a TypeScript entry of the workspace with tsx, as `pnpm` scripts do. */
export function spawnTs(file: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Spawned {
  return spawnProcess(
    process.execPath,
    ['--import', 'tsx', '--conditions=@troupe/source', file, ...args],
    env,
  );
}

/** Runs `file args` in the workspace root with the collected output. */
export function spawnProcess(file: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Spawned {
  const child = spawn(file, [...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  running.add(child);
  const stdout: string[] = [];
  const stderr: string[] = [];
  const waiters: Array<() => void> = [];
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };
  const collect = (stream: NodeJS.ReadableStream, into: string[]) => {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      into.push(...parts);
      wake();
    });
  };
  collect(child.stdout!, stdout);
  collect(child.stderr!, stderr);
  let code: number | null | undefined;
  const exit = new Promise<number | null>((resolve) =>
    child.once('exit', (c, signal) => {
      code = c ?? (signal ? -1 : null);
      running.delete(child);
      wake();
      resolve(code);
    }),
  );
  const find = (into: string[], re: RegExp, timeoutMs: number) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new Error(
            `no line matching ${re} within ${timeoutMs} ms; stdout:\n${stdout.join('\n')}\nstderr:\n${stderr.join('\n')}`,
          ),
        );
      }, timeoutMs);
      const check = () => {
        const hit = into.find((l) => re.test(l));
        if (hit !== undefined) {
          clearTimeout(timer);
          resolve(hit);
        } else if (code !== undefined) {
          clearTimeout(timer);
          reject(
            new Error(
              `exited (${code}) without a line matching ${re}; stdout:\n${stdout.join('\n')}\nstderr:\n${stderr.join('\n')}`,
            ),
          );
        } else waiters.push(check);
      };
      check();
    });
  const exited = (timeoutMs = 15_000) =>
    new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`did not exit within ${timeoutMs} ms; stderr:\n${stderr.join('\n')}`)),
        timeoutMs,
      );
      exit.then((c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
  return {
    child,
    stdout,
    stderr,
    line: (re, timeoutMs = 20_000) => find(stdout, re, timeoutMs),
    errLine: (re, timeoutMs = 20_000) => find(stderr, re, timeoutMs),
    exited,
    stop(signal = 'SIGTERM', timeoutMs = 15_000) {
      child.kill(signal);
      return exited(timeoutMs);
    },
  };
}
