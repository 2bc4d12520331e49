// What the dashboard knows of the cluster: members (kept after they go down), their latest stats
// through each node's `troupe.node` actor, and chart history. It polls only while a page looks.
import { Addr, isObserver, type MemberRecord, NODE_ACTOR, type Node, type NodeStats } from '@troupe/runtime';
import type { ResolvedDashboardOptions } from './dashboard-options.js';
import { linksOf, type Sample, sampleOf, summarise } from './rates.js';
import type { ClusterView, LinkView, MemberStatsView, MemberView, SeriesView } from './view.js';

interface Known {
  record: MemberRecord;
  state: MemberView['state'];
  downReason?: string;
  downAt?: number;
  sample?: Sample;
  stats?: MemberStatsView;
  links: LinkView[];
}

/** Polls the members' stats each `intervalMs` while the page was read within `idleAfterMs`. */
export class ClusterWatch {
  readonly #node: Node;
  readonly #o: ResolvedDashboardOptions;
  readonly #known = new Map<number, Known>();
  readonly #series: SeriesView = {
    t: [],
    msgsPerSec: [],
    deadLettersPerSec: [],
    sessions: [],
    asksInFlight: [],
    asksPerSec: [],
    askP99Ms: [],
    probeMs: [],
  };
  #timer: NodeJS.Timeout | undefined;
  #polling: Promise<void> | undefined;
  #lastRead = 0;
  #closed = false;
  readonly #onUp = (m: MemberRecord) => this.#up(m);
  readonly #onDown = (m: MemberRecord, reason: string) => this.#down(m.addr, reason);

  constructor(node: Node, options: ResolvedDashboardOptions) {
    this.#node = node;
    this.#o = options;
    for (const m of node.members()) this.#up(m);
    node.on('memberUp', this.#onUp).on('memberDown', this.#onDown);
  }

  /** The page model; reading it keeps polling on (and starts it after an idle spell). */
  view(): ClusterView {
    this.#lastRead = Date.now();
    if (this.#timer === undefined && this.#polling === undefined && !this.#closed) this.#schedule(0);
    this.#sync();
    const members: MemberView[] = [];
    const links: LinkView[] = [];
    for (const k of this.#known.values()) {
      const r = k.record;
      members.push({
        addr: Addr.format(r.addr),
        group: Addr.group(r.addr),
        type: Addr.type(r.addr),
        state: k.state,
        observer: isObserver(r),
        available: r.available,
        load: r.load,
        host: r.host,
        port: r.port,
        incarnation: r.incarnation,
        ...(k.downReason === undefined ? {} : { downReason: k.downReason, downAt: k.downAt }),
        ...(k.stats === undefined ? {} : { stats: k.stats }),
      });
      if (k.state === 'up') links.push(...k.links);
    }
    members.sort((a, b) => a.group - b.group || a.type - b.type || a.addr.localeCompare(b.addr));
    return {
      now: Date.now(),
      observer: Addr.format(this.#node.addr),
      intervalMs: this.#o.intervalMs,
      members,
      links,
      series: this.#series,
    };
  }

  /** Whether a poll runs or is scheduled (false once no page read the view for `idleAfterMs`). */
  get polling(): boolean {
    return this.#timer !== undefined || this.#polling !== undefined;
  }

  /** Waits for the poll under way, if any (tests and benches read a settled view). */
  async settled(): Promise<void> {
    await this.#polling;
  }

  /** Stops polling and detaches from the node's events. */
  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#node.off('memberUp', this.#onUp).off('memberDown', this.#onDown);
  }

  #up(m: MemberRecord): void {
    const k = this.#known.get(m.addr);
    if (k === undefined) this.#known.set(m.addr, { record: m, state: 'up', links: [] });
    else {
      // A member back with a new incarnation starts its rates afresh.
      if (k.record.incarnation !== m.incarnation) k.sample = undefined;
      k.record = m;
      k.state = 'up';
      k.downReason = undefined;
      k.downAt = undefined;
    }
  }

  #down(addr: number, reason: string): void {
    const k = this.#known.get(addr);
    if (k === undefined || k.state === 'down') return;
    k.state = 'down';
    k.downReason = reason;
    k.downAt = Date.now();
    k.links = [];
  }

  /** Follows the member list (records change load and availability) and forgets long-down members. */
  #sync(): void {
    const live = new Map(this.#node.members().map((m) => [m.addr as number, m]));
    for (const m of live.values()) {
      const k = this.#known.get(m.addr);
      if (k === undefined || k.state === 'down') this.#up(m);
      else k.record = m;
    }
    const now = Date.now();
    for (const [addr, k] of this.#known) {
      if (!live.has(addr) && k.state !== 'down') this.#down(addr, 'left the member list');
      if (k.state === 'down' && now - (k.downAt ?? now) > this.#o.downRetainMs) this.#known.delete(addr);
    }
  }

  #schedule(delay: number): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#polling = this.#poll().finally(() => {
        this.#polling = undefined;
        if (!this.#closed && Date.now() - this.#lastRead < this.#o.idleAfterMs)
          this.#schedule(this.#o.intervalMs);
      });
    }, delay);
  }

  /** One round: every live member's stats in parallel, each bounded by `statsTimeoutMs`. */
  async #poll(): Promise<void> {
    this.#sync();
    const targets = [...this.#known.values()].filter((k) => k.state !== 'down');
    await Promise.all(targets.map((k) => this.#fetch(k)));
    this.#record();
  }

  async #fetch(k: Known): Promise<void> {
    const addr = k.record.addr;
    const started = performance.now();
    let stats: NodeStats;
    try {
      stats =
        addr === this.#node.addr
          ? this.#node.stats({ top: this.#o.topMailboxes })
          : ((await this.#node
              .ref({ node: addr, name: NODE_ACTOR })
              .ask(
                'stats',
                { top: this.#o.topMailboxes },
                { timeoutMs: this.#o.statsTimeoutMs },
              )) as NodeStats);
    } catch (err) {
      if (k.state === 'up') {
        k.state = 'unreachable';
        k.downReason = (err as Error).message;
      }
      return;
    }
    if (k.state === 'down' || k.record.addr !== addr) return;
    if (k.state === 'unreachable') {
      k.state = 'up';
      k.downReason = undefined;
    }
    const probeMs = performance.now() - started;
    const sample = sampleOf(stats, Date.now());
    k.stats = summarise(stats, sample, k.sample, probeMs);
    k.links = linksOf(stats, sample, k.sample);
    k.sample = sample;
  }

  /** Appends one point per series, cluster-wide, keeping `historyPoints`. */
  #record(): void {
    let msgs = 0;
    let dead = 0;
    let sessions = 0;
    let asks = 0;
    let asksPerSec = 0;
    let askP99Ms = 0;
    let probe = 0;
    let probes = 0;
    for (const k of this.#known.values()) {
      if (k.state !== 'up' || k.stats === undefined) continue;
      msgs += k.stats.msgsInPerSec;
      dead += k.stats.deadLettersPerSec;
      sessions += k.stats.gateway?.sessions ?? 0;
      asks += k.stats.asksInFlight;
      asksPerSec += k.stats.asksPerSec;
      askP99Ms = Math.max(askP99Ms, k.stats.askP99Ms);
      if (k.record.addr !== this.#node.addr) {
        probe += k.stats.probeMs;
        probes++;
      }
    }
    const s = this.#series;
    s.t.push(Date.now() / 1000);
    s.msgsPerSec.push(msgs);
    s.deadLettersPerSec.push(dead);
    s.sessions.push(sessions);
    s.asksInFlight.push(asks);
    s.asksPerSec.push(asksPerSec);
    s.askP99Ms.push(askP99Ms);
    s.probeMs.push(probes === 0 ? 0 : probe / probes);
    if (s.t.length > this.#o.historyPoints)
      for (const series of Object.values(s) as number[][])
        series.splice(0, series.length - this.#o.historyPoints);
  }
}
