// Troupe's side of metrics-cost: remote-tell's CPU per message, watched by a dashboard and a scraper or not.
import { execFile } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import { sleep, type WorkerHandle } from '../harness.js';
import type { Mark } from '../peer.js';
import type { Sample, Side, SideContext, Window } from '../sides.js';
import { members, sinks, startNodes } from './cluster.js';
import type { DashboardWorkerOptions } from './dashboard.worker.js';
import type { UsageMark, WatchAccount } from './metrics-account.js';

const SENDER = '1.1.1';
const RECEIVER = '1.2.1';
const OBSERVER = '1.9.1';
const WORKER = new URL('./dashboard.worker.ts', import.meta.url);
/** Set to 1 to pin the sender to core 0 and the receiver to core 1 (`taskset`, Linux). */
export const PIN_ENV = 'TROUPE_BENCH_PIN';
/** Grace beyond a window before a worker that has not answered is given up on. */
const GRACE_MS = 30_000;
/** How long the receiver's count must hold still after the sender stops (two polls this far apart). */
const SETTLE_POLL_MS = 50;
const SETTLE_TIMEOUT_MS = 10_000;

/** One window's figures: CPU per delivered message is the one compared; throughput rides along. */
export interface Cost {
  /** CPU time (ns) the sender and the receiver processes used per message the receiver got. */
  cpuNs: number;
  /** Messages the receiver got per second. */
  msgsPerSec: number;
  /** CPU time the observer process (dashboard and scraper) used per second of window (ms). */
  observerMsPerSec: number;
}

/** One window of one side: `value` is `cost.cpuNs`. */
export interface CostSample extends Sample {
  cost: Cost;
}

/** A watched window profiled in both nodes: where their main threads' time went. */
export interface AccountSample extends Sample {
  sender: WatchAccount;
  receiver: WatchAccount;
}

/** The sides of metrics-cost, over one cluster opened on first use. */
export interface MetricsCostSides {
  /** Remote-tell with the dashboard page open and both `/metrics` scraped every `everyMs`. */
  watched(): Promise<Side>;
  /** The same processes, the same stretch of the run: no page open, no scrape, no stats ask. */
  unwatched(): Promise<Side>;
  /** A watched window with both nodes' main threads profiled; `value` is the receiver's watch share (%). */
  account(): Promise<Side>;
}

/** Remote-tell's two nodes and the observer that watches them. */
interface Cluster {
  sender: WorkerHandle;
  receiver: WorkerHandle;
  observer: WorkerHandle;
}

/**
 * The window of one measure: it starts half a period after the page's first read and lasts whole
 * periods, so every watched window holds the same number of reads and scrapes, none at its edges.
 */
export function pairWindow(remote: Window, everyMs: number): Window {
  return {
    warmupMs: everyMs / 2,
    durationMs: everyMs * Math.max(1, Math.floor(remote.durationMs / everyMs)),
  };
}

/** Pins the sender to core 0 and the receiver to core 1, when asked to and the machine has two. */
async function pin(c: Cluster): Promise<void> {
  if (process.env[PIN_ENV] !== '1') return;
  if (availableParallelism() < 2) throw new Error(`${PIN_ENV}=1 needs two cores`);
  const taskset = promisify(execFile);
  // -a: every thread of the process, libuv's pool and V8's helpers included.
  await taskset('taskset', ['-a', '-p', '-c', '0', String(c.sender.pid)]);
  await taskset('taskset', ['-a', '-p', '-c', '1', String(c.receiver.pid)]);
}

/** Waits until the receiver's count holds still for two polls (the sender's backlog is delivered). */
async function settle(receiver: WorkerHandle): Promise<void> {
  let last = -1;
  let still = 0;
  const deadline = performance.now() + SETTLE_TIMEOUT_MS;
  while (still < 2 && performance.now() < deadline) {
    const { count } = await receiver.request<Mark>('mark', undefined, GRACE_MS);
    still = count === last ? still + 1 : 0;
    last = count;
    if (still < 2) await sleep(SETTLE_POLL_MS);
  }
}

interface Usage {
  sender: UsageMark;
  receiver: UsageMark;
  observerUs: number;
}

async function usage(c: Cluster): Promise<Usage> {
  const [sender, receiver, observerUs] = await Promise.all([
    c.sender.request<UsageMark>('usage', undefined, GRACE_MS),
    c.receiver.request<UsageMark>('usage', undefined, GRACE_MS),
    c.observer.request<number>('usage', undefined, GRACE_MS),
  ]);
  return { sender, receiver, observerUs };
}

function costOf(first: Usage, last: Usage): Cost {
  const delivered = last.receiver.count - first.receiver.count;
  if (delivered <= 0) throw new Error('a receiver got nothing in the window');
  const seconds = (last.receiver.t - first.receiver.t) / 1000;
  const cpuUs = last.sender.cpuUs - first.sender.cpuUs + last.receiver.cpuUs - first.receiver.cpuUs;
  return {
    cpuNs: (cpuUs * 1000) / delivered,
    msgsPerSec: delivered / seconds,
    observerMsPerSec: (last.observerUs - first.observerUs) / 1000 / seconds,
  };
}

/**
 * Runs remote-tell for `window`, watched or not, and returns what `during` measured between the warmup and
 * the end. The page leaves (and the dashboard stops polling) before the sender stops, so nothing of a
 * watched window spills into the next, and every window, watched or not, starts from the same state: the
 * sender stopped and its backlog delivered.
 */
async function load<T>(
  c: Cluster,
  watched: boolean,
  window: Window,
  during: (window: Window) => Promise<T>,
): Promise<T> {
  let reads = 0;
  let result: T;
  await c.sender.request('start', undefined, GRACE_MS);
  try {
    if (watched) await c.observer.request('start', undefined, GRACE_MS);
    try {
      await sleep(window.warmupMs);
      result = await during(window);
    } finally {
      if (watched) reads = await c.observer.request<number>('stop', undefined, GRACE_MS);
    }
  } finally {
    await c.sender.request('stop', undefined, GRACE_MS);
    await settle(c.receiver);
  }
  if (watched && reads === 0) throw new Error('the stand-in page read nothing while measured');
  return result;
}

/**
 * Opens metrics-cost's cluster: remote-tell's two node processes, each also serving `serveMetrics`, and a
 * third process running an observer node with `startDashboard`. While watched, the third process reads
 * `/api/cluster` once every `everyMs` as an open page does (so the dashboard asks both nodes' `troupe.node`
 * for stats as often) and scrapes both nodes' `/metrics` as often. A window's figure is the CPU time
 * (`process.cpuUsage()`, user + system, all threads) the sender and receiver processes spent per message
 * the receiver got: it moves far less than msgs/s when another process takes a core for a while. Both
 * sides run on the same processes, alternated by the scenario, so drift between processes stays out of
 * their ratio.
 */
export function troupeMetricsCost(
  ctx: SideContext,
  params: { everyMs: number; warmupMs: number },
): MetricsCostSides {
  const openCluster = async (): Promise<Cluster> => {
    const cluster = await members(ctx, [SENDER, RECEIVER, OBSERVER]);
    const [sink] = sinks(RECEIVER, 1);
    const [receiver, sender] = await startNodes(ctx, cluster, [
      { self: RECEIVER, sinks: 1, metrics: true },
      { self: SENDER, tell: { targets: [sink!], probes: [sink!] }, metrics: true },
    ]);
    const url = (w: WorkerHandle) => (w.info as { metricsUrl: string }).metricsUrl;
    const options: DashboardWorkerOptions = {
      self: OBSERVER,
      members: cluster,
      scrape: [url(receiver!), url(sender!)],
      everyMs: params.everyMs,
    };
    const observer = await ctx.spawn(WORKER, { options });
    return { sender: sender!, receiver: receiver!, observer };
  };
  let opened: Promise<Cluster> | undefined;
  const open = async (): Promise<Cluster> => {
    const c = await openCluster();
    await pin(c);
    // A watched window left unmeasured: the first pair must not pay for compiling the hot paths.
    await load(c, true, { warmupMs: params.warmupMs, durationMs: 0 }, async () => {});
    return c;
  };
  const cluster = () => {
    opened ??= open();
    return opened;
  };
  const close = async () => {
    const c = await opened;
    for (const w of c === undefined ? [] : [c.sender, c.receiver, c.observer]) w.kill();
  };
  const costSide = (watched: boolean): Side => ({
    async measure(window): Promise<CostSample> {
      const c = await cluster();
      return load(c, watched, window, async (w) => {
        const first = await usage(c);
        await sleep(w.durationMs);
        const cost = costOf(first, await usage(c));
        return { value: cost.cpuNs, cost };
      });
    },
    close,
  });
  return {
    watched: async () => costSide(true),
    unwatched: async () => costSide(false),
    async account() {
      return {
        async measure(window): Promise<AccountSample> {
          const c = await cluster();
          const nodes = [c.sender, c.receiver];
          return load(c, true, window, async (w) => {
            await Promise.all(nodes.map((n) => n.request('accountStart', undefined, GRACE_MS)));
            await sleep(w.durationMs);
            const [sender, receiver] = await Promise.all(
              nodes.map((n) => n.request<WatchAccount>('accountStop', undefined, GRACE_MS)),
            );
            return { value: receiver!.sharePct, sender: sender!, receiver: receiver! };
          });
        },
        close,
      };
    },
  };
}
