// Gateway counters: sessions, frames and bytes per route, refusals by reason; read by `node.stats()`.

/** Counters of one route. */
export interface RouteCounters {
  framesIn: number;
  bytesIn: number;
  framesOut: number;
  bytesOut: number;
}

/** What the gateway adds to `node.stats()` under `gateway`. */
export interface GatewayStats {
  sessions: number;
  /** Sessions waiting to be resumed. */
  detached: number;
  sessionsOpened: number;
  sessionsResumed: number;
  framesIn: number;
  framesOut: number;
  bytesIn: number;
  bytesOut: number;
  /** Fan-out messages (multicast, broadcast, pushes by uid) this gateway received from the cluster. */
  fanoutIn: number;
  /** Refusals and closing notices by code (BLOCKED, UNAUTHORIZED, SLOW_CLIENT, ...). */
  refusals: Record<string, number>;
  /** Per route name. */
  routes: Record<string, RouteCounters>;
  listeners: { ws?: string; tcp?: string };
}

/** Mutable counters behind `GatewayStats`. */
export class GatewayMetrics {
  sessionsOpened = 0;
  sessionsResumed = 0;
  framesIn = 0;
  framesOut = 0;
  bytesIn = 0;
  bytesOut = 0;
  fanoutIn = 0;
  readonly refusals = new Map<string, number>();
  readonly routes = new Map<string, RouteCounters>();

  refused(code: string): void {
    this.refusals.set(code, (this.refusals.get(code) ?? 0) + 1);
  }

  route(name: string): RouteCounters {
    let c = this.routes.get(name);
    if (c === undefined) {
      c = { framesIn: 0, bytesIn: 0, framesOut: 0, bytesOut: 0 };
      this.routes.set(name, c);
    }
    return c;
  }

  snapshot(sessions: number, detached: number, listeners: GatewayStats['listeners']): GatewayStats {
    return {
      sessions,
      detached,
      sessionsOpened: this.sessionsOpened,
      sessionsResumed: this.sessionsResumed,
      framesIn: this.framesIn,
      framesOut: this.framesOut,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      fanoutIn: this.fanoutIn,
      refusals: Object.fromEntries(this.refusals),
      routes: Object.fromEntries([...this.routes].map(([k, v]) => [k, { ...v }])),
      listeners,
    };
  }
}
