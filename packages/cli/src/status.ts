// `troupe status`: an observer node joins the cluster, asks every member for its stats, and leaves.
import { Addr, isObserver, NODE_ACTOR, Node, type NodeStats } from '@troupe/runtime';
import pino, { type Logger } from 'pino';
import type { ClusterConfig } from './config.js';
import { membershipFor } from './membership.js';
import { resolveSecret } from './secret.js';

/** Default deadline of each member's stats ask. */
export const DEFAULT_STATUS_TIMEOUT_MS = 3000;
/** The node type observers take unless `as` says otherwise. */
export const OBSERVER_TYPE = 254;

/** One member as `troupe status` reports it. */
export interface MemberStatus {
  addr: string;
  host: string;
  port: number;
  load: number;
  available: boolean;
  /** Undefined when the member did not answer (`error` says why). */
  stats?: NodeStats;
  /** Sessions on a gateway member (from its gateway section), undefined elsewhere. */
  sessions?: number;
  error?: string;
}

/** Options of `clusterStatus`. */
export interface StatusOptions {
  /** The observer's address; default group of the first node, type 254, a process id from the pid. */
  as?: string;
  timeoutMs?: number;
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
}

/** The observer address used when none is given. */
export function defaultObserverAddr(config: ClusterConfig): string {
  const group = Addr.group(Addr.parse(config.nodes[0]!.addr));
  return `${group}.${OBSERVER_TYPE}.${(process.pid % 4000) + 1}`;
}

/** Joins as an observer, collects every (non-observer) member's stats, stops the observer. */
export async function clusterStatus(
  config: ClusterConfig,
  options: StatusOptions = {},
): Promise<MemberStatus[]> {
  const as = options.as ?? defaultObserverAddr(config);
  const observer = await Node.start({
    addr: as,
    secret: resolveSecret(config.secret, options.env),
    clusterId: config.cluster,
    membership: membershipFor(config, as, config.baseDir),
    observer: true,
    logger: options.logger ?? pino({ level: 'silent' }),
  });
  try {
    const members = observer.members().filter((m) => m.addr !== observer.addr && !isObserver(m));
    members.sort((a, b) => a.addr - b.addr);
    const timeoutMs = options.timeoutMs ?? DEFAULT_STATUS_TIMEOUT_MS;
    return await Promise.all(
      members.map(async (m): Promise<MemberStatus> => {
        const base = {
          addr: Addr.format(m.addr),
          host: m.host,
          port: m.port,
          load: m.load,
          available: m.available,
        };
        try {
          const stats = (await observer.ref(m.addr, NODE_ACTOR).ask('stats', {}, { timeoutMs })) as NodeStats;
          const gateway = stats.extensions.gateway as { sessions?: unknown } | undefined;
          return {
            ...base,
            stats,
            ...(typeof gateway?.sessions === 'number' ? { sessions: gateway.sessions } : {}),
          };
        } catch (err) {
          return { ...base, error: (err as Error).message };
        }
      }),
    );
  } finally {
    await observer.stop();
  }
}

function uptime(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  return `${Math.floor(s / 3600)}h`;
}

/** The status as an aligned text table. */
export function formatStatus(members: readonly MemberStatus[]): string {
  const rows = [['ADDR', 'HOST:PORT', 'LOAD', 'ACTORS', 'SESSIONS', 'LINKS', 'DEEPEST', 'UPTIME', 'STATE']];
  for (const m of members) {
    const s = m.stats;
    rows.push([
      m.addr,
      `${m.host}:${m.port}`,
      String(m.load),
      s ? String(s.actors.count - s.actors.system) : '-',
      m.sessions !== undefined ? String(m.sessions) : '-',
      s ? String(s.links.length) : '-',
      s?.actors.mailboxes[0] ? `${s.actors.mailboxes[0].name}:${s.actors.mailboxes[0].depth}` : '-',
      s ? uptime(s.uptimeMs) : '-',
      m.error !== undefined ? `unreachable (${m.error})` : m.available ? 'up' : 'draining',
    ]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows
    .map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  '))
    .join('\n');
}
