// The Prometheus families of a node, each filled at scrape time from one `node.stats()` snapshot.
import { getHeapStatistics } from 'node:v8';
import { Addr, type NodeStats } from '@troupe/runtime';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ReasonCounts } from './labels.js';
import type { ResolvedMetricsOptions } from './options.js';
import {
  type GatewaySection,
  gatewaySection,
  type HarborSection,
  harborSection,
  type RouteSection,
  transportExtras,
} from './sections.js';

/** What one scrape reads: the snapshot and the counts the metrics keep from node events. */
export interface ScrapeInput {
  stats: NodeStats;
  memberDowns: ReasonCounts;
  /** Members seen down and not back, by this node's view. */
  membersDown: number;
  eventLoop: { p99Seconds: number; maxSeconds: number; meanSeconds: number };
}

type Labels = Record<string, string>;
type Emit = (value: number, labels?: Labels) => void;
type Fill = (input: ScrapeInput, emit: Emit) => void;

interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  labels?: string[];
  fill: Fill;
}

const ms = 1 / 1000;
const directions = (input: number, output: number, emit: Emit): void => {
  emit(input, { direction: 'in' });
  emit(output, { direction: 'out' });
};
const each = (record: Record<string, number>, key: string, emit: Emit): void => {
  for (const [k, v] of Object.entries(record)) emit(v, { [key]: k });
};

/** A label-less value of the harbor section, on harbor nodes only. */
const harbor =
  (value: (h: HarborSection) => number): Fill =>
  ({ stats }, emit) => {
    const h = harborSection(stats);
    if (h !== undefined) emit(value(h));
  };

/** A label-less value of the gateway section, on gateway nodes only. */
const gateway =
  (value: (g: GatewaySection) => number): Fill =>
  ({ stats }, emit) => {
    const g = gatewaySection(stats);
    if (g !== undefined) emit(value(g));
  };

/** An in/out pair per link. */
const perLink =
  (pair: (l: NodeStats['links'][number]) => [number, number]): Fill =>
  ({ stats }, emit) => {
    for (const l of stats.links) {
      const peer = Addr.format(l.peer as Addr);
      const [input, output] = pair(l);
      emit(input, { peer, direction: 'in' });
      emit(output, { peer, direction: 'out' });
    }
  };

/** An in/out pair per gateway route. */
const perRoute =
  (pair: (r: RouteSection) => [number, number]): Fill =>
  ({ stats }, emit) => {
    for (const [route, r] of Object.entries(gatewaySection(stats)?.routes ?? {})) {
      const [input, output] = pair(r);
      emit(input, { route, direction: 'in' });
      emit(output, { route, direction: 'out' });
    }
  };

/** Every family, in the order they are written (the first one takes the snapshot). */
export function families(options: ResolvedMetricsOptions): Family[] {
  const f: Family[] = [
    {
      name: 'troupe_node_info',
      help: 'Constant 1; labels describe this node',
      type: 'gauge',
      labels: ['incarnation', 'observer', 'group', 'type'],
      fill: ({ stats }, emit) => {
        const a = Addr.parse(stats.addr);
        emit(1, {
          incarnation: stats.incarnation,
          observer: String(stats.observer),
          group: String(Addr.group(a)),
          type: String(Addr.type(a)),
        });
      },
    },
    {
      name: 'troupe_node_uptime_seconds',
      help: 'Seconds since the node started',
      type: 'gauge',
      fill: ({ stats }, emit) => emit(stats.uptimeMs * ms),
    },
    {
      name: 'troupe_actors',
      help: 'Live actors on the node, by kind (user or system)',
      type: 'gauge',
      labels: ['kind'],
      fill: ({ stats }, emit) => {
        emit(stats.actors.count - stats.actors.system, { kind: 'user' });
        emit(stats.actors.system, { kind: 'system' });
      },
    },
    {
      name: 'troupe_mailbox_depth_max',
      help: 'Messages waiting in the deepest mailbox of the node',
      type: 'gauge',
      fill: ({ stats }, emit) => emit(stats.actors.mailboxes[0]?.depth ?? 0),
    },
    {
      name: 'troupe_mailbox_depth',
      help: `Messages waiting in the ${options.topMailboxes} deepest mailboxes, by actor`,
      type: 'gauge',
      labels: ['actor'],
      fill: ({ stats }, emit) => {
        for (const m of stats.actors.mailboxes) {
          const actor = options.actorLabel(m.name);
          if (actor !== undefined) emit(m.depth, { actor });
        }
      },
    },
    {
      name: 'troupe_asks_in_flight',
      help: 'Asks sent to other nodes and not yet settled',
      type: 'gauge',
      fill: ({ stats }, emit) => emit(stats.asksInFlight),
    },
    {
      name: 'troupe_dead_letters_total',
      help: 'Messages that could not be delivered, by reason',
      type: 'counter',
      labels: ['reason'],
      // The node counts them by a bounded reason from its start, so figures from before the metrics
      // were attached are included.
      fill: ({ stats }, emit) => each(stats.deadLettersByReason, 'reason', emit),
    },
    {
      name: 'troupe_asks_started_total',
      help: 'Asks this node sent (to local or remote actors)',
      type: 'counter',
      fill: ({ stats }, emit) => emit(stats.asks.started),
    },
    {
      name: 'troupe_asks_total',
      help: 'Asks this node sent that settled, by outcome (ok, REMOTE_ERROR, a runtime error code, other)',
      type: 'counter',
      labels: ['outcome'],
      fill: ({ stats }, emit) => {
        // ok always, so a rate of successes exists before the first ask.
        emit(stats.asks.settled.ok ?? 0, { outcome: 'ok' });
        for (const [outcome, n] of Object.entries(stats.asks.settled))
          if (outcome !== 'ok') emit(n, { outcome });
      },
    },
    {
      name: 'troupe_members',
      help: 'Cluster members this node sees, by state',
      type: 'gauge',
      labels: ['state'],
      fill: ({ stats, membersDown }, emit) => {
        emit(stats.members, { state: 'up' });
        emit(membersDown, { state: 'down' });
      },
    },
    {
      name: 'troupe_member_downs_total',
      help: 'Members this node saw go down, by reason',
      type: 'counter',
      labels: ['reason'],
      fill: ({ memberDowns }, emit) => {
        for (const [reason, n] of memberDowns.entries()) emit(n, { reason });
      },
    },
    {
      name: 'troupe_link_up',
      help: '1 when the link to the peer is up',
      type: 'gauge',
      labels: ['peer'],
      fill: ({ stats }, emit) => {
        for (const l of stats.links) emit(l.state === 'up' ? 1 : 0, { peer: Addr.format(l.peer as Addr) });
      },
    },
    {
      name: 'troupe_link_messages_total',
      help: 'Frames (messages, asks, replies, heartbeats) per link',
      type: 'counter',
      labels: ['peer', 'direction'],
      fill: perLink((l) => [l.framesIn, l.framesOut]),
    },
    {
      name: 'troupe_link_bytes_total',
      help: 'Bytes per link',
      type: 'counter',
      labels: ['peer', 'direction'],
      fill: perLink((l) => [l.bytesIn, l.bytesOut]),
    },
    {
      name: 'troupe_link_rtt_seconds',
      help: 'Last heartbeat round trip per link',
      type: 'gauge',
      labels: ['peer'],
      fill: ({ stats }, emit) => {
        for (const l of stats.links)
          if (l.rttMs !== undefined) emit(l.rttMs * ms, { peer: Addr.format(l.peer as Addr) });
      },
    },
    {
      name: 'troupe_transport_messages_total',
      help: 'Frames over all links',
      type: 'counter',
      labels: ['direction'],
      fill: ({ stats }, emit) => directions(stats.transport.framesIn, stats.transport.framesOut, emit),
    },
    {
      name: 'troupe_transport_bytes_total',
      help: 'Bytes over all links',
      type: 'counter',
      labels: ['direction'],
      fill: ({ stats }, emit) => directions(stats.transport.bytesIn, stats.transport.bytesOut, emit),
    },
    {
      name: 'troupe_transport_dropped_messages_total',
      help: 'Frames the transport dropped, by reason',
      type: 'counter',
      labels: ['reason'],
      fill: ({ stats }, emit) => each(stats.transport.dropped, 'reason', emit),
    },
    {
      name: 'troupe_handshakes_refused_total',
      help: 'Link handshakes refused, by reason',
      type: 'counter',
      labels: ['reason'],
      fill: ({ stats }, emit) => each(transportExtras(stats).handshakesRefused, 'reason', emit),
    },
    {
      name: 'troupe_forged_messages_total',
      help: 'Frames dropped for a forged origin',
      type: 'counter',
      fill: ({ stats }, emit) => emit(transportExtras(stats).forgedFrames ?? 0),
    },
    {
      name: 'troupe_harbor_forwarded_messages_total',
      help: 'Frames a harbor relayed',
      type: 'counter',
      fill: harbor((h) => h.framesForwarded),
    },
    {
      name: 'troupe_harbor_forwarded_bytes_total',
      help: 'Bytes a harbor relayed',
      type: 'counter',
      fill: harbor((h) => h.bytesForwarded),
    },
    {
      name: 'troupe_harbor_dropped_messages_total',
      help: 'Frames a harbor refused to relay, by reason',
      type: 'counter',
      labels: ['reason'],
      fill: ({ stats }, emit) => each(harborSection(stats)?.dropped ?? {}, 'reason', emit),
    },
    {
      name: 'troupe_gateway_sessions',
      help: 'Client sessions on a gateway, by state',
      type: 'gauge',
      labels: ['state'],
      fill: ({ stats }, emit) => {
        const g = gatewaySection(stats);
        if (g === undefined) return;
        emit(g.sessions - g.detached, { state: 'attached' });
        emit(g.detached, { state: 'detached' });
      },
    },
    {
      name: 'troupe_gateway_sessions_opened_total',
      help: 'Sessions a gateway opened',
      type: 'counter',
      fill: gateway((g) => g.sessionsOpened),
    },
    {
      name: 'troupe_gateway_sessions_resumed_total',
      help: 'Sessions a gateway resumed',
      type: 'counter',
      fill: gateway((g) => g.sessionsResumed),
    },
    {
      name: 'troupe_gateway_route_messages_total',
      help: 'Client frames per route',
      type: 'counter',
      labels: ['route', 'direction'],
      fill: perRoute((r) => [r.framesIn, r.framesOut]),
    },
    {
      name: 'troupe_gateway_route_bytes_total',
      help: 'Client bytes per route',
      type: 'counter',
      labels: ['route', 'direction'],
      fill: perRoute((r) => [r.bytesIn, r.bytesOut]),
    },
    {
      name: 'troupe_gateway_refusals_total',
      help: 'Client frames refused and sessions closed, by notice code',
      type: 'counter',
      labels: ['code'],
      fill: ({ stats }, emit) => each(gatewaySection(stats)?.refusals ?? {}, 'code', emit),
    },
    {
      name: 'troupe_event_loop_lag_seconds',
      help: 'Event-loop delay since the last scrape, by statistic',
      type: 'gauge',
      labels: ['stat'],
      fill: ({ eventLoop }, emit) => {
        emit(eventLoop.meanSeconds, { stat: 'mean' });
        emit(eventLoop.p99Seconds, { stat: 'p99' });
        emit(eventLoop.maxSeconds, { stat: 'max' });
      },
    },
    {
      name: 'troupe_process_resident_memory_bytes',
      help: 'Resident set size of the process',
      type: 'gauge',
      fill: (_i, emit) => emit(process.memoryUsage.rss()),
    },
    {
      name: 'troupe_process_heap_bytes',
      help: 'V8 heap of the process, used and total',
      type: 'gauge',
      labels: ['kind'],
      // The heap alone: `process.memoryUsage()` would read the resident set from /proc a second time.
      fill: (_i, emit) => {
        const h = getHeapStatistics();
        emit(h.used_heap_size, { kind: 'used' });
        emit(h.total_heap_size, { kind: 'total' });
      },
    },
  ];
  return f;
}

/**
 * Registers `list` in `registry`, each metric filled by its `collect` from `input()`. The first
 * family's collect calls `refresh` (prom-client runs collects in registration order, synchronously),
 * so one scrape reads one snapshot however it is started.
 */
export function register(
  registry: Registry,
  list: Family[],
  refresh: () => void,
  input: () => ScrapeInput,
): void {
  list.forEach((family, i) => {
    const labelNames = family.labels ?? [];
    if (family.type === 'counter') {
      const counter: Counter<string> = new Counter({
        name: family.name,
        help: family.help,
        labelNames,
        registers: [registry],
        collect() {
          if (i === 0) refresh();
          counter.reset();
          family.fill(input(), (v, labels) => (labels ? counter.inc(labels, v) : counter.inc(v)));
        },
      });
    } else {
      const gauge: Gauge<string> = new Gauge({
        name: family.name,
        help: family.help,
        labelNames,
        registers: [registry],
        collect() {
          if (i === 0) refresh();
          gauge.reset();
          family.fill(input(), (v, labels) => (labels ? gauge.set(labels, v) : gauge.set(v)));
        },
      });
    }
  });
}
