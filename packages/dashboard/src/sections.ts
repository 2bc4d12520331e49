// Reads the extension sections of `node.stats()` the dashboard knows (harbor, gateway) without
// importing their packages: a section is untrusted shape, checked here, absent when it does not fit.
import type { NodeStats } from '@troupe/runtime';

/** The harbor's section (`HarborStats`). */
export interface HarborSection {
  framesForwarded: number;
  bytesForwarded: number;
  dropped: Record<string, number>;
}

/** One gateway route's counters. */
export interface RouteSection {
  framesIn: number;
  bytesIn: number;
  framesOut: number;
  bytesOut: number;
}

/** The gateway's section (`GatewayStats` of `@troupe/gateway`), the fields the dashboard reads. */
export interface GatewaySection {
  sessions: number;
  detached: number;
  sessionsOpened: number;
  sessionsResumed: number;
  framesIn: number;
  framesOut: number;
  bytesIn: number;
  bytesOut: number;
  fanoutIn: number;
  refusals: Record<string, number>;
  routes: Record<string, RouteSection>;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(o: Obj, key: string): number {
  const v = o[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

/** A record of numbers; entries that are not numbers are left out. */
function counts(v: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (!isObj(v)) return out;
  for (const [k, n] of Object.entries(v)) if (typeof n === 'number' && Number.isFinite(n)) out[k] = n;
  return out;
}

/** The harbor section of a snapshot, if the node runs the harbor extension. */
export function harborSection(stats: NodeStats): HarborSection | undefined {
  const s = stats.extensions.harbor;
  if (!isObj(s) || typeof s.framesForwarded !== 'number') return undefined;
  return {
    framesForwarded: num(s, 'framesForwarded'),
    bytesForwarded: num(s, 'bytesForwarded'),
    dropped: counts(s.dropped),
  };
}

/** The gateway section of a snapshot, if the node runs a gateway. */
export function gatewaySection(stats: NodeStats): GatewaySection | undefined {
  const s = stats.extensions.gateway;
  if (!isObj(s) || typeof s.sessions !== 'number') return undefined;
  const routes: Record<string, RouteSection> = {};
  if (isObj(s.routes))
    for (const [name, r] of Object.entries(s.routes))
      if (isObj(r))
        routes[name] = {
          framesIn: num(r, 'framesIn'),
          bytesIn: num(r, 'bytesIn'),
          framesOut: num(r, 'framesOut'),
          bytesOut: num(r, 'bytesOut'),
        };
  return {
    sessions: num(s, 'sessions'),
    detached: num(s, 'detached'),
    sessionsOpened: num(s, 'sessionsOpened'),
    sessionsResumed: num(s, 'sessionsResumed'),
    framesIn: num(s, 'framesIn'),
    framesOut: num(s, 'framesOut'),
    bytesIn: num(s, 'bytesIn'),
    bytesOut: num(s, 'bytesOut'),
    fanoutIn: num(s, 'fanoutIn'),
    refusals: counts(s.refusals),
    routes,
  };
}

/** Transport counters newer transports add (`forgedFrames`, `handshakesRefused`), when present. */
export function transportExtras(stats: NodeStats): {
  forgedFrames?: number;
  handshakesRefused: Record<string, number>;
} {
  const t = stats.transport as unknown as Obj;
  const forged = t.forgedFrames;
  return {
    ...(typeof forged === 'number' ? { forgedFrames: forged } : {}),
    handshakesRefused: counts(t.handshakesRefused),
  };
}
