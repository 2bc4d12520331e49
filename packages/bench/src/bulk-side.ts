// A bulk-transfer side (stream-bulk): bytes per second at the sink, and the CPU each end spends per MB.
import { sleep, type WorkerHandle } from './harness.js';
import type { Mark } from './peer.js';
import { type Sample, type Side, settle } from './sides.js';

/** A mark of a bulk worker: `count` bytes received (the sink) and `cpuUs`, the process's user + system CPU. */
export interface BulkMark extends Mark {
  cpuUs: number;
}

/**
 * A bulk sample: the sink's rate, and CPU ms per MB received, per end. CPU per MB holds when the machine
 * is busy and throughput does not: it counts the work, not the share of the cores a process was given.
 */
export interface BulkSample extends Sample {
  sinkCpuMsPerMB: number;
  sourceCpuMsPerMB: number;
}

const GRACE_MS = 30_000;

/** The user + system CPU this process has used, in µs, for a `BulkMark`. */
export function cpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/**
 * `source` serves `start`, `stop` (resolving once idle) and `mark`; `sink` serves `mark` counting bytes.
 * Marks are taken after `warmupMs` and `durationMs` later, as `meteredSide` does, on both ends.
 */
export function bulkSide(source: WorkerHandle, sink: WorkerHandle, workers: WorkerHandle[]): Side {
  const marks = () =>
    Promise.all([sink.request<BulkMark>('mark', undefined, GRACE_MS), source.request<BulkMark>('mark')]);
  return {
    async measure(window): Promise<BulkSample> {
      await source.request('start', undefined, GRACE_MS);
      try {
        await sleep(window.warmupMs);
        const [sink0, source0] = await marks();
        await sleep(window.durationMs);
        const [sink1, source1] = await marks();
        const mb = (sink1.count - sink0.count) / 1e6;
        return {
          value: (sink1.count - sink0.count) / ((sink1.t - sink0.t) / 1000),
          sinkCpuMsPerMB: (sink1.cpuUs - sink0.cpuUs) / 1000 / mb,
          sourceCpuMsPerMB: (source1.cpuUs - source0.cpuUs) / 1000 / mb,
        };
      } finally {
        await source.request('stop', undefined, GRACE_MS);
        await settle(sink);
      }
    },
    async close() {
      for (const w of workers) w.kill();
    },
  };
}
