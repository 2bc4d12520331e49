// The worker side of the harness: IPC commands in, results out, and a meter for rates and latencies.
import { type FromWorker, percentile, type ToWorker } from './harness.js';

/** What a worker script offers the harness once started. */
export interface Peer {
  /** Sent with the ready message, e.g. `{ port }`. */
  info?: unknown;
  /** Commands the harness may run, by name. */
  commands: Record<string, (arg: any) => unknown>;
}

function describe(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

function send(msg: FromWorker): void {
  process.send?.(msg);
}

/**
 * Entry point of every worker script: parses the options the harness passed (argv[2], JSON), starts the
 * peer, reports ready, then serves commands. The worker exits when the harness goes away.
 */
export function servePeer<O>(start: (options: O) => Peer | Promise<Peer>): void {
  if (process.send === undefined) {
    console.error('this is a benchmark worker; the harness (pnpm bench) starts it');
    process.exit(2);
  }
  process.on('disconnect', () => process.exit(0));
  const options = JSON.parse(process.argv[2] ?? '{}') as O;
  Promise.resolve()
    .then(() => start(options))
    .then(
      (peer) => {
        process.on('message', (raw) => {
          const msg = raw as ToWorker;
          if (msg.type !== 'command') return;
          const command = peer.commands[msg.name];
          if (command === undefined) {
            send({ type: 'reply', id: msg.id, ok: false, error: `unknown command ${msg.name}` });
            return;
          }
          Promise.resolve()
            .then(() => command(msg.arg))
            .then(
              (value) => send({ type: 'reply', id: msg.id, ok: true, value }),
              (err: unknown) => send({ type: 'reply', id: msg.id, ok: false, error: describe(err) }),
            );
        });
        send({ type: 'ready', info: peer.info ?? {} });
      },
      (err: unknown) => {
        send({ type: 'failed', error: describe(err) });
        process.exitCode = 1;
        process.disconnect();
      },
    );
}

/** A snapshot of a meter: operations so far, when, and latency percentiles since the previous mark. */
export interface Mark {
  count: number;
  /** `performance.now()` in the worker, in ms. */
  t: number;
  p50Us?: number;
  p99Us?: number;
}

/** Counts operations and records latencies; `mark()` snapshots and restarts the latency window. */
export class Meter {
  count = 0;
  private latencies = new Float64Array(1 << 16);
  private recorded = 0;

  /** One operation done; with its latency in ms when it has one. */
  hit(latencyMs?: number): void {
    this.count++;
    if (latencyMs === undefined) return;
    if (this.recorded === this.latencies.length) {
      const grown = new Float64Array(this.latencies.length * 2);
      grown.set(this.latencies);
      this.latencies = grown;
    }
    this.latencies[this.recorded++] = latencyMs;
  }

  mark(): Mark {
    const mark: Mark = { count: this.count, t: performance.now() };
    if (this.recorded > 0) {
      const sorted = this.latencies.subarray(0, this.recorded).sort();
      mark.p50Us = percentile(sorted, 50) * 1000;
      mark.p99Us = percentile(sorted, 99) * 1000;
    }
    this.recorded = 0;
    return mark;
  }
}
