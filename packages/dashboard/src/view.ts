// The JSON the dashboard page reads (`/api/cluster`): members, links, rates and chart series.

/** One member's line on the page. */
export interface MemberView {
  addr: string;
  group: number;
  type: number;
  /** `up`; `down` (membership says so); `unreachable` (a member whose stats ask failed). */
  state: 'up' | 'down' | 'unreachable';
  observer: boolean;
  available: boolean;
  load: number;
  host: string;
  port: number;
  incarnation: string;
  /** Why and when it went down (ms epoch). */
  downReason?: string;
  downAt?: number;
  /** From its latest stats, when one came in. */
  stats?: MemberStatsView;
}

/** What the page shows of a member's `node.stats()`, with rates from the previous sample. */
export interface MemberStatsView {
  uptimeMs: number;
  actors: number;
  systemActors: number;
  mailboxes: Array<{ name: string; depth: number }>;
  asksInFlight: number;
  /** Asks this member sent that settled per second. */
  asksPerSec: number;
  /** Latency quantiles of its asks settled since the previous sample (ms, from the histogram). */
  askP50Ms: number;
  askP99Ms: number;
  deadLetters: number;
  deadLettersPerSec: number;
  msgsInPerSec: number;
  msgsOutPerSec: number;
  bytesInPerSec: number;
  bytesOutPerSec: number;
  /** Round trip of the dashboard's own `troupe.node` stats ask (ms). */
  probeMs: number;
  harbor?: {
    forwarded: number;
    forwardedPerSec: number;
    bytesPerSec: number;
    dropped: Record<string, number>;
  };
  gateway?: {
    sessions: number;
    detached: number;
    refusals: Record<string, number>;
    routes: Array<{ route: string; inPerSec: number; outPerSec: number }>;
  };
  /** Other extension sections' names (pub/sub, streams, ...). */
  extensions: string[];
}

/** A link as one end reports it. */
export interface LinkView {
  from: string;
  to: string;
  state: string;
  rttMs?: number;
  msgsPerSec: number;
  bytesPerSec: number;
}

/** Time series for the charts: `t` in seconds (epoch), one value per point in each series. */
export interface SeriesView {
  t: number[];
  msgsPerSec: number[];
  deadLettersPerSec: number[];
  sessions: number[];
  asksInFlight: number[];
  /** Asks settled per second, cluster-wide. */
  asksPerSec: number[];
  /** The highest member ask p99 (ms). */
  askP99Ms: number[];
  probeMs: number[];
}

/** The whole page model. */
export interface ClusterView {
  now: number;
  /** The node serving the dashboard. */
  observer: string;
  intervalMs: number;
  members: MemberView[];
  links: LinkView[];
  series: SeriesView;
}
