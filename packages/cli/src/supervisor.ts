// `troupe up --processes`: one child process per node, restarted with backoff when it dies, stopped together.
import { type ChildProcess, spawn } from 'node:child_process';
import { OptionError } from '@troupe/transport';
import { EventEmitter } from 'eventemitter3';
import type { Logger } from 'pino';

/** Restart backoff of a crashed child. */
export interface BackoffOptions {
  /** Delay before the first restart. Default 100 ms. */
  baseMs?: number;
  /** The delay doubles per crash up to this. Default 10 s. */
  maxMs?: number;
  /** A child that stayed up this long has its crash count reset. Default 10 s. */
  resetAfterMs?: number;
}

/** Options of a `Supervisor`. */
export interface SupervisorOptions {
  /** The node addresses, one child each. */
  nodes: readonly string[];
  /** The executable and arguments that run one node, e.g. `[process.execPath, ...execArgv, main, 'start', cfg, '--node', addr]`. */
  command: (addr: string) => { file: string; args: string[] };
  log: Logger;
  backoff?: BackoffOptions;
  /** How long a child may take to stop after SIGTERM before it is killed. Default 15 s. */
  stopGraceMs?: number;
  env?: NodeJS.ProcessEnv;
}

export const DEFAULT_BACKOFF: Readonly<Required<BackoffOptions>> = Object.freeze({
  baseMs: 100,
  maxMs: 10_000,
  resetAfterMs: 10_000,
});
export const DEFAULT_STOP_GRACE_MS = 15_000;

/** Events a supervisor emits (tests and tools follow the children through them). */
export interface SupervisorEvents {
  started: (addr: string, pid: number) => void;
  exited: (addr: string, code: number | null, signal: NodeJS.Signals | null) => void;
  restarting: (addr: string, delayMs: number, crashes: number) => void;
}

interface Slot {
  addr: string;
  child?: ChildProcess;
  startedAt: number;
  crashes: number;
  timer?: NodeJS.Timeout;
}

/** The delay before restart number `crashes` (1-based). */
export function restartDelay(crashes: number, backoff: Required<BackoffOptions>): number {
  return Math.min(backoff.baseMs * 2 ** Math.max(0, crashes - 1), backoff.maxMs);
}

/**
 * Runs one child process per node. A child that exits while the supervisor runs is restarted after
 * `restartDelay`; `stop()` sends SIGTERM to every child (each stops gracefully) and SIGKILL past the grace.
 * Children run in their own process group, so a terminal's Ctrl-C reaches only the supervisor, which
 * then stops them once; each child also stops when its IPC channel to the supervisor closes.
 */
export class Supervisor extends EventEmitter<SupervisorEvents> {
  readonly #options: SupervisorOptions;
  readonly #backoff: Readonly<Required<BackoffOptions>>;
  readonly #grace: number;
  readonly #slots: Slot[];
  #stopping: Promise<void> | undefined;

  constructor(options: SupervisorOptions) {
    super();
    const backoff = Object.freeze({ ...DEFAULT_BACKOFF, ...options.backoff });
    for (const [k, v] of Object.entries(backoff))
      if (!Number.isFinite(v) || v <= 0)
        throw new OptionError(`backoff.${k}`, `must be a positive number, got ${v}`);
    if (backoff.maxMs < backoff.baseMs)
      throw new OptionError('backoff.maxMs', 'must be at least backoff.baseMs');
    this.#grace = options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS;
    this.#options = options;
    this.#backoff = backoff;
    this.#slots = options.nodes.map((addr) => ({ addr, startedAt: 0, crashes: 0 }));
  }

  /** Starts every child. */
  start(): void {
    for (const slot of this.#slots) this.#spawn(slot);
  }

  /** Process ids of the running children, by node address. */
  pids(): Record<string, number | undefined> {
    return Object.fromEntries(this.#slots.map((s) => [s.addr, s.child?.pid]));
  }

  #spawn(slot: Slot): void {
    const { file, args } = this.#options.command(slot.addr);
    const child = spawn(file, args, {
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
      detached: true,
      env: { ...(this.#options.env ?? process.env), TROUPE_SUPERVISED: '1' },
    });
    slot.child = child;
    slot.startedAt = Date.now();
    // A child's stdout (its endpoints line, prints of its services) goes to our stderr: our stdout has one line.
    child.stdout?.pipe(process.stderr, { end: false });
    child.once('error', (err) =>
      this.#options.log.error({ node: slot.addr, err }, 'node process failed to start'),
    );
    child.once('exit', (code, signal) => this.#exited(slot, child, code, signal));
    if (child.pid !== undefined) {
      this.#options.log.info({ node: slot.addr, pid: child.pid }, 'node process started');
      this.emit('started', slot.addr, child.pid);
    }
  }

  #exited(slot: Slot, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (slot.child === child) slot.child = undefined;
    this.emit('exited', slot.addr, code, signal);
    if (this.#stopping !== undefined) {
      this.#options.log.info({ node: slot.addr, code, signal }, 'node process stopped');
      return;
    }
    if (Date.now() - slot.startedAt >= this.#backoff.resetAfterMs) slot.crashes = 0;
    slot.crashes += 1;
    const delay = restartDelay(slot.crashes, this.#backoff);
    this.#options.log.warn(
      { node: slot.addr, code, signal, delayMs: delay, crashes: slot.crashes },
      'node process exited; restarting',
    );
    this.emit('restarting', slot.addr, delay, slot.crashes);
    slot.timer = setTimeout(() => {
      slot.timer = undefined;
      if (this.#stopping === undefined) this.#spawn(slot);
    }, delay);
  }

  /** Stops every child gracefully (SIGTERM, then SIGKILL after the grace) and resolves when all have exited. */
  stop(): Promise<void> {
    this.#stopping ??= Promise.all(this.#slots.map((slot) => this.#stopSlot(slot))).then(() => undefined);
    return this.#stopping;
  }

  /** Kills every child at once (a second Ctrl-C). */
  kill(): void {
    for (const slot of this.#slots) {
      if (slot.timer) clearTimeout(slot.timer);
      slot.child?.kill('SIGKILL');
    }
  }

  #stopSlot(slot: Slot): Promise<void> {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = undefined;
    const child = slot.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const force = setTimeout(() => child.kill('SIGKILL'), this.#grace);
      child.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
}
