// `node.stats()`: actors, mailbox depths, asks in flight, dead letters, links and extension sections.
import { Addr, type LinkStats, OptionError, type TransportStats } from '@troupe/transport';
import type { AskStats } from './ask-metrics.js';
import type { NodeCore } from './core.js';

/** How many of the deepest mailboxes `stats()` lists by default. */
export const DEFAULT_STATS_TOP = 10;

/** A snapshot of one node, as `node.stats()` and the `troupe.node` actor's `stats` answer it. */
export interface NodeStats {
  addr: string;
  incarnation: string;
  observer: boolean;
  /** Milliseconds since the node started. */
  uptimeMs: number;
  actors: {
    /** Live actors, system actors included. */
    count: number;
    /** Of which system actors. */
    system: number;
    /** The deepest mailboxes, deepest first (at most `top`, only non-empty ones). */
    mailboxes: Array<{ name: string; depth: number }>;
  };
  /** Asks this node sent (to local or remote actors) and not yet settled. */
  asksInFlight: number;
  /** Asks this node sent since it started: started, settled by outcome, latency histogram. */
  asks: AskStats;
  /** Messages that could not be delivered, since the node started. */
  deadLetters: number;
  /** The same by bounded reason (`DEAD_LETTER_REASONS`; only reasons that occurred). */
  deadLettersByReason: Record<string, number>;
  /** Live members this node sees, itself included. */
  members: number;
  /** Per-peer links: state, bytes and frames each way, heartbeat RTT, since when up. */
  links: LinkStats[];
  /** The transport's totals. */
  transport: TransportStats;
  /** Each extension's section, by extension name. */
  extensions: Record<string, unknown>;
}

/** Options of `stats()`. */
export interface StatsOptions {
  /** How many of the deepest mailboxes to list. Default `DEFAULT_STATS_TOP`. */
  top?: number;
}

/** Collects a node's stats. Cost grows with the number of actors (a scan for the deepest mailboxes). */
export function collectStats(core: NodeCore, startedAt: number, options: StatsOptions = {}): NodeStats {
  const top = options.top ?? DEFAULT_STATS_TOP;
  if (!Number.isInteger(top) || top < 0)
    throw new OptionError('top', `must be a non-negative integer, got ${top}`);
  const deepest: Array<{ name: string; depth: number }> = [];
  for (const cell of core.actors.all()) {
    const depth = cell.mailboxSize;
    if (depth === 0 || top === 0) continue;
    if (deepest.length === top && depth <= deepest[deepest.length - 1]!.depth) continue;
    deepest.push({ name: cell.id.name, depth });
    deepest.sort((a, b) => b.depth - a.depth);
    if (deepest.length > top) deepest.pop();
  }
  return {
    addr: Addr.format(core.addr),
    incarnation: core.incarnation,
    observer: core.observer,
    uptimeMs: Date.now() - startedAt,
    actors: { count: core.actors.size, system: core.actors.systemSize, mailboxes: deepest },
    asksInFlight: core.asks.size,
    asks: core.asks.stats(),
    deadLetters: core.deadLetters.total,
    deadLettersByReason: core.deadLetters.byReason(),
    members: core.table.members().length,
    links: core.transport.linkStats(),
    transport: core.transport.stats(),
    extensions: core.extensions.stats(),
  };
}
