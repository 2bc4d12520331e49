// A real etcd server as a child process for tests: free loopback ports and a throwaway data dir.
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { get as httpGet } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { TroupeError } from '@troupe/transport';

/** There is no `etcd` binary on this machine (install Debian's `etcd-server`, or set `TROUPE_ETCD_BIN`). */
export class EtcdNotInstalledError extends TroupeError {
  constructor(message = 'etcd is not installed: no `etcd` on PATH (apt-get install etcd-server)') {
    super('ETCD_NOT_INSTALLED', message);
    this.name = 'EtcdNotInstalledError';
  }
}

/** The etcd child process did not come up healthy. */
export class EtcdStartError extends TroupeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ETCD_START_FAILED', message, options);
    this.name = 'EtcdStartError';
  }
}

export interface EtcdServerOptions {
  /** Path of the etcd binary; default `$TROUPE_ETCD_BIN`, else `etcd` found on PATH. */
  binary?: string;
  /** How long to wait for `/health` to answer `true`. */
  startTimeoutMs?: number;
  /** How long `stop()` waits after SIGTERM before it sends SIGKILL. */
  stopTimeoutMs?: number;
  /** Attempts with fresh ports when etcd exits during start-up (a port taken in between). */
  attempts?: number;
}

/** A running etcd. Always call `stop()`, also after `kill()`: it reaps the process and removes the data dir. */
export interface EtcdServer {
  /** Client URL, e.g. `http://127.0.0.1:41234`. */
  readonly endpoint: string;
  /** SIGTERM, SIGKILL after a bound, wait for exit, remove the data dir. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL now (an etcd crash); the data dir and ports stay for `restart()`. */
  kill(): void;
  /** Starts etcd again on the same ports and data dir (after `kill()`), resolving once healthy. */
  restart(): Promise<void>;
}

const DEFAULTS: Readonly<Required<Omit<EtcdServerOptions, 'binary'>>> = Object.freeze({
  startTimeoutMs: 15_000,
  stopTimeoutMs: 5_000,
  attempts: 3,
});
const HEALTH_POLL_MS = 50;
const STDERR_TAIL = 4096;

/** The etcd binary that `startEtcd` would run, or `undefined` when there is none. */
export function etcdBinary(binary?: string): string | undefined {
  const explicit = binary ?? process.env.TROUPE_ETCD_BIN;
  if (explicit) return isExecutable(explicit) ? explicit : undefined;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'etcd');
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** Whether an etcd binary is installed. */
export function etcdAvailable(binary?: string): boolean {
  return etcdBinary(binary) !== undefined;
}

/** Starts a single-member etcd on free loopback ports and resolves once it reports healthy. */
export async function startEtcd(options: EtcdServerOptions = {}): Promise<EtcdServer> {
  const opts = { ...DEFAULTS, ...options };
  const bin = etcdBinary(opts.binary);
  if (!bin) throw new EtcdNotInstalledError();
  const dataRoot = await mkdtemp(join(tmpdir(), 'troupe-etcd-'));
  let lastError: unknown;
  for (let attempt = 0; attempt < opts.attempts; attempt++) {
    const [clientPort, peerPort] = await freePorts(2);
    const instance = new EtcdInstance(bin, join(dataRoot, 'data'), clientPort!, peerPort!, opts);
    try {
      await instance.launch();
      return instance.handle(dataRoot);
    } catch (err) {
      lastError = err;
      await instance.terminate();
      await rm(join(dataRoot, 'data'), { recursive: true, force: true });
    }
  }
  await rm(dataRoot, { recursive: true, force: true });
  throw lastError instanceof Error ? lastError : new EtcdStartError(String(lastError));
}

class EtcdInstance {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private stderr = '';
  readonly endpoint: string;

  constructor(
    private readonly bin: string,
    private readonly dataDir: string,
    clientPort: number,
    private readonly peerPort: number,
    private readonly opts: typeof DEFAULTS,
  ) {
    this.endpoint = `http://127.0.0.1:${clientPort}`;
  }

  /** Spawns etcd and waits for `/health`; rejects (leaving the child to `terminate`) on exit or timeout. */
  async launch(): Promise<void> {
    const peer = `http://127.0.0.1:${this.peerPort}`;
    const args = [
      '--name',
      'troupe-test',
      '--data-dir',
      this.dataDir,
      '--listen-client-urls',
      this.endpoint,
      '--advertise-client-urls',
      this.endpoint,
      '--listen-peer-urls',
      peer,
      '--initial-advertise-peer-urls',
      peer,
      '--initial-cluster',
      `troupe-test=${peer}`,
      '--initial-cluster-state',
      'new',
      '--logger',
      'zap',
      '--log-outputs',
      'stderr',
      '--log-level',
      'error',
    ];
    // Inherited ETCD_* variables would override the flags above (etcd reads its config from both).
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ETCD_')));
    const child = spawn(this.bin, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    this.stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-STDERR_TAIL);
    });
    let exitCode: number | null | undefined;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        exitCode = code ?? (signal ? -1 : null);
        resolve();
      });
      child.once('error', (err) => {
        this.stderr += `\n${err.message}`;
        exitCode = -1;
        resolve();
      });
    });
    const deadline = Date.now() + this.opts.startTimeoutMs;
    while (Date.now() < deadline) {
      if (exitCode !== undefined) {
        throw new EtcdStartError(`etcd exited during start-up (code ${exitCode}): ${this.stderr.trim()}`);
      }
      if (await healthy(this.endpoint)) return;
      await new Promise((resolve) => setTimeout(resolve, HEALTH_POLL_MS));
    }
    throw new EtcdStartError(
      `etcd at ${this.endpoint} was not healthy within ${this.opts.startTimeoutMs} ms: ${this.stderr.trim()}`,
    );
  }

  kill(): void {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null)
      this.child.kill('SIGKILL');
  }

  /** SIGTERM, then SIGKILL after `stopTimeoutMs`; resolves once the process has exited. */
  async terminate(): Promise<void> {
    const child = this.child;
    if (!child) return;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const forced = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          resolve();
        }, this.opts.stopTimeoutMs);
      });
      try {
        await Promise.race([this.exited, forced]);
      } finally {
        clearTimeout(timer);
      }
    }
    await this.exited;
    child.stderr?.destroy();
  }

  handle(dataRoot: string): EtcdServer {
    let stopping: Promise<void> | undefined;
    return {
      endpoint: this.endpoint,
      kill: () => this.kill(),
      restart: async () => {
        if (stopping) throw new EtcdStartError('etcd was stopped; start a new one');
        await this.terminate();
        await this.launch();
      },
      stop: () => {
        stopping ??= (async () => {
          await this.terminate();
          await rm(dataRoot, { recursive: true, force: true });
        })();
        return stopping;
      },
    };
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Ports the kernel hands out for port 0, released again (etcd binds them a moment later). */
async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  try {
    return await Promise.all(
      servers.map(
        (server) =>
          new Promise<number>((resolve, reject) => {
            server.once('error', reject);
            server.listen(0, '127.0.0.1', () => {
              const address = server.address();
              if (address && typeof address === 'object') resolve(address.port);
              else reject(new EtcdStartError('could not read a free port'));
            });
          }),
      ),
    );
  } finally {
    await Promise.all(
      servers.map(
        (server) =>
          new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve())),
      ),
    );
  }
}

/** One `/health` probe with its own short deadline; a fresh connection each time, so nothing lingers. */
function healthy(endpoint: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpGet(`${endpoint}/health`, { agent: false, timeout: 1000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve(res.statusCode === 200 && /"health"\s*:\s*"true"/.test(body)));
      res.on('error', () => resolve(false));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}
