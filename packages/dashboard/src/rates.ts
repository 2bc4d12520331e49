// Per-second rates from two cumulative samples, and the member summary built from a stats snapshot.
import { Addr, type NodeStats } from '@troupe/runtime';
import { bucketDelta, bucketQuantile } from './quantile.js';
import { gatewaySection, harborSection } from './sections.js';
import type { LinkView, MemberStatsView } from './view.js';

/** The cumulative counters of one member's previous sample. */
export interface Sample {
  at: number;
  framesIn: number;
  framesOut: number;
  bytesIn: number;
  bytesOut: number;
  deadLetters: number;
  /** Asks settled, and per latency bucket. */
  asks: number;
  askBuckets: number[];
  harborFrames: number;
  harborBytes: number;
  routes: Map<string, { in: number; out: number }>;
  links: Map<number, { frames: number; bytes: number }>;
}

/** Change per second; 0 without a previous sample or after a counter went back (a restart). */
function rate(now: number, prev: number | undefined, seconds: number): number {
  if (prev === undefined || seconds <= 0 || now < prev) return 0;
  return (now - prev) / seconds;
}

/** The counters of `stats` to diff against next time. */
export function sampleOf(stats: NodeStats, at: number): Sample {
  const h = harborSection(stats);
  const g = gatewaySection(stats);
  return {
    at,
    framesIn: stats.transport.framesIn,
    framesOut: stats.transport.framesOut,
    bytesIn: stats.transport.bytesIn,
    bytesOut: stats.transport.bytesOut,
    deadLetters: stats.deadLetters,
    asks: stats.asks.latency.count,
    askBuckets: stats.asks.latency.counts,
    harborFrames: h?.framesForwarded ?? 0,
    harborBytes: h?.bytesForwarded ?? 0,
    routes: new Map(
      Object.entries(g?.routes ?? {}).map(([k, r]) => [k, { in: r.framesIn, out: r.framesOut }]),
    ),
    links: new Map(
      stats.links.map((l) => [l.peer, { frames: l.framesIn + l.framesOut, bytes: l.bytesIn + l.bytesOut }]),
    ),
  };
}

/** The page's summary of `stats`, with rates against `prev`. */
export function summarise(
  stats: NodeStats,
  now: Sample,
  prev: Sample | undefined,
  probeMs: number,
): MemberStatsView {
  const s = prev === undefined ? 0 : (now.at - prev.at) / 1000;
  const h = harborSection(stats);
  const g = gatewaySection(stats);
  const known = new Set(['harbor', 'gateway']);
  // Latency quantiles of the asks settled since the previous sample.
  const recent = bucketDelta(now.askBuckets, prev?.askBuckets);
  const askMs = (q: number) => bucketQuantile(stats.asks.latency.bounds, recent, q) * 1000;
  return {
    uptimeMs: stats.uptimeMs,
    actors: stats.actors.count - stats.actors.system,
    systemActors: stats.actors.system,
    mailboxes: stats.actors.mailboxes,
    asksInFlight: stats.asksInFlight,
    asksPerSec: rate(now.asks, prev?.asks, s),
    askP50Ms: askMs(0.5),
    askP99Ms: askMs(0.99),
    deadLetters: stats.deadLetters,
    deadLettersPerSec: rate(now.deadLetters, prev?.deadLetters, s),
    msgsInPerSec: rate(now.framesIn, prev?.framesIn, s),
    msgsOutPerSec: rate(now.framesOut, prev?.framesOut, s),
    bytesInPerSec: rate(now.bytesIn, prev?.bytesIn, s),
    bytesOutPerSec: rate(now.bytesOut, prev?.bytesOut, s),
    probeMs,
    ...(h === undefined
      ? {}
      : {
          harbor: {
            forwarded: h.framesForwarded,
            forwardedPerSec: rate(now.harborFrames, prev?.harborFrames, s),
            bytesPerSec: rate(now.harborBytes, prev?.harborBytes, s),
            dropped: h.dropped,
          },
        }),
    ...(g === undefined
      ? {}
      : {
          gateway: {
            sessions: g.sessions,
            detached: g.detached,
            refusals: g.refusals,
            routes: [...now.routes].map(([route, c]) => ({
              route,
              inPerSec: rate(c.in, prev?.routes.get(route)?.in, s),
              outPerSec: rate(c.out, prev?.routes.get(route)?.out, s),
            })),
          },
        }),
    extensions: Object.keys(stats.extensions).filter((name) => !known.has(name)),
  };
}

/** The links `stats` reports, as seen from its node. */
export function linksOf(stats: NodeStats, now: Sample, prev: Sample | undefined): LinkView[] {
  const s = prev === undefined ? 0 : (now.at - prev.at) / 1000;
  return stats.links.map((l) => {
    const c = now.links.get(l.peer)!;
    const p = prev?.links.get(l.peer);
    return {
      from: stats.addr,
      to: Addr.format(l.peer as Addr),
      state: l.state,
      ...(l.rttMs === undefined ? {} : { rttMs: l.rttMs }),
      msgsPerSec: rate(c.frames, p?.frames, s),
      bytesPerSec: rate(c.bytes, p?.bytes, s),
    };
  });
}
