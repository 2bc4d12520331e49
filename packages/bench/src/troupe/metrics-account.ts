// In a node worker: how much of the main thread's CPU the watch takes, from V8 CPU-profile samples.
import { Session } from 'node:inspector/promises';
import type { Mark } from '../peer.js';

/** Sampling interval of the account's profiler (µs): fine enough to catch a sub-millisecond scrape. */
export const ACCOUNT_SAMPLING_US = 50;

/** A meter's mark with the process's CPU time read at the same moment. */
export interface UsageMark extends Mark {
  /** `cpuUs()` when the mark was taken. */
  cpuUs: number;
}

/** CPU time this process has used so far, user plus system, every thread (µs). */
export function cpuUs(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/** Where a node's main thread spent a profiled window, in ms of samples per second of window. */
export interface WatchAccount {
  /** Answering `/metrics`: HTTP parsing and writing, the handler, prom-client, the stats snapshot. */
  scrapeMsPerSec: number;
  /** Answering the dashboard's `troupe.node` stats ask: the handler and its snapshot. */
  statsMsPerSec: number;
  /** Every sample that was not idle (the watch included). */
  busyMsPerSec: number;
  /** `(scrape + stats) / busy`, in percent. */
  sharePct: number;
}

interface CallFrame {
  functionName: string;
  url: string;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

type Kind = 'scrape' | 'stats' | 'idle' | 'other';

/** A frame that belongs to serving `/metrics`: Node's HTTP server, the dashboard package, prom-client. */
function isScrape(f: CallFrame): boolean {
  return (
    f.url.startsWith('node:_http') || f.url.includes('/dashboard/src/') || f.url.includes('/prom-client/')
  );
}

/** A frame of the `troupe.node` actor's handlers, or of the snapshot they take. */
function isStats(f: CallFrame): boolean {
  return f.url.includes('/runtime/src/node/system-actor.') || f.url.includes('/runtime/src/node/stats.');
}

/**
 * Labels every profile node by its outermost watch frame: a stats snapshot taken inside a scrape is the
 * scrape's. A node below neither is `other` (or `idle`, V8's own label for a thread waiting on the loop).
 */
function classify(profile: Profile): Map<number, Kind> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const kinds = new Map<number, Kind>();
  const root = profile.nodes[0];
  if (root === undefined) return kinds;
  const stack: Array<[ProfileNode, Kind]> = [[root, 'other']];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [node, inherited] = item;
    const f = node.callFrame;
    let kind = inherited;
    if (kind === 'other') {
      if (isScrape(f)) kind = 'scrape';
      else if (isStats(f)) kind = 'stats';
      else if (f.functionName === '(idle)') kind = 'idle';
    }
    kinds.set(node.id, kind);
    for (const child of node.children ?? []) {
      const c = byId.get(child);
      if (c !== undefined) stack.push([c, kind]);
    }
  }
  return kinds;
}

/** Sums a profile's sample time (µs) by kind: each sample lasts until the next one is taken. */
export function accountOf(profile: Profile): WatchAccount {
  const kinds = classify(profile);
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const us: Record<Kind, number> = { scrape: 0, stats: 0, idle: 0, other: 0 };
  for (let i = 0; i < samples.length; i++) {
    const kind = kinds.get(samples[i]!) ?? 'other';
    us[kind] += deltas[i + 1] ?? ACCOUNT_SAMPLING_US;
  }
  const seconds = (profile.endTime - profile.startTime) / 1e6;
  const busy = us.scrape + us.stats + us.other;
  const perSec = (x: number) => (seconds > 0 ? x / 1000 / seconds : Number.NaN);
  return {
    scrapeMsPerSec: perSec(us.scrape),
    statsMsPerSec: perSec(us.stats),
    busyMsPerSec: perSec(busy),
    sharePct: busy > 0 ? ((us.scrape + us.stats) / busy) * 100 : Number.NaN,
  };
}

/** A sampling profiler on this process's main thread, for one window at a time. */
export class WatchProfiler {
  #session: Session | undefined;

  async start(): Promise<void> {
    if (this.#session !== undefined) throw new Error('the profiler is already running');
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: ACCOUNT_SAMPLING_US });
    await session.post('Profiler.start');
    this.#session = session;
  }

  /** Stops the window started by `start` and accounts for it. */
  async stop(): Promise<WatchAccount> {
    const session = this.#session;
    if (session === undefined) throw new Error('the profiler is not running');
    this.#session = undefined;
    try {
      const { profile } = (await session.post('Profiler.stop')) as { profile: Profile };
      return accountOf(profile);
    } finally {
      session.disconnect();
    }
  }
}
