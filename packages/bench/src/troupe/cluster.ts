// Harness side of Troupe's remote sides: a static member list on free ports, one node worker per member.
import type { WorkerHandle } from '../harness.js';
import type { SideContext } from '../sides.js';

/** A member of a bench cluster: a node address ("1.2.1") and the loopback port it listens on. */
export interface Member {
  addr: string;
  port: number;
}

/** An actor by node address and name, as it crosses IPC. */
export interface Target {
  node: string;
  name: string;
}

/** What a node worker (node.worker.ts) runs: its node, and the actors and load on it. */
export interface NodeWorkerOptions {
  self: string;
  /** Every member of the cluster, this node included; each node builds the same static membership. */
  members: Member[];
  /** Sink actors to spawn, named `sink-0`, `sink-1`, ...; the worker's meter counts what they receive. */
  sinks?: number;
  /** Spawn an `echo` actor. */
  echo?: boolean;
  /** Run a sender actor casting to `targets` in turn, paced by asks to `probes` (one sink per remote node). */
  tell?: { targets: Target[]; probes: Target[] };
  /** Keep `inFlight` asks outstanding to `target`'s echo, metered per round trip. */
  ask?: { target: Target; inFlight: number };
  /** Serve `/metrics` (`serveMetrics` of @troupe/dashboard) on a free port, reported as `info.metricsUrl`. */
  metrics?: boolean;
}

const WORKER = new URL('./node.worker.ts', import.meta.url);

/** Ports for `addrs`, free a moment ago, as the member list every node of the cluster gets. */
export async function members(ctx: SideContext, addrs: readonly string[]): Promise<Member[]> {
  const out: Member[] = [];
  for (const addr of addrs) out.push({ addr, port: await ctx.freePort() });
  return out;
}

/**
 * Starts one node worker per entry, in order and each once the previous one is ready: receivers first, so a
 * sender's first ask finds them listening. The options' `members` are filled in.
 */
export async function startNodes(
  ctx: SideContext,
  cluster: readonly Member[],
  nodes: readonly Omit<NodeWorkerOptions, 'members'>[],
): Promise<WorkerHandle[]> {
  const workers: WorkerHandle[] = [];
  try {
    for (const n of nodes) {
      const options: NodeWorkerOptions = { ...n, members: [...cluster] };
      workers.push(await ctx.spawn(WORKER, { options }));
    }
  } catch (err) {
    for (const w of workers) w.kill();
    throw err;
  }
  return workers;
}

/** `sink-0` .. `sink-(count-1)` on `node`. */
export function sinks(node: string, count: number): Target[] {
  return Array.from({ length: count }, (_, i) => ({ node, name: `sink-${i}` }));
}
