// Harness side of the gateway scenarios: the Troupe gateway and its baselines, with client load
// generators in their own processes.
import type { WorkerHandle } from '../harness.js';
import { median, sleep } from '../harness.js';
import { type Side, type SideContext, selfTimedSide } from '../sides.js';
import type { ClientOptions } from './clients.worker.js';
import type { ServerOptions } from './servers.worker.js';

const SERVERS = new URL('./servers.worker.ts', import.meta.url);
const CLIENTS = new URL('./clients.worker.ts', import.meta.url);
/** Load generator processes for many-connection scenarios. */
export const CLIENT_PROCESSES = 4;
/** Broadcasts timed per measurement (the figure is their median). */
const BROADCASTS = 5;

const server = (ctx: SideContext, options: ServerOptions, gc = false) =>
  ctx.spawn(SERVERS, { options, readyTimeoutMs: 60_000, ...(gc ? { execArgv: ['--expose-gc'] } : {}) });

/** `count` clients over CLIENT_PROCESSES processes (or one), each process on its own 8 source addresses. */
async function clients(
  ctx: SideContext,
  url: string,
  count: number,
  hello: ClientOptions['hello'],
): Promise<WorkerHandle[]> {
  const processes = count < CLIENT_PROCESSES ? 1 : CLIENT_PROCESSES;
  const out: WorkerHandle[] = [];
  for (let p = 0; p < processes; p++) {
    const share = Math.floor(count / processes) + (p < count % processes ? 1 : 0);
    const options: ClientOptions = { url, count: share, hello, sourceBase: 2 + p * 8 };
    out.push(await ctx.spawn(CLIENTS, { options, readyTimeoutMs: 300_000 }));
  }
  return out;
}

/** A gateway node and a backend node, each in its own process; resolves with both and the client URL. */
async function troupeGateway(ctx: SideContext, gc = false) {
  const members = [
    { addr: '1.1.1', port: await ctx.freePort() },
    { addr: '1.2.1', port: await ctx.freePort() },
  ];
  const backend = await server(ctx, { role: 'backend', self: '1.2.1', members });
  const gw = await server(ctx, { role: 'gateway', self: '1.1.1', members }, gc);
  return { gw, backend, url: (gw.info as { url: string }).url };
}

/** client -> gateway -> backend -> client, one 64-byte request in flight. */
export async function troupeRtt(ctx: SideContext): Promise<Side> {
  const { url } = await troupeGateway(ctx);
  const [c] = await clients(ctx, url, 1, 'none');
  return selfTimedSide(c!, 'rtt', { relay: false });
}

/** client -> hand-written ws relay -> TCP echo process -> relay -> client. */
export async function relayRtt(ctx: SideContext): Promise<Side> {
  const echo = await server(ctx, { role: 'tcp-echo' });
  const relay = await server(ctx, { role: 'relay', echoPort: (echo.info as { port: number }).port });
  const [c] = await clients(ctx, (relay.info as { url: string }).url, 1, 'none');
  return selfTimedSide(c!, 'rtt', { relay: true });
}

/** Times broadcasts from `source` until the last of `all` clients got each; the figure is the median ms. */
function broadcastSide(source: WorkerHandle, all: WorkerHandle[]): Side {
  return {
    async measure() {
      const times: number[] = [];
      for (let i = 0; i < BROADCASTS; i++) {
        await Promise.all(all.map((c) => c.request('arm')));
        const sent = await source.request<number>('broadcast');
        const last = await Promise.all(
          all.map((c) => c.request<number>('allReceived', { timeoutMs: 30_000 })),
        );
        times.push(Math.max(...last) - sent);
        await sleep(50);
      }
      return { value: median(times) };
    },
    async close() {},
  };
}

/** 64 bytes pushed by a backend to every session of one gateway. */
export async function troupeBroadcast(ctx: SideContext, sessions: number): Promise<Side> {
  const { url, backend } = await troupeGateway(ctx);
  return broadcastSide(backend, await clients(ctx, url, sessions, 'wait'));
}

/** The naive loop: one `ws.send` per socket on a bare `ws` server. */
export async function bareBroadcast(ctx: SideContext, sessions: number): Promise<Side> {
  const bare = await server(ctx, { role: 'bare-ws' });
  return broadcastSide(bare, await clients(ctx, (bare.info as { url: string }).url, sessions, 'send'));
}

/**
 * Memory per idle session in a fresh server process: RSS (after GC) before and after `sessions`
 * clients connected and said HELLO (Troupe answers WELCOME; the bare server reads and ignores it),
 * divided by the sessions. Everything is killed after.
 */
export function sessionMemorySide(ctx: SideContext, troupe: boolean, sessions: number): Side {
  return {
    async measure() {
      const spawned: WorkerHandle[] = [];
      try {
        let srv: WorkerHandle;
        let url: string;
        if (troupe) {
          const t = await troupeGateway(ctx, true);
          spawned.push(t.gw, t.backend);
          srv = t.gw;
          url = t.url;
        } else {
          srv = await server(ctx, { role: 'bare-ws' }, true);
          spawned.push(srv);
          url = (srv.info as { url: string }).url;
        }
        const before = await srv.request<number>('rss');
        spawned.push(...(await clients(ctx, url, sessions, troupe ? 'wait' : 'send')));
        const deadline = Date.now() + 60_000;
        let open = await srv.request<number>('sessions');
        while (open < sessions && Date.now() < deadline) {
          await sleep(100);
          open = await srv.request<number>('sessions');
        }
        if (open < sessions) throw new Error(`only ${open} of ${sessions} sessions opened`);
        const after = await srv.request<number>('rss');
        return { value: (after - before) / open };
      } finally {
        for (const w of spawned) w.kill();
      }
    },
    async close() {},
  };
}
