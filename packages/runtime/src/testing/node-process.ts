// Nodes in child processes for tests: kill -9, SIGSTOP, graceful stop and injected event-loop stalls.
import { type ChildProcess, fork } from 'node:child_process';
import { TroupeError } from '@troupe/transport';
import type { Node } from '../node/node.js';

/** How long `startNodeProcess` waits for the child's node to report ready by default. */
export const DEFAULT_PROCESS_START_TIMEOUT_MS = 15_000;

/** The child process did not report a started node (it exited, or took too long). */
export class NodeProcessError extends TroupeError {
  constructor(message: string) {
    super('NODE_PROCESS_FAILED', message);
    this.name = 'NodeProcessError';
  }
}

/** How to start the child: a script that starts a node and calls `serveNodeProcess(node)`. */
export interface NodeProcessOptions {
  /** Path of the script (TypeScript runs through tsx). */
  script: string;
  /** JSON-serialisable configuration, passed to the script as `process.argv[2]`. */
  config?: unknown;
  /** Default `DEFAULT_PROCESS_START_TIMEOUT_MS`. */
  startTimeoutMs?: number;
  /** Node flags of the child. Default: tsx and the `@troupe/source` export condition. */
  execArgv?: string[];
}

/** What the child's node reported when it started. */
export interface NodeProcessInfo {
  port: number;
  incarnation: string;
}

/** A node running in a child process. */
export interface NodeProcess {
  readonly child: ChildProcess;
  readonly info: NodeProcessInfo;
  /** Blocks the child's event loop for `ms` (as a GC pause or a hot loop would); resolves after it. */
  stall(ms: number): Promise<void>;
  /** SIGSTOP: the process stops answering anything until `resume`. */
  pause(): void;
  /** SIGCONT. */
  resume(): void;
  /** SIGKILL, resolved once the process is gone (a crash: no goodbye, no deregistration). */
  kill(): Promise<void>;
  /** SIGTERM: the node stops gracefully; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** Kills the process if it still runs. Idempotent; for `afterEach`. */
  close(): Promise<void>;
}

type Message = { ready: true; port: number; incarnation: string } | { stalled: number };

const alive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

function exited(child: ChildProcess): Promise<number | null> {
  if (!alive(child)) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Forks `script` and resolves once its node is up (it called `serveNodeProcess`). */
export function startNodeProcess(options: NodeProcessOptions): Promise<NodeProcess> {
  const child = fork(options.script, [JSON.stringify(options.config ?? {})], {
    execArgv: options.execArgv ?? ['--import', 'tsx', '--conditions=@troupe/source'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const timeoutMs = options.startTimeoutMs ?? DEFAULT_PROCESS_START_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const fail = (message: string) => {
      cleanup();
      if (alive(child)) child.kill('SIGKILL');
      reject(new NodeProcessError(message));
    };
    const timer = setTimeout(() => fail(`the child node did not start within ${timeoutMs} ms`), timeoutMs);
    const onExit = (code: number | null) => fail(`the child node exited with ${code} before it started`);
    const onMessage = (msg: Message) => {
      if (!('ready' in msg)) return;
      cleanup();
      resolve(handle(child, { port: msg.port, incarnation: msg.incarnation }));
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.off('exit', onExit);
      child.off('message', onMessage);
    };
    child.on('exit', onExit);
    child.on('message', onMessage);
  });
}

function handle(child: ChildProcess, info: NodeProcessInfo): NodeProcess {
  return {
    child,
    info,
    stall(ms) {
      return new Promise((resolve, reject) => {
        const onMessage = (msg: Message) => {
          if (!('stalled' in msg)) return;
          child.off('message', onMessage);
          child.off('exit', onExit);
          resolve();
        };
        const onExit = () => {
          child.off('message', onMessage);
          reject(new NodeProcessError('the child node exited during a stall'));
        };
        child.on('message', onMessage);
        child.once('exit', onExit);
        child.send({ stall: ms });
      });
    },
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
    async kill() {
      const done = exited(child);
      if (alive(child)) child.kill('SIGKILL');
      await done;
    },
    async stop() {
      const done = exited(child);
      if (alive(child)) child.kill('SIGTERM');
      return done;
    },
    async close() {
      const done = exited(child);
      if (alive(child)) {
        // A paused process cannot die of SIGKILL's delivery alone on every platform: wake it too.
        child.kill('SIGKILL');
        child.kill('SIGCONT');
      }
      await done;
    },
  };
}

/**
 * In the child: reports the node ready to the parent, blocks the event loop on `{stall: ms}`, and
 * stops the node gracefully on SIGTERM.
 */
export function serveNodeProcess(node: Node): void {
  process.on('message', (msg: { stall?: unknown }) => {
    if (typeof msg.stall !== 'number') return;
    const until = Date.now() + msg.stall;
    while (Date.now() < until) {
      // Busy on purpose: nothing else may run on this loop, as in a long GC pause.
    }
    process.send?.({ stalled: msg.stall });
  });
  process.on('SIGTERM', () => {
    node.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
  process.send?.({ ready: true, port: node.port, incarnation: node.incarnation });
}
